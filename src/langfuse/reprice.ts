/**
 * Re-pricing past generations in Langfuse.
 *
 * Langfuse computes inferred cost once, at ingestion, and never recomputes it after a price change
 * (langfuse/langfuse#12184). This module recomputes the cost of past generations with the current
 * catalog and sends the corrected cost as `generation-update` events of the same observations through
 * the ingestion API.
 *
 * What such an update changes (Langfuse worker `IngestionService`, verified in the source):
 * - the worker reads the stored observation (ClickHouse, `ORDER BY event_ts DESC LIMIT 1`) or replays
 *   the observation's earlier events from the event store, and merges the update over it with lodash
 *   `mergeWith` (`overwriteObject`): a non-empty `costDetails` **replaces** `provided_cost_details`
 *   as a whole; empty objects and absent fields keep the stored values; `id`, `project_id`,
 *   `trace_id`, `start_time`, `created_at` and `environment` are immutable;
 * - cost is then recomputed from the merged record (`calculateUsageCosts`): because a cost is now
 *   provided, `cost_details` = the provided map and `total_cost` = its `total` (no inference);
 *   usage, model, input/output, name and the rest are untouched; metadata keys we send are merged in;
 * - the merged row is written with a new `event_ts`; the table is a `ReplacingMergeTree(event_ts,
 *   is_deleted)` ordered by `(project_id, type, toDate(start_time), id)`, so it replaces the old row
 *   (reads use `FINAL` or `LIMIT 1 BY id`). In v4 dual-write mode the same record is also propagated
 *   to the `events_*` tables (`ReplacingMergeTree(event_ts, is_deleted)` keyed by span id and start
 *   time), so the v4 tables agree.
 * - The body carries `traceId` and the original `startTime` so that even without the stored row the
 *   update lands on the same sorting key instead of creating a second row.
 * - Event ids are fresh UUIDs: Langfuse deduplicates events on the envelope id.
 *
 * Limits: the legacy ingestion endpoint rejects observation events (per-event 400 inside a 207) in
 * Langfuse v4 `events_only` write mode, and on Langfuse Cloud from 2026-11-16 (langfuse/langfuse#17453,
 * #17261); those rejections are reported per observation, nothing is retried or reported as done.
 */
import { closedError } from '../errors.js';
import { calculateCost, parseServiceTier } from '../pricing/calculator.js';
import type { PriceCatalog } from '../pricing/catalog.js';
import type { CostResult } from '../pricing/cost-result.js';
import { usdToPico } from '../pricing/money.js';
import { toLangfuseCostDetails, usageFromLangfuseDetails } from '../usage/details.js';
import type { IngestionEvent, LangfuseObservation, LangfusePublicApi } from './public-api.js';

export { usageFromLangfuseDetails };

/** A generation whose cost changes. */
export interface RepriceChange {
  /** Observation id. */
  id: string;
  /** Trace id. */
  traceId: string | null;
  /** Start time as stored (ISO, milliseconds). */
  startTime: string;
  /** Model name as recorded. */
  model: string;
  /** Total cost Langfuse has now (USD), or null when it has none. */
  oldTotal: number | null;
  /** Cost details Langfuse has now. */
  oldCostDetails: Record<string, number>;
  /** The new cost. */
  result: CostResult;
  /** The new cost details (always with `total`). */
  newCostDetails: Record<string, number>;
}

/** A generation left alone, and why. */
export interface RepriceSkip {
  id: string;
  model: string | null;
  reason: string;
}

/** What re-pricing a time range would change. */
export interface RepricePlan {
  /** Observations looked at. */
  scanned: number;
  /** Generations whose cost changes. */
  changes: RepriceChange[];
  /** Generations whose cost is already right. */
  unchanged: number;
  /** Generations left alone. */
  skipped: RepriceSkip[];
  /** Sum of old totals of the changed generations, pico-USD. */
  oldTotalPico: bigint;
  /** Sum of new totals of the changed generations, pico-USD. */
  newTotalPico: bigint;
}

/** Options of {@link planLangfuseReprice} and {@link repriceObservation}. */
export interface RepriceOptions {
  /** Catalog to price with (default: the default catalog). */
  catalog?: PriceCatalog;
  /** Also re-price with the fallback price (results flagged estimated). Default false. */
  allowEstimated?: boolean;
}

function detailsPico(d: Record<string, number>): Map<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of Object.entries(d)) {
    const p = usdToPico(v);
    if (p !== 0 || k === 'total') m.set(k, p);
  }
  return m;
}

function sameDetails(a: Record<string, number>, b: Record<string, number>): boolean {
  const x = detailsPico(a);
  const y = detailsPico(b);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k) !== v) return false;
  return true;
}

/** ISO time with milliseconds (the precision of the v3 `observations.start_time` column). */
export function toMillisIso(t: string): string {
  const ms = Date.parse(t);
  if (!Number.isFinite(ms)) return t;
  // Date.parse drops digits below the millisecond; truncating (never rounding up) keeps the update's
  // start time ≤ the stored one, which the worker's `start_time >= {startTime}` lookup needs.
  return new Date(ms).toISOString();
}

/** Re-price one observation; a change, a skip, or null when its cost is already right. */
export function repriceObservation(
  o: LangfuseObservation,
  options: RepriceOptions = {},
): { change: RepriceChange } | { skip: RepriceSkip } | null {
  try {
    return repriceObservationUnchecked(o, options);
  } catch (err) {
    throw closedError(err, 'repriceObservation');
  }
}

function repriceObservationUnchecked(
  o: LangfuseObservation,
  options: RepriceOptions = {},
): { change: RepriceChange } | { skip: RepriceSkip } | null {
  const skip = (reason: string) => ({ skip: { id: o.id, model: o.model, reason } });
  if (!o.model) return skip('no model name');
  const parsed = usageFromLangfuseDetails(o.usageDetails ?? {});
  if ('error' in parsed) return skip(parsed.error);
  const tokens = Object.values(parsed.usage).reduce((a, b) => a + (b ?? 0), 0);
  if (tokens === 0) return skip('no usage recorded');
  // usage_details carries no web-search count, so a cost that included search fees cannot be redone.
  if ((o.costDetails.input_web_searches ?? 0) > 0)
    return skip('web-search fees without a recorded search count');
  const tierParam = o.modelParameters?.service_tier;
  let serviceTier: ReturnType<typeof parseServiceTier>;
  try {
    serviceTier = parseServiceTier(typeof tierParam === 'string' ? tierParam : undefined);
  } catch {
    return skip(`unknown service tier ${JSON.stringify(tierParam)}`);
  }
  let result: CostResult | null;
  try {
    result = calculateCost(
      { model: o.model, usage: parsed.usage, serviceTier, at: o.startTime },
      options.catalog,
    );
  } catch (err) {
    return skip((err as Error).message);
  }
  if (!result) return skip('model not in the catalog');
  if (result.estimated && !options.allowEstimated) return skip('only a fallback price is known');
  const newCostDetails = toLangfuseCostDetails(result);
  if (sameDetails(o.costDetails, newCostDetails)) return null;
  const oldTotal = o.costDetails.total ?? null;
  return {
    change: {
      id: o.id,
      traceId: o.traceId,
      startTime: toMillisIso(o.startTime),
      model: o.model,
      oldTotal,
      oldCostDetails: o.costDetails,
      result,
      newCostDetails,
    },
  };
}

/** Re-price every observation of a list (or stream). */
export async function planReprice(
  observations: Iterable<LangfuseObservation> | AsyncIterable<LangfuseObservation>,
  options: RepriceOptions = {},
): Promise<RepricePlan> {
  const plan: RepricePlan = {
    scanned: 0,
    changes: [],
    unchanged: 0,
    skipped: [],
    oldTotalPico: 0n,
    newTotalPico: 0n,
  };
  for await (const o of observations) {
    plan.scanned++;
    const r = repriceObservation(o, options);
    if (r === null) plan.unchanged++;
    else if ('skip' in r) plan.skipped.push(r.skip);
    else {
      plan.changes.push(r.change);
      plan.oldTotalPico += BigInt(usdToPico(r.change.oldTotal ?? 0));
      plan.newTotalPico += BigInt(r.change.result.totalPico);
    }
  }
  return plan;
}

/**
 * Plan a re-pricing of the GENERATION observations of a Langfuse project started in `[from, to)`.
 */
export async function planLangfuseReprice(
  api: LangfusePublicApi,
  range: { from: string; to: string },
  options: RepriceOptions = {},
): Promise<RepricePlan> {
  return planReprice(
    api.observations({ type: 'GENERATION', fromStartTime: range.from, toStartTime: range.to, limit: 500 }),
    options,
  );
}

/** Options of {@link buildCostUpdateEvents}. */
export interface CostUpdateOptions {
  /** Add `langfuse_cost_repriced_at` and `langfuse_cost_previous_total` to the observation metadata (default true). */
  annotate?: boolean;
  /** Clock. */
  now?: () => number;
  /** Event id generator (default `crypto.randomUUID`). */
  uuid?: () => string;
}

/**
 * The ingestion events that correct the cost of the changed generations: one `generation-update` per
 * observation, with `id`, `traceId`, the original `startTime` and the new `costDetails` (always
 * including `total`), plus two metadata keys unless `annotate` is false.
 */
export function buildCostUpdateEvents(
  changes: readonly RepriceChange[],
  options: CostUpdateOptions = {},
): IngestionEvent[] {
  try {
    return buildCostUpdateEventsUnchecked(changes, options);
  } catch (err) {
    throw closedError(err, 'buildCostUpdateEvents');
  }
}

function buildCostUpdateEventsUnchecked(
  changes: readonly RepriceChange[],
  options: CostUpdateOptions = {},
): IngestionEvent[] {
  const now = new Date((options.now ?? Date.now)()).toISOString();
  const uuid = options.uuid ?? (() => globalThis.crypto.randomUUID());
  return changes.map((c) => {
    const body: Record<string, unknown> = {
      id: c.id,
      ...(c.traceId ? { traceId: c.traceId } : {}),
      startTime: c.startTime,
      costDetails: c.newCostDetails,
    };
    if (options.annotate ?? true) {
      body.metadata = {
        langfuse_cost_repriced_at: now,
        langfuse_cost_previous_total: c.oldTotal === null ? 'none' : String(c.oldTotal),
      };
    }
    return { id: uuid(), type: 'generation-update', timestamp: now, body };
  });
}

/** Outcome of {@link applyLangfuseReprice}. */
export interface RepriceOutcome {
  /** Events sent. */
  sent: number;
  /** Observations Langfuse accepted. */
  accepted: number;
  /** Observations Langfuse rejected, with its message. */
  rejected: { observationId: string; status: number; message: string }[];
}

/**
 * Send the cost corrections in batches (each well under Langfuse's 3.5 MB batch limit).
 * Rejections are collected per observation; transport errors throw after the batches already sent.
 */
export async function applyLangfuseReprice(
  api: LangfusePublicApi,
  changes: readonly RepriceChange[],
  options: CostUpdateOptions & { batchSize?: number } = {},
): Promise<RepriceOutcome> {
  const events = buildCostUpdateEvents(changes, options);
  const byEvent = new Map(events.map((e) => [e.id, String(e.body.id)]));
  const size = Math.max(1, Math.min(options.batchSize ?? 200, 1000));
  const out: RepriceOutcome = { sent: 0, accepted: 0, rejected: [] };
  for (let i = 0; i < events.length; i += size) {
    const batch = events.slice(i, i + size);
    const res = await api.ingest(batch);
    out.sent += batch.length;
    const failed = new Set<string>();
    for (const e of res.errors) {
      failed.add(e.id);
      const message = e.message ?? (typeof e.error === 'string' ? e.error : JSON.stringify(e.error ?? ''));
      out.rejected.push({ observationId: byEvent.get(e.id) ?? e.id, status: e.status, message });
    }
    const ok = new Set(res.successes.map((x) => x.id));
    for (const e of batch) {
      if (ok.has(e.id)) out.accepted++;
      else if (!failed.has(e.id))
        out.rejected.push({
          observationId: String(e.body.id),
          status: 0,
          message: 'Langfuse did not acknowledge this event',
        });
    }
  }
  return out;
}
