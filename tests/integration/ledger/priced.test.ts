/**
 * Calls without a price, everywhere a cost is shown: the SQL dashboards (NULL, never $0; averages over
 * the priced calls with the unpriced count beside them), the ledger report (its totals, its CLI table),
 * the exports and the HTML report. The ledger is written by the real CostTracker and JsonlLedgerSink,
 * plus one hand-written line that carries cost_details but no total; every expected number is computed
 * here from the test's own price facts, and every reader must agree on which calls are priced.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardSource,
  formatTable,
  openLocalSource,
  renderHtmlReport,
  runDashboard,
  runDashboards,
} from '../../../src/dashboards/index.js';
import { isPricedLine, UNPRICED } from '../../../src/ledger/priced.js';
import { aggregateLedger, JsonlLedgerSink, readLedger } from '../../../src/node/index.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { CostTracker, formatExport, type LedgerLine } from '../../../src/tracker/index.js';
import { runCli } from '../../helpers/cli.js';

// Price facts (USD per 1M tokens), for this test only.
const PRICES = {
  'test-gpt': { input: 2.5, output: 10 },
  'test-claude': { input: 3, output: 15 },
} as const;
const pico = (tokens: number, usdPerMillion: number) => BigInt(Math.round(tokens * usdPerMillion * 1e6));
const costOf = (model: keyof typeof PRICES, input: number, output: number) =>
  pico(input, PRICES[model].input) + pico(output, PRICES[model].output);
const asPico = (v: unknown) => BigInt(Math.round((v as number) * 1e12));

// Five priced calls, one call of a model nobody prices, one hand-written line with cost keys but no
// total (a ledger written by hand, or by an older tool): both are unpriced.
const PRICED: [string, keyof typeof PRICES, number, number, string][] = [
  ['p1', 'test-gpt', 1000, 200, 'sess-1'],
  ['p2', 'test-gpt', 3000, 500, 'sess-1'],
  ['p3', 'test-gpt', 500, 100, 'sess-2'],
  ['p4', 'test-claude', 2000, 400, 'sess-2'],
  ['p5', 'test-claude', 100, 50, 'sess-3'],
];
const gptPico = PRICED.filter((c) => c[1] === 'test-gpt').reduce((a, c) => a + costOf(c[1], c[2], c[3]), 0n);
const claudePico = PRICED.filter((c) => c[1] === 'test-claude').reduce(
  (a, c) => a + costOf(c[1], c[2], c[3]),
  0n,
);
const totalPico = gptPico + claudePico;
const PRICED_CALLS = 5;
const ALL_CALLS = 7;

const dir = mkdtempSync(join(tmpdir(), 'lc-unpriced-'));
const ledger = join(dir, 'ledger.jsonl');
const at = (m: number) => Date.parse(`2026-11-02T10:${String(m).padStart(2, '0')}:00.000Z`);
const params = { from: '2026-11-02', to: '2026-11-03' };
let source: DashboardSource;

beforeAll(async () => {
  const catalog = PriceCatalog.fromData({
    version: 1,
    models: Object.entries(PRICES).map(([id, prices]) => ({ id, provider: 'acme', prices })),
  });
  const tracker = new CostTracker({ sinks: [new JsonlLedgerSink({ path: ledger, flushOnExit: false })] });
  PRICED.forEach(([id, model, input, output, sessionId], i) => {
    const r = calculateCost({ model, usage: { input, output } }, catalog)!;
    tracker.record(r, { spanId: id, traceId: `t-${id}`, sessionId, startTime: at(i), endTime: at(i) + 500 });
  });
  tracker.recordUnpriced(
    'mystery-model',
    'acme',
    { input: 700, output: 70 },
    {
      spanId: 'u1',
      traceId: 't-u1',
      sessionId: 'sess-3',
      startTime: at(10),
      endTime: at(10) + 500,
    },
  );
  await tracker.close();
  const hand = JSON.parse(readFileSync(ledger, 'utf8').split('\n')[0]!) as LedgerLine;
  appendFileSync(
    ledger,
    `${JSON.stringify({
      ...hand,
      id: 'h1',
      trace_id: 't-h1',
      provided_model_name: 'hand-model',
      start_time: new Date(at(20)).toISOString(),
      end_time: new Date(at(20) + 500).toISOString(),
      cost_details: { input: 0.5, total: 0.5 },
      total_cost: null,
      cost_pico: null,
    })}\n`,
  );
  source = await openLocalSource({ ledger });
});
afterAll(async () => {
  await source?.close();
  rmSync(dir, { recursive: true, force: true });
});

function ledgerLines(): LedgerLine[] {
  return readFileSync(ledger, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as LedgerLine);
}

describe('a ledger with unpriced calls', () => {
  it('the JS definition of "priced" counts five of the seven lines', () => {
    const lines = ledgerLines();
    expect(lines).toHaveLength(ALL_CALLS);
    expect(lines.filter(isPricedLine).map((l) => l.id)).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
  });

  it('dashboards: an unpriced model has a NULL cost (not 0), last; averages over priced calls only', async () => {
    const rows = (await runDashboard(source, 'cost-by-model', { params })).rows;
    expect(rows.map((r) => r.model)).toEqual(['test-gpt', 'test-claude', 'hand-model', 'mystery-model']);
    const [gpt, claude, ...unpriced] = rows;
    expect([asPico(gpt!.cost_usd), gpt!.calls, gpt!.unpriced_calls]).toEqual([gptPico, 3, 0]);
    expect(asPico(gpt!.avg_cost_per_call_usd)).toBe(gptPico / 3n);
    expect(asPico(claude!.cost_usd)).toBe(claudePico);
    for (const r of unpriced) {
      expect(r).toMatchObject({
        calls: 1,
        unpriced_calls: 1,
        cost_usd: null,
        input_cost_usd: null,
        output_cost_usd: null,
        avg_cost_per_call_usd: null,
        share_pct: null,
      });
    }

    const dist = (await runDashboard(source, 'cost-distribution', { params })).rows;
    expect(dist.find((r) => r.model === 'mystery-model')).toMatchObject({
      calls: 1,
      unpriced_calls: 1,
      min_usd: null,
      p50_usd: null,
      avg_usd: null,
      cost_usd: null,
    });
    expect(asPico(dist.find((r) => r.model === 'test-gpt')!.avg_usd)).toBe(gptPico / 3n);

    const kpi = (await runDashboard(source, 'kpi-totals', { params })).rows[0]!;
    expect([kpi.requests, kpi.unpriced_requests]).toEqual([ALL_CALLS, ALL_CALLS - PRICED_CALLS]);
    expect(asPico(kpi.total_cost_usd)).toBe(totalPico);
    // The total over the five priced calls, not over all seven.
    expect(kpi.avg_cost_per_request_usd).toBeCloseTo(Number(totalPico) / 1e12 / PRICED_CALLS, 15);
    // Three sessions, each with a priced call; sess-3's unpriced call adds nothing.
    expect(kpi.avg_cost_per_session_usd).toBeCloseTo(Number(totalPico) / 1e12 / 3, 15);

    const top = (await runDashboard(source, 'top-requests', { params })).rows;
    expect(top.slice(-2).map((r) => [r.id, r.cost_usd, r.input_cost_usd])).toEqual([
      ['h1', null, null],
      ['u1', null, null],
    ]);
    // One definition: a line the JS rule calls unpriced has a NULL cost in SQL, and only those.
    const priced = new Set(
      ledgerLines()
        .filter(isPricedLine)
        .map((l) => l.id),
    );
    for (const r of top) expect(r.cost_usd !== null, String(r.id)).toBe(priced.has(r.id as string));
  });

  it('report: the same average as the dashboards, and "unpriced" where the cost is unknown', async () => {
    const report = aggregateLedger(ledger, { groupBy: 'model', from: params.from, to: params.to });
    expect(report.totals.requests).toBe(ALL_CALLS);
    expect(report.totals.unpriced).toBe(ALL_CALLS - PRICED_CALLS);
    expect(report.totals.totalPico).toBe(totalPico);
    expect(report.totals.avgCostPerRequest).toBeCloseTo(Number(totalPico) / 1e12 / PRICED_CALLS, 15);
    const kpi = (await runDashboard(source, 'kpi-totals', { params })).rows[0]!;
    expect(report.totals.avgCostPerRequest).toBeCloseTo(kpi.avg_cost_per_request_usd as number, 15);

    const r = await runCli(['report', '--ledger', ledger, '--from', params.from, '--to', params.to]);
    expect(r.code, r.stderr).toBe(0);
    const row = (model: string) => r.stdout.split('\n').find((l) => l.startsWith(`${model} `))!;
    for (const model of ['mystery-model', 'hand-model']) {
      expect(row(model)).toContain(UNPRICED);
      expect(row(model)).not.toContain('$0.00');
    }
    expect(row('test-gpt')).not.toContain(UNPRICED);
    expect(r.stdout).toMatch(/Per call\s+avg .*\(over 5 priced calls; 2 unpriced\)/);

    // JSON: the unknown cost is null, not 0; the known ones are exact.
    const j = JSON.parse(
      (await runCli(['report', '--ledger', ledger, '--from', params.from, '--to', params.to, '--json']))
        .stdout,
    ) as {
      groups: { key: string; totalPico: string | null; avgCostPerRequest: number | null; unpriced: number }[];
    };
    const group = (k: string) => j.groups.find((g) => g.key === k)!;
    expect([group('mystery-model').totalPico, group('mystery-model').avgCostPerRequest]).toEqual([
      null,
      null,
    ]);
    expect(group('mystery-model').unpriced).toBe(1);
    expect(BigInt(group('test-gpt').totalPico!)).toBe(gptPico);
  });

  it('exports: empty cost cells (CSV) and null (JSON) for exactly the unpriced lines', async () => {
    // As `langfuse-cost export` reads them (the reader fills the columns a line may leave out).
    const lines: LedgerLine[] = [];
    for await (const l of readLedger(ledger)) lines.push(l);
    const csv = formatExport(lines, 'csv').trimEnd().split('\r\n');
    const header = csv[0]!.split(',');
    const cell = (row: string, name: string) => row.split(',')[header.indexOf(name)];
    for (const [i, l] of lines.entries()) {
      const row = csv[i + 1]!;
      if (isPricedLine(l)) expect(BigInt(cell(row, 'cost_pico')!)).toBe(BigInt(l.cost_pico!));
      else {
        expect(cell(row, 'total_cost'), l.id).toBe('');
        expect(cell(row, 'cost_pico'), l.id).toBe('');
        expect(cell(row, 'cost_input'), l.id).toBe('');
      }
    }
    const json = JSON.parse(formatExport(lines, 'json')) as LedgerLine[];
    expect(json.filter((l) => l.total_cost === null).map((l) => l.id)).toEqual(['u1', 'h1']);
  });

  it('HTML report and terminal table: "unpriced", never $0, for the unpriced models', async () => {
    const all = await runDashboards(source, undefined, { params });
    const html = renderHtmlReport(all, { source: 'test', from: params.from, to: params.to });
    // The report draws its tables in the browser (tests/integration/dashboards/html.test.ts reads
    // "unpriced" there); the facts it embeds carry a NULL cost for the unpriced model, never 0.
    const json = html.slice(
      html.indexOf('id="report-data">') + 17,
      html.indexOf('</script>', html.indexOf('id="report-data">')),
    );
    const data = JSON.parse(json) as { dims: { model: string[] }; facts: unknown[][] };
    const mystery = data.dims.model.indexOf('mystery-model');
    const rows = data.facts.filter((f) => f[1] === mystery);
    expect(rows.length).toBeGreaterThan(0);
    for (const f of rows) expect(f[13]).toBeNull();
    expect(data.facts.reduce((a, f) => a + (f[10] as number), 0)).toBe(2);

    const text = formatTable(await runDashboard(source, 'cost-by-model', { params }));
    const line = text.split('\n').find((l) => l.startsWith('mystery-model'))!;
    expect(line).toContain(UNPRICED);
    expect(line).not.toMatch(/\b0\.000000\b/);
  });
});
