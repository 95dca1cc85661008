/**
 * A large ledger file's lines are checked by worker threads that write them as Native columns for chDB
 * (or, when a line is not in our encoder's form, while chDB parses the file and builds the tables and
 * the cache files on its own threads). The threads really run (not the single-thread
 * fallback), the tables hold exactly the checked records, and when the check skips a line that ClickHouse
 * parses anyway, everything built meanwhile (rows and cache files) is dropped and rebuilt from the valid
 * lines. The tables the workers' columns give are the tables the general way gives, row for row. Runs
 * from the built package in a child `node`, so the worker can load its built script.
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

/**
 * `observations` and `traces` of `ledger` loaded without a cache in a child process, the large-file way
 * (`workers`: lines checked and written as Native columns on worker threads, one share per core) or the
 * small-file way (checked on the loading thread, parsed by ClickHouse from the JSON). Rows in a total
 * order, without the load's own times (`created_at`, `updated_at`); `stored`: the `event_ts` of
 * `observations` in the order the table holds them (newest first, see `ROW_ORDER`).
 */
function tables(ledger: string, workers: boolean) {
  const code = `const { openLocalSource } = await import(${JSON.stringify(distDashboards)});
const progress = [];
const source = await openLocalSource({ ledger: ${JSON.stringify(ledger)}, cacheDir: false,
  checkWorkersMinBytes: ${workers ? 0 : Number.MAX_SAFE_INTEGER}, onProgress: (m) => progress.push(m) });
const rows = async (sql) => (await source.query(sql, {})).rows;
const out = {
  progress,
  observations: await rows('SELECT * EXCEPT (created_at, updated_at) FROM observations ORDER BY id'),
  traces: await rows('SELECT * EXCEPT (created_at, updated_at) FROM traces ORDER BY project_id, id'),
  stored: (await rows('SELECT toUnixTimestamp64Milli(event_ts) AS t FROM observations SETTINGS max_threads = 1')).map((r) => Number(r.t)),
};
await source.close();
console.log(JSON.stringify(out));`;
  const text = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(text.trim().split('\n').pop()!) as {
    progress: string[];
    observations: Record<string, unknown>[];
    traces: Record<string, unknown>[];
    stored: number[];
  };
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

  it('gives the rows of the general way when the workers write the columns', () => {
    // Traces whose calls are in both shares of the file, names, users, sessions and environments first
    // given by a later call, tags to merge, errors, nulls, calls ending as they start, equal start times
    // and out-of-order ones.
    const varied = (i: number) => {
      const trace = `t-${i % 37}`;
      const start = `2026-11-${String(1 + ((i * 7) % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:0${i % 3}.000Z`;
      const end = i % 5 === 0 ? start : start.replace(/\.000Z$/, '.250Z');
      return JSON.stringify({
        id: `v-${i}`,
        trace_id: trace,
        parent_observation_id: null,
        project_id: 'local',
        type: 'GENERATION',
        name: i % 4 === 0 ? null : `op-${i % 3}`,
        environment: i % 6 === 0 ? 'staging' : 'production',
        start_time: start,
        end_time: end,
        level: i % 9 === 0 ? 'ERROR' : 'DEFAULT',
        status_message: i % 9 === 0 ? 'rate limited' : null,
        provided_model_name: i % 2 ? 'gpt-4o' : 'claude-sonnet-4-5',
        internal_model_id: i % 2 ? 'gpt-4o' : 'claude-sonnet-4-5',
        usage_details: { input: 100 + i, output: 10 + (i % 50), total: 110 + i + (i % 50) },
        cost_details: { input: 0.00025, output: 0.0001, total: 0.00035 },
        provided_cost_details: {},
        total_cost: 0.00035,
        cost_pico: 350000000,
        metadata: i % 10 === 0 ? { k: `v${i}` } : {},
        session_id: i % 3 === 0 ? null : `s-${i % 11}`,
        user_id: i % 4 === 1 ? null : `u-${i % 7}`,
        tenant_id: `tenant-${i % 2}`,
        tags: i % 5 === 0 ? [] : [`tag-${i % 4}`, 'all'],
        provider: i % 2 ? 'openai' : 'anthropic',
        resolved_model: i % 2 ? 'gpt-4o' : 'claude-sonnet-4-5',
        source: 'catalog',
        estimated: false,
        tier: 'standard',
        fallback: false,
        service: null,
        duration_ms: i % 5 === 0 ? 0 : 250,
        status: i % 9 === 0 ? 'error' : 'success',
      });
    };
    const ledger = join(dir, 'varied.jsonl');
    writeFileSync(ledger, `${Array.from({ length: 400 }, (_, i) => varied(i)).join('\n')}\n`);
    const fromColumns = tables(ledger, true);
    const general = tables(ledger, false);
    expect(writtenByWorkers(fromColumns.progress)).toBe(true);
    expect(writtenByWorkers(general.progress)).toBe(false);
    expect(fromColumns.observations).toHaveLength(400);
    expect(fromColumns.traces).toHaveLength(37);
    expect(fromColumns.observations).toEqual(general.observations);
    expect(fromColumns.traces).toEqual(general.traces);
    const newestFirst = (ts: number[]) => ts.every((t, i) => i === 0 || t <= ts[i - 1]!);
    expect(fromColumns.stored).toHaveLength(400);
    expect(newestFirst(fromColumns.stored)).toBe(true);
    expect(newestFirst(general.stored)).toBe(true);
  });
});
