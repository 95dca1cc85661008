import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { warnOnce } from '../logger.js';
import { type LegacyCostEventLike, legacyGenerationCostFields } from './legacy-v3.js';

/**
 * Our exact cost on the generations of the current Langfuse LangChain handler (`@langfuse/langchain`
 * v4/v5, exported through `@langfuse/otel`).
 *
 * Why not only `CostSpanProcessor`: the handler's generation span carries LangChain's
 * `usage_metadata` folded into Langfuse keys and nothing else — no response metadata. For Anthropic
 * that loses the 5-minute/1-hour cache-write split, and `@langchain/anthropic`'s merged stream usage
 * adds `message_start`'s output token to `message_delta`'s total (401 for 400). `CostCallbackHandler`
 * sees each chunk and the raw usage and prices the call exactly; this adapter puts that result on
 * the Langfuse handler's own generation (same span, no second observation), as `costDetails` and
 * `usageDetails` of the generation's final update.
 *
 * How: the handler ends a generation in one method, `handleOtelSpanEnd({ runId, type, attributes })`
 * (`span.update(attributes).end()`, `@langfuse/langchain` 4.x–5.11, not part of its typed API). The
 * adapter wraps that method on the handler instance. Both handlers see a run's end in the same
 * callback dispatch, in either order (ours runs inline, Langfuse's in LangChain's background queue):
 *
 * - our cost first: it is merged into the generation's end update on sight;
 * - the generation's end first: the end is held for one macrotask; our cost arriving meanwhile is
 *   merged, otherwise the generation ends as the handler wrote it (a run our handler did not see,
 *   which `CostSpanProcessor`, when registered, still prices from the span).
 *
 * A handler without that method (a future `@langfuse/langchain`) is left untouched, with one warning.
 */

/** The part of an `@langfuse/langchain` `CallbackHandler` the adapter uses (checked at runtime). */
interface HandlerInternals {
  /** Ends the observation of a run (private in the handler's types). */
  handleOtelSpanEnd?: unknown;
}

/** What `handleOtelSpanEnd` receives. */
interface SpanEndParams {
  runId: string;
  type?: string;
  attributes?: Record<string, unknown>;
}

/** Options of {@link LangfuseCostAdapter}. */
export interface LangfuseCostAdapterOptions {
  /** Most costs waiting for their generation at once (default 10,000); past it the oldest is dropped. */
  maxPending?: number;
  /** How long a cost waits for its generation's end, ms (default 60,000); then it is dropped. */
  pendingMs?: number;
}

interface PendingCost {
  fields: Record<string, unknown>;
  at: number;
}

const DEFAULT_MAX_PENDING = 10_000;
const DEFAULT_PENDING_MS = 60_000;

/**
 * Puts `CostCallbackHandler`'s exact cost on the generations `@langfuse/langchain` creates. Pass
 * {@link LangfuseCostAdapter.onCost} as the handler's `onCost` option and give LangChain both handlers.
 *
 * @example
 * ```ts
 * import { CallbackHandler } from '@langfuse/langchain';
 * const langfuseHandler = new CallbackHandler();
 * const costs = new LangfuseCostAdapter(langfuseHandler);
 * const costHandler = new CostCallbackHandler({ onCost: costs.onCost });
 * await chain.invoke(input, { callbacks: [costHandler, langfuseHandler] });
 * ```
 */
export class LangfuseCostAdapter {
  /** The hook to pass as `CostCallbackHandler`'s `onCost`. */
  readonly onCost: (event: LegacyCostEventLike) => void;
  /** Whether the handler could be adapted (false: it is left as it was, and a warning was logged). */
  readonly attached: boolean;
  private readonly pending = new Map<string, PendingCost>();
  /** Generation ends held for their cost, by run id. */
  private readonly held = new Map<string, (fields: Record<string, unknown> | undefined) => void>();
  private readonly maxPending: number;
  private readonly pendingMs: number;
  private readonly original: ((params: SpanEndParams) => unknown) | undefined;
  private readonly handler: HandlerInternals;
  private readonly hadOwn: boolean;
  private readonly ownBefore: unknown;

  /**
   * @param handler an `@langfuse/langchain` `CallbackHandler` (typed loosely: the method the adapter
   *   wraps is private in the SDK's declarations)
   * @param options limits of the costs kept while waiting for their generation
   */
  constructor(handler: object, options: LangfuseCostAdapterOptions = {}) {
    if (handler === null || typeof handler !== 'object')
      throw new InvalidArgumentError(
        'handler',
        `expected an @langfuse/langchain CallbackHandler, got ${describeValue(handler)}`,
      );
    this.handler = handler as HandlerInternals;
    if (options === null || typeof options !== 'object')
      throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
    this.maxPending = positive(options.maxPending, DEFAULT_MAX_PENDING, 'options.maxPending');
    this.pendingMs = positive(options.pendingMs, DEFAULT_PENDING_MS, 'options.pendingMs');
    this.onCost = (event) => {
      try {
        this.take(event);
      } catch (err) {
        throw closedError(err, 'LangfuseCostAdapter.onCost');
      }
    };
    let end: unknown;
    try {
      end = this.handler.handleOtelSpanEnd;
      this.hadOwn = Object.hasOwn(handler, 'handleOtelSpanEnd');
    } catch (err) {
      throw closedError(err, 'LangfuseCostAdapter');
    }
    this.ownBefore = this.hadOwn ? end : undefined;
    if (typeof end !== 'function') {
      warnOnce(
        'langfuse-v5:no-span-end',
        'LangfuseCostAdapter: this @langfuse/langchain handler has no handleOtelSpanEnd; its generations keep the usage it wrote (CostSpanProcessor still prices them from the span)',
      );
      this.attached = false;
      return;
    }
    this.original = end as (params: SpanEndParams) => unknown;
    const self = this;
    this.handler.handleOtelSpanEnd = function adaptedSpanEnd(this: unknown, params: SpanEndParams) {
      return self.spanEnd(this, params);
    };
    this.attached = true;
  }

  /** Give the handler its own `handleOtelSpanEnd` back; held ends are released as they are. */
  detach(): void {
    if (!this.attached) return;
    for (const release of [...this.held.values()]) release(undefined);
    if (this.hadOwn) this.handler.handleOtelSpanEnd = this.ownBefore;
    else delete this.handler.handleOtelSpanEnd;
    this.pending.clear();
  }

  /** Costs waiting for their generation (for tests and diagnostics). */
  get waiting(): number {
    return this.pending.size;
  }

  private take(event: LegacyCostEventLike): void {
    if (!this.attached) return;
    const fields = legacyGenerationCostFields(event);
    if (fields === null) return;
    const release = this.held.get(event.runId);
    if (release !== undefined) {
      release(fields);
      return;
    }
    const now = Date.now();
    if (this.pending.size >= this.maxPending) this.dropOldest(now);
    this.pending.set(event.runId, { fields, at: now });
  }

  /** Drop costs older than `pendingMs`, and the oldest one when still full. */
  private dropOldest(now: number): void {
    for (const [runId, p] of this.pending) {
      if (now - p.at <= this.pendingMs && this.pending.size < this.maxPending) break;
      this.pending.delete(runId);
    }
  }

  private spanEnd(target: unknown, params: SpanEndParams): unknown {
    const original = this.original!;
    if (params === null || typeof params !== 'object' || params.type !== 'generation') {
      return original.call(target, params);
    }
    const runId = params.runId;
    const cost = this.pending.get(runId);
    if (cost !== undefined) {
      this.pending.delete(runId);
      return original.call(target, withCost(params, cost.fields));
    }
    // Our handler has not seen this run's end yet: wait one macrotask for it.
    let done = false;
    const release = (fields: Record<string, unknown> | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.held.delete(runId);
      try {
        original.call(target, fields ? withCost(params, fields) : params);
      } catch {
        // The handler's own end failed; it logs its errors itself and never throws into the chain.
      }
    };
    const timer = setTimeout(() => release(undefined), 0);
    this.held.set(runId, release);
    return undefined;
  }
}

function positive(v: unknown, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
    throw new InvalidArgumentError(name, `expected a positive integer, got ${describeValue(v)}`);
  return v;
}

function withCost(params: SpanEndParams, fields: Record<string, unknown>): SpanEndParams {
  return { ...params, attributes: { ...params.attributes, ...fields } };
}
