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
 * @internal How many of the tracker's records wait, as objects, before a microtask after the caller's
 * code processes them all: the tracker's window aggregates and recent-records ring (when no one else
 * holds the record, see `CostTracker`'s `ingest`) and the JSONL ledger's encoder. Why both bounds:
 * - At most this many: records that wait outlive young-generation collections, and V8 then allocates
 *   the sites that make them (the tracker's record, the extractor's usage) in the old generation for
 *   every later call. It does so when, at a young-generation collection, at least 85% of the 100 or more
 *   objects a site made since the last one are still alive; with fewer than 85 records ever waiting, they
 *   stay young however slowly calls come. Records held until the ledger's write made V8 do it in 14 of 19
 *   LangChain processes (`bench/runners/langchain.ts`; see docs/performance.md).
 * - At least this many: code that runs once per call after the caller's own is cold every time (under
 *   LangChain, its code and tables are out of the caches after each call): the ledger's encoder cost
 *   ~2 µs a call more one line a microtask than 64 at a time, the tracker's ring and aggregates ~1 µs.
 */
export const RECORD_BATCH = 64;

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
