import { getLogger } from '../logger.js';

/** Map of event name → listener signature. */
export type EventMap = { [event: string]: (...args: any[]) => void };

/**
 * A tiny typed event emitter (the core may not import `node:events`). A listener that throws is
 * logged and does not stop the others or the caller: alerts must never break an LLM call.
 */
export class TypedEmitter<E extends EventMap> {
  private readonly listeners: { [K in keyof E]?: E[K][] } = {};

  /** Add a listener. Returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    const list = this.listeners[event];
    if (list) list.push(listener);
    else this.listeners[event] = [listener];
    return () => this.off(event, listener);
  }

  /** Add a listener that runs once. */
  once<K extends keyof E>(event: K, listener: E[K]): () => void {
    const wrapped = ((...args: Parameters<E[K]>) => {
      this.off(event, wrapped);
      listener(...args);
    }) as E[K];
    return this.on(event, wrapped);
  }

  /** Remove a listener. */
  off<K extends keyof E>(event: K, listener: E[K]): void {
    const list = this.listeners[event];
    if (!list) return;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) delete this.listeners[event];
  }

  /** Number of listeners of `event`. */
  listenerCount<K extends keyof E>(event: K): number {
    return this.listeners[event]?.length ?? 0;
  }

  /** Call every listener of `event`; listener errors are logged, never thrown. */
  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    const list = this.listeners[event];
    if (!list) return;
    for (const l of list.slice()) {
      try {
        l(...args);
      } catch (err) {
        getLogger().error(`a "${String(event)}" listener threw: ${(err as Error)?.message ?? String(err)}`);
      }
    }
  }
}
