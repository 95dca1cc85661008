/** Entries (open runs and the ended runs' cleared entries) at which a generation drops its cleared entries. */
const COMPACT_AT = 1_024;

/**
 * A bounded map of open runs keyed by LangChain run id. Runs normally leave at their end or
 * error callback; this guards long-running processes against runs that never end (a crashed
 * stream, a callback LangChain never delivered).
 *
 * Two generations, no iteration per call: new runs go into the current generation; when it is older
 * than `staleMs` or holds half of `maxSize` open runs, the previous generation is dropped (its runs
 * are stale or the registry is over capacity) and the current one becomes the previous. A time-based
 * rotation drops only runs older than `staleMs`. Every operation is O(1) amortised, and this sits on
 * every LLM call.
 *
 * A run that leaves has its entry cleared, not deleted: deleting the only entry made V8 shrink the
 * Map and grow it again for the next run, an allocation and a copy on every call (the largest part
 * of the handler's own time). Cleared entries are dropped in bulk when a generation has
 * {@link COMPACT_AT} entries, or twice its open runs, keeping the open ones.
 *
 * The run started last waits in a one-entry slot before it goes into the Map, and moves there only
 * when another run starts before it ends. Calls one after another (start, end, start, end) never
 * touch the Map: LangChain hands the end callback the very string it gave the start, so the slot's
 * check is one pointer compare, where a Map operation had to hash the new run id (a fresh 36-character
 * UUID, about 500 instructions) and find its entry three times a call (set, take, and the token
 * callback's get).
 */
export class RunRegistry<V extends { startedAt: number }> {
  private current = new Map<string, V | undefined>();
  private previous = new Map<string, V | undefined>();
  /** Open runs (entries not cleared) in each generation. */
  private currentOpen = 0;
  private previousOpen = 0;
  private compactAt = COMPACT_AT;
  private generationStart = Number.NEGATIVE_INFINITY;
  private readonly half: number;
  /** The run started last, not yet in the Map (undefined when the slot is empty). */
  private lastId: string | undefined = undefined;
  private lastValue: V | undefined = undefined;
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
    return this.currentOpen + this.previousOpen + (this.lastId === undefined ? 0 : 1);
  }

  /** Add a run. */
  set(runId: string, value: V): void {
    if (this.lastId !== undefined) {
      if (runId === this.lastId) {
        this.lastValue = value;
        return;
      }
      // Another run started before the last one ended: the last one goes into the Map.
      this.put(this.lastId, this.lastValue!);
    }
    const now = value.startedAt;
    if (this.currentOpen >= this.half || now - this.generationStart > this.staleMs) {
      this.evicted += this.previousOpen;
      this.previous = this.current;
      this.previousOpen = this.currentOpen;
      this.current = new Map();
      this.currentOpen = 0;
      this.compactAt = COMPACT_AT;
      this.generationStart = now;
    } else if (this.current.size >= this.compactAt) {
      this.compact();
    }
    this.lastId = runId;
    this.lastValue = value;
  }

  /** The run, without removing it. */
  get(runId: string): V | undefined {
    if (runId === this.lastId) return this.lastValue;
    return this.current.get(runId) ?? this.previous.get(runId);
  }

  /** Remove and return the run. */
  take(runId: string): V | undefined {
    if (runId === this.lastId) {
      const last = this.lastValue;
      this.lastId = undefined;
      this.lastValue = undefined;
      return last;
    }
    let v = this.current.get(runId);
    if (v !== undefined) {
      this.current.set(runId, undefined);
      this.currentOpen--;
      return v;
    }
    v = this.previous.get(runId);
    if (v !== undefined) {
      this.previous.set(runId, undefined);
      this.previousOpen--;
    }
    return v;
  }

  /** Remove the run. */
  delete(runId: string): void {
    this.take(runId);
  }

  /** Remove every run. */
  clear(): void {
    this.current.clear();
    this.previous.clear();
    this.currentOpen = 0;
    this.previousOpen = 0;
    this.compactAt = COMPACT_AT;
    this.lastId = undefined;
    this.lastValue = undefined;
  }

  /** Entries held, cleared ones included until the next compaction (for tests). */
  get held(): number {
    return this.current.size + this.previous.size + (this.lastId === undefined ? 0 : 1);
  }

  /** A run into the current generation's Map. */
  private put(runId: string, value: V): void {
    if (this.current.get(runId) === undefined) this.currentOpen++;
    this.current.set(runId, value);
  }

  /** The current generation without its cleared entries. */
  private compact(): void {
    const open = new Map<string, V | undefined>();
    this.current.forEach((v, id) => {
      if (v !== undefined) open.set(id, v);
    });
    this.current = open;
    this.compactAt = Math.max(COMPACT_AT, open.size * 2);
  }
}
