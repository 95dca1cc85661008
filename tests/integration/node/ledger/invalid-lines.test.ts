/**
 * One reader of ledger lines: a ledger with known-cost records and junk in the middle (not JSON, a
 * negative token count, a negative cost, a string where a number belongs, a bad time) and a torn last
 * line gives the same count and exact total in `report`, `export`, `budget status` and `dashboards run`
 * (chDB), each naming the skipped lines with the right reasons; the parallel reader, re-pricing and the
 * fast field scanner agree with the one check (`ledgerLineProblem`).
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validLedgerText } from '../../../../src/dashboards/sources/chdb.js';
import { ledgerLineProblem } from '../../../../src/ledger/check.js';
import { FastLine, scanText } from '../../../../src/ledger/fast-line.js';
import { JsonlLedgerSink } from '../../../../src/node/ledger/jsonl-sink.js';
import { readLedger, TORN_LAST_LINE } from '../../../../src/node/ledger/read.js';
import { aggregateLedger, aggregateLedgerParallel } from '../../../../src/node/ledger/report.js';
import { repriceLedger } from '../../../../src/node/sync/reprice-ledger.js';
import { CostTracker } from '../../../../src/tracker/index.js';
import { runCli } from '../../../helpers/cli.js';
import { parseCsv } from '../../../helpers/csv.js';
import { clock, PRICES, priced, testCatalog } from '../../../helpers/tracker-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-invalid-'));
const ledger = join(dir, 'ledger.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const NOW = Date.now();
// [model, input tokens, output tokens]
const CALLS: [keyof typeof PRICES, number, number][] = [
  ['gpt-4o', 1200, 300],
  ['claude-x', 5000, 2000],
  ['mini', 20_000, 5000],
  ['gpt-4o', 8000, 1000],
  ['mini', 10_000, 2000],
  ['claude-x', 3000, 1000],
];
/** Exact pico-USD of a call, from the price facts (USD per 1M tokens). */
const callPico = (model: keyof typeof PRICES, input: number, output: number): bigint =>
  BigInt(Math.round(input * PRICES[model].input * 1e6 + output * PRICES[model].output * 1e6));
const TOTAL = CALLS.reduce((a, [m, i, o]) => a + callPico(m, i, o), 0n);

/** The skipped lines: number → reason (as `ledgerLineProblem` words it, or the torn last line). */
const EXPECTED: [number, RegExp][] = [
  [3, /^not JSON$/],
  [5, /^usage_details\.input: -100, not a non-negative integer$/],
  [6, /^total_cost: -5, not a non-negative amount$/],
  [8, /^usage_details\.output: the string "300", not a non-negative integer$/],
  [9, /^start_time: the string "yesterday-ish", not a valid time$/],
  [12, /^a torn last line/],
];

/** `0.0123` (exact decimal text) → pico-USD. */
function decimalPico(text: string): bigint {
  const [whole, frac = ''] = text.split('.');
  return BigInt(whole!) * 10n ** 12n + BigInt(frac.padEnd(12, '0').slice(0, 12));
}

beforeAll(async () => {
  const c = clock(NOW - 10 * HOUR);
  const t = new CostTracker({ now: c.now, sinks: [new JsonlLedgerSink({ path: ledger })] });
  for (const [i, [model, input, output]] of CALLS.entries()) {
    c.set(NOW - (10 - i) * HOUR);
    t.record(priced(model, { input, output }), { sessionId: `s-${i % 2}`, userId: 'ann' });
  }
  await t.close();
  const valid = readFileSync(ledger, 'utf8').trimEnd().split('\n');
  expect(valid).toHaveLength(CALLS.length);
  const bad = (id: string, edit: (l: Record<string, any>) => void) => {
    const l = JSON.parse(valid[0]!);
    l.id = id;
    edit(l);
    return JSON.stringify(l);
  };
  const lines = [
    valid[0], // 1
    valid[1], // 2
    'this is not json {', // 3
    valid[2], // 4
    bad('neg-input', (l) => (l.usage_details.input = -100)), // 5
    bad('neg-cost', (l) => {
      l.total_cost = -5;
      delete l.cost_pico;
    }), // 6
    valid[3], // 7
    bad('string-count', (l) => (l.usage_details.output = '300')), // 8
    bad('bad-time', (l) => (l.start_time = 'yesterday-ish')), // 9
    valid[4], // 10
    valid[5], // 11
  ];
  writeFileSync(ledger, `${lines.join('\n')}\n`);
  appendFileSync(ledger, valid[0]!.replace('"id":"', '"id":"torn-').slice(0, 150)); // 12, no newline
});

/** The warning lines about the ledger in a command's stderr. */
const warningsIn = (stderr: string) => stderr.split('\n').filter((l) => l.includes(`ledger ${ledger}`));

function expectWarning(stderr: string): void {
  const w = warningsIn(stderr);
  expect(w).toHaveLength(1); // one warning per file
  expect(w[0]).toContain('skipped 6 unreadable line(s)');
  for (const n of [3, 5, 6, 8, 9]) expect(w[0]).toContain(`invalid line ${n}: `);
  expect(w[0]).toContain('a torn last line at line 12');
  expect(w[0]).not.toMatch(/invalid line 12|torn last line at line [^1]/);
}

describe('one reader of ledger lines', () => {
  it('report, export, budget status and dashboards run agree on the valid records and name the skipped lines', async () => {
    const [report, exported, budget, dashboards] = await Promise.all([
      runCli(['report', '--ledger', ledger, '--json']),
      runCli(['export', '--ledger', ledger, '--format', 'csv']),
      runCli(['budget', 'status', '--ledger', ledger, '--daily', '1000', '--json', '--from', '2000-01-01']),
      runCli(['dashboards', 'run', 'kpi-totals', '--ledger', ledger, '--format', 'json'], {
        timeoutMs: 90_000,
      }),
    ]);
    for (const r of [report, exported, budget, dashboards]) {
      expect(r.code, r.stderr).toBe(0);
      expectWarning(r.stderr);
    }
    const rep = JSON.parse(report.stdout);
    expect(rep.calls).toBe(CALLS.length);
    expect(rep.skippedLines).toBe(6);
    expect(rep.skipped.map((s: { line: number }) => s.line)).toEqual(EXPECTED.map(([n]) => n));
    expect(BigInt(rep.totals.totalPico)).toBe(TOTAL);
    expect(rep.groups.reduce((a: number, g: { requests: number }) => a + g.requests, 0)).toBe(CALLS.length);

    const rows = parseCsv(exported.stdout);
    const cost = rows[0]!.indexOf('total_cost');
    expect(rows.length - 1).toBe(CALLS.length);
    expect(rows.slice(1).reduce((a, row) => a + decimalPico(row[cost]!), 0n)).toBe(TOTAL);
    expect(exported.stdout).not.toMatch(/,-\d/); // no negative value exported

    const b = JSON.parse(budget.stdout);
    expect(b.window.calls).toBe(CALLS.length);
    expect(BigInt(b.window.spentPico)).toBe(TOTAL);

    const kpi = (JSON.parse(dashboards.stdout) as { requests: number; total_cost_usd: number }[])[0]!;
    expect(Number(kpi.requests)).toBe(CALLS.length);
    expect(BigInt(Math.round(Number(kpi.total_cost_usd) * 1e12))).toBe(TOTAL);
  }, 120_000);

  it('the library readers give the same lines, numbers and reasons, on one thread or several', async () => {
    const warnings: string[] = [];
    const one = aggregateLedger(ledger, { onWarning: (m) => warnings.push(m) });
    // Cut into shares at line boundaries: the line numbers of a later share still count from the file's start.
    const par = await aggregateLedgerParallel(ledger, {
      threads: 3,
      minBytes: 0,
      onWarning: (m) => warnings.push(m),
    });
    const streamed: string[] = [];
    const gen = readLedger(ledger, { onWarning: (m) => warnings.push(m) });
    let r = await gen.next();
    while (!r.done) {
      streamed.push(r.value.id);
      r = await gen.next();
    }
    for (const scan of [one, par, r.value]) {
      expect(scan.matched).toBe(CALLS.length);
      expect(scan.skipped).toBe(6);
      expect(scan.skippedPerFile).toEqual({ [ledger]: 6 });
      const got = [...scan.skippedLines].sort((a, b) => a.line - b.line);
      expect(got.map((s) => s.line)).toEqual(EXPECTED.map(([n]) => n));
      for (const [i, [, reason]] of EXPECTED.entries()) expect(got[i]!.reason).toMatch(reason);
      expect(got.at(-1)!.reason).toBe(TORN_LAST_LINE);
    }
    expect(one.totals.totalPico).toBe(TOTAL);
    expect(par.totals.totalPico).toBe(TOTAL);
    expect(streamed).toHaveLength(CALLS.length);
    expect(warnings).toHaveLength(3);
    expect(new Set(warnings).size).toBe(1);
  });

  it('re-pricing copies invalid lines byte for byte, re-prices none of them and names them', async () => {
    const copy = join(dir, 'reprice.jsonl');
    writeFileSync(copy, readFileSync(ledger));
    const warnings: string[] = [];
    const res = await repriceLedger({
      path: copy,
      catalog: testCatalog(),
      dryRun: true,
      onWarning: (m) => warnings.push(m),
    });
    expect(res.invalid.map((s) => s.line)).toEqual(EXPECTED.map(([n]) => n));
    for (const [i, [, reason]] of EXPECTED.entries()) expect(res.invalid[i]!.reason).toMatch(reason);
    expect(res.inRange).toBe(CALLS.length);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('a torn last line at line 12');
  });

  it('the chDB load keeps exactly the lines the reader accepts', () => {
    const text = readFileSync(ledger, 'utf8');
    const scan = aggregateLedger(ledger, { onWarning: () => {} });
    const kept = validLedgerText(text, scan.skippedLines).trimEnd().split('\n');
    expect(kept).toHaveLength(CALLS.length);
    for (const l of kept) expect(ledgerLineProblem(JSON.parse(l))).toBeNull();
  });

  it('the fast field scanner accepts a line only when the one check does', () => {
    const base = JSON.parse(readFileSync(ledger, 'utf8').split('\n')[0]!);
    const f = new FastLine();
    const edits: [string, (l: Record<string, any>) => void][] = [
      ['as written', () => {}],
      ['negative input', (l) => (l.usage_details.input = -1)],
      ['fractional count', (l) => (l.usage_details.input = 1.5)],
      ['usage total off', (l) => (l.usage_details.total += 1)],
      ['negative cost', (l) => (l.total_cost = -5)],
      ['negative cost detail', (l) => (l.cost_details.input = -0.5)],
      ['cost detail null', (l) => (l.cost_details.output = null)],
      ['totals disagree', (l) => (l.cost_pico += 1_000_000)],
      ['pico fractional', (l) => (l.cost_pico += 0.5)],
      ['pico string', (l) => (l.cost_pico = String(l.cost_pico))],
      ['bad start', (l) => (l.start_time = '2026-02-30T10:00:00.000Z')],
      ['bad end', (l) => (l.end_time = '2026-11-01T25:00:00.000Z')],
      ['end not a string', (l) => (l.end_time = 5)],
      ['status unknown', (l) => (l.status = 'weird')],
      ['model a number', (l) => (l.provided_model_name = 4)],
      ['id empty', (l) => (l.id = '')],
      ['duration negative', (l) => (l.duration_ms = -1)],
      ['estimated string', (l) => (l.estimated = 'no')],
      ['metadata number', (l) => (l.metadata = { a: 1 })],
      ['tags not strings', (l) => (l.tags = [1])],
      ['tags not an array', (l) => (l.tags = 'a')],
      ['stored text', (l) => (l.input = 'hello "world"')],
    ];
    for (const [name, edit] of edits) {
      const l = structuredClone(base);
      edit(l);
      const text = JSON.stringify(l);
      const accepted = scanText(text, f);
      const valid = ledgerLineProblem(JSON.parse(text)) === null;
      expect({ name, valid }).toEqual({ name, valid: name === 'as written' || name === 'stored text' });
      if (accepted) expect({ name, valid }).toEqual({ name, valid: true });
    }
    // Numbers JSON does not allow are declined by the scanner (and JSON.parse rejects the line).
    const raw = JSON.stringify(base);
    for (const [from, to] of [
      ['"duration_ms":', '"duration_ms":+'],
      ['"duration_ms":', '"duration_ms":0'],
    ] as const) {
      const text = raw.replace(from, to);
      expect(scanText(text, f)).toBe(false);
    }
  });
});
