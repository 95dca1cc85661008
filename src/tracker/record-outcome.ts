import type { RecordContext } from '../ledger/record.js';
import type { Logger } from '../logger.js';
import type { CostResult } from '../pricing/cost-result.js';
import type { PriceOutcome } from '../pricing/price-call.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { CostTracker, recordOwnedResult } from './tracker.js';

/**
 * Where an adapter records calls: a `CostTracker`, or anything with the same `record` method (and
 * `recordUnpriced`, to count calls that have no price).
 */
export interface CostRecorder {
  /** Record one priced call. */
  record(result: CostResult, ctx?: RecordContext): unknown;
  /** Count a call whose model has no price; its warning goes to `options.logger` when given. */
  recordUnpriced?(
    model: string,
    provider: string | undefined,
    usage: Partial<TokenUsage>,
    ctx?: RecordContext,
    options?: { logger?: Logger },
  ): unknown;
  /** Flush sinks. */
  flush?(): Promise<void>;
}

/**
 * Record the outcome of `priceCall`: a result (priced, free or provided) with `record`, an unpriced
 * call with `recordUnpriced` (its provided cost, if any, is already in `ctx`). Returns what the
 * recorder returned, or undefined when it cannot count unpriced calls. Errors propagate: adapters
 * catch them.
 *
 * The result must be the adapter's own, fresh from `priceCall`: a `CostTracker` takes its usage and
 * costs without checking or copying them (see `recordOwnedResult`); any other recorder gets `record`.
 * With `want` false the caller does not use what is returned, and a `CostTracker` may skip making it.
 */
export function recordOutcome(
  recorder: CostRecorder,
  outcome: PriceOutcome,
  call: { provider: string | undefined; usage: TokenUsage },
  ctx: RecordContext,
  options?: { logger?: Logger },
  want = true,
): unknown {
  const own = recorder instanceof CostTracker;
  if (outcome.status !== 'unpriced') {
    // A subclass may override `record`: only the class itself takes results unchecked.
    if (own && recorder.record === CostTracker.prototype.record)
      return recordOwnedResult(recorder, outcome.result, ctx, want);
    return recorder.record(outcome.result, given(ctx));
  }
  const unpricedCtx =
    own && recorder.recordUnpriced === CostTracker.prototype.recordUnpriced ? ctx : given(ctx);
  return recorder.recordUnpriced?.(outcome.model, call.provider, call.usage, unpricedCtx, options);
}

/**
 * `ctx` without its undefined fields. Adapters build every context with all its keys, in one order
 * (one hidden class for the tracker to read, whatever the call carried); a recorder of the user's
 * gets only the fields the call has, so spreading it over defaults keeps them.
 */
function given(ctx: RecordContext): RecordContext {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx)) if (v !== undefined) out[k] = v;
  return out as RecordContext;
}
