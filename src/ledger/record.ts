import type { CostBreakdown, CostResult, CostSource } from '../pricing/cost-result.js';
import type { TokenUsage } from '../usage/token-usage.js';

/**
 * Who and what a call belongs to. Adapters fill it from LangChain metadata or span attributes;
 * users can pass defaults (e.g. `environment`, `tenantId`).
 */
export interface Attribution {
  /** Trace id (OTel trace id, or the LangChain root run id). */
  traceId?: string;
  /** Span id / LangChain run id of this call; becomes the record id when given. */
  spanId?: string;
  /** Parent span / run id. */
  parentId?: string;
  /** Session (conversation) id. */
  sessionId?: string;
  /** End-user id. */
  userId?: string;
  /** Tenant / customer / organisation id. */
  tenantId?: string;
  /** Operation name (LangChain run name, span name, or a name the user gives). */
  operation?: string;
  /** Service name (OTel `service.name`). */
  service?: string;
  /** Tags. */
  tags?: string[];
  /** Deployment environment, e.g. `production`. */
  environment?: string;
  /** True when the call used a fallback model rather than the primary one. */
  fallback?: boolean;
  /** Extra string metadata copied to the record. */
  metadata?: Record<string, string>;
}

/** Facts about the call beside its cost, passed to `tracker.record`. */
export interface RecordContext extends Attribution {
  /** Call start (epoch ms or Date); defaults to end − duration, or now. */
  startTime?: number | Date;
  /** Call end (epoch ms or Date); defaults to now. */
  endTime?: number | Date;
  /** Duration in ms; defaults to end − start. */
  durationMs?: number;
  /** The call was answered from a cache (LangChain cache hit): cost 0, recorded as such. */
  cached?: boolean;
  /** Cost reported by the provider or gateway, USD (kept beside our estimate). */
  providedCost?: number;
  /** Prompt text; stored only when the tracker has `storeText: true`. */
  inputText?: string;
  /** Completion text; stored only when the tracker has `storeText: true`. */
  outputText?: string;
}

/** A failed call, for `tracker.recordFailure`. */
export interface FailureInput {
  /** The model as given. */
  model: string;
  /** Provider hint. */
  provider?: string;
  /** The error. */
  error: unknown;
  /** Usage, if the provider billed any before failing. */
  usage?: Partial<TokenUsage>;
  /**
   * The priced usage, when the adapter could price what the provider billed before failing.
   * Without it a failure with billed tokens is recorded as unpriced (never as a silent $0),
   * and a failure without usage costs 0.
   */
  result?: CostResult;
}

/**
 * Where a record's cost came from: a {@link CostSource}, or `none` when there is no price
 * (an unpriced call, or a failure that billed nothing).
 */
export type RecordSource = CostSource | 'none';

/** One recorded call: what the tracker keeps recent, and what the ledger writes (see ledger-line). */
export interface CostRecord {
  /** Record id (span/run id when known, else generated). */
  id: string;
  /** Start time, epoch ms. */
  startTime: number;
  /** End time, epoch ms. */
  endTime: number;
  /** Duration, ms. */
  durationMs: number;
  /** Model as given. */
  model: string;
  /** Catalog entry it resolved to. */
  resolvedModel: string;
  /** Provider. */
  provider: string;
  /** Disjoint usage. */
  usage: TokenUsage;
  /** Cost per bucket, USD. */
  costs: CostBreakdown;
  /** Total, USD. */
  total: number;
  /** Total in integer pico-USD. */
  totalPico: number;
  /** Price source; `none` for unpriced calls and for failures that billed nothing. */
  source: RecordSource;
  /** True for fallback (estimated) prices. */
  estimated: boolean;
  /** Tier label. */
  tier: string;
  /** Cost reported by the provider, USD, when there was one. */
  providedCost?: number;
  /** `success`, `error` or `cached`. */
  status: 'success' | 'error' | 'cached';
  /** Error message for failed calls. */
  error?: string;
  /**
   * True when the call has no price (model unknown, no fallback): `total` is 0 but the cost is
   * unknown, and the ledger writes `total_cost: null`.
   */
  unpriced?: boolean;
  /** Attribution. */
  traceId?: string;
  parentId?: string;
  sessionId?: string;
  userId?: string;
  tenantId?: string;
  operation?: string;
  service?: string;
  tags?: string[];
  environment?: string;
  fallback?: boolean;
  metadata?: Record<string, string>;
  /** Prompt text (opt-in). */
  inputText?: string;
  /** Completion text (opt-in). */
  outputText?: string;
}
