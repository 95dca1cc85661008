import type { CostRecord } from '../ledger/record.js';

/** The keys a `CostRecord` may leave out (attribution, error, unpriced, provided cost, texts). */
type OptionalKey = {
  [K in keyof CostRecord]-?: undefined extends CostRecord[K] ? K : never;
}[keyof CostRecord];

/**
 * @internal A record as the tracker keeps it: every key of `CostRecord` present, in one order, an
 * absent field `undefined`. Calls with and without a user, a session or an environment then make
 * objects of one hidden class, so the code that reads every record (the window aggregates, the
 * recent-records ring, the ledger's encoder) reads it at one place in memory; a record with only the
 * keys its call gave comes in as many forms as there are mixes of fields, and the same reads went
 * through V8's megamorphic lookup (bench/tracker.ts, "five attribution shapes").
 *
 * What users get (the value `record` returns, 'record' listeners, their own sinks) is
 * {@link publicRecord}: the given keys only, as documented (`'userId' in record` is false without a user).
 */
export type FullRecord = Omit<CostRecord, OptionalKey> & { [K in OptionalKey]: CostRecord[K] | undefined };

/**
 * @internal The record users get from a tracker's `rec` (or a copy of any record): its keys with a
 * value, in the order records have always had (the call's fields, attribution, then `error`,
 * `unpriced`, `providedCost`).
 * The values are shared, not copied (the tracker made them for this record).
 */
export function publicRecord(rec: FullRecord | CostRecord): CostRecord {
  const out: CostRecord = {
    id: rec.id,
    startTime: rec.startTime,
    endTime: rec.endTime,
    durationMs: rec.durationMs,
    model: rec.model,
    resolvedModel: rec.resolvedModel,
    provider: rec.provider,
    usage: rec.usage,
    costs: rec.costs,
    total: rec.total,
    totalPico: rec.totalPico,
    source: rec.source,
    estimated: rec.estimated,
    tier: rec.tier,
    status: rec.status,
  };
  if (rec.traceId !== undefined) out.traceId = rec.traceId;
  if (rec.parentId !== undefined) out.parentId = rec.parentId;
  if (rec.sessionId !== undefined) out.sessionId = rec.sessionId;
  if (rec.userId !== undefined) out.userId = rec.userId;
  if (rec.tenantId !== undefined) out.tenantId = rec.tenantId;
  if (rec.operation !== undefined) out.operation = rec.operation;
  if (rec.service !== undefined) out.service = rec.service;
  if (rec.environment !== undefined) out.environment = rec.environment;
  if (rec.fallback !== undefined) out.fallback = rec.fallback;
  if (rec.tags !== undefined) out.tags = rec.tags;
  if (rec.metadata !== undefined) out.metadata = rec.metadata;
  if (rec.inputText !== undefined) out.inputText = rec.inputText;
  if (rec.outputText !== undefined) out.outputText = rec.outputText;
  if (rec.error !== undefined) out.error = rec.error;
  if (rec.unpriced !== undefined) out.unpriced = rec.unpriced;
  if (rec.providedCost !== undefined) out.providedCost = rec.providedCost;
  return out;
}
