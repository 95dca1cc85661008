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
import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { calculateCost, parseServiceTier } from '../pricing/calculator.js';
import type { PriceCatalog } from '../pricing/catalog.js';
import type { CostResult } from '../pricing/cost-result.js';
import { usdToPico } from '../pricing/money.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { toLangfuseCostDetails } from './cost-details.js';
import type { IngestionEvent, LangfuseObservation, LangfusePublicApi } from './public-api.js';

const ALIASES: Record<
  Exclude<keyof TokenUsage, 'requests' | 'webSearches' | 'cacheWrite' | 'cacheWrite1h'>,
  string[]
> = {
  input: ['input'],
  cacheRead: ['input_cached_tokens', 'input_cache_read', 'cache_read_input_tokens'],
  inputAudio: ['input_audio_tokens', 'input_audio'],
  inputImage: ['input_image_tokens', 'input_image'],
  output: ['output'],
  reasoning: ['output_reasoning_tokens', 'output_reasoning'],
  outputAudio: ['output_audio_tokens', 'output_audio'],
};
const CACHE_WRITE = ['input_cache_creation', 'cache_creation_input_tokens', 'input_cache_write'];
const KNOWN = new Set([
  ...Object.values(ALIASES).flat(),
  ...CACHE_WRITE,
  'input_cache_creation_5m',
  'input_cache_creation_1h',
  'total',
]);

/**
 * Turn Langfuse `usage_details` back into our disjoint usage. Langfuse's convention (and ours) is that
 * `input` excludes cache tokens and `output` excludes reasoning tokens. Aliases of one bucket (e.g.
 * `input_cached_tokens` and `cache_read_input_tokens`) must agree; keys we cannot place (e.g.
 * `reasoning_tokens`, which the server keeps beside an inclusive `output`, or `promptTokens`) make the
 * usage ambiguous, and the observation is left alone rather than priced wrongly.
 */
export function usageFromLangfuseDetails(
  details: Record<string, number>,
): { usage: Partial<TokenUsage> } | { error: string } {
  try {
    return usageFromLangfuseDetailsUnchecked(details);
  } catch (err) {
    throw closedError(err, 'usageFromLangfuseDetails');
  }
}

function usageFromLangfuseDetailsUnchecked(
  details: Record<string, number>,
): { usage: Partial<TokenUsage> } | { error: string } {
  if (typeof details !== 'object' || details === null || Array.isArray(details))
    throw new InvalidArgumentError(
      'details',
      `expected an object of usage keys, got ${describeValue(details)}`,
    );
  const unknown = Object.entries(details).filter(([k, v]) => !KNOWN.has(k) && v !== 0);
  if (unknown.length > 0)
    return { error: `usage keys not understood: ${unknown.map(([k]) => k).join(', ')}` };
  const usage: Partial<TokenUsage> = {};
  for (const [bucket, keys] of Object.entries(ALIASES)) {
    const values = keys.filter((k) => details[k] !== undefined).map((k) => details[k]!);
    if (values.length === 0) continue;
    if (values.some((v) => v !== values[0])) return { error: `usage keys ${keys.join('/')} disagree` };
    usage[bucket as keyof TokenUsage] = values[0]!;
  }
  const generic = CACHE_WRITE.map((k) => details[k]).filter((v) => v !== undefined);
  if (generic.some((v) => v !== generic[0])) return { error: `usage keys ${CACHE_WRITE.join('/')} disagree` };
  const m5 = details.input_cache_creation_5m;
  const h1 = details.input_cache_creation_1h;
  const all = generic[0];
  if (all !== undefined && (m5 !== undefined || h1 !== undefined)) {
    const hour = h1 ?? 0;
    if (all === (m5 ?? all - hour) + hour && all >= hour) {
      // The sum beside its breakdown (Vercel AI SDK cache_creation_input_tokens and ephemeral_5m/1h,
      // as Langfuse stored them before v3.156): the 5-minute share is the sum minus the 1-hour share.
      usage.cacheWrite = all - hour;
    } else {
      // Since v3.156 Langfuse subtracts the 5m/1h counts from input_cache_creation (commit e26a288,
      // `OtelIngestionProcessor`): the keys are disjoint, and the 5-minute writes are both.
      usage.cacheWrite = all + (m5 ?? 0);
    }
    if (hour > 0) usage.cacheWrite1h = hour;
  } else {
    const w = all ?? m5;
    if (w !== undefined) usage.cacheWrite = w;
    if (h1 !== undefined) usage.cacheWrite1h = h1;
  }
  return { usage };
}

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
