/**
 * Run every benchmark script in bench/ in its own process, one after the other.
 * Usage: `npm run bench` (all) or `npm run bench -- pricing otel` (some); `--help` lists them.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scriptArgs } from '../examples/shared/script-args.js';

const dir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run-all.ts', 'util.ts'].includes(f))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

const USAGE = `Usage: npm run bench [-- <name>...]
   or: node --import tsx bench/run-all.ts [<name>...]

Runs the benchmarks in bench/ (all of them, or the ones named), each in its own process, one after
the other, and prints their figures; nothing is written. \`npm run bench\` builds the package first:
\`langfuse-cost\` resolves to the built package (dist/), so the library is measured as it ships.
Exits 1 if a benchmark fails.

Benchmarks: ${available.join(', ')}
(Run one alone with node --import tsx bench/<name>.ts; the comment at the top of each file gives the
options it takes then.)

Options:
  -h, --help    print this help
`;

const { positionals: wanted } = scriptArgs({
  name: 'bench',
  usage: USAGE,
  options: {},
  allowPositionals: true,
});
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: no benchmark "${unknown[0]}": use one of ${available.join(', ')} (see --help)\n`,
  );
  process.exit(2);
}
const scripts = available
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .map((n) => `${n}.ts`);

// Built here, after the arguments are read, so `--help` and a mistyped name answer at once.
const build = spawnSync('npm', ['run', 'build'], {
  stdio: 'inherit',
  cwd: fileURLToPath(new URL('..', import.meta.url)),
});
if (build.status !== 0) {
  console.error(`bench: npm run build exited with ${build.status}`);
  process.exit(1);
}
let failed = 0;
for (const s of scripts) {
  // bench/tsconfig.json has no `paths`: `langfuse-cost` resolves to the built package (dist/), so
  // the library is measured as it ships, not as tsx compiles the sources.
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${dir}${s}`], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: `${dir}tsconfig.json` },
  });
  if (r.status !== 0) {
    failed++;
    console.error(`bench ${s} exited with ${r.status}`);
  }
}
process.exitCode = failed ? 1 : 0;
