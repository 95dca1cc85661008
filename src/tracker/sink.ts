import type { CostRecord } from '../ledger/record.js';
import type { FullRecord } from './full-record.js';

/** Counters of a sink that queues records for I/O (`health()`; the JSONL ledger has it). */
export interface CostSinkHealth {
  /** Records written out since the sink was made. */
  written: number;
  /** Records taken and not yet written. */
  queued: number;
  /** Records dropped: the queue was full (the disk full or failing, or the event loop never ran), or the sink was closed. */
  dropped: number;
  /** The last write error: its code (`ENOSPC`, `EFBIG`, …) when it has one, the message, and the time (epoch ms). */
  lastError?: { code?: string; message: string; time: number };
}

/**
 * Where recorded calls go besides the tracker's own aggregates: the JSONL ledger, a log, a queue.
 * `write` is on the caller's hot path: keep it cheap (queue, never block on I/O, never wait); the
 * tracker catches and logs anything it throws.
 */
export interface CostSink {
  /** Take one record (do not mutate it; it is shared with the tracker and other sinks). */
  write(record: CostRecord): void;
  /** Write out anything queued. */
  flush?(): Promise<void>;
  /** Flush and release resources. */
  close?(): Promise<void>;
  /** Counters of what was written, queued and dropped, and the last error. */
  health?(): CostSinkHealth;
}

/**
 * @internal A sink that takes the tracker's own form of a record (see `FullRecord`: every key, absent
 * fields undefined; no one else holds it, so it does not change; the sink must not hand it out). With
 * `seq` > 0 the tracker generated the record's id as `prefix + seq.toString(36)`, so the sink need not
 * read the id character by character: the JSONL ledger writes it from those parts (see
 * `LedgerLineEncoder.line`); else `seq` is 0. The tracker calls this instead of `write`.
 */
export interface TrackedRecordSink extends CostSink {
  writeTracked(record: FullRecord, prefix: string, seq: number): void;
}
