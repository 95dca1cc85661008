import type { CostRecord } from './record.js';

/**
 * Where recorded calls go besides the tracker's own aggregates: the JSONL ledger, a log, a queue.
 * `write` is on the caller's hot path: keep it cheap (buffer, never block on I/O); the tracker
 * catches and logs anything it throws.
 */
export interface CostSink {
  /** Take one record (do not mutate it; it is shared with the tracker and other sinks). */
  write(record: CostRecord): void;
  /** Write out anything buffered. */
  flush?(): Promise<void>;
  /** Flush and release resources. */
  close?(): Promise<void>;
}
