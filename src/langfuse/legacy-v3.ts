import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { warnOnce } from '../logger.js';
import type { CostResult } from '../pricing/cost-result.js';
import { toLangfuseCostDetails, toLangfuseUsageDetails } from '../usage/details.js';
import type { TokenUsage } from '../usage/token-usage.js';

/**
 * Cost on the generations of the legacy Langfuse v3 SDK (`langfuse` client and the
 * `langfuse-langchain` `CallbackHandler`).
 *
 * The legacy LangChain handler creates one generation per LLM run with the LangChain run id as the
 * generation id (`generation({ id: runId, traceId, … })` at start, `_updateGeneration({ id: runId,
 * endTime, usage, usageDetails, … })` at end) and never sets `costDetails`. This adapter puts our
 * `costDetails` and disjoint `usageDetails` on that same generation, so Langfuse shows our cost and
 * no second generation appears:
 *
 * - normally the cost is known first (our handler runs inline; the legacy one runs in LangChain's
 *   background queue), so the fields are merged into the legacy handler's own end update — one
 *   `generation-update` event carries everything;
 * - if the legacy update went out first, or never comes (the run was not traced by it), a separate
 *   `generation-update` with the same id is sent (Langfuse merges updates by observation id).
 *
 * It hooks the client instance's `enqueue` (every v3 event passes through it) and, to send nothing
 * late, its `flushAsync` / `shutdownAsync`.
 *
 * The legacy handler works with `@langchain/core` 1.x even though `langfuse-langchain` declares a
 * peer dependency on `langchain <0.4`: it only imports `@langchain/core/callbacks/base` and
 * `@langchain/core/messages`, which 1.x still exports (verified with `langfuse-langchain` 3.39.2 and
 * `@langchain/core` 1.4.0).
 */

/** The parts of a `langfuse` v3 client the adapter uses. */
export interface LangfuseV3ClientLike {
  enqueue?(type: string, body: any): unknown;
  _updateGeneration?(body: Record<string, unknown>): unknown;
  flushAsync?(): Promise<unknown>;
  shutdownAsync?(): Promise<unknown>;
}

/** A legacy `langfuse-langchain` `CallbackHandler` (it exposes its client as `langfuse`). */
export interface LegacyLangfuseHandlerLike {
  langfuse: LangfuseV3ClientLike;
}

/** What the adapter needs to know about one recorded LLM call (a `CostEvent` of the LangChain handler fits). */
export interface LegacyCostEventLike {
  /** LangChain run id = legacy generation id. */
  runId: string;
  /** Root run id (used when the legacy handler's own trace id is not known). */
  traceId?: string;
  /** `success`, `cached` or `error`. */
  status: string;
  /** Disjoint usage. */
  usage: TokenUsage;
  /** Priced result, or null. */
  result: CostResult | null;
  /** Cost the provider reported, USD. */
  providedCost?: number;
}

/** Options of {@link LegacyLangfuseCostAdapter}. */
export interface LegacyLangfuseCostOptions {
  /** How long to wait for the legacy handler's end update before sending ours alone, ms (default 2000). */
  waitMs?: number;
  /** Most calls held at once (default 10,000); past it the oldest is sent alone. */
  maxPending?: number;
}

interface Pending {
  fields: Record<string, unknown>;
  traceId: string | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** A bounded insertion-ordered map: past `limit`, the oldest entry is dropped. */
function boundedSet<V>(
  map: Map<string, V>,
  key: string,
  value: V,
  limit: number,
  onDrop?: (k: string, v: V) => void,
) {
  if (map.size >= limit && !map.has(key)) {
    const first = map.keys().next();
    if (!first.done) {
      const v = map.get(first.value) as V;
      map.delete(first.value);
      onDrop?.(first.value, v);
    }
  }
  map.set(key, value);
}

/** The generation fields our cost adds: `costDetails` (when there is a cost) and `usageDetails`. */
export function legacyGenerationCostFields(event: LegacyCostEventLike): Record<string, unknown> | null {
  try {
    return legacyGenerationCostFieldsUnchecked(event);
  } catch (err) {
    throw closedError(err, 'legacyGenerationCostFields');
  }
}

function legacyGenerationCostFieldsUnchecked(event: LegacyCostEventLike): Record<string, unknown> | null {
  if (event.status === 'error' && !event.result) return null;
  const fields: Record<string, unknown> = { usageDetails: toLangfuseUsageDetails(event.usage) };
  if (event.status === 'cached') {
    fields.costDetails = { input: 0, output: 0, total: 0 };
  } else if (event.result) {
    fields.costDetails = toLangfuseCostDetails(event.result);
  } else if (event.providedCost !== undefined) {
    fields.costDetails = { total: event.providedCost };
  }
  return fields;
}

/**
 * Puts our cost on the generations a legacy Langfuse v3 client (or `langfuse-langchain` handler)
 * creates for LangChain runs. Pass {@link LegacyLangfuseCostAdapter.onCost} as the
 * `onCost` option of `CostCallbackHandler`.
 *
 * Both handlers see a run's end in the same tick (LangChain starts every handler's end callback
 * synchronously, and both do their work before their first `await`), but either may go first.
 * So the legacy end update is held back until the end of the tick: if our cost arrives meanwhile it
 * is merged into that update; if our cost came first it is merged on sight. Only when neither meets
 * the other in time (e.g. a busy background queue) is a separate update with the same id sent.
 *
 * @example
 * ```ts
 * import { CallbackHandler } from 'langfuse-langchain';
 * const langfuseHandler = new CallbackHandler({ publicKey, secretKey, baseUrl });
 * const costs = new LegacyLangfuseCostAdapter(langfuseHandler);
 * const costHandler = new CostCallbackHandler({ onCost: costs.onCost });
 * await chain.invoke(input, { callbacks: [langfuseHandler, costHandler] });
 * await langfuseHandler.flushAsync();
 * ```
 */
export class LegacyLangfuseCostAdapter {
  /** The hook to pass as `CostCallbackHandler`'s `onCost`. */
  readonly onCost: (event: LegacyCostEventLike) => void;
  private readonly client: LangfuseV3ClientLike;
  private readonly waitMs: number;
  private readonly maxPending: number;
  /** Costs waiting for the legacy end update. */
  private readonly pending = new Map<string, Pending>();
  /** Legacy end updates held until the end of the tick, waiting for their cost. */
  private readonly held = new Map<
    string,
    { body: Record<string, unknown>; timer: ReturnType<typeof setTimeout>; merged: boolean }
  >();
  /** Generations whose end update went out without a cost → their trace id. */
  private readonly ended = new Map<string, string | undefined>();
  /** Trace id of each generation the client created. */
  private readonly traceOf = new Map<string, string | undefined>();
  /** The client's own enqueue. */
  private enqueueOriginal: ((type: string, body: any) => unknown) | undefined;
  /** Own properties of the client replaced here, with their previous values (undefined: inherited). */
  private readonly replaced = new Map<'enqueue' | 'flushAsync' | 'shutdownAsync', unknown>();

  /**
   * @param target a `langfuse-langchain` `CallbackHandler` (its `langfuse` client is used) or a
   *   `langfuse` v3 client. Typed loosely because the SDK declares `enqueue` protected.
   */
  constructor(
    target: LegacyLangfuseHandlerLike | LangfuseV3ClientLike | object,
    options: LegacyLangfuseCostOptions = {},
  ) {
    let client: LangfuseV3ClientLike;
    let waitMs: unknown;
    let maxPending: unknown;
    try {
      if ((typeof target !== 'object' && typeof target !== 'function') || target === null)
        throw new InvalidArgumentError(
          'target',
          `expected a Langfuse client or handler, got ${describeValue(target)}`,
        );
      if (typeof options !== 'object' || options === null)
        throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
      ({ waitMs = 2000, maxPending = 10_000 } = options);
      const inner = (target as Partial<LegacyLangfuseHandlerLike>).langfuse;
      client = (inner && typeof inner === 'object' ? inner : target) as LangfuseV3ClientLike;
      for (const key of ['enqueue', 'flushAsync', 'shutdownAsync'] as const)
        this.replaced.set(key, Object.hasOwn(client, key) ? client[key] : undefined);
    } catch (err) {
      throw closedError(err, 'new LegacyLangfuseCostAdapter');
    }
    if (typeof waitMs !== 'number' || !(waitMs >= 0 && waitMs <= 2 ** 31 - 1))
      throw new InvalidArgumentError(
        'options.waitMs',
        `expected milliseconds ≥ 0, got ${describeValue(waitMs)}`,
      );
    if (typeof maxPending !== 'number' || !(maxPending >= 1))
      throw new InvalidArgumentError(
        'options.maxPending',
        `expected a number ≥ 1, got ${describeValue(maxPending)}`,
      );
    this.client = client;
    this.waitMs = waitMs;
    this.maxPending = maxPending;
    this.onCost = (event) => this.attach(event);
    try {
      this.patch(client);
    } catch (err) {
      throw closedError(err, 'new LegacyLangfuseCostAdapter');
    }
  }

  /** Wrap the client's enqueue, flushAsync and shutdownAsync. */
  private patch(client: LangfuseV3ClientLike): void {
    const original = client.enqueue;
    if (typeof original === 'function') {
      this.enqueueOriginal = (type, body) => original.call(client, type, body);
      client.enqueue = (type: string, body: any) => {
        let hold = false;
        try {
          hold = this.observe(type, body);
        } catch (err) {
          warnOnce('legacy-v3:observe', `could not add cost to a Langfuse event: ${String(err)}`);
        }
        return hold ? undefined : original.call(client, type, body);
      };
    } else {
      warnOnce(
        'legacy-v3:no-enqueue',
        'this Langfuse client has no enqueue(); costs will be sent as separate generation updates',
      );
    }
    for (const key of ['flushAsync', 'shutdownAsync'] as const) {
      const fn = client[key];
      if (typeof fn !== 'function') continue;
      client[key] = () => {
        this.flush();
        return fn.call(client);
      };
    }
  }

  /** Number of costs waiting for the legacy handler's end update. */
  get pendingCount(): number {
    return this.pending.size + this.held.size;
  }

  /** Attach one call's cost to its generation (merged into the end update, or sent alone). */
  attach(event: LegacyCostEventLike): void {
    try {
      const fields = legacyGenerationCostFields(event);
      if (!fields) return;
      const id = event.runId;
      const held = this.held.get(id);
      if (held) {
        Object.assign(held.body, fields);
        held.merged = true;
        this.release(id);
        return;
      }
      if (this.ended.has(id)) {
        const traceId = this.ended.get(id) ?? event.traceId;
        this.ended.delete(id);
        this.send(id, traceId, fields);
        return;
      }
      const entry: Pending = { fields, traceId: this.traceOf.get(id) ?? event.traceId, timer: undefined };
      if (Number.isFinite(this.waitMs) && this.waitMs >= 0) {
        entry.timer = setTimeout(() => this.sendPending(id), this.waitMs);
        (entry.timer as { unref?: () => void }).unref?.();
      }
      boundedSet(this.pending, id, entry, this.maxPending, (dropped, p) => {
        if (p.timer) clearTimeout(p.timer);
        this.send(dropped, p.traceId, p.fields);
      });
    } catch (err) {
      warnOnce(
        'legacy-v3:attach',
        `could not attach a cost to Langfuse generation ${event.runId}: ${String(err)}`,
      );
    }
  }

  /** Send every held update and every waiting cost now. */
  flush(): void {
    for (const id of [...this.held.keys()]) this.release(id);
    for (const id of [...this.pending.keys()]) this.sendPending(id);
  }

  /** Stop observing the client (held updates and pending costs are sent first). */
  detach(): void {
    this.flush();
    const client = this.client as Record<string, unknown>;
    for (const [key, previous] of this.replaced) {
      if (previous === undefined) delete client[key];
      else client[key] = previous;
    }
  }

  /** Look at an event on its way into the client's queue; true to hold it back. */
  private observe(type: string, body: any): boolean {
    if (!body || typeof body.id !== 'string') return false;
    if (type === 'generation-create') {
      boundedSet(
        this.traceOf,
        body.id,
        typeof body.traceId === 'string' ? body.traceId : undefined,
        this.maxPending,
      );
      return false;
    }
    // The legacy handler's end (or error) update carries endTime; our own separate updates do not.
    if (type !== 'generation-update' || body.endTime === undefined) return false;
    const id: string = body.id;
    this.traceOf.delete(id);
    const p = this.pending.get(id);
    if (p) {
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(id);
      Object.assign(body, p.fields);
      return false;
    }
    if (this.held.has(id) || this.held.size >= this.maxPending) return false;
    const timer = setTimeout(() => this.release(id), 0);
    (timer as { unref?: () => void }).unref?.();
    this.held.set(id, { body, timer, merged: false });
    return true;
  }

  /** Let a held end update into the queue (with whatever cost was merged into it). */
  private release(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    clearTimeout(h.timer);
    this.held.delete(id);
    if (!h.merged) {
      // No cost met it: remember where it went, in case the cost still comes.
      boundedSet(
        this.ended,
        id,
        typeof h.body.traceId === 'string' ? h.body.traceId : undefined,
        this.maxPending,
      );
    }
    try {
      this.enqueueOriginal?.('generation-update', h.body);
    } catch (err) {
      warnOnce('legacy-v3:release', `could not send a Langfuse generation update: ${String(err)}`);
    }
  }

  private sendPending(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(id);
    this.send(id, p.traceId, p.fields);
  }

  private send(id: string, traceId: string | undefined, fields: Record<string, unknown>): void {
    const body: Record<string, unknown> = { id, ...fields };
    if (traceId) body.traceId = traceId;
    const client = this.client;
    try {
      if (typeof client._updateGeneration === 'function') client._updateGeneration(body);
      else if (this.enqueueOriginal) this.enqueueOriginal('generation-update', body);
      else
        warnOnce('legacy-v3:cannot-send', 'this Langfuse client can neither update nor enqueue generations');
    } catch (err) {
      warnOnce('legacy-v3:send', `could not send a cost to Langfuse: ${String(err)}`);
    }
  }
}

/**
 * Shorthand: an adapter for a legacy `langfuse-langchain` handler or `langfuse` v3 client; pass its
 * `onCost` to `CostCallbackHandler`.
 */
export function attachCostToLegacyLangfuse(
  target: LegacyLangfuseHandlerLike | LangfuseV3ClientLike | object,
  options?: LegacyLangfuseCostOptions,
): LegacyLangfuseCostAdapter {
  return new LegacyLangfuseCostAdapter(target, options);
}
