import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlLedgerSink } from '../../../../src/node/ledger/jsonl-sink.js';
import { CostTracker } from '../../../../src/tracker/index.js';
import { runCli } from '../../../helpers/cli.js';
import { parseCsv } from '../../../helpers/csv.js';
import { clock, PRICES, priced } from '../../../helpers/tracker-fixtures.js';

// Issue 15, Why 5: an environment dimension. Calls recorded with an environment (as the adapters read
// it from Langfuse conventions) and a line written before the ledger had the field are grouped by
// `report --by environment`; the old line counts as Langfuse's `default` environment.

const dir = mkdtempSync(join(tmpdir(), 'lc-env-'));
const ledger = join(dir, 'data', 'ledger.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pico = (tokens: number, perMillion: number) => BigInt(Math.round(tokens * perMillion * 1e6));
// gpt-4o $2.50/$10, mini $0.15/$0.60 per 1M tokens (the fixture's price facts).
const PROD = pico(1000, PRICES['gpt-4o'].input) + pico(100, PRICES['gpt-4o'].output);
const STAGING = pico(2000, PRICES.mini.input) + pico(500, PRICES.mini.output);
/** The hand-written old line below: 400 input tokens of gpt-4o. */
const OLD = pico(400, PRICES['gpt-4o'].input);

beforeAll(async () => {
  mkdirSync(join(dir, 'data'));
  const c = clock(Date.UTC(2026, 10, 22, 9));
  const t = new CostTracker({ now: c.now, sinks: [new JsonlLedgerSink({ path: ledger })] });
  t.record(priced('gpt-4o', { input: 1000, output: 100 }), { environment: 'production' });
  c.set(Date.UTC(2026, 10, 22, 10));
  t.record(priced('mini', { input: 2000, output: 500 }), { environment: 'staging' });
  await t.close();
  // A line as an older version wrote it: no environment field at all.
  appendFileSync(
    ledger,
    `${JSON.stringify({
      id: 'old-1',
      trace_id: 'old-1',
      project_id: 'local',
      type: 'GENERATION',
      name: 'old',
      start_time: '2026-11-22T11:00:00.000Z',
      end_time: '2026-11-22T11:00:01.000Z',
      provided_model_name: 'gpt-4o',
      usage_details: { input: 400, total: 400 },
      cost_details: { input: Number(OLD) / 1e12, total: Number(OLD) / 1e12 },
      total_cost: Number(OLD) / 1e12,
      cost_pico: Number(OLD),
      provider: 'openai',
      status: 'success',
    })}\n`,
  );
});

describe('environment', () => {
  it('report --by environment groups calls; a line without the field is "default"', async () => {
    const r = await runCli([
      'report',
      '--ledger',
      ledger,
      '--json',
      '--by',
      'environment',
      '--from',
      '2026-11-01',
    ]);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.calls).toBe(3);
    const by = Object.fromEntries(
      j.groups.map((g: { key: string; totalPico: string }) => [g.key, g.totalPico]),
    );
    expect(by).toEqual({ production: PROD.toString(), staging: STAGING.toString(), default: OLD.toString() });
    const text = await runCli(['report', '--ledger', ledger, '--by', 'environment', '--from', '2026-11-01']);
    expect(text.stdout).toMatch(/ENVIRONMENT\s+CALLS/);
  });

  it('the CSV export has an environment column', async () => {
    const r = await runCli(['export', '--ledger', ledger, '--format', 'csv', '--from', '2026-11-01']);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.stdout);
    const header = rows[0]!;
    const env = header.indexOf('environment');
    expect(env).toBeGreaterThanOrEqual(0);
    expect(rows.slice(1).map((row) => row[env])).toEqual(['production', 'staging', 'default']);
  });

  it('tracker.stats groups by environment', () => {
    const t = new CostTracker({ sinks: [] });
    t.record(priced('gpt-4o', { input: 1000, output: 100 }), { environment: 'production' });
    t.record(priced('mini', { input: 2000, output: 500 }), { environment: 'staging' });
    t.record(priced('gpt-4o', { input: 400 }));
    const s = t.stats({ groupBy: 'environment' });
    const by = Object.fromEntries((s.groups ?? []).map((g) => [g.key, g.totalPico]));
    expect(by).toEqual({ production: PROD, staging: STAGING, default: OLD });
  });
});
