import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runTs } from '../../helpers/docs-examples.js';

// Every npm script that forwards arguments (`npm run demo -- --help`, …) and every example that takes
// some: --help prints the usage and exits 0; a bad option prints one line, points to --help and exits
// 2, with no stack trace (examples/shared/script-args.ts). Run as npm runs them: node --import tsx,
// from the repository root.

const SCRIPTS = [
  { name: 'demo', file: 'examples/quickstart/demo.ts', usage: /^Usage: npm run demo -- \[options\]/ },
  { name: 'bench', file: 'bench/run-all.ts', usage: /^Usage: npm run bench \[-- <name>\.\.\.\]/ },
  { name: 'prices:update', file: 'scripts/update-prices.ts', usage: /^Usage: npm run prices:update/ },
  {
    name: 'dashboards-clickhouse',
    file: 'examples/dashboards-clickhouse/main.ts',
    usage: /^Usage: node --import tsx examples\/dashboards-clickhouse\/main\.ts \[v3\|v4\]/,
  },
] as const;

const run = (file: string, args: string[]) =>
  runTs(path.join(ROOT, file), { args, env: { TSX_TSCONFIG_PATH: undefined }, timeoutMs: 30_000 });

describe('--help through the scripts that take arguments', () => {
  it('demo.ts --help says what the demo does, its options and where it writes; exit 0', async () => {
    const r = await run('examples/quickstart/demo.ts', ['--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run demo -- \[options\]/);
    expect(r.stdout).toContain('--out DIR');
    expect(r.stdout).toContain('--simulate');
    expect(r.stdout).toContain('DIR/ledger.jsonl');
    expect(r.stdout).toContain('DIR/cost-report.html');
    expect(r.stdout).not.toContain('SIMULATED'); // it did not run
  });

  it('demo.ts --bogus: one line, see --help, exit 2, no stack trace', async () => {
    const r = await run('examples/quickstart/demo.ts', ['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("demo: Unknown option '--bogus' (see --help)\n");
    const missing = await run('examples/quickstart/demo.ts', ['--out']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^demo: Option '--out <value>' argument missing \(see --help\)\n$/);
  });

  it.each(SCRIPTS.filter((s) => s.name !== 'demo'))(
    '$name: -h prints the usage, exit 0; --bogus exits 2',
    async (s) => {
      const help = await run(s.file, ['-h']);
      expect(help.stderr).toBe('');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(s.usage);
      const bad = await run(s.file, ['--bogus']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(`${s.name}: Unknown option '--bogus' (see --help)\n`);
    },
  );

  it('bench names an unknown benchmark and lists the real ones', async () => {
    const r = await run('bench/run-all.ts', ['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bench: no benchmark "nope": use one of .*\btracker\b.* \(see --help\)\n$/);
  });

  it('npm run cli -- --help: the CLI from its sources', async () => {
    const r = await run('src/cli/main.ts', ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^langfuse-cost — /);
    const sub = await run('src/cli/main.ts', ['report', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/^Usage: langfuse-cost report/);
  });
});
