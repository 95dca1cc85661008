/**
 * Every dashboard SQL file, run in real ClickHouse (chDB) against Langfuse's v3 DDL (observations, traces)
 * and v4 DDL (events_core through the clickhouse-v4 CTEs), on generated data with stale row versions and
 * tombstones. Expected numbers come from the JS oracle over the generated calls.
 */
import type { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChdbSource,
  DashboardError,
  type DashboardSource,
  listDashboardNames,
  loadDashboards,
  parseDashboard,
  readDashboardAsset,
  runDashboard,
  runDashboards,
} from '../../../src/dashboards/index.js';
import { openLangfuseChdb, scalar } from '../../helpers/dashboards-chdb.js';
import {
  type Dataset,
  FROM,
  generateDataset,
  HOSTILE_MODEL,
  HOSTILE_USER,
  type OracleParams,
  PROJECT,
  seenCalls,
  sumPico,
  TO,
} from '../../helpers/dashboards-dataset.js';
import { expectedRows, expectRowsMatch } from '../../helpers/dashboards-oracle.js';

const d: Dataset = generateDataset(7);
let session: Session;
let v3: DashboardSource;
let v4: DashboardSource;

const iso = (ms: number) => new Date(ms).toISOString();
const base: OracleParams = { projectId: PROJECT, from: FROM, to: TO };
const runParams = { projectId: PROJECT, from: iso(FROM), to: iso(TO) };

beforeAll(async () => {
  session = await openLangfuseChdb(d);
  v3 = createChdbSource({ session, defaultProjectId: PROJECT, description: 'chDB with Langfuse v3 tables' });
  v4 = createChdbSource({
    session,
    kind: 'clickhouse-v4',
    ctes: await readDashboardAsset('sources/langfuse-v4.sql'),
    defaultProjectId: PROJECT,
    description: 'chDB with Langfuse v4 events_core',
  });
});

afterAll(async () => {
  await v3?.close();
  await v4?.close();
  session?.close();
});

describe('the dataset really holds what the dashboards must skip', () => {
  it('has stale versions, tombstones, other projects and out-of-window rows on disk', async () => {
    const stored = Number(await scalar(session, 'SELECT count() FROM observations'));
    const distinct = Number(await scalar(session, 'SELECT uniqExact(id) FROM observations'));
    expect(stored).toBeGreaterThan(distinct + 50);
    expect(
      Number(await scalar(session, 'SELECT count() FROM observations WHERE is_deleted = 1')),
    ).toBeGreaterThan(0);
    expect(Number(await scalar(session, 'SELECT count() FROM traces'))).toBeGreaterThan(d.traces.length);
    expect(
      Number(
        await scalar(session, `SELECT count() FROM events_core WHERE provided_model_name = 'stale-model'`),
      ),
    ).toBeGreaterThan(20);
    // Several parts, unmerged: the dedup must happen in the query.
    expect(
      Number(
        await scalar(session, `SELECT count() FROM system.parts WHERE table = 'observations' AND active`),
      ),
    ).toBeGreaterThan(1);
    const seen = seenCalls(d, base);
    expect(seen.some((s) => s.modelName === HOSTILE_MODEL)).toBe(true);
    expect(seen.some((s) => s.trace.userId === HOSTILE_USER)).toBe(true);
    expect(seen.some((s) => s.totalPico === null)).toBe(true);
    expect(seen.some((s) => s.type === 'SPAN')).toBe(true);
    expect(seen.some((s) => s.id === 'obs-at-from')).toBe(true);
    expect(seen.some((s) => s.id === 'obs-at-to')).toBe(false);
    expect(d.calls.some((c) => c.startMs < FROM)).toBe(true);
  });
});

describe('dashboard files', () => {
  it('cover every dashboard the issue asks for, each with a header and the standard parameters', async () => {
    const names = listDashboardNames();
    for (const required of [
      'cost-by-model',
      'cost-by-provider',
      'cost-daily',
      'cost-hourly',
      'cost-cumulative',
      'top-requests',
      'token-efficiency',
      'cost-distribution',
      'fallback-usage',
      'top-sessions',
      'cost-by-user',
      'cost-by-tenant',
      'cost-by-operation',
      'failed-calls',
      'days-over-budget',
      'kpi-totals',
    ]) {
      expect(names).toContain(required);
    }
    for (const dash of await loadDashboards()) {
      expect(dash.title.length, dash.name).toBeGreaterThan(3);
      expect(dash.description.length, dash.name).toBeGreaterThan(10);
      expect(dash.params.map((p) => p.name).slice(0, 3)).toEqual(['projectId', 'from', 'to']);
      expect(dash.columns.length, dash.name).toBeGreaterThan(0);
      // An oracle exists for every file, so a new dashboard cannot ship untested.
      expect(() => expectedRows(dash.name, d, base)).not.toThrow();
    }
  });
});

const extra: Record<string, Partial<OracleParams> & { params?: Record<string, string> }> = {
  'top-requests': { limit: 7, params: { limit: '7' } },
  'top-sessions': { limit: 5, params: { limit: '5' } },
  'failed-calls': { limit: 6, params: { limit: '6' } },
  'cost-by-user': { limit: 3, params: { limit: '3' } },
  'report-calls': { limit: 6, perGroup: 1, params: { limit: '6', perGroup: '1' } },
};

for (const [label, pick] of [
  ['v3 observations/traces', () => v3],
  ['v4 events_core through CTEs', () => v4],
] as const) {
  describe(`every dashboard on ${label}`, () => {
    for (const name of listDashboardNames()) {
      it(name, async () => {
        const e = extra[name] ?? {};
        const oracle: OracleParams = { ...base, ...e };
        let params: Record<string, string> = { ...runParams, ...e.params };
        if (name === 'days-over-budget') {
          // A budget between the cheapest and the dearest day, so some days are listed and some not.
          const seen = seenCalls(d, base);
          const perDay = new Map<string, bigint>();
          for (const s of seen) {
            const day = new Date(s.startMs).toISOString().slice(0, 10);
            perDay.set(day, (perDay.get(day) ?? 0n) + (s.totalPico ?? 0n));
          }
          const costs = [...perDay.values()].sort((a, b) => (a < b ? -1 : 1));
          const mid = (costs[0]! + costs[costs.length - 1]!) / 2n;
          const budgetPico = (mid / 1_000_000n) * 1_000_000n; // 6 decimals, as the parameter type allows
          oracle.budgetPico = budgetPico;
          params = { ...params, budget: (Number(budgetPico) / 1e12).toFixed(6) };
        }
        const result = await runDashboard(pick(), name, { params, strict: true });
        const expected = expectedRows(name, d, oracle);
        expect(expected.length, 'the oracle expects rows').toBeGreaterThan(0);
        if (name === 'days-over-budget') {
          const days = new Set(seenCalls(d, base).map((s) => new Date(s.startMs).toISOString().slice(0, 10)));
          expect(expected.length).toBeLessThan(days.size);
        }
        expectRowsMatch(result.rows, expected, `${label} ${name}`);
      });
    }

    it('cuts days and hours in the requested time zone', async () => {
      for (const [name, timeZone] of [
        ['cost-daily', 'America/New_York'],
        ['cost-hourly', 'Asia/Kolkata'],
        ['cost-cumulative', 'Pacific/Auckland'],
      ] as const) {
        const result = await runDashboard(pick(), name, { params: { ...runParams, timeZone } });
        expectRowsMatch(result.rows, expectedRows(name, d, { ...base, timeZone }), `${name} ${timeZone}`);
      }
    });

    it('returns empty results (and null averages) for a window without data', async () => {
      const params = { ...runParams, from: '2020-01-01', to: '2020-01-02' };
      const results = await runDashboards(pick(), undefined, { params });
      for (const r of results) {
        if (r.dashboard.name === 'kpi-totals') {
          expect(r.rows).toHaveLength(1);
          expect(r.rows[0]!.requests).toBe(0);
          // No priced call: the total is unknown (NULL), not $0.
          expect(r.rows[0]!.total_cost_usd).toBeNull();
          expect(r.rows[0]!.avg_cost_per_request_usd).toBeNull();
          expect(r.rows[0]!.avg_cost_per_session_usd).toBeNull();
        } else expect(r.rows, r.dashboard.name).toHaveLength(0);
      }
    });
  });
}

describe('parameters are bound, never pasted into SQL', () => {
  const probe = parseDashboard(
    'probe',
    `-- Title: Binding probe
-- Answers: echoes its parameters.
-- Params:
--   projectId String = proj-a   project
--   from DateTime64(3) = -30d   start
--   to DateTime64(3) = now      end
--   model String = x            a model name
-- Columns:
--   n        rows with that model
--   echoed   the parameter as the server saw it
SELECT count() AS n, any({model:String}) AS echoed
FROM observations
WHERE project_id = {projectId:String} AND provided_model_name = {model:String}
  AND start_time >= {from:DateTime64(3)} AND start_time < {to:DateTime64(3)}`,
  );

  it('treats a model name with quotes, backslashes and "; DROP TABLE" as data', async () => {
    for (const src of [v3, v4]) {
      const r = await runDashboard(src, probe, {
        params: { model: HOSTILE_MODEL, from: '2026-10-01', to: '2026-12-01' },
      });
      const stored = Number(
        await scalar(
          session,
          'SELECT count() FROM observations WHERE provided_model_name = {m:String} AND project_id = {p:String}',
          { m: HOSTILE_MODEL, p: PROJECT },
        ),
      );
      expect(stored).toBeGreaterThan(0);
      if (src === v3) expect(r.rows[0]!.n).toBe(stored);
      else expect(Number(r.rows[0]!.n)).toBeGreaterThan(0);
      expect(r.rows[0]!.echoed).toBe(HOSTILE_MODEL);
    }
    // The tables are still there.
    expect(Number(await scalar(session, 'SELECT count() FROM observations'))).toBeGreaterThan(0);
  });

  it('finds nothing for a hostile project id rather than everything', async () => {
    const r = await runDashboard(v3, 'kpi-totals', {
      params: { ...runParams, projectId: `${PROJECT}' OR '1'='1` },
    });
    expect(r.rows[0]!.requests).toBe(0);
  });

  it('keeps a hostile user id intact in the results', async () => {
    const r = await runDashboard(v3, 'cost-by-user', { params: runParams });
    const row = r.rows.find((x) => x.user_id === HOSTILE_USER);
    expect(row).toBeDefined();
    const expected = sumPico(seenCalls(d, base).filter((s) => s.trace.userId === HOSTILE_USER));
    expect(BigInt(Math.round((row!.cost_usd as number) * 1e12))).toBe(expected);
  });

  it('rejects malformed values before they reach the server', async () => {
    await expect(
      runDashboard(v3, 'top-requests', { params: { ...runParams, limit: '5; DROP TABLE x' } }),
    ).rejects.toThrow(DashboardError);
    await expect(runDashboard(v3, 'top-requests', { params: { ...runParams, limit: '-1' } })).rejects.toThrow(
      /integer|range/,
    );
    await expect(
      runDashboard(v3, 'kpi-totals', { params: { ...runParams, from: "2026-11-01' OR 1=1" } }),
    ).rejects.toThrow(/cannot read/);
    await expect(
      runDashboard(v3, 'days-over-budget', { params: { ...runParams, budget: '1.1234567' } }),
    ).rejects.toThrow(/decimal places/);
    await expect(
      runDashboard(v3, 'kpi-totals', { params: { ...runParams, nope: '1' }, strict: true }),
    ).rejects.toThrow(/no parameter "nope"/);
  });
});
