/**
 * What `CostTracker.record`, `recordUnpriced` and `recordFailure` accept. The tracker sums
 * picodollars exactly and writes ledger lines that dashboards parse, so one bad value (a negative,
 * fractional or infinite cost, a string where a number belongs, a date out of range, a BigInt in
 * metadata) would poison every later `stats()`, budget and export. Each input field is read once
 * into a fresh record and checked there, so a getter or Proxy cannot answer differently later, and
 * a caller mutating its object after the call changes nothing the tracker holds.
 *
 * Checks are `typeof` tests and integer compares: this runs on every LLM call.
 */
import { describeValue, InvalidRecordError } from '../errors.js';
import type { Attribution, RecordContext } from '../ledger/record.js';
import type { CostBreakdown, CostSource } from '../pricing/cost-result.js';
import { PICO_PER_USD } from '../pricing/money.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { MAX_TIME } from './calendar.js';
import { bad, MAX_USD } from './record-field-checks.js';
import { checkCostFields, checkUsageFields, sumCostsPico } from './record-fields.generated.js';

/**
 * Largest epoch ms (in size) a record time may have: the range of a JavaScript `Date`
 * (±8.64e15 ms, years −271821 … 275760), so every record time can be written as an ISO time.
 */
export const MAX_RECORD_TIME = MAX_TIME;

/** Most tags on one record input, and most metadata keys (larger inputs are rejected, not cut). */
export const MAX_RECORD_TAGS = 256;
export const MAX_RECORD_METADATA_KEYS = 256;

const SOURCE_LIST: readonly CostSource[] = ['override', 'catalog', 'synced', 'fallback', 'free', 'provided'];

/** One of {@link SOURCE_LIST}: compares, cheaper than a `Set` lookup on every recorded call. */
function isSource(v: unknown): v is CostSource {
  return (
    v === 'catalog' ||
    v === 'override' ||
    v === 'fallback' ||
    v === 'synced' ||
    v === 'free' ||
    v === 'provided'
  );
}

/** The cost fields of a result, read once and checked. */
export interface CheckedResult {
  model: string;
  resolvedModel: string;
  provider: string;
  usage: TokenUsage;
  costs: CostBreakdown;
  /** `totalPico / 1e12`: the record's USD total is always derived from the exact one. */
  total: number;
  totalPico: number;
  source: CostSource;
  estimated: boolean;
  tier: string;
  providedCost: number | undefined;
}

function fail(path: string, message: string): never {
  throw new InvalidRecordError(path, message);
}

function object(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object') fail(path, `expected an object, got ${describeValue(v)}`);
  return v as Record<string, unknown>;
}

/** A string field (required). */
export function text(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, `expected a string, got ${describeValue(v)}`);
  return v;
}

/** An optional string field: `undefined` or `null` → undefined. */
export function optText(v: unknown, path: string, key: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') bad(path, key, 'a string', v);
  return v;
}

export function optBool(v: unknown, path: string, key: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') bad(path, key, 'true or false', v);
  return v;
}

/** A validated copy of a usage (every bucket filled; unknown keys are not copied). */
export function checkUsage(v: unknown, path: string): TokenUsage {
  return checkUsageFields(object(v, path), path);
}

function checkCosts(v: unknown, path: string): CostBreakdown {
  return checkCostFields(object(v, path), path);
}

/**
 * A provided (provider-reported) cost, USD: undefined, or a finite number from 0 to about $9,007.
 */
export function checkProvidedCost(v: unknown, path: string, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && v >= 0 && v <= MAX_USD) return v;
  return bad(path, key, 'a cost in USD from 0 to 9007', v);
}

/**
 * Read and check a `CostResult`. The exact total `totalPico` must be a non-negative safe integer;
 * `total` must be `totalPico / 1e12` (within float rounding); the `costs` buckets must add up to
 * `totalPico` (within one picodollar per bucket), except for a `provided` cost, whose buckets may
 * all be 0 (the provider reported a total only).
 */
export function checkResult(v: unknown): CheckedResult {
  const r = object(v, 'result');
  const model = text(r.model, 'result.model');
  const resolvedModel = text(r.resolvedModel, 'result.resolvedModel');
  const provider = text(r.provider, 'result.provider');
  const usage = checkUsage(r.usage, 'result.usage');
  const costs = checkCosts(r.costs, 'result.costs');
  const totalPico = r.totalPico;
  if (typeof totalPico !== 'number' || !Number.isSafeInteger(totalPico) || totalPico < 0) {
    fail(
      'result.totalPico',
      `expected a non-negative integer of picodollars, got ${describeValue(totalPico)}`,
    );
  }
  const total = r.total;
  if (typeof total !== 'number' || !(Math.abs(total * PICO_PER_USD - totalPico) <= 2 + totalPico * 1e-15)) {
    fail(
      'result.total',
      `expected totalPico / 1e12 (${totalPico / PICO_PER_USD}), got ${describeValue(total)}`,
    );
  }
  const source = r.source;
  if (!isSource(source)) {
    fail('result.source', `expected one of ${SOURCE_LIST.join(', ')}, got ${describeValue(source)}`);
  }
  const parts = sumCostsPico(costs);
  if (!(Math.abs(parts - totalPico) <= 16 + totalPico * 1e-13) && !(parts === 0 && source === 'provided')) {
    fail(
      'result.costs',
      `the buckets add up to ${Math.round(parts)} picodollars, not totalPico (${totalPico})`,
    );
  }
  const estimated = r.estimated;
  if (typeof estimated !== 'boolean')
    fail('result.estimated', `expected true or false, got ${describeValue(estimated)}`);
  return {
    model,
    resolvedModel,
    provider,
    usage,
    costs,
    total: totalPico / PICO_PER_USD,
    totalPico,
    source: source as CostSource,
    estimated,
    tier: text(r.tier, 'result.tier'),
    providedCost: checkProvidedCost(r.providedCost, 'result', 'providedCost'),
  };
}

/** `Date.prototype.getTime` itself (a lookalike with its own getTime cannot answer); NaN for a fake Date. */
function dateTime(d: Date): number {
  try {
    return Date.prototype.getTime.call(d);
  } catch {
    return Number.NaN; // Object.create(Date.prototype): not a Date
  }
}

/** Epoch ms of a time field: a finite number or valid Date (or ISO string) that a `Date` can hold. */
export function time(v: unknown, parent: string, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') n = Date.parse(v);
  else if (v instanceof Date) n = dateTime(v);
  else return fail(`${parent}.${key}`, `expected epoch ms or a Date, got ${describeValue(v)}`);
  if (!(n >= -MAX_RECORD_TIME && n <= MAX_RECORD_TIME)) {
    fail(`${parent}.${key}`, `expected a valid time (epoch ms within ±8.64e15), got ${describeValue(v)}`);
  }
  return n;
}

/** The two context fields `record` needs before building the record, read once. */
export interface ContextFlags {
  cached: boolean;
  providedCost: number | undefined;
}

const NO_FLAGS: ContextFlags = Object.freeze({ cached: false, providedCost: undefined });

/**
 * Check that a record context is an object (or absent) and read `cached` and `providedCost`; the
 * tracker reads and checks the other fields as it builds the record.
 */
export function contextFlags(ctx: unknown): ContextFlags {
  if (ctx === undefined) return NO_FLAGS;
  const c = object(ctx, 'ctx');
  const cached = c.cached === true;
  const providedCost = checkProvidedCost(c.providedCost, 'ctx', 'providedCost');
  return cached || providedCost !== undefined ? { cached, providedCost } : NO_FLAGS;
}

/**
 * A validated copy of a record context (or of tracker defaults): only the known fields, each read
 * once. Text is read only when `storeText` is on.
 */
export function checkContext(v: unknown, path: string, storeText: boolean): RecordContext {
  const c = object(v, path);
  const out: RecordContext = {
    traceId: optText(c.traceId, path, 'traceId'),
    spanId: optText(c.spanId, path, 'spanId'),
    parentId: optText(c.parentId, path, 'parentId'),
    sessionId: optText(c.sessionId, path, 'sessionId'),
    userId: optText(c.userId, path, 'userId'),
    tenantId: optText(c.tenantId, path, 'tenantId'),
    operation: optText(c.operation, path, 'operation'),
    service: optText(c.service, path, 'service'),
    tags: checkTags(c.tags, path, 'tags'),
    environment: optText(c.environment, path, 'environment'),
    fallback: optBool(c.fallback, path, 'fallback'),
    metadata: checkMetadata(c.metadata, path, 'metadata'),
    startTime: time(c.startTime, path, 'startTime'),
    endTime: time(c.endTime, path, 'endTime'),
    durationMs: duration(c.durationMs, path, 'durationMs'),
    cached: c.cached === true ? true : undefined,
    providedCost: checkProvidedCost(c.providedCost, path, 'providedCost'),
    inputText: storeText ? optText(c.inputText, path, 'inputText') : undefined,
    outputText: storeText ? optText(c.outputText, path, 'outputText') : undefined,
  };
  return out;
}

/** Tracker defaults: the attribution fields of {@link checkContext}. */
export function checkAttribution(v: unknown, path: string): Attribution {
  const c = checkContext(v, path, false);
  return {
    traceId: c.traceId,
    spanId: c.spanId,
    parentId: c.parentId,
    sessionId: c.sessionId,
    userId: c.userId,
    tenantId: c.tenantId,
    operation: c.operation,
    service: c.service,
    tags: c.tags,
    environment: c.environment,
    fallback: c.fallback,
    metadata: c.metadata,
  };
}

export function duration(v: unknown, path: string, key: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && v >= 0 && v <= MAX_RECORD_TIME) return v;
  return fail(`${path}.${key}`, `expected a duration in ms from 0 up, got ${describeValue(v)}`);
}

export function checkTags(v: unknown, parent: string, key: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  // The error path is made only when a check fails: made up front, it cost two string
  // concatenations and a number's text per tag on every record (about 100 instructions, callgrind).
  if (!Array.isArray(v)) fail(`${parent}.${key}`, `expected an array of strings, got ${describeValue(v)}`);
  const n = v.length;
  if (n > MAX_RECORD_TAGS) fail(`${parent}.${key}`, `has ${n} tags; at most ${MAX_RECORD_TAGS} are accepted`);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const tag = v[i];
    if (typeof tag !== 'string') bad(parent, `${key}[${i}]`, 'a string', tag);
    out[i] = tag;
  }
  return out;
}

export function checkMetadata(v: unknown, parent: string, key: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const path = `${parent}.${key}`;
  const m = object(v, path);
  if (Array.isArray(m)) fail(path, 'expected an object of strings, got an array');
  const keys = Object.keys(m);
  if (keys.length > MAX_RECORD_METADATA_KEYS) {
    fail(path, `has ${keys.length} keys; at most ${MAX_RECORD_METADATA_KEYS} are accepted`);
  }
  const out: Record<string, string> = {};
  for (const k of keys) {
    const value = text(m[k], `${path}.${k.length > 40 ? `${k.slice(0, 40)}…` : k}`);
    // An own `__proto__` key (from JSON.parse) stays data, never a prototype.
    if (k === '__proto__')
      Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
    else out[k] = value;
  }
  return out;
}
