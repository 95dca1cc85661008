/**
 * Every dashboard on the local source: the JSONL ledger (TRACKER-API line format) loaded into chDB as
 * Langfuse-shaped observations/traces. Expected numbers come from the JS oracle over the generated calls;
 * a second part writes the ledger through the real CostTracker + JsonlLedgerSink and checks the
 * dashboards against costs computed here from the test's own price facts.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardSource,
  listDashboardNames,
  openLocalSource,
  runDashboard,
  runDashboards,
} from '../../../src/dashboards/index.js';
import { JsonlLedgerSink } from '../../../src/node/index.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import {
  type Dataset,
  FROM,
  generateDataset,
  HOSTILE_MODEL,
  ledgerLines,
  type OracleParams,
  PROJECT,
  TO,
} from '../../helpers/dashboards-dataset.js';
import { expectedRows, expectRowsMatch } from '../../helpers/dashboards-oracle.js';

const d: Dataset = generateDataset(11);
const dir = mkdtempSync(join(tmpdir(), 'lc-dash-ledger-'));
const iso = (ms: number) => new Date(ms).toISOString();
const base: OracleParams = { projectId: PROJECT, from: FROM, to: TO };
const runParams = { projectId: PROJECT, from: iso(FROM), to: iso(TO) };
const extra: Record<string, Partial<OracleParams> & { params?: Record<string, string> }> = {
  'top-requests': { limit: 9, params: { limit: '9' } },
  'top-sessions': { limit: 4, params: { limit: '4' } },
  'cost-by-user': { limit: 2, params: { limit: '2' } },
  'report-facts': { bucket: 'hour', params: { bucket: 'hour' } },
  'report-calls': { limit: 9, perGroup: 2, params: { limit: '9', perGroup: '2' } },
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every dashboard on the local ledger', () => {
  let source: DashboardSource;
  const lines = ledgerLines(d);

  beforeAll(async () => {
    const path = join(dir, 'ledger.jsonl');
    writeFileSync(path, `${lines.join('\n')}\n`);
    source = await openLocalSource({ ledger: path });
  });
  afterAll(async () => source?.close());

  it('loads every line, stale duplicates included, and describes the source', () => {
    expect(lines.some((l) => l.includes('"stale-model"'))).toBe(true);
    expect(source.description).toContain(`${lines.length.toLocaleString('en-US')} records`);
    expect(source.kind).toBe('local');
  });

  it("reads Langfuse's empty values from the columns the ledger never fills (not stored: ALIAS columns)", async () => {
    const one = async (sql: string) => (await source.query(sql, {})).rows;
    expect(
      await one(`SELECT DISTINCT version, input, output, model_parameters, provided_usage_details,
        completion_start_time, prompt_id, prompt_name, prompt_version, is_deleted, usage_pricing_tier_id,
        created_at <= now64(3) AS made FROM observations`),
    ).toEqual([
      {
        version: null,
        input: null,
        output: null,
        model_parameters: null,
        provided_usage_details: {},
        completion_start_time: null,
        prompt_id: null,
        prompt_name: null,
        prompt_version: null,
        is_deleted: 0,
        usage_pricing_tier_id: null,
        made: 1,
      },
    ]);
    expect(
      await one(`SELECT DISTINCT metadata, release, version, public, bookmarked, input, output, is_deleted,
        updated_at <= now64(3) AS made FROM traces`),
    ).toEqual([
      {
        metadata: {},
        release: null,
        version: null,
        public: false,
        bookmarked: false,
        input: null,
        output: null,
        is_deleted: 0,
        made: 1,
      },
    ]);
  });

  for (const name of listDashboardNames()) {
    it(name, async () => {
      const e = extra[name] ?? {};
      const oracle: OracleParams = { ...base, ...e };
      const params: Record<string, string> = { ...runParams, ...e.params };
      if (name === 'days-over-budget') {
        oracle.budgetPico = 50_000_000_000n; // $0.05 a day: every day here is over
        params.budget = '0.05';
      }
      const result = await runDashboard(source, name, { params, strict: true });
      const expected = expectedRows(name, d, oracle);
      expect(expected.length).toBeGreaterThan(0);
      expectRowsMatch(result.rows, expected, `ledger ${name}`);
    });
  }

  it('keeps a hostile model name as data', async () => {
    const r = await runDashboard(source, 'cost-by-model', { params: runParams });
    expect(r.rows.map((x) => x.model)).toContain(HOSTILE_MODEL);
  });
});

describe('ledger files as the tracker writes them', () => {
  const lines = ledgerLines(d);

  it('reads rotated files with the active one, and skips torn lines with a note', async () => {
    const sub = mkdtempSync(join(dir, 'rot-'));
    const half = Math.floor(lines.length / 2);
    writeFileSync(join(sub, 'ledger.2026-11-01.1.jsonl'), `${lines.slice(0, 40).join('\n')}\n`);
    // A writer killed mid-line, then the next writer starting on a fresh line.
    writeFileSync(
      join(sub, 'ledger.2026-11-02.1.jsonl'),
      `${lines.slice(40, half).join('\n')}\n{"id":"torn","start_ti\n`,
    );
    writeFileSync(join(sub, 'ledger.jsonl'), `${lines.slice(half).join('\n')}\n`);
    appendFileSync(join(sub, 'ledger.jsonl'), '{"id":"torn-at-end","trace_id":"x","provided_mod');
    const source = await openLocalSource({ ledger: join(sub, 'ledger.jsonl') });
    try {
      expect(source.description).toContain('2 malformed lines skipped');
      expect(source.description).toContain(`${lines.length.toLocaleString('en-US')} records`);
      for (const name of ['kpi-totals', 'cost-by-model', 'top-sessions']) {
        const r = await runDashboard(source, name, { params: runParams });
        expectRowsMatch(r.rows, expectedRows(name, d, base), `rotated ${name}`);
      }
    } finally {
      await source.close();
    }
  });

  it('leaves out a line the check skips even where ClickHouse parses it (a negative cost)', async () => {
    // A whole file is parsed by ClickHouse while the lines are checked: that parse must be dropped.
    const path = join(dir, 'negative.jsonl');
    const bad = JSON.parse(lines[0]!) as Record<string, unknown>;
    bad.id = 'negative-cost';
    bad.total_cost = -5;
    delete bad.cost_pico;
    const half = Math.floor(lines.length / 2);
    writeFileSync(
      path,
      `${[...lines.slice(0, half), JSON.stringify(bad), ...lines.slice(half)].join('\n')}\n`,
    );
    const source = await openLocalSource({ ledger: path, cacheDir: false, onWarning: () => {} });
    try {
      expect(source.description).toContain('1 malformed lines skipped');
      for (const name of ['kpi-totals', 'cost-by-model']) {
        const r = await runDashboard(source, name, { params: runParams });
        expectRowsMatch(r.rows, expectedRows(name, d, base), `negative ${name}`);
      }
    } finally {
      await source.close();
    }
  });

  it('defaults the project to "local" and says so when the ledger is missing', async () => {
    const path = join(dir, 'local.jsonl');
    writeFileSync(
      path,
      `${lines.map((l) => l.replace(`"project_id":"${PROJECT}"`, '"project_id":"local"')).join('\n')}\n`,
    );
    const source = await openLocalSource({ ledger: path });
    try {
      const r = await runDashboard(source, 'kpi-totals', { params: { from: iso(FROM), to: iso(TO) } });
      const expected = expectedRows('kpi-totals', d, base)[0]!;
      expect(r.rows[0]!.requests).toBe((expected.requests as { int: number }).int);
    } finally {
      await source.close();
    }
    await expect(openLocalSource({ ledger: join(dir, 'nope', 'ledger.jsonl') })).rejects.toThrow(
      /ledger not found/,
    );
  });

  it('runs every dashboard on an empty ledger', async () => {
    const path = join(dir, 'empty.jsonl');
    writeFileSync(path, '');
    const source = await openLocalSource({ ledger: path });
    try {
      const results = await runDashboards(source, undefined, {
        params: { from: '2026-01-01', to: '2027-01-01' },
      });
      expect(results).toHaveLength(listDashboardNames().length);
      const kpi = results.find((r) => r.dashboard.name === 'kpi-totals')!;
      expect(kpi.rows[0]!.requests).toBe(0);
    } finally {
      await source.close();
    }
  });
});

describe('a ledger written by the real tracker', () => {
  // Price facts for this test only (USD per 1M tokens).
  const catalog = PriceCatalog.fromData({
    version: 1,
    models: [
      { id: 'test-gpt', provider: 'openai', prices: { input: 2.5, cacheRead: 1.25, output: 10 } },
      {
        id: 'test-claude',
        provider: 'anthropic',
        prices: { input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 },
      },
    ],
  });
  // pico-USD per token = USD per 1M tokens × 1e6
  const pico = (tokens: number, usdPerMillion: number) => BigInt(Math.round(tokens * usdPerMillion * 1e6));
  const at = (h: number, m = 0) =>
    Date.parse(`2026-11-02T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000Z`);

  it('shows the tracker’s records in the dashboards, to the pico', async () => {
    const path = join(dir, 'tracker', 'ledger.jsonl');
    const sink = new JsonlLedgerSink({ path, flushOnExit: false, projectId: 'local' });
    const tracker = new CostTracker({ sinks: [sink], defaults: { environment: 'test' } });
    const gpt = calculateCost(
      { model: 'test-gpt', usage: { input: 1200, cacheRead: 800, output: 300 } },
      catalog,
    )!;
    const claude = calculateCost(
      { model: 'test-claude', provider: 'anthropic', usage: { input: 2000, cacheWrite: 1000, output: 500 } },
      catalog,
    )!;
    const claudeSmall = calculateCost(
      { model: 'test-claude', provider: 'anthropic', usage: { input: 100, output: 50 } },
      catalog,
    )!;
    tracker.record(gpt, {
      spanId: 'call-1',
      traceId: 'trace-1',
      sessionId: 'sess-1',
      userId: 'u1',
      tenantId: 'acme',
      operation: 'answer',
      startTime: at(9),
      endTime: at(9, 1),
    });
    tracker.record(claude, {
      spanId: 'call-2',
      traceId: 'trace-2',
      sessionId: 'sess-1',
      userId: 'u1',
      tenantId: 'acme',
      operation: 'summarize',
      fallback: true,
      startTime: at(10),
      endTime: at(10, 1),
    });
    tracker.record(claudeSmall, {
      spanId: 'call-3',
      traceId: 'trace-3',
      userId: 'u2',
      tenantId: 'globex',
      operation: 'answer',
      startTime: at(11),
      endTime: at(11, 1),
    });
    tracker.recordFailure(
      { model: 'test-gpt', provider: 'openai', error: new Error('429 Too Many Requests') },
      { spanId: 'call-4', traceId: 'trace-4', operation: 'answer', startTime: at(12), endTime: at(12, 1) },
    );
    await tracker.close();

    const gptPico = pico(1200, 2.5) + pico(800, 1.25) + pico(300, 10);
    const claudePico = pico(2000, 3) + pico(1000, 3.75) + pico(500, 15);
    const smallPico = pico(100, 3) + pico(50, 15);
    const totalPico = gptPico + claudePico + smallPico;
    const asPico = (v: unknown) => BigInt(Math.round((v as number) * 1e12));

    const source = await openLocalSource({ ledger: path });
    try {
      const params = { from: '2026-11-02', to: '2026-11-03' };
      const kpi = (await runDashboard(source, 'kpi-totals', { params })).rows[0]!;
      expect(asPico(kpi.total_cost_usd)).toBe(totalPico);
      expect(kpi.requests).toBe(4);
      expect(kpi.failed_requests).toBe(1);
      expect(kpi.sessions).toBe(1);
      expect(kpi.users).toBe(2);
      expect(kpi.avg_cost_per_session_usd).toBeCloseTo(Number(gptPico + claudePico) / 1e12, 12);
      expect(asPico(kpi.input_cost_usd)).toBe(
        pico(1200, 2.5) + pico(800, 1.25) + pico(2000, 3) + pico(1000, 3.75) + pico(100, 3),
      );
      expect(asPico(kpi.output_cost_usd)).toBe(pico(300, 10) + pico(500, 15) + pico(50, 15));

      const byModel = (await runDashboard(source, 'cost-by-model', { params })).rows;
      expect(byModel.map((r) => [r.model, asPico(r.cost_usd), r.calls])).toEqual([
        ['test-claude', claudePico + smallPico, 2],
        ['test-gpt', gptPico, 2],
      ]);
      const byProvider = (await runDashboard(source, 'cost-by-provider', { params })).rows;
      expect(byProvider.map((r) => [r.provider, asPico(r.cost_usd)])).toEqual([
        ['anthropic', claudePico + smallPico],
        ['openai', gptPico],
      ]);
      const byTenant = (await runDashboard(source, 'cost-by-tenant', { params })).rows;
      expect(byTenant.map((r) => [r.tenant_id, asPico(r.cost_usd)])).toEqual([
        ['acme', gptPico + claudePico],
        ['globex', smallPico],
        ['(none)', 0n],
      ]);
      const fallback = (await runDashboard(source, 'fallback-usage', { params })).rows;
      const fb = fallback.find((r) => r.role === 'fallback')!;
      expect([fb.model, asPico(fb.cost_usd), fb.calls]).toEqual(['test-claude', claudePico, 1]);
      const failed = (await runDashboard(source, 'failed-calls', { params })).rows;
      expect(failed.map((r) => [r.id, r.model, r.status_message])).toEqual([
        ['call-4', 'test-gpt', '429 Too Many Requests'],
      ]);
      const eff = (await runDashboard(source, 'token-efficiency', { params })).rows.find(
        (r) => r.model === 'test-gpt',
      )!;
      expect(eff.cached_input_tokens).toBe(800);
      expect(eff.cache_hit_pct).toBeCloseTo((100 * 800) / 2000, 2);
    } finally {
      await source.close();
    }
  });

  it('counts audio seconds, characters and images as units, never as input or output tokens', async () => {
    // Price facts: $0.36 per hour of audio (= $0.006 a minute), $15 per 1M characters, $0.04 per image.
    const media = PriceCatalog.fromData({
      version: 1,
      models: [
        { id: 'test-stt', provider: 'openai', prices: { perAudioHour: 0.36 } },
        { id: 'test-tts', provider: 'openai', prices: { characters: 15 } },
        { id: 'test-image', provider: 'openai', prices: { perImage: 0.04 } },
        { id: 'test-gpt', provider: 'openai', prices: { input: 2.5, output: 10 } },
      ],
    });
    const path = join(dir, 'units', 'ledger.jsonl');
    const tracker = new CostTracker({ sinks: [new JsonlLedgerSink({ path, flushOnExit: false })] });
    const calls: [string, Record<string, number>][] = [
      ['test-stt', { audioSeconds: 90 }],
      ['test-tts', { characters: 2000 }],
      ['test-image', { images: 3 }],
      ['test-gpt', { input: 1000, output: 100 }],
    ];
    calls.forEach(([model, usage], i) => {
      tracker.record(calculateCost({ model, usage }, media)!, { startTime: at(9, i), endTime: at(9, i) });
    });
    await tracker.close();

    const source = await openLocalSource({ ledger: path });
    try {
      const params = { from: '2026-11-02', to: '2026-11-03' };
      const byModel = (await runDashboard(source, 'cost-by-model', { params })).rows;
      expect(
        byModel.map((r) => [
          r.model,
          r.input_tokens,
          r.output_tokens,
          Math.round((r.cost_usd as number) * 1e6),
        ]),
      ).toEqual([
        ['test-image', 0, 0, 120_000], // 3 × $0.04
        ['test-tts', 0, 0, 30_000], // 2,000 characters at $15 per 1M
        ['test-stt', 0, 0, 9_000], // 90 s at $0.36 an hour
        ['test-gpt', 1000, 100, 3_500], // 1,000 × $2.5 + 100 × $10 per 1M
      ]);
      const eff = (await runDashboard(source, 'token-efficiency', { params })).rows;
      expect(eff.map((r) => [r.model, r.input_tokens, r.output_tokens]).sort()).toEqual([
        ['test-gpt', 1000, 100],
        ['test-image', 0, 0],
        ['test-stt', 0, 0],
        ['test-tts', 0, 0],
      ]);
      const top = (await runDashboard(source, 'top-requests', { params })).rows;
      expect(top.map((r) => [r.model, r.input_tokens, r.output_tokens])).toEqual([
        ['test-image', 0, 0],
        ['test-tts', 0, 0],
        ['test-stt', 0, 0],
        ['test-gpt', 1000, 100],
      ]);
    } finally {
      await source.close();
    }
  });
});
