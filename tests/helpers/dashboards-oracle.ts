/**
 * What each dashboard must return for a generated dataset, computed in plain JS (no SQL), and a matcher
 * that compares a dashboard's rows with it: USD to the pico, counts exactly, ratios within their rounding.
 */
import { expect } from 'vitest';
import {
  byCostDescThen,
  chTime,
  type Dataset,
  dayIn,
  divPico,
  groupBy,
  hourIn,
  type OracleParams,
  quantileExact,
  type Seen,
  seenCalls,
  sumNum,
  sumPico,
} from './dashboards-dataset.js';

/** An expected cell. */
export type Cell =
  | { usd: bigint | null }
  | { int: number }
  | { str: string | null }
  | { approx: number | null; tol: number }
  | { arr: string[] }
  | { exact: bigint | null };

export type Row = Record<string, Cell>;

const usd = (p: bigint | null): Cell => ({ usd: p });
const int = (n: number): Cell => ({ int: n });
const str = (s: string | null): Cell => ({ str: s });
/** A USD amount the dashboard returns as exact decimal text (the report's facts). */
const exact = (p: bigint | null): Cell => ({ exact: p });
const approx = (v: number | null, tol: number): Cell => ({ approx: v, tol });
const pct = (part: bigint, whole: bigint): Cell =>
  approx(whole === 0n ? null : (100 * Number(part)) / Number(whole), 0.0101);

const sum0 = (xs: Seen[]) => sumPico(xs);

// Unpriced calls (no total cost) are calls without a known cost: they count in `calls` and
// `unpriced_calls`, never in a cost, an average or a share. A group with no priced call has a NULL
// cost, not $0. These helpers state that rule from the dataset's facts, independently of the SQL.
const isPriced = (s: Seen) => s.totalPico !== null;
const pricedOf = (xs: Seen[]) => xs.filter(isPriced);
const unpricedCount = (xs: Seen[]) => xs.length - pricedOf(xs).length;
/** Sum of the priced calls' cost (or of `f` over them); null when none is priced. */
const costOrNull = (xs: Seen[], f?: (s: Seen) => bigint): bigint | null => {
  const priced = pricedOf(xs);
  return priced.length === 0 ? null : sumPico(priced, f);
};
const avgOrNull = (cost: bigint | null, n: number): bigint | null =>
  cost === null || n === 0 ? null : divPico(cost, n);
const shareOrNull = (cost: bigint | null, whole: bigint): Cell =>
  cost === null ? approx(null, 0) : pct(cost, whole);
/** `cost DESC NULLS LAST, key ASC`, as ClickHouse orders a nullable cost. */
const byNullableCostDescThen = (a: [bigint | null, string], b: [bigint | null, string]): number => {
  if (a[0] === null || b[0] === null) {
    if (a[0] !== b[0]) return a[0] === null ? 1 : -1;
    return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
  }
  return byCostDescThen([a[0], a[1]], [b[0], b[1]]);
};

/** Expected rows of dashboard `name` (in order). */
export function expectedRows(name: string, d: Dataset, p: OracleParams): Row[] {
  const seen = seenCalls(d, p);
  const total = sum0(seen);
  switch (name) {
    case 'cost-by-model': {
      const rows = [...groupBy(seen, (s) => s.modelName)].map(([model, xs]) => ({
        model,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.model], [b.cost, b.model]));
      return rows.map(({ model, xs, cost }) => ({
        model: str(model),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        input_tokens: int(sumNum(xs, (s) => s.inputTokens)),
        output_tokens: int(sumNum(xs, (s) => s.outputTokens)),
        input_cost_usd: usd(costOrNull(xs, (s) => s.inputCost)),
        output_cost_usd: usd(costOrNull(xs, (s) => s.outputCost)),
        cost_usd: usd(cost),
        avg_cost_per_call_usd: usd(avgOrNull(cost, pricedOf(xs).length)),
        share_pct: shareOrNull(cost, total),
      }));
    }
    case 'cost-by-provider': {
      const rows = [...groupBy(seen, (s) => s.providerName)].map(([k, xs]) => ({
        k,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.k], [b.cost, b.k]));
      return rows.map(({ k, xs, cost }) => ({
        provider: str(k),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        models: int(new Set(xs.map((s) => s.modelName)).size),
        input_cost_usd: usd(costOrNull(xs, (s) => s.inputCost)),
        output_cost_usd: usd(costOrNull(xs, (s) => s.outputCost)),
        cost_usd: usd(cost),
        share_pct: shareOrNull(cost, total),
      }));
    }
    case 'cost-daily': {
      const g = [...groupBy(seen, (s) => dayIn(s.startMs, p.timeZone))].sort((a, b) =>
        a[0] < b[0] ? -1 : 1,
      );
      return g.map(([day, xs]) => ({
        day: str(day),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        total_tokens: int(sumNum(xs, (s) => s.totalTokens)),
        input_cost_usd: usd(costOrNull(xs, (s) => s.inputCost)),
        output_cost_usd: usd(costOrNull(xs, (s) => s.outputCost)),
        cost_usd: usd(costOrNull(xs)),
      }));
    }
    case 'cost-hourly': {
      const g = [...groupBy(seen, (s) => hourIn(s.startMs, p.timeZone))].sort((a, b) =>
        a[0] < b[0] ? -1 : 1,
      );
      return g.map(([hour, xs]) => ({
        hour: str(hour),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        total_tokens: int(sumNum(xs, (s) => s.totalTokens)),
        cost_usd: usd(costOrNull(xs)),
      }));
    }
    case 'cost-cumulative': {
      const g = [...groupBy(seen, (s) => dayIn(s.startMs, p.timeZone))].sort((a, b) =>
        a[0] < b[0] ? -1 : 1,
      );
      let run: bigint | null = null;
      let calls = 0;
      return g.map(([day, xs]) => {
        const cost = costOrNull(xs);
        if (cost !== null) run = (run ?? 0n) + cost;
        calls += xs.length;
        return {
          day: str(day),
          cost_usd: usd(cost),
          cumulative_cost_usd: usd(run),
          cumulative_calls: int(calls),
        };
      });
    }
    case 'top-requests': {
      const xs = [...seen].sort(
        (a, b) =>
          byNullableCostDescThen([a.totalPico, ''], [b.totalPico, '']) ||
          b.startMs - a.startMs ||
          (a.id < b.id ? -1 : 1),
      );
      return xs.slice(0, p.limit ?? 25).map((s) => ({
        start_time: str(chTime(s.startMs)),
        id: str(s.id),
        trace_id: str(s.traceId),
        model: str(s.modelName),
        operation: str(s.operation),
        user_id: str(s.trace.userId || '(none)'),
        session_id: str(s.trace.sessionId || '(none)'),
        input_tokens: int(s.inputTokens),
        output_tokens: int(s.outputTokens),
        input_cost_usd: usd(isPriced(s) ? s.inputCost : null),
        output_cost_usd: usd(isPriced(s) ? s.outputCost : null),
        cost_usd: usd(s.totalPico),
      }));
    }
    case 'token-efficiency': {
      const rows = [...groupBy(seen, (s) => s.modelName)].map(([model, xs]) => ({
        model,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.model], [b.cost, b.model]));
      return rows.map(({ model, xs, cost }) => {
        const pricedTokens = sumNum(pricedOf(xs), (s) => s.totalTokens);
        const input = sumNum(xs, (s) => s.inputTokens);
        const output = sumNum(xs, (s) => s.outputTokens);
        const cached = sumNum(xs, (s) => s.cachedInputTokens);
        const tokens = sumNum(xs, (s) => s.totalTokens);
        return {
          model: str(model),
          calls: int(xs.length),
          unpriced_calls: int(unpricedCount(xs)),
          input_tokens: int(input),
          cached_input_tokens: int(cached),
          output_tokens: int(output),
          total_tokens: int(tokens),
          cost_usd: usd(cost),
          cost_per_1k_tokens_usd: approx(
            cost === null || pricedTokens === 0 ? null : ((Number(cost) / 1e12) * 1000) / pricedTokens,
            1e-12,
          ),
          output_input_ratio: approx(input === 0 ? null : output / input, 0.00006),
          cache_hit_pct: approx(input === 0 ? null : (100 * cached) / input, 0.0051),
          avg_tokens_per_call: approx(tokens / xs.length, 0.051),
        };
      });
    }
    case 'cost-distribution': {
      const rows = [...groupBy(seen, (s) => s.modelName)].map(([model, xs]) => ({
        model,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.model], [b.cost, b.model]));
      return rows.map(({ model, xs, cost }) => {
        const sorted = pricedOf(xs)
          .map((s) => s.totalPico!)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const at = (q: number) => (sorted.length === 0 ? null : quantileExact(sorted, q));
        return {
          model: str(model),
          calls: int(xs.length),
          unpriced_calls: int(unpricedCount(xs)),
          min_usd: usd(sorted[0] ?? null),
          p50_usd: usd(at(0.5)),
          p90_usd: usd(at(0.9)),
          p99_usd: usd(at(0.99)),
          max_usd: usd(sorted[sorted.length - 1] ?? null),
          avg_usd: usd(avgOrNull(cost, sorted.length)),
          cost_usd: usd(cost),
        };
      });
    }
    case 'fallback-usage': {
      const rows = [
        ...groupBy(seen, (s) => `${s.fallback ? 'fallback' : 'primary'}\u0000${s.modelName}`),
      ].map(([k, xs]) => {
        const [role, model] = k.split('\u0000') as [string, string];
        return { role, model, xs, cost: costOrNull(xs) };
      });
      rows.sort((a, b) =>
        a.role !== b.role
          ? a.role < b.role
            ? 1
            : -1
          : byNullableCostDescThen([a.cost, a.model], [b.cost, b.model]),
      );
      return rows.map(({ role, model, xs, cost }) => ({
        role: str(role),
        model: str(model),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        failed_calls: int(xs.filter((s) => s.level === 'ERROR').length),
        cost_usd: usd(cost),
        avg_cost_per_call_usd: usd(avgOrNull(cost, pricedOf(xs).length)),
        calls_share_pct: approx((100 * xs.length) / seen.length, 0.0101),
        cost_share_pct: shareOrNull(cost, total),
      }));
    }
    case 'top-sessions': {
      const withSession = seen.filter((s) => s.trace.sessionId);
      const rows = [...groupBy(withSession, (s) => s.trace.sessionId!)].map(([k, xs]) => ({
        k,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.k], [b.cost, b.k]));
      return rows.slice(0, p.limit ?? 25).map(({ k, xs, cost }) => {
        const traces = new Set(xs.map((s) => s.traceId)).size;
        return {
          session_id: str(k),
          user_id: str(xs[0]!.trace.userId || '(none)'),
          traces: int(traces),
          calls: int(xs.length),
          unpriced_calls: int(unpricedCount(xs)),
          models: int(new Set(xs.map((s) => s.modelName)).size),
          first_call: str(chTime(Math.min(...xs.map((s) => s.startMs)))),
          last_call: str(chTime(Math.max(...xs.map((s) => s.startMs)))),
          cost_usd: usd(cost),
          avg_cost_per_trace_usd: usd(avgOrNull(cost, new Set(pricedOf(xs).map((s) => s.traceId)).size)),
        };
      });
    }
    case 'cost-by-user': {
      const rows = [...groupBy(seen, (s) => s.trace.userId || '(none)')].map(([k, xs]) => ({
        k,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.k], [b.cost, b.k]));
      return rows.slice(0, p.limit ?? 100).map(({ k, xs, cost }) => ({
        user_id: str(k),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        traces: int(new Set(xs.map((s) => s.traceId)).size),
        sessions: int(new Set(xs.filter((s) => s.trace.sessionId).map((s) => s.trace.sessionId)).size),
        input_cost_usd: usd(costOrNull(xs, (s) => s.inputCost)),
        output_cost_usd: usd(costOrNull(xs, (s) => s.outputCost)),
        cost_usd: usd(cost),
        share_pct: shareOrNull(cost, total),
      }));
    }
    case 'cost-by-tenant': {
      const rows = [...groupBy(seen, (s) => s.tenantName)].map(([k, xs]) => ({
        k,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.k], [b.cost, b.k]));
      return rows.map(({ k, xs, cost }) => ({
        tenant_id: str(k),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        users: int(new Set(xs.filter((s) => s.trace.userId).map((s) => s.trace.userId)).size),
        sessions: int(new Set(xs.filter((s) => s.trace.sessionId).map((s) => s.trace.sessionId)).size),
        cost_usd: usd(cost),
        share_pct: shareOrNull(cost, total),
      }));
    }
    case 'cost-by-environment': {
      const rows = [...groupBy(seen, (s) => s.environment ?? 'default')].map(([k, xs]) => ({
        k,
        xs,
        cost: costOrNull(xs),
      }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.k], [b.cost, b.k]));
      return rows.map(({ k, xs, cost }) => ({
        environment: str(k),
        calls: int(xs.length),
        unpriced_calls: int(unpricedCount(xs)),
        users: int(new Set(xs.filter((s) => s.trace.userId).map((s) => s.trace.userId)).size),
        sessions: int(new Set(xs.filter((s) => s.trace.sessionId).map((s) => s.trace.sessionId)).size),
        cost_usd: usd(cost),
        share_pct: shareOrNull(cost, total),
      }));
    }
    case 'cost-by-operation': {
      const rows = [...groupBy(seen, (s) => s.operation)].map(([k, xs]) => ({ k, xs, cost: costOrNull(xs) }));
      rows.sort((a, b) => byNullableCostDescThen([a.cost, a.k], [b.cost, b.k]));
      return rows.map(({ k, xs, cost }) => {
        const perModel = [...groupBy(xs, (s) => s.modelName)].map(([m, ys]) => ({ m, c: sum0(ys) }));
        // (cost, model) tuples sorted descending: cost first, then model name descending.
        perModel.sort((a, b) => (a.c !== b.c ? (a.c > b.c ? -1 : 1) : a.m < b.m ? 1 : a.m > b.m ? -1 : 0));
        return {
          operation: str(k),
          calls: int(xs.length),
          unpriced_calls: int(unpricedCount(xs)),
          failed_calls: int(xs.filter((s) => s.level === 'ERROR').length),
          models: { arr: perModel.slice(0, 5).map((x) => x.m) },
          total_tokens: int(sumNum(xs, (s) => s.totalTokens)),
          cost_usd: usd(cost),
          avg_cost_per_call_usd: usd(avgOrNull(cost, pricedOf(xs).length)),
          share_pct: shareOrNull(cost, total),
        };
      });
    }
    case 'failed-calls': {
      const failed = seen.filter((s) => s.level === 'ERROR');
      const failedCost = costOrNull(failed);
      const xs = [...failed].sort((a, b) => b.startMs - a.startMs || (a.id < b.id ? -1 : 1));
      return xs.slice(0, p.limit ?? 100).map((s) => ({
        start_time: str(chTime(s.startMs)),
        id: str(s.id),
        trace_id: str(s.traceId),
        model: str(s.modelName),
        operation: str(s.operation),
        status_message: str(s.statusMessage ?? ''),
        total_tokens: int(s.totalTokens),
        cost_usd: usd(s.totalPico),
        failed_calls_in_window: int(failed.length),
        failed_cost_in_window_usd: usd(failedCost),
      }));
    }
    case 'days-over-budget': {
      const budget = p.budgetPico ?? 10_000_000_000_000n;
      const g = [...groupBy(seen, (s) => dayIn(s.startMs, p.timeZone))].sort((a, b) =>
        a[0] < b[0] ? -1 : 1,
      );
      return g
        .map(([day, xs]) => ({ day, xs, cost: costOrNull(xs) }))
        .filter((r): r is typeof r & { cost: bigint } => r.cost !== null && r.cost > budget)
        .map(({ day, xs, cost }) => ({
          day: str(day),
          calls: int(xs.length),
          unpriced_calls: int(unpricedCount(xs)),
          cost_usd: usd(cost),
          budget_usd: usd(budget),
          over_by_usd: usd(cost - budget),
          over_pct: approx(budget === 0n ? null : (100 * Number(cost - budget)) / Number(budget), 0.0051),
        }));
    }
    case 'kpi-totals': {
      const sessions = new Set(seen.filter((s) => s.trace.sessionId).map((s) => s.trace.sessionId));
      const traces = new Set(seen.map((s) => s.traceId)).size;
      const priced = pricedOf(seen);
      const pricedTraces = new Set(priced.map((s) => s.traceId)).size;
      const pricedSessions = new Set(priced.filter((s) => s.trace.sessionId).map((s) => s.trace.sessionId))
        .size;
      const inSessions = sumPico(priced.filter((s) => s.trace.sessionId));
      const totalOrNull = costOrNull(seen);
      const usdNum = (p: bigint) => Number(p) / 1e12;
      return [
        {
          total_cost_usd: usd(totalOrNull),
          input_cost_usd: usd(costOrNull(seen, (s) => s.inputCost)),
          output_cost_usd: usd(costOrNull(seen, (s) => s.outputCost)),
          requests: int(seen.length),
          unpriced_requests: int(seen.filter((s) => s.totalPico === null).length),
          failed_requests: int(seen.filter((s) => s.level === 'ERROR').length),
          traces: int(traces),
          sessions: int(sessions.size),
          users: int(new Set(seen.filter((s) => s.trace.userId).map((s) => s.trace.userId)).size),
          models: int(new Set(seen.map((s) => s.modelName)).size),
          total_tokens: int(sumNum(seen, (s) => s.totalTokens)),
          avg_cost_per_request_usd: approx(priced.length ? usdNum(total) / priced.length : null, 1e-12),
          avg_cost_per_trace_usd: approx(pricedTraces ? usdNum(total) / pricedTraces : null, 1e-12),
          avg_cost_per_session_usd: approx(
            pricedSessions ? usdNum(inSessions) / pricedSessions : null,
            1e-12,
          ),
          first_call: str(seen.length ? chTime(Math.min(...seen.map((s) => s.startMs))) : null),
          last_call: str(seen.length ? chTime(Math.max(...seen.map((s) => s.startMs))) : null),
        },
      ];
    }
    case 'report-facts': {
      const dims = (s: Seen) => [
        reportBucket(s.startMs, p),
        s.modelName,
        s.providerName,
        s.trace.userId ?? '',
        s.tenant || s.trace.tenant || '',
        s.operation,
        s.environment ?? 'default',
        JSON.stringify([...s.trace.tags].sort()),
        s.trace.sessionId ?? '',
      ];
      const groups = [...groupBy(seen, (s) => JSON.stringify(dims(s)))].map(([k, xs]) => ({
        key: JSON.parse(k) as string[],
        xs,
      }));
      const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      const cmpTags = (a: string[], b: string[]) => {
        for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return cmp(a[i]!, b[i]!);
        return a.length - b.length;
      };
      groups.sort((a, b) => {
        for (let i = 0; i < a.key.length; i++) {
          const c =
            i === 7 ? cmpTags(JSON.parse(a.key[i]!), JSON.parse(b.key[i]!)) : cmp(a.key[i]!, b.key[i]!);
          if (c !== 0) return c;
        }
        return 0;
      });
      return groups.map(({ key, xs }) => {
        const failed = xs.filter((s) => s.level === 'ERROR');
        return {
          bucket: str(key[0]!),
          model: str(key[1]!),
          provider: str(key[2]!),
          user_id: str(key[3]!),
          tenant_id: str(key[4]!),
          operation: str(key[5]!),
          environment: str(key[6]!),
          tags: { arr: JSON.parse(key[7]!) },
          session_id: str(key[8]!),
          calls: int(xs.length),
          unpriced_calls: int(unpricedCount(xs)),
          failed_calls: int(failed.length),
          total_tokens: int(sumNum(xs, (s) => s.totalTokens)),
          cost_usd: exact(costOrNull(xs)),
          // The generated data has no provided or estimated costs.
          provided_cost_usd: exact(null),
          estimated_cost_usd: exact(null),
          failed_cost_usd: exact(costOrNull(failed)),
        };
      });
    }
    case 'report-calls': {
      const limit = p.limit ?? 200;
      const byCost = [...seen].sort(
        (a, b) =>
          byNullableCostDescThen([a.totalPico, ''], [b.totalPico, '']) ||
          b.startMs - a.startMs ||
          (a.id < b.id ? -1 : 1),
      );
      const byFailure = seen
        .filter((s) => s.level === 'ERROR')
        .sort((a, b) => b.startMs - a.startMs || (a.id < b.id ? -1 : 1));
      const top = new Map(byCost.slice(0, limit).map((s, i) => [s.id, i + 1]));
      const failedRank = new Map(byFailure.slice(0, limit).map((s, i) => [s.id, i + 1]));
      // And the dearest `perGroup` of each model, provider, user, environment, bucket and tag.
      const inGroups = new Set<string>();
      for (const key of [
        (s: Seen) => s.modelName,
        (s: Seen) => s.providerName,
        (s: Seen) => s.trace.userId ?? '',
        (s: Seen) => s.environment ?? 'default',
        (s: Seen) => reportBucket(s.startMs, p),
      ]) {
        for (const xs of groupBy(byCost, key).values()) {
          for (const s of xs.slice(0, p.perGroup ?? 10)) inGroups.add(s.id);
        }
      }
      for (const tag of new Set(seen.flatMap((s) => s.trace.tags))) {
        const xs = byCost.filter((s) => s.trace.tags.includes(tag));
        for (const s of xs.slice(0, p.perGroup ?? 10)) inGroups.add(s.id);
      }
      const listed = seen.filter((s) => top.has(s.id) || failedRank.has(s.id) || inGroups.has(s.id));
      const rank = (s: Seen): [number, number, number, string] => {
        const t = top.get(s.id) ?? 0;
        return [t === 0 ? 1 : 0, t, failedRank.get(s.id) ?? 0, s.id];
      };
      listed.sort((a, b) => {
        const x = rank(a);
        const y = rank(b);
        for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
        return x[3] < y[3] ? -1 : x[3] > y[3] ? 1 : 0;
      });
      return listed.map((s) => ({
        start_time: str(chTime(s.startMs)),
        bucket: str(reportBucket(s.startMs, p)),
        id: str(s.id),
        trace_id: str(s.traceId),
        session_id: str(s.trace.sessionId ?? ''),
        model: str(s.modelName),
        provider: str(s.providerName),
        user_id: str(s.trace.userId ?? ''),
        tenant_id: str(s.tenant || s.trace.tenant || ''),
        operation: str(s.operation),
        environment: str(s.environment ?? 'default'),
        tags: { arr: [...s.trace.tags].sort() },
        failed: int(s.level === 'ERROR' ? 1 : 0),
        status_message: str(s.statusMessage ?? ''),
        total_tokens: int(s.totalTokens),
        cost_usd: exact(s.totalPico),
        top_rank: int(top.get(s.id) ?? 0),
        failed_rank: int(failedRank.get(s.id) ?? 0),
      }));
    }
    default:
      throw new Error(`no oracle for dashboard ${name}`);
  }
}

/** The start of a call's report bucket (`bucket` hour or day) in the zone, as ClickHouse prints it. */
function reportBucket(ms: number, p: OracleParams): string {
  const tz = p.timeZone ?? 'UTC';
  return p.bucket === 'hour' ? hourIn(ms, tz) : `${dayIn(ms, tz)} 00:00:00`;
}

/** Exact pico-USD of decimal text, parsed here (not by the code under test). */
function decimalPico(v: unknown): bigint {
  const m = /^(\d+)(?:\.(\d{1,12}))?$/.exec(String(v));
  if (!m) throw new Error(`not a decimal: ${String(v)}`);
  return BigInt(m[1]!) * 10n ** 12n + BigInt((m[2] ?? '').padEnd(12, '0'));
}

/** Compare a dashboard's rows with the oracle's, cell by cell, with a readable failure path. */
export function expectRowsMatch(actual: Record<string, unknown>[], expected: Row[], label: string): void {
  expect(actual.length, `${label}: row count`).toBe(expected.length);
  expected.forEach((row, i) => {
    const got = actual[i]!;
    for (const [col, cell] of Object.entries(row)) {
      const where = `${label} row ${i} column ${col}`;
      const v = got[col];
      if ('usd' in cell) {
        if (cell.usd === null) expect(v, where).toBeNull();
        else {
          expect(typeof v, where).toBe('number');
          // Exact to the pico: every amount here is far below 2^53 pico.
          expect(BigInt(Math.round((v as number) * 1e12)), where).toBe(cell.usd);
        }
      } else if ('int' in cell) expect(v, where).toBe(cell.int);
      else if ('str' in cell) expect(v, where).toBe(cell.str);
      else if ('arr' in cell) expect(v, where).toEqual(cell.arr);
      else if ('exact' in cell) {
        if (cell.exact === null) expect(v, where).toBeNull();
        else expect(decimalPico(v), where).toBe(cell.exact);
      } else if (cell.approx === null) expect(v, where).toBeNull();
      else {
        expect(typeof v, where).toBe('number');
        const tol = Math.max(cell.tol, Math.abs(cell.approx) * 1e-12);
        expect(Math.abs((v as number) - cell.approx), `${where}: ${v} vs ${cell.approx}`).toBeLessThanOrEqual(
          tol,
        );
      }
    }
    expect(Object.keys(got).sort(), `${label} row ${i} columns`).toEqual(Object.keys(row).sort());
  });
}
