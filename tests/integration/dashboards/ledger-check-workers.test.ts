/**
 * A large ledger file's lines are checked by worker threads that write them as Native columns for chDB
 * (or, when a line is not in our encoder's form, while chDB parses the file and builds the tables and
 * the cache files on its own threads). The threads really run (not the single-thread
 * fallback), the tables hold exactly the checked records, and when the check skips a line that ClickHouse
 * parses anyway, everything built meanwhile (rows and cache files) is dropped and rebuilt from the valid
 * lines. Runs in a child `node --import tsx` so the worker can load the TypeScript worker script.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const distDashboards = fileURLToPath(new URL('../../../dist/dashboards.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lc-dash-check-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// 300 calls of 1,000,003 pico-USD each (a written fact): 300,000,900 pico-USD = 0.0003000009 USD, in
// 100 traces (three calls each).
const call = (i: number) =>
  `{"id":"c-${i}","trace_id":"t-${Math.floor(i / 3)}","start_time":"2026-11-0${1 + (i % 9)}T10:00:00.000Z","provided_model_name":"gpt-4o","cost_pico":1000003,"status":"success"}`;
const calls = Array.from({ length: 300 }, (_, i) => call(i));
// ClickHouse parses this line happily; the ledger check refuses it (a negative cost).
const negative =
  '{"id":"negative","trace_id":"t-neg","start_time":"2026-11-01T10:00:00.000Z","provided_model_name":"gpt-4o","total_cost":-5,"status":"success"}';

/**
 * Open `ledger` twice in a child process from the built package (the worker script is a built file):
 * building the cache in `cacheDir`, then from it. Needs `npm run build` first.
 */
function load(ledger: string, cacheDir: string) {
  const code = `const { openLocalSource } = await import(${JSON.stringify(distDashboards)});
const out = [];
for (let i = 0; i < 2; i++) {
  const progress = [];
  const warnings = [];
  const source = await openLocalSource({ ledger: ${JSON.stringify(ledger)}, cacheDir: ${JSON.stringify(cacheDir)},
    checkWorkersMinBytes: 0, onProgress: (m) => progress.push(m), onWarning: (m) => warnings.push(m) });
  const q = async (sql) => (await source.query(sql, {})).rows[0];
  out.push({
    progress, warnings, description: source.description,
    observations: await q('SELECT count() AS n, toString(sum(total_cost)) AS usd FROM observations'),
    traces: await q('SELECT count() AS n FROM traces'),
  });
  await source.close();
}
console.log(JSON.stringify(out));`;
  const text = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(text.trim().split('\n').pop()!) as {
    progress: string[];
    warnings: string[];
    description: string;
    observations: { n: number; usd: string };
    traces: { n: number };
  }[];
}

const checkedOnWorkers = (progress: string[]) =>
  progress.some((m) => /lines checked on [1-9]\d* worker threads/.test(m));
/** The workers also wrote the lines as Native columns (the JSON parsed once, not by ClickHouse too). */
const writtenByWorkers = (progress: string[]) =>
  progress.some((m) => m.endsWith('which wrote them as columns)'));

describe('checking a large ledger file on worker threads', () => {
  it('checks on workers while chDB builds the tables and the cache', () => {
    const ledger = join(dir, 'valid.jsonl');
    writeFileSync(ledger, `${calls.join('\n')}\n`);
    const cacheDir = join(dir, 'cache-valid');
    const [built, cached] = load(ledger, cacheDir);
    expect(checkedOnWorkers(built!.progress)).toBe(true);
    expect(writtenByWorkers(built!.progress)).toBe(true);
    expect(built!.warnings).toEqual([]);
    expect(built!.observations).toEqual({ n: 300, usd: '0.0003000009' });
    expect(built!.traces).toEqual({ n: 100 });
    // The second run reads the cache: nothing to check.
    expect(cached!.progress).toEqual([`loading ${ledger} (cached)`]);
    expect(cached!.observations).toEqual({ n: 300, usd: '0.0003000009' });
    expect(cached!.traces).toEqual({ n: 100 });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('drops what was built beside the check when the check skips a line', () => {
    const ledger = join(dir, 'negative.jsonl');
    writeFileSync(ledger, `${[...calls.slice(0, 150), negative, ...calls.slice(150)].join('\n')}\n`);
    const cacheDir = join(dir, 'cache-negative');
    const [built, cached] = load(ledger, cacheDir);
    expect(checkedOnWorkers(built!.progress)).toBe(true);
    // A line the workers cannot take as columns: the file is checked and parsed the general way.
    expect(writtenByWorkers(built!.progress)).toBe(false);
    expect(built!.description).toContain('1 malformed lines skipped');
    expect(built!.warnings.join('\n')).toContain('line 151');
    expect(built!.observations).toEqual({ n: 300, usd: '0.0003000009' });
    expect(built!.traces).toEqual({ n: 100 });
    // The cache holds the rebuilt part (without the negative line), not what was built beside the check.
    expect(cached!.progress).toEqual([`loading ${ledger} (cached)`]);
    expect(cached!.description).toContain('1 malformed lines skipped');
    expect(cached!.observations).toEqual({ n: 300, usd: '0.0003000009' });
    expect(cached!.traces).toEqual({ n: 100 });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
