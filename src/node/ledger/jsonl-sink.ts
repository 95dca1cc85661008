import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { closedError, describeValue, InvalidArgumentError } from '../../errors.js';
import { LedgerLineEncoder } from '../../ledger/encoder.js';
import type { LedgerLineOptions } from '../../ledger/line.js';
import type { CostRecord } from '../../ledger/record.js';
import { getLogger, type Logger } from '../../logger.js';
import { type FullRecord, publicRecord } from '../../tracker/full-record.js';
import {
  type CostSink,
  type CostSinkHealth,
  RECORD_BATCH,
  type TrackedRecordSink,
} from '../../tracker/sink.js';
import { checkFields, checkPath } from './errors.js';
import { flushAtExit, forgetAtExit } from './exit-hooks.js';
import { nextRotationSeq, rotatedPath } from './files.js';

/** When the active ledger file is rotated. */
export interface LedgerRotation {
  /** Rotate when the active file reaches this many bytes. */
  maxBytes?: number;
  /** Rotate when the active file was last written on an earlier UTC day. */
  daily?: boolean;
}

/** Options of {@link JsonlLedgerSink}. */
export interface JsonlLedgerSinkOptions extends LedgerLineOptions {
  /** Ledger file (created with its directory on first flush). */
  path: string;
  /**
   * Write queued records this often, ms (default 1000; the timer does not keep the process alive).
   * After a failed write this is also the retry interval.
   */
  flushIntervalMs?: number;
  /** Queued records that schedule a write on the next event-loop turn (default 512). */
  batchSize?: number;
  /**
   * Most records queued and not yet written (default 32,768): the bound on memory. While the disk is
   * full or failing, `write` past it drops the newest record and counts it in `health().dropped` (one
   * warning), never writing on the caller's path; on a healthy disk (a caller that never yields to
   * the event loop) it writes the backlog first, so nothing is lost.
   */
  maxQueued?: number;
  /** @deprecated Use `maxQueued`. */
  maxPending?: number;
  /**
   * Largest single `write(2)`, bytes (default 1 MiB). Each write holds whole lines only; a batch larger
   * than this is split into several writes at line boundaries (a single line longer than this, e.g.
   * with stored prompt text, is written alone). See the class notes on atomicity.
   */
  maxWriteBytes?: number;
  /** Rotation by size and/or day. Rotated files are read together with the active one. */
  rotate?: LedgerRotation;
  /** `fsync` after every flush, for durability across power loss (default false: a crash of the process loses nothing written). */
  fsync?: boolean;
  /** Flush at `beforeExit`/`exit` (default true). */
  flushOnExit?: boolean;
  /** Where the sink's warnings go (write errors, dropped records). Default: the library logger (`setLogger`). */
  logger?: Logger;
}

const MIB = 1024 * 1024;
const STALE_LOCK_MS = 30_000;
const NEWLINE = 0x0a;

/**
 * The embedded ledger: appends each record as one JSON line (see `LedgerLine`) to a local file.
 *
 * - **Never blocks the call on a failing disk**: `write` only queues the record. Encoding and writing
 *   happen off the caller's path: every 64 queued records are encoded in a microtask after the
 *   caller's synchronous code (so records die young), and the bytes are written on the next
 *   event-loop turn once `batchSize` lines are queued, on an interval (unref'd timer), in `flush()` and at
 *   `beforeExit`/`exit`. Only a caller that queues `maxQueued` records without yielding to the event
 *   loop has the backlog written inline (on a healthy disk; on a failing one the newest record is
 *   dropped and counted).
 * - **Each line written exactly once**: a record is encoded once, into a byte queue; a write that
 *   wrote k of n bytes (disk full, `RLIMIT_FSIZE`) or failed keeps the queue and the next attempt
 *   continues from byte k. Nothing is re-encoded and nothing is written twice, so when space returns
 *   the partly written line is completed and no line is duplicated or torn. While writes fail, the
 *   sink retries once per `flushIntervalMs`, keeps up to `maxQueued` records, drops the newest beyond
 *   that, and shows the count and the last error in {@link health}; it warns once per outage and
 *   logs (info) when writes succeed again.
 * - **No interleaving across processes**: the file is opened with `O_APPEND` and every batch goes out
 *   in `write(2)` calls of whole lines. POSIX makes the seek-to-end and the write one atomic step for
 *   `O_APPEND`, and local file systems (ext4, xfs, btrfs, APFS, NTFS) serialise writes to a file, so
 *   lines of concurrent writers never mix. Caveats: network file systems (NFS, SMB) do not honour
 *   `O_APPEND` atomically — give each process its own ledger file there; and a write that comes back
 *   short (disk full) is continued later, so if another process appends in between, its line lands
 *   inside ours (the reader recovers a whole line glued behind a fragment). `PIPE_BUF` (4 KiB) applies
 *   to pipes, not regular files.
 * - **Durable**: a killed process loses at most its unwritten queue. A torn last line (the process
 *   died inside a write) is skipped with a warning by the reader, and the next writer starts on a fresh
 *   line.
 * - **Rotation** by size or UTC day renames the active file to `<stem>.<YYYY-MM-DD>.<n><ext>` under a
 *   lock file; other writers notice the rename and reopen. Readers cover every rotated file.
 */
export class JsonlLedgerSink implements CostSink, TrackedRecordSink {
  /** Absolute path of the active ledger file. */
  readonly path: string;
  /** Records taken and not yet encoded. */
  private pending: CostRecord[] = [];
  /**
   * The emptied array of the last batch, for the next: a new `[]` a batch began as an array of small
   * integers that the first push turned into one of objects, and V8 then ran every push through its
   * generic builtin. Null while a flush holds it.
   */
  private spare: CostRecord[] | null = [];
  /**
   * Beside each pending record: the sequence number of the id the tracker generated for it (see
   * `writeTracked`; the record, the tracker's own, still has that id), or 0; and the emptied array of
   * the last batch, as `spare`.
   */
  private pendingSeqs: number[] = [];
  private spareSeqs: number[] | null = [];
  /** The prefix of the generated ids this sink writes from their parts (the first tracker's). */
  private idPrefix: string | undefined;
  /** Encoded lines not yet (fully) written: bytes `[outPos, enc.length)` of the encoder. */
  private enc: LedgerLineEncoder | null = null;
  private outPos = 0;
  /** Lines in the byte queue not yet fully written. */
  private outLines = 0;
  private fd: number | null = null;
  private ino = 0;
  private needNewline = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private scheduled = false;
  /** A microtask to encode the queued records is pending (see `encodeSoon`). */
  private encodeScheduled = false;
  private closed = false;
  private dropped = 0;
  /** Records that could not be encoded (not a readable cost record), dropped and counted in `dropped`. */
  private unencodable = 0;
  /** Writes are failing (an outage): no writes scheduled per batch, only the interval retries. */
  private failing = false;
  private warnedThisOutage = false;
  private warnedQueueFull = false;
  private lastError: CostSinkHealth['lastError'];
  private readonly lineOptions: LedgerLineOptions;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly maxQueued: number;
  private readonly maxWriteBytes: number;
  private readonly rotation: LedgerRotation;
  private readonly fsync: boolean;
  private readonly logger: Logger | undefined;
  private readonly flushSoon = () => {
    this.scheduled = false;
    this.flushSync();
  };
  /**
   * Encodes the queued records once `RECORD_BATCH` of them wait, in a microtask after the caller's
   * synchronous code (why: see `RECORD_BATCH`). Encoded, a record dies young; the bytes wait in the
   * encoder's buffer, which the collector does not scan.
   */
  private readonly encodeSoon = () => {
    this.encodeScheduled = false;
    if (this.pending.length === 0) return; // flushed in between
    try {
      this.encodeQueued((this.enc ??= this.makeEncoder()));
    } catch {
      // Only the encoder's allocation can fail here (a record that cannot be encoded is dropped and
      // counted in `encode`); the records stay queued for the flush, which reports its own failure.
      // Nothing may be thrown from a microtask: it would reach the host as an uncaught exception.
    }
  };
  /** Records written since the sink was created. */
  written = 0;

  /**
   * @throws {InvalidArgumentError} (`INVALID_ARGUMENT`) when `options` is not an object, `path` is not a
   * non-empty string, or a field has the wrong type. Nothing is opened until the first flush.
   */
  constructor(options: JsonlLedgerSinkOptions) {
    let o: Required<Omit<JsonlLedgerSinkOptions, 'projectId' | 'logger' | 'maxPending'>> &
      Pick<JsonlLedgerSinkOptions, 'projectId' | 'logger'>;
    try {
      o = checkSinkOptions(options);
    } catch (err) {
      throw closedError(err, 'JsonlLedgerSink');
    }
    this.path = resolve(o.path);
    this.lineOptions = o.projectId !== undefined ? { projectId: o.projectId } : {};
    this.intervalMs = Math.max(10, o.flushIntervalMs);
    this.batchSize = Math.max(1, o.batchSize);
    this.maxQueued = Math.max(this.batchSize, o.maxQueued);
    this.maxWriteBytes = Math.max(4096, o.maxWriteBytes);
    this.rotation = o.rotate;
    this.fsync = o.fsync;
    this.logger = o.logger;
    if (o.flushOnExit) flushAtExit(this);
  }

  private log(level: 'warn' | 'info', message: string): void {
    try {
      const l = this.logger ?? getLogger();
      if (level === 'info' && typeof l.info === 'function') l.info(message);
      else l.warn(message);
    } catch {
      // A broken logger must not break a write.
    }
  }

  /** Records queued and not yet written. */
  get buffered(): number {
    return this.pending.length + this.outLines;
  }

  /**
   * Counters of the sink: records written, queued (taken, not yet written), dropped (queue full or
   * sink closed), and the last write error with its time (epoch ms).
   */
  health(): CostSinkHealth {
    const h: CostSinkHealth = { written: this.written, queued: this.buffered, dropped: this.dropped };
    if (this.lastError) h.lastError = { ...this.lastError };
    return h;
  }

  /**
   * Queue one record. Does no I/O, except when `maxQueued` records are already queued on a healthy disk
   * (the event loop has not run): then it writes the backlog first, so a synchronous loop loses
   * nothing. While writes fail, a record past `maxQueued` is dropped and counted instead. The sink may
   * encode the record any time after the caller's synchronous code (64 queued records are encoded in a
   * microtask, the rest at the write): treat it as read-only from here on.
   */
  write(record: CostRecord): void {
    this.queue(record, 0);
  }

  /**
   * @internal `write` for a tracker's own record (see `TrackedRecordSink`): one hidden class for all
   * records, and an id the tracker generated as `prefix + seq.toString(36)` (when `seq` > 0) written
   * from its parts. One prefix per sink (a second tracker's ids are written as by `write`).
   */
  writeTracked(record: FullRecord, prefix: string, seq: number): void {
    // A subclass's own `write` sees every record, as the user's record.
    if (this.write !== JsonlLedgerSink.prototype.write) {
      this.write(publicRecord(record));
      return;
    }
    if (seq === 0) {
      this.queue(record, 0);
      return;
    }
    if (prefix !== this.idPrefix) {
      if (this.idPrefix !== undefined || typeof prefix !== 'string') {
        this.queue(record, 0);
        return;
      }
      this.idPrefix = prefix;
      this.enc?.setIdPrefix(prefix);
    }
    this.queue(record, seq);
  }

  private queue(record: CostRecord, seq: number): void {
    if (this.closed) {
      this.dropped++;
      if (!this.warnedQueueFull) {
        this.warnedQueueFull = true;
        this.log('warn', `ledger ${this.path} is closed; records are dropped (counted in health().dropped)`);
      }
      return;
    }
    // A full queue on a healthy disk means the event loop has not run (a synchronous loop of
    // records): write the backlog here rather than lose records. A failing disk is never written to
    // on the caller's path: there the newest records are dropped and counted.
    if (this.buffered >= this.maxQueued && !this.failing) this.flushSync();
    if (this.buffered >= this.maxQueued) {
      this.dropped++;
      if (!this.warnedQueueFull && !this.warnedThisOutage) {
        this.warnedQueueFull = true;
        this.log(
          'warn',
          `ledger ${this.path}: ${this.maxQueued} records queued and not yet written; dropping new records (counted in health().dropped)`,
        );
      }
      return;
    }
    this.pending.push(record);
    this.pendingSeqs.push(seq);
    if (this.pending.length >= RECORD_BATCH && !this.encodeScheduled) {
      this.encodeScheduled = true;
      queueMicrotask(this.encodeSoon);
    }
    if (this.timer === null) {
      this.timer = setInterval(this.flushSoon, this.intervalMs);
      this.timer.unref?.();
    }
    if (this.buffered >= this.batchSize && !this.scheduled && !this.failing) {
      this.scheduled = true;
      setImmediate(this.flushSoon).unref?.();
    }
  }

  /** Write every queued record now (a failure is logged and counted in `health()`; never throws). */
  async flush(): Promise<void> {
    this.flushSync();
  }

  /**
   * Write every queued record now, synchronously (used at exit, and by `flush`). Returns the number of
   * records written. One attempt: on a failure the rest stays queued for the next one, continuing at
   * the byte where this one stopped.
   */
  flushSync(): number {
    const before = this.written;
    if (this.pending.length === 0 && this.outLines === 0) return 0;
    const enc = (this.enc ??= this.makeEncoder());
    this.encodeQueued(enc);
    try {
      this.prepare();
      if (this.needNewline) {
        writeSync(this.fd!, '\n');
        this.needNewline = false;
      }
      while (this.outPos < enc.length) this.writeChunk(enc);
      if (this.fsync) fsyncSync(this.fd!);
      if (this.failing) this.recovered();
    } catch (err) {
      this.fail(err);
    }
    // Keep only the unwritten bytes (one copy per attempt, never a re-encoding).
    // The start of a half-written line is kept (outPos stays inside it) so the line can be written
    // again whole if the file changes under it.
    if (this.outPos === enc.length) {
      enc.length = 0;
      this.outPos = 0;
    } else if (this.outPos > 0) {
      const lineStart = enc.bytes.lastIndexOf(NEWLINE, this.outPos - 1) + 1;
      if (lineStart > 0) {
        enc.take(lineStart);
        this.outPos -= lineStart;
      }
    }
    return this.written - before;
  }

  /**
   * Encode the queued records once, behind the bytes still queued. The emptied arrays of the last batch
   * are reused (see `spare`); an encode that reaches this method again (a logger recording a call) finds
   * none and makes new ones.
   */
  private encodeQueued(enc: LedgerLineEncoder): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    const seqs = this.pendingSeqs;
    this.pending = this.spare ?? [];
    this.pendingSeqs = this.spareSeqs ?? [];
    this.spare = null;
    this.spareSeqs = null;
    this.encode(enc, batch, seqs);
    batch.length = 0;
    seqs.length = 0;
    this.spare = batch;
    this.spareSeqs = seqs;
  }

  /**
   * Encode `batch` behind the queued bytes. A record that cannot be encoded (the encoder leaves no half
   * line) is dropped and counted, with one warning: `write` is called on the host's path and this runs
   * in a microtask or on a timer, so nothing may throw here.
   */
  private encode(enc: LedgerLineEncoder, batch: CostRecord[], seqs: number[]): void {
    let i = 0;
    while (i < batch.length) {
      try {
        for (; i < batch.length; i++) {
          const rec = batch[i]!;
          const seq = seqs[i]!;
          // A record with a generated id is the tracker's own: its id is still the one generated (a
          // user's record, seq 0, is read by the encoder alone, each field once).
          enc.line(rec, seq > 0 ? rec.id : undefined, seq);
          this.outLines++;
        }
      } catch (err) {
        i++;
        this.dropped++;
        if (this.unencodable++ === 0) {
          let why: string;
          try {
            why = (err as Error).message;
          } catch {
            why = 'unreadable';
          }
          this.log(
            'warn',
            `ledger ${this.path}: a record that is not a readable cost record was dropped (${why}); such records are counted in health().dropped`,
          );
        }
      }
    }
  }

  private makeEncoder(): LedgerLineEncoder {
    const enc = new LedgerLineEncoder(this.lineOptions.projectId);
    if (this.idPrefix !== undefined) enc.setIdPrefix(this.idPrefix);
    return enc;
  }

  /** Flush, stop the timer, close the file. Later writes are dropped and counted. */
  async close(): Promise<void> {
    this.flushSync();
    this.closed = true;
    this.warnedQueueFull = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    forgetAtExit(this);
    this.closeFd();
  }

  /** True when an earlier write stopped in the middle of a line (`outPos` is inside it). */
  private midLine(): boolean {
    return this.outPos > 0 && this.enc!.bytes[this.outPos - 1] !== NEWLINE;
  }

  /**
   * One `write(2)` from `outPos` up to a line boundary at most `maxWriteBytes` on (a longer line goes
   * alone). Advances `outPos` by what the system wrote and counts the lines it completed.
   */
  private writeChunk(enc: LedgerLineEncoder): void {
    const bytes = enc.bytes;
    const from = this.outPos;
    let to = enc.length;
    if (to - from > this.maxWriteBytes) {
      const cut = bytes.lastIndexOf(NEWLINE, from + this.maxWriteBytes - 1);
      to = cut >= from ? cut + 1 : bytes.indexOf(NEWLINE, from) + 1;
    }
    const n = writeSync(this.fd!, bytes, from, to - from);
    if (n <= 0) throw Object.assign(new Error('write(2) wrote nothing'), { code: 'EIO' });
    let lines = 0;
    // Everything queued went out (the usual case): that is every queued line, no need to count them.
    if (from + n === enc.length) lines = this.outLines;
    else
      for (let i = bytes.indexOf(NEWLINE, from); i >= 0 && i < from + n; i = bytes.indexOf(NEWLINE, i + 1))
        lines++;
    this.outPos = from + n;
    this.outLines -= lines;
    this.written += lines;
  }

  /** Open the file when needed, follow a rotation by another process, rotate when due. */
  private prepare(): void {
    if (this.fd !== null) {
      const onDisk = statSync(this.path, { throwIfNoEntry: false });
      if (onDisk === undefined || onDisk.ino !== this.ino) this.closeFd();
    }
    if (this.fd === null) {
      // The rest of a half-written line must not start a file we (re)open: write the line again
      // whole there (the old file keeps a fragment, which the reader skips as torn).
      this.restartLine();
      this.open();
    }
    const r = this.rotation;
    if ((r.maxBytes === undefined && !r.daily) || this.midLine()) return;
    const st = fstatSync(this.fd!);
    const dueBySize = r.maxBytes !== undefined && st.size >= r.maxBytes;
    const dueByDay = r.daily === true && st.size > 0 && utcDate(st.mtimeMs) < utcDate(Date.now());
    if (dueBySize || dueByDay) this.rotate(st.mtimeMs);
  }

  /** Move `outPos` back to the start of the line it is in. */
  private restartLine(): void {
    if (this.midLine()) this.outPos = this.enc!.bytes.lastIndexOf(NEWLINE, this.outPos - 1) + 1;
  }

  private open(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    // 'a+' = O_APPEND | O_CREAT | O_RDWR: appends are atomic; reading lets us check the last byte.
    const fd = openSync(this.path, 'a+', 0o644);
    const st = fstatSync(fd);
    this.fd = fd;
    this.ino = st.ino;
    this.needNewline = endsTorn(fd, st.size);
  }

  private rotate(mtimeMs: number): void {
    const lock = `${this.path}.lock`;
    let lockFd: number;
    try {
      lockFd = openSync(lock, 'wx');
    } catch {
      // Another process is rotating (or died doing so): break a stale lock, else let it finish.
      const st = statSync(lock, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
        try {
          unlinkSync(lock);
        } catch {}
      }
      return;
    }
    try {
      const onDisk = statSync(this.path, { throwIfNoEntry: false });
      if (onDisk !== undefined && onDisk.ino === this.ino) {
        const date = utcDate(mtimeMs);
        renameSync(this.path, rotatedPath(this.path, date, nextRotationSeq(this.path, date)));
      }
      this.closeFd();
      this.open();
    } finally {
      closeSync(lockFd);
      try {
        unlinkSync(lock);
      } catch {}
    }
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {}
    this.fd = null;
  }

  /** A write or open failed: remember it, warn once per outage, retry on the interval. */
  private fail(err: unknown): void {
    const e = err as NodeJS.ErrnoException;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    const message = typeof e?.message === 'string' ? e.message : String(err);
    this.lastError = code === undefined ? { message, time: Date.now() } : { code, message, time: Date.now() };
    // Keep the descriptor through ENOSPC/EFBIG/EIO (the next attempt continues on the same file);
    // drop it for anything that says the descriptor itself is bad.
    if (code === 'EBADF' || code === 'ESTALE') this.closeFd();
    this.failing = true;
    if (this.buffered > 0 && this.timer === null && !this.closed) {
      this.timer = setInterval(this.flushSoon, this.intervalMs);
      this.timer.unref?.();
    }
    if (this.warnedThisOutage) return;
    this.warnedThisOutage = true;
    const hint =
      code === 'EACCES' || code === 'EPERM'
        ? 'check permissions, or set LANGFUSE_COST_LEDGER to a writable path (or "off")'
        : code === 'ENOSPC' || code === 'EDQUOT'
          ? 'the disk is full'
          : code === 'EFBIG'
            ? 'the file size limit is reached'
            : 'set LANGFUSE_COST_LEDGER to another path, or "off"';
    this.log(
      'warn',
      `cannot write ledger ${this.path}: ${message} (${hint}). Retrying every ${this.intervalMs} ms; up to ${this.maxQueued} records are kept, newer ones are dropped and counted in health()`,
    );
  }

  /** A write succeeded after failures: say so once, with what was lost. */
  private recovered(): void {
    this.failing = false;
    this.warnedThisOutage = false;
    this.warnedQueueFull = false;
    this.log('info', `ledger ${this.path} is writable again (${this.dropped} records dropped in all)`);
  }
}

/** The options with their defaults, each field read once and checked. */
function checkSinkOptions(options: JsonlLedgerSinkOptions) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('options', `expected { path, … }, got ${describeValue(options)}`);
  }
  // Each field read once (a getter is not asked twice); inherited options count, as they always did.
  const o: JsonlLedgerSinkOptions = {
    path: options.path,
    projectId: options.projectId,
    flushIntervalMs: options.flushIntervalMs,
    batchSize: options.batchSize,
    maxQueued: options.maxQueued,
    maxPending: options.maxPending,
    maxWriteBytes: options.maxWriteBytes,
    rotate: options.rotate,
    fsync: options.fsync,
    flushOnExit: options.flushOnExit,
    logger: options.logger,
  };
  const path = checkPath(o.path, 'options.path');
  checkFields(o, 'options', {
    projectId: 'string',
    flushIntervalMs: 'number',
    batchSize: 'number',
    maxQueued: 'number',
    maxPending: 'number',
    maxWriteBytes: 'number',
    rotate: 'object',
    fsync: 'boolean',
    flushOnExit: 'boolean',
    logger: 'object',
  });
  const rotate: LedgerRotation = o.rotate ? { maxBytes: o.rotate.maxBytes, daily: o.rotate.daily } : {};
  checkFields(rotate, 'options.rotate', { maxBytes: 'number', daily: 'boolean' });
  const logger = o.logger;
  if (logger !== undefined && typeof logger.warn !== 'function') {
    throw new InvalidArgumentError('options.logger', 'expected a logger with a warn method');
  }
  const r: LedgerRotation = {};
  if (rotate.maxBytes !== undefined) r.maxBytes = rotate.maxBytes;
  if (rotate.daily !== undefined) r.daily = rotate.daily;
  return {
    path,
    projectId: o.projectId,
    flushIntervalMs: o.flushIntervalMs ?? 1000,
    batchSize: o.batchSize ?? 512,
    maxQueued: o.maxQueued ?? o.maxPending ?? 32_768,
    maxWriteBytes: o.maxWriteBytes ?? MIB,
    rotate: r,
    fsync: o.fsync === true,
    flushOnExit: o.flushOnExit !== false,
    logger,
  };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * True when the file does not end with a newline because a writer died inside a write (so our first
 * record must start on a fresh line). Another process's write in progress can show the same thing for
 * a moment (the size grows page by page), so a suspicious end is looked at again until it is stable.
 */
function endsTorn(fd: number, size: number): boolean {
  const b = Buffer.alloc(1);
  for (let attempt = 0; size > 0; attempt++) {
    readSync(fd, b, 0, 1, size - 1);
    if (b[0] === 0x0a) return false;
    if (attempt === 5) return true;
    Atomics.wait(pause, 0, 0, 2); // a 2 ms synchronous pause: opening happens once per file
    const now = fstatSync(fd).size;
    if (now === size && attempt >= 2) return true;
    size = now;
  }
  return false;
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
