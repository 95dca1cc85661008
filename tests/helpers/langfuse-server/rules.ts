/**
 * The Langfuse server's rules, re-written from its source (see ./SOURCES.md for file, line and
 * commit of each): model-definition validation by server version, how a model and a pricing tier
 * are chosen, how cost is computed from usage, and the ingestion event schema. Used by the loopback
 * stand-in (./index.ts) and by the OTel check (./otel.ts). No Langfuse code is copied.
 */

/** A server version as `[major, minor, patch]`. */
export type Version = [number, number, number];

/** Parse `4.16.0` / `v3.134.0`. */
export function parseVersion(v: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** `a >= b`. */
export function atLeast(a: Version, b: string): boolean {
  const c = parseVersion(b);
  for (let i = 0; i < 3; i++) if (a[i] !== c[i]) return a[i]! > c[i]!;
  return true;
}

/** What a model-definition response looks like (`APIModelDefinition`). */
export interface ApiModel {
  id: string;
  modelName: string;
  matchPattern: string;
  startDate: string | null;
  inputPrice: number | null;
  outputPrice: number | null;
  totalPrice: number | null;
  unit: string | null;
  tokenizerId: string | null;
  tokenizerConfig: unknown;
  isLangfuseManaged: boolean;
  createdAt: string;
  prices: Record<string, { price: number }>;
  /** Absent before v3.135.0. */
  pricingTiers?: ApiTier[];
}

/** A stored pricing tier. */
export interface ApiTier {
  id: string;
  name: string;
  isDefault: boolean;
  priority: number;
  conditions: Record<string, unknown>[];
  prices: Record<string, number>;
}

/** A validation failure: status and body as the server answers. */
export interface Refusal {
  status: number;
  body: { message: string; error: unknown };
}

const UNITS = ['TOKENS', 'CHARACTERS', 'MILLISECONDS', 'SECONDS', 'REQUESTS', 'IMAGES'];
const USAGE_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

/** zod failure → `withMiddlewares`' 400. */
function invalid(issues: string[]): Refusal {
  return {
    status: 400,
    body: { message: 'Invalid request data', error: issues.map((message) => ({ message })) },
  };
}

/** `InvalidRequestError` → `{ message, error: 'InvalidRequestError' }` with 400. */
export function invalidRequest(message: string): Refusal {
  return { status: 400, body: { message, error: 'InvalidRequestError' } };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const nullish = (v: unknown) => v === null || v === undefined;

/**
 * `safe-regex2` in outline: a quantifier applied to a group that already contains a quantifier
 * (star height > 1) or more than 25 quantifiers make a pattern "unsafe".
 */
export function looksSafeRegex(pattern: string): boolean {
  const stack: boolean[] = [false]; // per open group: contains a quantifier
  let reps = 0;
  let lastGroupHadQuantifier = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      i++;
      lastGroupHadQuantifier = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastGroupHadQuantifier = false;
      continue;
    }
    if (c === '(') {
      stack.push(false);
      if (pattern[i + 1] === '?') i += pattern[i + 2] === '<' ? 3 : 2;
      continue;
    }
    if (c === ')') {
      lastGroupHadQuantifier = stack.pop() ?? false;
      if (lastGroupHadQuantifier) stack[stack.length - 1] = true;
      continue;
    }
    const quant =
      c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i)));
    if (quant) {
      reps++;
      if (lastGroupHadQuantifier) return false;
      stack[stack.length - 1] = true;
      if (c === '{') i = pattern.indexOf('}', i);
      if (pattern[i + 1] === '?') i++; // lazy marker
      lastGroupHadQuantifier = false;
      continue;
    }
    lastGroupHadQuantifier = false;
  }
  return reps <= 25;
}

function usagePatternProblem(p: unknown): string | null {
  if (typeof p !== 'string') return 'usageDetailPattern: expected string';
  if (p.length === 0) return 'Pattern cannot be empty';
  if (p.length > 200) return 'Pattern exceeds maximum length of 200 characters';
  try {
    new RegExp(p);
  } catch (e) {
    return `Invalid regex syntax: ${(e as Error).message}`;
  }
  if (!looksSafeRegex(p)) return 'Pattern may cause catastrophic backtracking. Please simplify your regex.';
  return null;
}

/** A condition as the version's zod schema parses it (unknown keys stripped), or an issue. */
function parseCondition(c: unknown, v: Version): Record<string, unknown> | string {
  if (!c || typeof c !== 'object') return 'condition: expected object';
  const o = c as Record<string, unknown>;
  const asUsage = (): Record<string, unknown> | string => {
    const bad = usagePatternProblem(o.usageDetailPattern);
    if (bad) return bad;
    if (!USAGE_OPERATORS.includes(o.operator as string))
      return `operator: expected one of ${USAGE_OPERATORS.join('|')}`;
    if (!isNum(o.value) || o.value < 0) return 'value: expected a non-negative number';
    if (o.caseSensitive !== undefined && typeof o.caseSensitive !== 'boolean')
      return 'caseSensitive: expected boolean';
    return {
      usageDetailPattern: o.usageDetailPattern,
      operator: o.operator,
      value: o.value,
      caseSensitive: o.caseSensitive ?? false,
    };
  };
  // Before v4.13.0 the condition schema is the usage shape only.
  if (!atLeast(v, '4.13.0')) return asUsage();
  const usage = asUsage();
  if (typeof usage !== 'string') return usage;
  const okAttr =
    (o.source === 'model_parameters' || o.source === 'metadata') &&
    typeof o.key === 'string' &&
    o.key.length >= 1 &&
    o.key.length <= 200 &&
    o.operator === 'in' &&
    Array.isArray(o.values) &&
    o.values.length >= 1 &&
    o.values.every((x) => typeof x === 'string' && x.length >= 1);
  if (okAttr) return { source: o.source, key: o.key, operator: 'in', values: o.values };
  return `condition matches neither the usage nor the attribute shape (${usage})`;
}

/** A parsed tier input (`PricingTierInputSchema`). */
interface TierInput {
  name: string;
  isDefault: boolean;
  priority: number;
  conditions: Record<string, unknown>[];
  prices: Record<string, number>;
}

function parseTier(t: unknown, v: Version, i: number): TierInput | string {
  if (!t || typeof t !== 'object') return `pricingTiers.${i}: expected object`;
  const o = t as Record<string, unknown>;
  if (typeof o.name !== 'string') return `pricingTiers.${i}.name: expected string`;
  // Names are trimmed before every later check since v4.10.0.
  const name = atLeast(v, '4.10.0') ? o.name.trim() : o.name;
  if (name.length < 1) return 'Name cannot be empty';
  if (name.length > 100) return 'Name exceeds maximum length of 100 characters';
  if (o.isDefault !== undefined && typeof o.isDefault !== 'boolean')
    return `pricingTiers.${i}.isDefault: expected boolean`;
  if (!isNum(o.priority) || !Number.isInteger(o.priority)) return 'Priority must be an integer';
  if (o.priority < 0) return 'Priority must be non-negative';
  if (o.priority > 999) return 'Priority cannot exceed 999';
  if (!Array.isArray(o.conditions)) return `pricingTiers.${i}.conditions: expected array`;
  const conditions: Record<string, unknown>[] = [];
  for (const c of o.conditions) {
    const p = parseCondition(c, v);
    if (typeof p === 'string') return `pricingTiers.${i}.conditions: ${p}`;
    conditions.push(p);
  }
  if (!o.prices || typeof o.prices !== 'object' || Array.isArray(o.prices))
    return `pricingTiers.${i}.prices: expected record`;
  for (const [k, p] of Object.entries(o.prices as Record<string, unknown>)) {
    if (!isNum(p)) return `pricingTiers.${i}.prices.${k}: expected number`;
    if (p < 0) return 'Price must be non-negative';
  }
  return {
    name,
    isDefault: o.isDefault === true,
    priority: o.priority,
    conditions,
    prices: o.prices as Record<string, number>,
  };
}

/** `validatePricingTiers`: the rules across tiers, in the server's order. */
export function pricingTierProblem(tiers: TierInput[]): string | null {
  if (tiers.length === 0) return 'At least one pricing tier is required';
  const defaults = tiers.filter((t) => t.isDefault);
  if (defaults.length === 0) return 'Exactly one pricing tier must have isDefault: true';
  if (defaults.length > 1) return `Only one pricing tier can have isDefault: true, found ${defaults.length}`;
  const def = defaults[0]!;
  if (def.priority !== 0) return 'Default pricing tier must have priority: 0';
  if (def.conditions.length > 0) return 'Default pricing tier must have empty conditions array';
  const bare = tiers.find((t) => !t.isDefault && t.conditions.length === 0);
  if (bare) return `Non-default pricing tier "${bare.name}" must have at least one condition`;
  if (new Set(tiers.map((t) => t.priority)).size !== tiers.length)
    return 'Pricing tier priorities must be unique within a model';
  if (new Set(tiers.map((t) => t.name)).size !== tiers.length) return 'Pricing tier names must be unique';
  const empty = tiers.find((t) => Object.keys(t.prices).length === 0);
  if (empty) return `Pricing tier "${empty.name}" must have at least one price defined`;
  const keys = Object.keys(def.prices).sort().join(', ');
  for (const t of tiers) {
    if (t.isDefault) continue;
    const got = Object.keys(t.prices).sort().join(', ');
    if (got !== keys)
      return `Pricing tier "${t.name}" must have the same usage keys as the default tier. Expected: [${keys}], Got: [${got}]`;
  }
  return null;
}

/** A create request the version accepts, as it will be stored. */
export interface ParsedCreate {
  modelName: string;
  matchPattern: string;
  startDate: string | null;
  inputPrice: number | null;
  outputPrice: number | null;
  totalPrice: number | null;
  unit: string;
  tokenizerId: string | null;
  tokenizerConfig: unknown;
  tiers: TierInput[] | null;
}

/** `PostModelsV1Body` of the version (zod), or the 400 it answers. */
export function parseCreateModel(body: unknown, v: Version): ParsedCreate | Refusal {
  if (!body || typeof body !== 'object') return invalid(['expected object']);
  const b = body as Record<string, unknown>;
  const issues: string[] = [];
  if (typeof b.modelName !== 'string') issues.push('modelName: expected string');
  if (typeof b.matchPattern !== 'string') issues.push('matchPattern: expected string');
  if (!UNITS.includes(b.unit as string)) issues.push(`unit: expected one of ${UNITS.join('|')}`);
  for (const k of ['inputPrice', 'outputPrice', 'totalPrice'] as const)
    if (!nullish(b[k]) && !(isNum(b[k]) && (b[k] as number) >= 0))
      issues.push(`${k}: expected a non-negative number`);
  if (!nullish(b.tokenizerId) && b.tokenizerId !== 'openai' && b.tokenizerId !== 'claude')
    issues.push('tokenizerId: expected openai|claude');
  if (!nullish(b.startDate) && Number.isNaN(Date.parse(String(b.startDate))))
    issues.push('startDate: invalid date');
  // Before v3.135.0 the schema has no pricingTiers: zod strips the key, silently.
  let tiers: TierInput[] | null = null;
  if (atLeast(v, '3.135.0') && !nullish(b.pricingTiers)) {
    if (!Array.isArray(b.pricingTiers)) issues.push('pricingTiers: expected array');
    else {
      tiers = [];
      b.pricingTiers.forEach((t, i) => {
        const p = parseTier(t, v, i);
        if (typeof p === 'string') issues.push(p);
        else tiers!.push(p);
      });
    }
  }
  if (issues.length > 0) return invalid(issues);
  const flat = !nullish(b.inputPrice) || !nullish(b.outputPrice) || !nullish(b.totalPrice);
  if (atLeast(v, '3.135.0')) {
    const hasTiers = tiers !== null && tiers.length > 0;
    if (flat && hasTiers)
      return invalid([
        'Must provide either flat prices (inputPrice/outputPrice/totalPrice) OR pricingTiers, not both',
      ]);
    if (!flat && !hasTiers)
      return invalid(['Must provide either flat prices (inputPrice/outputPrice/totalPrice) OR pricingTiers']);
    if (hasTiers) {
      const problem = pricingTierProblem(tiers!);
      if (problem) return invalid([problem]);
    }
  }
  if ((b.inputPrice || b.outputPrice) && b.totalPrice)
    return invalid(['If input and/or output price is set, total price must be null']);
  return {
    modelName: b.modelName as string,
    matchPattern: b.matchPattern as string,
    startDate: nullish(b.startDate) ? null : new Date(String(b.startDate)).toISOString(),
    inputPrice: (b.inputPrice as number | undefined) ?? null,
    outputPrice: (b.outputPrice as number | undefined) ?? null,
    totalPrice: (b.totalPrice as number | undefined) ?? null,
    unit: b.unit as string,
    tokenizerId: (b.tokenizerId as string | undefined) ?? null,
    tokenizerConfig: b.tokenizerConfig ?? null,
    tiers: tiers && tiers.length > 0 ? tiers : null,
  };
}

/** JavaScript stand-in for Postgres' `name ~ match_pattern` (leading `(?i)` → flag). */
export function matchesPattern(pattern: string, name: string): boolean {
  const ci = pattern.startsWith('(?i)');
  try {
    return new RegExp(ci ? pattern.slice(4) : pattern, ci ? 'i' : '').test(name);
  } catch {
    return false;
  }
}

/** The listing order: `modelName ASC, unit ASC, startDate DESC NULLS LAST`. */
export function listingOrder(a: ApiModel, b: ApiModel): number {
  if (a.modelName !== b.modelName) return a.modelName < b.modelName ? -1 : 1;
  if ((a.unit ?? '') !== (b.unit ?? '')) return (a.unit ?? '') < (b.unit ?? '') ? -1 : 1;
  return startDateDescNullsLast(a, b);
}

function startDateDescNullsLast(a: ApiModel, b: ApiModel): number {
  if (a.startDate === b.startDate) return 0;
  if (a.startDate === null) return 1;
  if (b.startDate === null) return -1;
  return Date.parse(b.startDate) - Date.parse(a.startDate);
}

/**
 * `findModelInPostgres`: project definitions before Langfuse-managed ones (`project_id ASC`, NULLs
 * last), then `start_date DESC NULLS LAST`; no filter on the start date.
 */
export function findModel(models: readonly ApiModel[], name: string): ApiModel | null {
  const hits = models.filter((m) => matchesPattern(m.matchPattern, name));
  hits.sort((a, b) =>
    a.isLangfuseManaged !== b.isLangfuseManaged
      ? a.isLangfuseManaged
        ? 1
        : -1
      : startDateDescNullsLast(a, b),
  );
  return hits[0] ?? null;
}

function conditionHolds(
  c: Record<string, unknown>,
  usage: Record<string, number>,
  attrs: { modelParameters?: Record<string, unknown> | null; metadata?: Record<string, unknown> | null },
): boolean {
  try {
    if ('source' in c) {
      const values = (c.source === 'model_parameters' ? attrs.modelParameters : attrs.metadata) ?? {};
      if (!Object.hasOwn(values, c.key as string)) return false;
      return (c.values as unknown[]).includes(values[c.key as string] ?? '');
    }
    const re = new RegExp(c.usageDetailPattern as string, c.caseSensitive ? '' : 'i');
    const sum = Object.keys(usage)
      .filter((k) => re.test(k))
      .reduce((s, k) => s + (usage[k] || 0), 0);
    const v = c.value as number;
    switch (c.operator) {
      case 'gt':
        return sum > v;
      case 'gte':
        return sum >= v;
      case 'lt':
        return sum < v;
      case 'lte':
        return sum <= v;
      case 'eq':
        return sum === v;
      case 'neq':
        return sum !== v;
      default:
        return false;
    }
  } catch {
    return false;
  }
}

/** `matchPricingTier`: non-default tiers by ascending priority, all conditions must hold; else the default. */
export function matchTier(
  model: ApiModel,
  usage: Record<string, number>,
  attrs: { modelParameters?: Record<string, unknown> | null; metadata?: Record<string, unknown> | null },
): { name: string; prices: Record<string, number> } | null {
  const tiers = model.pricingTiers;
  if (!tiers || tiers.length === 0) {
    const prices = Object.fromEntries(Object.entries(model.prices).map(([k, p]) => [k, p.price]));
    return Object.keys(prices).length > 0 ? { name: 'flat', prices } : null;
  }
  const sorted = tiers.filter((t) => !t.isDefault).sort((a, b) => a.priority - b.priority);
  for (const t of sorted)
    if (t.conditions.length > 0 && t.conditions.every((c) => conditionHolds(c, usage, attrs)))
      return { name: t.name, prices: t.prices };
  const def = tiers.find((t) => t.isDefault);
  return def ? { name: def.name, prices: def.prices } : null;
}

/** What `calculateUsageCosts` stores. */
export interface CostOutcome {
  costDetails: Record<string, number>;
  totalCost: number | null;
  /** The tier used for an inferred cost. */
  tier: string | null;
  /** True when the cost came from the provided cost details (nothing inferred). */
  provided: boolean;
}

/**
 * `calculateUsageCosts`: any provided cost key wins and nothing is inferred; `total` is the provided
 * one, or input + output when only those are provided. Otherwise every usage key is multiplied by
 * the price of exactly that key in the matched tier; `total` is the `total` key's cost if priced,
 * else the sum.
 */
export function computeCost(
  provided: Record<string, number>,
  usage: Record<string, number>,
  prices: Record<string, number> | null,
  tier: string | null = null,
): CostOutcome {
  const keys = Object.keys(provided).filter((k) => provided[k] != null);
  if (keys.length > 0) {
    const costDetails = { ...provided };
    const total =
      provided.total ??
      (keys.every((k) => k === 'input' || k === 'output')
        ? (provided.input ?? 0) + (provided.output ?? 0)
        : undefined);
    if (!Object.hasOwn(costDetails, 'total') && total !== undefined) costDetails.total = total;
    return { costDetails, totalCost: total ?? null, tier: null, provided: true };
  }
  const entries: [string, number][] = [];
  for (const [k, units] of Object.entries(usage)) {
    const p = prices?.[k];
    if (units != null && p !== undefined) entries.push([k, p * units]);
  }
  const costDetails = Object.fromEntries(entries);
  let totalCost: number | null = null;
  if (costDetails.total != null) totalCost = costDetails.total;
  else if (entries.length > 0) {
    totalCost = entries.reduce((s, [, c]) => s + c, 0);
    costDetails.total = totalCost;
  }
  return { costDetails, totalCost, tier: entries.length > 0 ? tier : null, provided: false };
}

/** `CostDetails` of the ingestion schema: only non-negative numbers survive; nothing left → undefined. */
export function filterCostDetails(v: unknown): Record<string, number> | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>))
    if (typeof x === 'number' && !Number.isNaN(x) && x >= 0) out[k] = x;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `RawUsageDetails`: non-negative integers (numeric strings via parseInt), no renaming. */
export function filterUsageDetails(v: unknown): Record<string, number> | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const n = typeof x === 'string' ? Number.parseInt(x, 10) : x;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) out[k] = n;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `z.iso.datetime({ offset: true })`: an ISO date-time with `Z` or a numeric offset. */
export function isIsoDateTimeWithOffset(v: unknown): boolean {
  return (
    typeof v === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
    !Number.isNaN(Date.parse(v))
  );
}

/** `idSchema`: 1–800 characters, no carriage return. */
export function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 800 && !v.includes('\r');
}

const OBSERVATION_EVENTS = new Set([
  'span-create',
  'span-update',
  'generation-create',
  'generation-update',
  'event-create',
  'agent-create',
  'tool-create',
  'chain-create',
  'retriever-create',
  'evaluator-create',
  'embedding-create',
  'guardrail-create',
]);

/** The ingestion event schema (the parts this library sends): null when valid, else the zod-like message. */
export function ingestionEventProblem(e: unknown): string | null {
  if (!e || typeof e !== 'object') return 'expected object';
  const o = e as Record<string, unknown>;
  if (!isId(o.id)) return 'id: expected a string of 1 to 800 characters';
  if (!isIsoDateTimeWithOffset(o.timestamp)) return 'timestamp: Invalid ISO datetime (with offset)';
  if (typeof o.type !== 'string') return 'type: expected string';
  if (!o.body || typeof o.body !== 'object') return 'body: expected object';
  const b = o.body as Record<string, unknown>;
  if (o.type === 'trace-create' || o.type === 'score-create' || o.type === 'sdk-log') return null;
  if (!OBSERVATION_EVENTS.has(o.type)) return `type: invalid discriminator value "${o.type}"`;
  if (!isId(b.id)) return 'body.id: expected a string of 1 to 800 characters';
  if (!nullish(b.traceId) && !isId(b.traceId)) return 'body.traceId: expected a string';
  for (const k of ['startTime', 'endTime', 'completionStartTime'])
    if (!nullish(b[k]) && !isIsoDateTimeWithOffset(b[k]))
      return `body.${k}: Invalid ISO datetime (with offset)`;
  if (!nullish(b.costDetails) && (typeof b.costDetails !== 'object' || Array.isArray(b.costDetails)))
    return 'body.costDetails: expected record';
  if (!nullish(b.metadata) && typeof b.metadata !== 'object') return null;
  return null;
}

/** Update events last, each group by ascending timestamp (`sortBatch`). */
export function sortBatch<T extends { type: string; timestamp: string }>(batch: T[]): T[] {
  const isUpdate = (t: string) =>
    t === 'generation-update' || t === 'span-update' || t === 'observation-update';
  const byTime = (a: T, b: T) => Date.parse(a.timestamp) - Date.parse(b.timestamp);
  return [
    ...batch.filter((e) => !isUpdate(e.type)).sort(byTime),
    ...batch.filter((e) => isUpdate(e.type)).sort(byTime),
  ];
}

/** An observation as the server stores it (ClickHouse `observations` columns, camel-cased). */
export interface StoredObservation {
  id: string;
  traceId: string | null;
  type: string;
  name: string | null;
  startTime: string;
  providedModelName: string | null;
  modelParameters: Record<string, unknown> | null;
  providedUsageDetails: Record<string, number>;
  usageDetails: Record<string, number>;
  providedCostDetails: Record<string, number>;
  costDetails: Record<string, number>;
  totalCost: number | null;
  internalModelId: string | null;
  usagePricingTierName: string | null;
  metadata: Record<string, unknown>;
  level: string;
  environment: string;
}

/**
 * Merge one (valid) observation event over the stored record (`overwriteObject`): values present in
 * the event win, empty ones keep the stored value, a non-empty `costDetails`/`usageDetails` replaces the
 * provided one as a whole, metadata is merged by key; `id`, `traceId` and `startTime` stay. Cost is not
 * recomputed here (see `computeCost`).
 */
export function mergeObservationEvent(prior: StoredObservation | undefined, e: any): StoredObservation {
  const b = e.body;
  const o: StoredObservation = prior
    ? { ...prior }
    : {
        id: b.id,
        traceId: b.traceId ?? null,
        type: String(e.type)
          .replace(/-(create|update)$/, '')
          .toUpperCase(),
        name: null,
        startTime: b.startTime ?? e.timestamp,
        providedModelName: null,
        modelParameters: null,
        providedUsageDetails: {},
        usageDetails: {},
        providedCostDetails: {},
        costDetails: {},
        totalCost: null,
        internalModelId: null,
        usagePricingTierName: null,
        metadata: {},
        level: 'DEFAULT',
        environment: 'default',
      };
  if (o.traceId === null && b.traceId != null) o.traceId = b.traceId;
  if (b.name != null) o.name = b.name;
  if (b.model != null) o.providedModelName = b.model;
  if (b.modelParameters != null && Object.keys(b.modelParameters).length > 0)
    o.modelParameters = { ...(o.modelParameters ?? {}), ...b.modelParameters };
  const usage = filterUsageDetails(b.usageDetails);
  if (usage) o.providedUsageDetails = usage;
  const cost = filterCostDetails(b.costDetails);
  if (cost) o.providedCostDetails = cost;
  if (b.metadata && typeof b.metadata === 'object') o.metadata = { ...o.metadata, ...b.metadata };
  if (b.level != null) o.level = b.level;
  return o;
}
