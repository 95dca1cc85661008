import { closedError } from '../errors.js';
import { emptyCosts } from '../pricing/cost-result.js';
import { usdToPico } from '../pricing/money.js';
import { BUCKET_OF_LANGFUSE_KEY } from '../usage/buckets.js';
import { toLangfuseCostDetails, toLangfuseUsageDetails } from '../usage/details.js';
import { emptyUsage, type TokenUsage } from '../usage/token-usage.js';
import { LedgerLineEncoder } from './encoder.js';
import { isoTime } from './iso-time.js';
import type { CostRecord, RecordSource } from './record.js';

/**
 * Environment of calls recorded without one: Langfuse's name for it (its `environment` column
 * defaults to it, and so does the ledger), so local and Langfuse breakdowns agree.
 */
export const DEFAULT_ENVIRONMENT = 'default';

/** Project id of the lines written without one (the ledger's `project_id` for local use). */
export const DEFAULT_PROJECT_ID = 'local';

/** The observation type of every ledger line: each line is one model call. */
export const OBSERVATION_TYPE = 'GENERATION';

/**
 * One ledger line (JSON Lines, one object per call). Column names follow Langfuse's ClickHouse
 * `observations` table, so the SQL dashboards read the ledger with the same names; the columns
 * after `total_cost` are ours. Times are ISO-8601 UTC with milliseconds and `Z`.
 */
export interface LedgerLine {
  id: string;
  trace_id: string;
  parent_observation_id: string | null;
  project_id: string;
  type: typeof OBSERVATION_TYPE;
  /** Operation name. */
  name: string | null;
  environment: string;
  start_time: string;
  end_time: string;
  level: 'DEFAULT' | 'ERROR';
  /** Error message of failed calls. */
  status_message: string | null;
  provided_model_name: string;
  /** Catalog entry the model resolved to; null for unpriced calls. */
  internal_model_id: string | null;
  /** Langfuse usage keys (`input` exclusive of cache), always with `total`. */
  usage_details: Record<string, number>;
  /** Langfuse cost keys, USD, always with `total` (empty for unpriced calls). */
  cost_details: Record<string, number>;
  /** `{ total }` when the provider reported a cost. */
  provided_cost_details: Record<string, number>;
  /** Total cost, USD; null when the call has no price. */
  total_cost: number | null;
  /** Total cost in integer pico-USD (exact); null when the call has no price. */
  cost_pico: number | null;
  metadata: Record<string, string>;
  session_id: string | null;
  user_id: string | null;
  tenant_id: string | null;
  tags: string[];
  provider: string;
  resolved_model: string;
  source: RecordSource;
  estimated: boolean;
  tier: string;
  /** True when the call used a fallback model rather than the primary one. */
  fallback: boolean;
  service: string | null;
  duration_ms: number;
  status: 'success' | 'error' | 'cached';
  /** Prompt text (only with `storeText`). */
  input?: string;
  /** Completion text (only with `storeText`). */
  output?: string;
}

/** Options of {@link toLedgerLine}. */
export interface LedgerLineOptions {
  /** `project_id` column (default `local`). */
  projectId?: string;
}

/** Map a record to its ledger line (pure). */
export function toLedgerLine(r: CostRecord, options: LedgerLineOptions = {}): LedgerLine {
  try {
    return toLedgerLineUnchecked(r, options);
  } catch (err) {
    throw closedError(err, 'toLedgerLine');
  }
}

function toLedgerLineUnchecked(r: CostRecord, options: LedgerLineOptions = {}): LedgerLine {
  const unpriced = r.unpriced === true;
  const line: LedgerLine = {
    id: r.id,
    trace_id: r.traceId ?? r.id,
    parent_observation_id: r.parentId ?? null,
    project_id: options.projectId ?? DEFAULT_PROJECT_ID,
    type: OBSERVATION_TYPE,
    name: r.operation ?? null,
    environment: r.environment ?? DEFAULT_ENVIRONMENT,
    start_time: isoTime(r.startTime),
    end_time: isoTime(r.endTime),
    level: r.status === 'error' ? 'ERROR' : 'DEFAULT',
    status_message: r.error ?? null,
    provided_model_name: r.model,
    internal_model_id: unpriced ? null : r.resolvedModel,
    usage_details: toLangfuseUsageDetails(r.usage),
    // toLangfuseCostDetails reads only `costs` and `total`; a record carries both.
    cost_details: unpriced ? {} : toLangfuseCostDetails(r),
    provided_cost_details: r.providedCost !== undefined ? { total: r.providedCost } : {},
    total_cost: unpriced ? null : r.total,
    cost_pico: unpriced ? null : r.totalPico,
    metadata: r.metadata ?? {},
    session_id: r.sessionId ?? null,
    user_id: r.userId ?? null,
    tenant_id: r.tenantId ?? null,
    tags: r.tags ?? [],
    provider: r.provider,
    resolved_model: r.resolvedModel,
    source: r.source,
    estimated: r.estimated,
    tier: r.tier,
    fallback: r.fallback === true,
    service: r.service ?? null,
    duration_ms: r.durationMs,
    status: r.status,
  };
  if (r.inputText !== undefined) line.input = r.inputText;
  if (r.outputText !== undefined) line.output = r.outputText;
  return line;
}

/**
 * Columns a written ledger line leaves out when they hold their default, with that default (for
 * `resolved_model`: the line's `internal_model_id`). Every column of Langfuse's `observations` table
 * that the ledger mirrors is always written; these are the rest, which are null, empty or false for
 * most calls. Readers ({@link expandLedgerLine}, ClickHouse through the dashboards' schema) fill them.
 */
export const OMITTED_WHEN_DEFAULT = {
  parent_observation_id: null,
  environment: DEFAULT_ENVIRONMENT,
  internal_model_id: null,
  provided_cost_details: {},
  cost_pico: null,
  session_id: null,
  user_id: null,
  tenant_id: null,
  tags: [],
  resolved_model: null,
  estimated: false,
  fallback: false,
  service: null,
} as const satisfies Partial<Record<keyof LedgerLine, unknown>>;

/** Column order of {@link toLedgerLine} (and of written lines, which leave some out). */
export const LEDGER_COLUMNS: readonly Exclude<keyof LedgerLine, 'input' | 'output'>[] = [
  'id',
  'trace_id',
  'parent_observation_id',
  'project_id',
  'type',
  'name',
  'environment',
  'start_time',
  'end_time',
  'level',
  'status_message',
  'provided_model_name',
  'internal_model_id',
  'usage_details',
  'cost_details',
  'provided_cost_details',
  'total_cost',
  'cost_pico',
  'metadata',
  'session_id',
  'user_id',
  'tenant_id',
  'tags',
  'provider',
  'resolved_model',
  'source',
  'estimated',
  'tier',
  'fallback',
  'service',
  'duration_ms',
  'status',
];

const COLUMN_SET: ReadonlySet<string> = new Set(LEDGER_COLUMNS);

/**
 * A parsed ledger line with every column: the ones a writer left out at their default get it, in
 * column order (extra keys, such as stored prompt text, follow). Lines written in full pass unchanged.
 */
export function expandLedgerLine(parsed: Record<string, unknown>): LedgerLine {
  try {
    return expandLedgerLineUnchecked(parsed);
  } catch (err) {
    throw closedError(err, 'expandLedgerLine');
  }
}

function expandLedgerLineUnchecked(parsed: Record<string, unknown>): LedgerLine {
  const l = parsed as Partial<LedgerLine> & Record<string, unknown>;
  // One object literal (one shape for every line) rather than a loop over the columns.
  const out: LedgerLine = {
    id: l.id as string,
    trace_id: l.trace_id as string,
    parent_observation_id: l.parent_observation_id ?? null,
    project_id: l.project_id as string,
    type: l.type as 'GENERATION',
    name: l.name as string | null,
    environment: l.environment ?? DEFAULT_ENVIRONMENT,
    start_time: l.start_time as string,
    end_time: l.end_time as string,
    level: l.level as LedgerLine['level'],
    status_message: l.status_message as string | null,
    provided_model_name: l.provided_model_name as string,
    internal_model_id: l.internal_model_id ?? null,
    usage_details: l.usage_details as Record<string, number>,
    cost_details: l.cost_details as Record<string, number>,
    provided_cost_details: l.provided_cost_details ?? {},
    total_cost: l.total_cost as number | null,
    cost_pico: l.cost_pico ?? null,
    metadata: l.metadata as Record<string, string>,
    session_id: l.session_id ?? null,
    user_id: l.user_id ?? null,
    tenant_id: l.tenant_id ?? null,
    tags: l.tags ?? [],
    provider: l.provider as string,
    resolved_model: l.resolved_model ?? l.internal_model_id ?? l.provided_model_name ?? (null as never),
    source: l.source as LedgerLine['source'],
    estimated: l.estimated ?? false,
    tier: l.tier as string,
    fallback: l.fallback ?? false,
    service: l.service ?? null,
    duration_ms: l.duration_ms as number,
    status: l.status as LedgerLine['status'],
  };
  // Keys beyond the columns (stored prompt text, keys of another version) follow, as they were.
  for (const k in l) if (!COLUMN_SET.has(k)) (out as unknown as Record<string, unknown>)[k] = l[k];
  return out;
}

/**
 * The ledger line of a record as written to the file (without its newline):
 * `JSON.stringify(toLedgerLine(r, options))` without the columns of {@link OMITTED_WHEN_DEFAULT} that
 * hold their default. The ledger sink writes the same bytes with a {@link LedgerLineEncoder}.
 */
export function ledgerLineJson(r: CostRecord, options: LedgerLineOptions = {}): string {
  try {
    return ledgerLineJsonUnchecked(r, options);
  } catch (err) {
    throw closedError(err, 'ledgerLineJson');
  }
}

function ledgerLineJsonUnchecked(r: CostRecord, options: LedgerLineOptions = {}): string {
  const enc = new LedgerLineEncoder(options.projectId, 1024);
  enc.line(r);
  return textDecoder.decode(enc.bytes.subarray(0, enc.length - 1));
}

const textDecoder = new TextDecoder();

/** Langfuse usage/cost key → TokenUsage bucket. */
export { BUCKET_OF_LANGFUSE_KEY };

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Usage of a ledger line's `usage_details` (unknown keys ignored). */
export function usageFromDetails(details: unknown): TokenUsage {
  try {
    return usageFromDetailsUnchecked(details);
  } catch (err) {
    throw closedError(err, 'usageFromDetails');
  }
}

function usageFromDetailsUnchecked(details: unknown): TokenUsage {
  const u = emptyUsage();
  if (details && typeof details === 'object') {
    for (const [k, v] of Object.entries(details as Record<string, unknown>)) {
      const b = BUCKET_OF_LANGFUSE_KEY[k];
      if (b !== undefined && typeof v === 'number' && v > 0) u[b] += v;
    }
  }
  return u;
}

/** Total cost of a line in pico-USD: `cost_pico`, else `total_cost`; null when unpriced. */
export function linePico(line: { cost_pico?: unknown; total_cost?: unknown }): number | null {
  try {
    return linePicoUnchecked(line);
  } catch (err) {
    throw closedError(err, 'linePico');
  }
}

function linePicoUnchecked(line: { cost_pico?: unknown; total_cost?: unknown }): number | null {
  const p = num(line.cost_pico);
  if (p !== undefined) return Math.round(p);
  const t = num(line.total_cost);
  return t === undefined ? null : usdToPico(t);
}

/**
 * Map a parsed ledger line back to a record (lenient: missing columns get defaults).
 * Returns null when the object is not a ledger line (no `id` or no valid `start_time`).
 */
export function fromLedgerLine(value: unknown): CostRecord | null {
  try {
    return fromLedgerLineUnchecked(value);
  } catch (err) {
    throw closedError(err, 'fromLedgerLine');
  }
}

function fromLedgerLineUnchecked(value: unknown): CostRecord | null {
  if (!value || typeof value !== 'object') return null;
  const l = value as Record<string, unknown>;
  const id = str(l.id);
  const start = Date.parse(str(l.start_time) ?? '');
  if (id === undefined || Number.isNaN(start)) return null;
  const endParsed = Date.parse(str(l.end_time) ?? '');
  const end = Number.isNaN(endParsed) ? start : endParsed;
  const pico = linePico(l);
  const costs = emptyCosts();
  if (l.cost_details && typeof l.cost_details === 'object') {
    for (const [k, v] of Object.entries(l.cost_details as Record<string, unknown>)) {
      const b = BUCKET_OF_LANGFUSE_KEY[k];
      if (b !== undefined && typeof v === 'number') costs[b] += v;
    }
  }
  const status = l.status === 'error' || l.status === 'cached' ? l.status : 'success';
  const provided = num((l.provided_cost_details as Record<string, unknown> | undefined)?.total);
  const model = str(l.provided_model_name) ?? '';
  const rec: CostRecord = {
    id,
    startTime: start,
    endTime: end,
    durationMs: num(l.duration_ms) ?? end - start,
    model,
    resolvedModel: str(l.resolved_model) ?? str(l.internal_model_id) ?? model,
    provider: str(l.provider) ?? '',
    usage: usageFromDetails(l.usage_details),
    costs,
    total: pico === null ? 0 : pico / 1e12,
    totalPico: pico ?? 0,
    source: (str(l.source) as RecordSource | undefined) ?? (pico === null ? 'none' : 'catalog'),
    estimated: l.estimated === true,
    tier: str(l.tier) ?? 'standard',
    status,
  };
  if (pico === null) rec.unpriced = true;
  if (provided !== undefined) rec.providedCost = provided;
  const msg = str(l.status_message);
  if (msg !== undefined) rec.error = msg;
  const opt: [keyof CostRecord, unknown][] = [
    ['traceId', l.trace_id],
    ['parentId', l.parent_observation_id],
    ['sessionId', l.session_id],
    ['userId', l.user_id],
    ['tenantId', l.tenant_id],
    ['operation', l.name],
    ['service', l.service],
    ['environment', l.environment],
    ['inputText', l.input],
    ['outputText', l.output],
  ];
  for (const [k, v] of opt) if (typeof v === 'string') (rec as unknown as Record<string, unknown>)[k] = v;
  if (Array.isArray(l.tags) && l.tags.length > 0) rec.tags = l.tags.filter((t) => typeof t === 'string');
  if (l.fallback === true) rec.fallback = true;
  if (l.metadata && typeof l.metadata === 'object' && Object.keys(l.metadata).length > 0) {
    rec.metadata = l.metadata as Record<string, string>;
  }
  return rec;
}

export { isoTime } from './iso-time.js';
