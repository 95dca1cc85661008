/**
 * `aggregateLedgerParallel` in the built package under the ways people start node: the worker threads
 * must really read their shares (not fall back to one thread) when the program is `node -e` code, ESM
 * code given with `--input-type=module`, or carries process-wide flags a worker cannot take.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const distNode = fileURLToPath(new URL('../../../../dist/node.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lc-report-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 300 calls of 1,000,003 pico-USD each (a written fact, not a computed one): 300,000,900 pico-USD.
const ledger = join(dir, 'ledger.jsonl');
writeFileSync(
  ledger,
  Array.from(
    { length: 300 },
    (_, i) =>
      `{"id":"c-${i}","start_time":"2026-11-0${1 + (i % 9)}T10:00:00.000Z","provided_model_name":"gpt-4o","cost_pico":1000003,"status":"success"}\n`,
  ).join(''),
);

const program = (mod: string) =>
  `const m = await import(${JSON.stringify(mod)});` +
  `const r = await m.aggregateLedgerParallel(${JSON.stringify(ledger)}, { threads: 2, minBytes: 0 });` +
  'console.log(JSON.stringify({ threads: r.threads, calls: r.totals.requests, pico: String(r.totals.totalPico) }));';

describe('report worker threads under node -e and friends', () => {
  it.each([
    ['node --input-type=module -e', ['--input-type=module', '-e']],
    ['node -e', ['-e']],
    [
      'node --input-type=module --stack-size=2000 --title=x -e',
      ['--input-type=module', '--stack-size=2000', '--title=x', '-e'],
    ],
  ])('%s reads on two threads', (_, flags) => {
    // -e code is CommonJS unless --input-type=module: wrap it so top-level await works either way.
    const code = flags.includes('--input-type=module')
      ? program(distNode)
      : `(async () => { ${program(distNode)} })()`;
    const out = execFileSync(process.execPath, [...flags, code], { encoding: 'utf8' });
    expect(JSON.parse(out.trim())).toEqual({ threads: 2, calls: 300, pico: '300000900' });
  });
});
