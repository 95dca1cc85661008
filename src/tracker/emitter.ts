import { describeValue, InvalidArgumentError } from '../errors.js';
import { getLogger } from '../logger.js';

/** Map of event name → listener signature. */
export type EventMap = { [event: string]: (...args: any[]) => void };

/** Marks a `once` wrapper with the listener it wraps. */
const ONCE_OF = Symbol('once listener');
interface OnceWrapper {
  [ONCE_OF]?: unknown;
}

/**
 * A tiny typed event emitter (the core may not import `node:events`). A listener that throws is
 * logged and does not stop the others or the caller: alerts must never break an LLM call.
 * Listeners live in a `Map`, so an event named `toString` or `__proto__` is just a name.
 */
export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, E[keyof E][]>();

  /**
   * @param onCount told the number of listeners of an event each time it changes, so that an owner
   * that emits on a hot path can test a field of its own instead of asking `listenerCount` (a Map
   * lookup) on every call.
   */
  constructor(private readonly onCount?: (event: keyof E, count: number) => void) {}

  /** Add a listener. Returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    checkEvent(event, 'on');
    checkListener(listener, 'on');
    const list = this.listeners.get(event);
    if (list) list.push(listener);
    else this.listeners.set(event, [listener]);
    this.onCount?.(event, list ? list.length : 1);
    return () => this.off(event, listener);
  }

  /** Add a listener that runs once. */
  once<K extends keyof E>(event: K, listener: E[K]): () => void {
    checkEvent(event, 'once');
    checkListener(listener, 'once');
    const wrapped = ((...args: Parameters<E[K]>) => {
      this.off(event, wrapped);
      listener(...args);
    }) as E[K] & OnceWrapper;
    // `off(event, listener)` with the listener given to `once` removes the wrapper, as in node:events.
    wrapped[ONCE_OF] = listener;
    return this.on(event, wrapped);
  }

  /** Remove a listener. */
  off<K extends keyof E>(event: K, listener: E[K]): void {
    checkEvent(event, 'off');
    const list = this.listeners.get(event);
    if (!list) return;
    let i = list.indexOf(listener);
    if (i < 0) i = list.findIndex((l) => (l as OnceWrapper)[ONCE_OF] === listener);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.listeners.delete(event);
    this.onCount?.(event, list.length);
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof E>(event: K): number {
    checkEvent(event, 'listenerCount');
    return this.listeners.get(event)?.length ?? 0;
  }

  /** Call every listener of `event`; listener errors are logged, never thrown. */
  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    checkEvent(event, 'emit');
    const list = this.listeners.get(event);
    if (!list) return;
    for (const l of list.slice()) {
      try {
        l(...args);
      } catch (err) {
        try {
          getLogger().error(`a "${String(event)}" listener threw: ${errorText(err)}`);
        } catch {
          // a logger that throws must not break the caller either
        }
      }
    }
  }
}

/** What a listener threw, without letting a hostile error object throw again. */
function errorText(err: unknown): string {
  try {
    const m = err instanceof Error ? err.message : undefined;
    return typeof m === 'string' ? m.slice(0, 500) : describeValue(err);
  } catch {
    return 'an unreadable error';
  }
}

function checkEvent(event: unknown, method: string): void {
  if (typeof event !== 'string' && typeof event !== 'symbol')
    throw new InvalidArgumentError(`${method}(event)`, `expected an event name, got ${describeValue(event)}`);
}

function checkListener(listener: unknown, method: string): void {
  if (typeof listener !== 'function')
    throw new InvalidArgumentError(
      `${method}(listener)`,
      `expected a function, got ${describeValue(listener)}`,
    );
}
