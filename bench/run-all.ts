/**
 * Run every benchmark script in bench/ in its own process, one after the other.
 * Usage: `npm run bench` (all) or `npm run bench -- pricing otel` (some).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run-all.ts', 'util.ts'].includes(f))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace(/\.ts$/, '')))
  .sort();
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
