/**
 * A bounded map of open runs keyed by LangChain run id. Runs normally leave at their end or
 * error callback; this guards long-running processes against runs that never end (a crashed
 * stream, a callback LangChain never delivered).
 *
 * Two generations, no iteration: new runs go into the current generation; when it is older than
 * `staleMs` or holds half of `maxSize`, the previous generation is dropped (its runs are stale or
 * the registry is over capacity) and the current one becomes the previous. A time-based rotation
 * drops only runs older than `staleMs`. Every operation is O(1) — scanning a `Map` from its head
 * after many deletions is not, and this sits on every LLM call.
 */
export class RunRegistry<V extends { startedAt: number }> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  private generationStart = Number.NEGATIVE_INFINITY;
  private readonly half: number;
  /** Runs dropped because they were stale or the registry was full. */
  evicted = 0;

  constructor(
    maxSize: number,
    private readonly staleMs: number,
  ) {
    this.half = Math.max(1, Math.floor(maxSize / 2));
  }

  /** Number of open runs. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Add a run. */
  set(runId: string, value: V): void {
    const now = value.startedAt;
    if (this.current.size >= this.half || now - this.generationStart > this.staleMs) {
      this.evicted += this.previous.size;
      this.previous = this.current;
      this.current = new Map();
      this.generationStart = now;
    }
    this.current.set(runId, value);
  }

  /** The run, without removing it. */
  get(runId: string): V | undefined {
    return this.current.get(runId) ?? this.previous.get(runId);
  }

  /** Remove and return the run. */
  take(runId: string): V | undefined {
    let v = this.current.get(runId);
    if (v !== undefined) {
      this.current.delete(runId);
      return v;
    }
    v = this.previous.get(runId);
    if (v !== undefined) this.previous.delete(runId);
    return v;
  }

  /** Remove the run. */
  delete(runId: string): void {
    if (!this.current.delete(runId)) this.previous.delete(runId);
  }

  /** Remove every run. */
  clear(): void {
    this.current.clear();
    this.previous.clear();
  }
}
