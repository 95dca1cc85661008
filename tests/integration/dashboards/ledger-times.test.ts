/**
 * Start and end times the ledger's line check accepts (any text `Date.parse` reads: `report`, `export`
 * and `budget` count the call) in the dashboards' local source: each loads at the instant `Date.parse`
 * gives (what `report` uses), clamped to the instants a dashboard's window reaches (1900-01-01 to the
 * end of 9999: before, in the window of all time; after, in none), and none makes the load fail.
 * Lines in our encoder's form still take the fast way (the line check's workers write them as columns).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isLedgerTime } from '../../../src/ledger/check.js';
import { JsonlLedgerSink } from '../../../src/node/index.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { runCli } from '../../helpers/cli.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lc-dash-times-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The instants a dashboard's window reaches, in ms since 1970. */
const MIN_MS = Date.parse('1900-01-01T00:00:00.000Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');
const clamp = (ms: number) => Math.min(MAX_MS, Math.max(MIN_MS, ms));

/**
 * Time texts: ISO-like ones built from parts (valid and not; `Date.parse` reads many of the invalid
 * ones its own way: February 30, hour 24, a space for `T`, no zone = local time), and other forms it reads.
 */
function timeTexts(): string[] {
  const out: string[] = [];
  const years = ['0000', '0001', '1899', '1900', '1970', '2000', '2026', '2100', '2299', '2300', '9999'];
  const days = ['01-01', '02-28', '02-29', '02-30', '04-31', '12-31', '13-01'];
  const clocks = [
    '00:00',
    '23:59',
    '24:00',
    '12:34:56',
    '23:59:59',
    '12:34:56.1',
    '12:34:56.123',
    '12:34:56.1239',
    '12:34:56.999999999',
  ];
  const zones = ['Z', 'z', '+00:00', '-00:00', '+05:30', '-08:00', '+23:59', '-2359', '+24:00', ''];
  for (const y of years)
    for (const d of days)
      for (const sep of ['T', 't', ' '])
        for (const c of clocks) for (const z of zones) out.push(`${y}-${d}${sep}${c}${z}`);
  out.push(
    '+058158-09-12T00:00:00.000Z',
    '+058158-09-12T00:08:20.000Z',
    '-000001-01-01T00:00:00.000Z',
    '+002026-03-10T12:00:00.000Z',
    '2026-03-10',
    '2026-03',
    '2026',
    'Mar 10 2026 12:00 GMT',
    'Tue, 10 Mar 2026 12:00:00 +0100',
    '2026/03/10 12:00:00',
    'March 10, 2026 12:00:00 PST',
    '3/10/2026',
  );
  return out.filter(isLedgerTime);
}

describe('odd start and end times in the dashboards’ local source', () => {
  it('loads every time the line check accepts at the instant Date.parse gives (clamped to 1900–9999)', () => {
    const texts = timeTexts();
    expect(texts.length).toBeGreaterThan(5000);
    // Line i: start i, end i + 1, so that each text is read as a start and as an end.
    const ledger = join(dir, 'times.jsonl');
    const lines = texts.map((t, i) =>
      JSON.stringify({ id: `t-${i}`, start_time: t, end_time: texts[(i + 1) % texts.length] }),
    );
    writeFileSync(ledger, `${lines.join('\n')}\n`);
    // In a zone away from UTC (with summer time), where a time without a zone is not UTC.
    const code = `const { openLocalSource } = await import(${JSON.stringify(join(root, 'src/dashboards/index.ts'))});
const source = await openLocalSource({ ledger: ${JSON.stringify(ledger)}, cacheDir: false, onWarning: (m) => { throw new Error(m); } });
const rows = (await source.query('SELECT id, toString(toUnixTimestamp64Milli(start_time)) AS s, toString(toUnixTimestamp64Milli(end_time)) AS e FROM observations', {})).rows;
await source.close();
const { readFileSync } = await import('node:fs');
const texts = readFileSync(${JSON.stringify(ledger)}, 'utf8').split('\\n').filter(Boolean).map((l) => JSON.parse(l).start_time);
console.log(JSON.stringify({ rows, parsed: texts.map((t) => Date.parse(t)) }));`;
    const text = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TZ: 'America/New_York' },
      maxBuffer: 256 * 1024 * 1024,
    });
    const out = JSON.parse(text.trim().split('\n').pop()!) as {
      rows: { id: string; s: string; e: string }[];
      parsed: number[];
    };
    expect(out.parsed.every((ms) => !Number.isNaN(ms))).toBe(true);
    // The zone mattered: a local time is not read as UTC.
    expect(out.parsed[texts.indexOf('2026-01-01T00:00')]).toBe(Date.parse('2026-01-01T05:00:00Z'));
    expect(out.rows).toHaveLength(texts.length);
    const got = new Map(out.rows.map((r) => [r.id, [Number(r.s), Number(r.e)]]));
    const wrong: string[] = [];
    texts.forEach((t, i) => {
      const want = [clamp(out.parsed[i]!), clamp(out.parsed[(i + 1) % texts.length]!)];
      const [s, e] = got.get(`t-${i}`)!;
      if (s !== want[0] || e !== want[1]) wrong.push(`${t}: ${s}, ${e}; expected ${want.join(', ')}`);
    });
    expect(wrong.slice(0, 10)).toEqual([]);
  }, 120_000);

  // Price facts for this test only (USD per 1M tokens): gpt-4o $2.50 input, $10 output; gpt-4o-mini
  // $0.15 input, $0.60 output.
  const catalog = PriceCatalog.fromData({
    version: 1,
    models: [
      { id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, output: 10 } },
      { id: 'gpt-4o-mini', provider: 'openai', prices: { input: 0.15, output: 0.6 } },
    ],
  });
  // pico-USD per token = USD per 1M tokens × 1e6
  const pico = (tokens: number, usdPerMillion: number) => BigInt(Math.round(tokens * usdPerMillion * 1e6));
  const gptPico = pico(1000, 2.5) + pico(500, 10);
  const miniPico = pico(2000, 0.15) + pico(1000, 0.6);

  /** Two calls (gpt-4o on March 10, gpt-4o-mini on March 11), and with `micro` a third with its times in µs. */
  async function writeLedger(path: string, micro = false): Promise<void> {
    const sink = new JsonlLedgerSink({ path, flushOnExit: false });
    const tracker = new CostTracker({ sinks: [sink] });
    const at = (iso: string) => ({ startTime: Date.parse(iso), endTime: Date.parse(iso) + 500 });
    const cost = (model: string, input: number, output: number) =>
      calculateCost({ model, usage: { input, output } }, catalog)!;
    tracker.record(cost('gpt-4o', 1000, 500), {
      sessionId: 's1',
      userId: 'alice',
      ...at('2026-03-10T12:00:00Z'),
    });
    tracker.record(cost('gpt-4o-mini', 2000, 1000), {
      sessionId: 's2',
      userId: 'bob',
      ...at('2026-03-11T12:00:00Z'),
    });
    // Microseconds taken for milliseconds: the year 58158.
    if (micro)
      tracker.record(cost('gpt-4o', 1000, 0), { startTime: 1773144000000000, endTime: 1773144000500000 });
    await tracker.close();
  }

  /** `report --json` and `dashboards run kpi-totals --format json` on `ledger`, each over its default window. */
  async function reportAndKpi(ledger: string) {
    const report = await runCli(['report', '--ledger', ledger, '--json']);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const dash = await runCli(['dashboards', 'run', 'kpi-totals', '--ledger', ledger, '--format', 'json']);
    expect(dash.stderr).toBe('');
    expect(dash.code).toBe(0);
    const totals = (
      JSON.parse(report.stdout) as { calls: number; totals: { totalPico: string; requests: number } }
    ).totals;
    const kpi = (JSON.parse(dash.stdout) as Record<string, unknown>[])[0]!;
    return { totals, kpi, asPico: (v: unknown) => BigInt(Math.round((v as number) * 1e12)) };
  }

  it('gives report’s totals for a ledger whose times have a lowercase t and z', async () => {
    const plain = join(dir, 'plain.jsonl');
    await writeLedger(plain);
    const lower = join(dir, 'lower.jsonl');
    const text = readFileSync(plain, 'utf8');
    writeFileSync(
      lower,
      text
        .replace('"start_time":"2026-03-10T12:00:00.000Z"', '"start_time":"2026-03-10t12:00:00.000z"')
        .replace('"end_time":"2026-03-11T12:00:00.500Z"', '"end_time":"2026-03-11t12:00:00.5z"'),
    );
    expect(readFileSync(lower, 'utf8').match(/\d[tz]/g)).toHaveLength(4);
    const { totals, kpi, asPico } = await reportAndKpi(lower);
    expect(totals.requests).toBe(2);
    expect(BigInt(totals.totalPico)).toBe(gptPico + miniPico);
    expect(kpi.requests).toBe(2);
    expect(asPico(kpi.total_cost_usd)).toBe(gptPico + miniPico);
    expect(asPico(kpi.input_cost_usd)).toBe(pico(1000, 2.5) + pico(2000, 0.15));
    expect(asPico(kpi.output_cost_usd)).toBe(pico(500, 10) + pico(1000, 0.6));
    // At the instants report reads.
    expect(kpi.first_call).toBe('2026-03-10 12:00:00.000');
    expect(kpi.last_call).toBe('2026-03-11 12:00:00.000');
  }, 60_000);

  it('loads a ledger with a year-58158 call (times in µs): its default window leaves it out, as report’s does', async () => {
    const micro = join(dir, 'micro.jsonl');
    await writeLedger(micro, true);
    expect(readFileSync(micro, 'utf8')).toContain('"start_time":"+058158-09-12T00:00:00.000Z"');
    const { totals, kpi, asPico } = await reportAndKpi(micro);
    expect(totals.requests).toBe(2);
    expect(BigInt(totals.totalPico)).toBe(gptPico + miniPico);
    expect(kpi.requests).toBe(2);
    expect(asPico(kpi.total_cost_usd)).toBe(gptPico + miniPico);
    expect(kpi.last_call).toBe('2026-03-11 12:00:00.000');
    // The call is kept, at the last instant a window reaches (which it ends before).
    const { openLocalSource } = await import('../../../src/dashboards/index.js');
    const source = await openLocalSource({ ledger: micro, cacheDir: false });
    try {
      const rows = (
        await source.query(
          `SELECT count() AS n, toString(max(start_time)) AS last, toString(max(end_time)) AS last_end FROM observations`,
          {},
        )
      ).rows;
      expect(rows).toEqual([{ n: 3, last: '9999-12-31 23:59:59.999', last_end: '9999-12-31 23:59:59.999' }]);
    } finally {
      await source.close();
    }
  }, 60_000);

  it('reads odd times the general way, and a file of our encoder’s lines still the fast way (workers write columns)', async () => {
    const plain = join(dir, 'fast.jsonl');
    await writeLedger(plain);
    const odd = join(dir, 'odd.jsonl');
    writeFileSync(odd, readFileSync(plain, 'utf8').replace('T12:00:00.000Z"', 't12:00:00.000z"'));
    // From the built package in a child `node` (the workers load their built script), with the workers'
    // threshold at 0 bytes and a cache: built, then read from the cache.
    const dist = join(root, 'dist/dashboards.js');
    const code = `const { openLocalSource } = await import(${JSON.stringify(dist)});
const out = {};
for (const [name, ledger] of [['fast', ${JSON.stringify(plain)}], ['odd', ${JSON.stringify(odd)}]]) {
  out[name] = [];
  for (let i = 0; i < 2; i++) {
    const progress = [];
    const source = await openLocalSource({ ledger, cacheDir: ${JSON.stringify(join(dir, 'cache'))},
      checkWorkersMinBytes: 0, onProgress: (m) => progress.push(m), onWarning: (m) => progress.push('warning: ' + m) });
    const row = (await source.query("SELECT count() AS n, toString(sum(total_cost)) AS usd, toString(min(start_time)) AS first FROM observations", {})).rows[0];
    out[name].push({ progress, ...row });
    await source.close();
  }
}
console.log(JSON.stringify(out));`;
    const text = execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    const out = JSON.parse(text.trim().split('\n').pop()!) as Record<
      'fast' | 'odd',
      { progress: string[]; n: number; usd: string; first: string }[]
    >;
    const usd = (Number(gptPico + miniPico) / 1e12).toString();
    const columns = (p: string[]) => p.some((m) => m.endsWith('which wrote them as columns)'));
    const [fast, fastCached] = out.fast;
    expect(columns(fast!.progress)).toBe(true);
    expect(fast).toMatchObject({ n: 2, usd, first: '2026-03-10 12:00:00.000' });
    expect(fastCached!.progress).toEqual([`loading ${plain} (cached)`]);
    const [oddBuilt, oddCached] = out.odd;
    expect(columns(oddBuilt!.progress)).toBe(false);
    expect(oddBuilt!.progress.filter((m) => m.startsWith('warning'))).toEqual([]);
    expect(oddBuilt).toMatchObject({ n: 2, usd, first: '2026-03-10 12:00:00.000' });
    expect(oddCached).toMatchObject({ progress: [`loading ${odd} (cached)`], n: 2, usd });
  }, 60_000);
});
