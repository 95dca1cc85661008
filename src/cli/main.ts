import { exitQuietlyOnClosedPipe } from './closed-pipe.js';
import type { CliCommand, CliIO } from './command.js';
import { CliError } from './command.js';

// Each command module is loaded only when used, so `langfuse-cost price` never loads chDB.
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: CliCommand }> }> = {
  price: { summary: 'price one call, or a JSON Lines batch', load: () => import('./commands/price.js') },
  prices: {
    summary: 'list, show, validate, sync and edit prices',
    load: () => import('./commands/prices.js'),
  },
  report: { summary: 'totals and breakdowns from the ledger', load: () => import('./commands/report.js') },
  budget: { summary: 'spend against budget limits', load: () => import('./commands/budget.js') },
  export: {
    summary: 'export ledger records as CSV, JSON or JSON Lines',
    load: () => import('./commands/export.js'),
  },
  dashboards: {
    summary: 'run the SQL dashboards and write the HTML report',
    load: () => import('./commands/dashboards.js'),
  },
  langfuse: {
    summary: 'keep Langfuse model definitions and past costs in step',
    load: () => import('./commands/langfuse.js'),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`);
  return [
    'langfuse-cost — exact, explainable cost for every LLM call',
    '',
    'Usage: langfuse-cost <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `langfuse-cost <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${process.env.npm_package_version ?? (await readVersion())}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`langfuse-cost: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`${command.usage.trimEnd()}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`langfuse-cost ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    io.stderr.write(`langfuse-cost ${name}: ${e?.message ?? String(err)}\n`);
    if (io.env.LANGFUSE_COST_DEBUG) io.stderr.write(`${e?.stack ?? ''}\n`);
    return 1;
  }
}

async function readVersion(): Promise<string> {
  try {
    const { readFile } = await import('node:fs/promises');
    const url = new URL('../package.json', import.meta.url);
    return JSON.parse(await readFile(url, 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

const isMain = (() => {
  try {
    const argv1 = process.argv[1] ?? '';
    return /(?:^|[\\/])(cli\.js|main\.ts|langfuse-cost)$/.test(argv1);
  } catch {
    return false;
  }
})();

if (isMain) {
  exitQuietlyOnClosedPipe();
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`langfuse-cost: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
