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
import { getLogger, type Logger, warnOnce } from '../../logger.js';
import type { LedgerLineOptions } from '../../tracker/ledger-line.js';
import { LedgerLineEncoder } from '../../tracker/ledger-line-encoder.js';
import type { CostRecord } from '../../tracker/record.js';
import type { CostSink } from '../../tracker/sink.js';
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
  /** Flush buffered records this often, ms (default 1000; the timer does not keep the process alive). */
  flushIntervalMs?: number;
  /** Buffered records that schedule a flush on the next event-loop turn (default 512). */
  batchSize?: number;
  /**
   * Buffered records that force a synchronous flush inside `write` (default 8192): the bound on memory
   * when the caller never yields to the event loop.
   */
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

/**
 * The embedded ledger: appends each record as one JSON line (see `LedgerLine`) to a local file.
 *
 * - **Cheap on the call path**: `write` only buffers the record. Serialising and writing happen in
 *   `flush`, on an interval (unref'd timer), on the next event-loop turn once `batchSize` records are
 *   buffered, at `beforeExit`/`exit`, and synchronously in `write` only past `maxPending`.
 * - **No interleaving across processes**: the file is opened with `O_APPEND` and every batch goes out
 *   in `write(2)` calls of whole lines. POSIX makes the seek-to-end and the write one atomic step for
 *   `O_APPEND`, and local file systems (ext4, xfs, btrfs, APFS, NTFS) serialise writes to a file, so
 *   lines of concurrent writers never mix. Caveats: network file systems (NFS, SMB) do not honour
 *   `O_APPEND` atomically — give each process its own ledger file there; and a write can come back
 *   short (disk full, a fatal signal mid-write), which is why writes are capped at `maxWriteBytes`
 *   (1 MiB) and the rest of a short write is written at once. `PIPE_BUF` (4 KiB) applies to pipes, not
 *   regular files.
 * - **Durable**: a killed process loses at most its unflushed buffer. A torn last line (the process
 *   died inside a write) is skipped with a warning by the reader, and the next writer starts on a fresh
 *   line.
 * - **Rotation** by size or UTC day renames the active file to `<stem>.<YYYY-MM-DD>.<n><ext>` under a
 *   lock file; other writers notice the rename and reopen. Readers cover every rotated file.
 */
export class JsonlLedgerSink implements CostSink {
  /** Absolute path of the active ledger file. */
  readonly path: string;
  private pending: CostRecord[] = [];
  private fd: number | null = null;
  private ino = 0;
  private needNewline = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private scheduled = false;
  private closed = false;
  private dropped = 0;
  private readonly lineOptions: LedgerLineOptions;
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;
  private readonly maxWriteBytes: number;
  private readonly rotation: LedgerRotation;
  private readonly fsync: boolean;
  private encoder: LedgerLineEncoder | null = null;
  private readonly logger: Logger | undefined;
  private readonly warned = new Set<string>();
  private readonly flushSoon = () => {
    this.scheduled = false;
    this.flushSync();
  };
  /** Records written since the sink was created. */
  written = 0;

  constructor(options: JsonlLedgerSinkOptions) {
    this.path = resolve(options.path);
    this.lineOptions = options.projectId !== undefined ? { projectId: options.projectId } : {};
    this.intervalMs = Math.max(10, options.flushIntervalMs ?? 1000);
    this.batchSize = Math.max(1, options.batchSize ?? 512);
    this.maxPending = Math.max(this.batchSize, options.maxPending ?? 8192);
    this.maxWriteBytes = Math.max(4096, options.maxWriteBytes ?? MIB);
    this.rotation = options.rotate ?? {};
    this.fsync = options.fsync === true;
    this.logger = options.logger;
    if (options.flushOnExit !== false) flushAtExit(this);
  }

  /** Warn once per key: to the sink's `logger` when given, else the library logger. */
  private warnOnce(key: string, message: string): void {
    const logger = this.logger;
    if (logger === undefined) {
      warnOnce(key, message);
      return;
    }
    if (this.warned.has(key)) return;
    if (this.warned.size >= 1000) this.warned.clear();
    this.warned.add(key);
    logger.warn(message);
  }

  /** Records buffered and not yet written. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Buffer one record (never does I/O unless `maxPending` records are waiting). */
  write(record: CostRecord): void {
    if (this.closed) {
      this.warnOnce(`ledger-closed:${this.path}`, `ledger ${this.path} is closed; a record was not written`);
      return;
    }
    const n = this.pending.push(record);
    if (this.timer === null) {
      this.timer = setInterval(this.flushSoon, this.intervalMs);
      this.timer.unref?.();
    }
    if (n >= this.maxPending) this.flushSync();
    else if (n >= this.batchSize && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushSoon).unref?.();
    }
  }

  /** Write every buffered record now. */
  async flush(): Promise<void> {
    this.flushSync();
  }

  /**
   * Write every buffered record now, synchronously (used at exit). Returns the number written.
   * Failures are logged; the records stay buffered for the next attempt (up to 4 × `maxPending`).
   */
  flushSync(): number {
    const batch = this.pending;
    if (batch.length === 0) return 0;
    this.pending = [];
    let done = 0;
    try {
      this.prepare();
      // Lines are encoded as UTF-8 straight into one reusable byte buffer and written in chunks of
      // whole lines, one write(2) per chunk of at most maxWriteBytes (a single longer line, e.g. with
      // stored prompt text, goes alone). No string per line, no Buffer per chunk.
      const enc = (this.encoder ??= new LedgerLineEncoder(this.lineOptions.projectId));
      enc.length = 0;
      if (this.needNewline) enc.newline();
      this.needNewline = false;
      for (let i = 0; i < batch.length; i++) {
        const before = enc.length;
        enc.line(batch[i]!);
        if (enc.length > this.maxWriteBytes && before > 0) {
          this.append(enc.bytes, before);
          done = i;
          enc.take(before);
        }
      }
      if (enc.length > 0) this.append(enc.bytes, enc.length);
      enc.length = 0;
      done = batch.length;
      if (this.fsync && this.fd !== null) fsyncSync(this.fd);
    } catch (err) {
      this.fail(err, batch.slice(done));
    }
    this.written += done;
    return done;
  }

  /** Flush, stop the timer, close the file. Later writes are dropped with a warning. */
  async close(): Promise<void> {
    this.flushSync();
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    forgetAtExit(this);
    this.closeFd();
  }

  /** Open the file when needed, follow a rotation by another process, rotate when due. */
  private prepare(): void {
    if (this.fd !== null) {
      const onDisk = statSync(this.path, { throwIfNoEntry: false });
      if (onDisk === undefined || onDisk.ino !== this.ino) this.closeFd();
    }
    if (this.fd === null) this.open();
    const r = this.rotation;
    if (r.maxBytes === undefined && !r.daily) return;
    const st = fstatSync(this.fd!);
    const dueBySize = r.maxBytes !== undefined && st.size >= r.maxBytes;
    const dueByDay = r.daily === true && st.size > 0 && utcDate(st.mtimeMs) < utcDate(Date.now());
    if (dueBySize || dueByDay) this.rotate(st.mtimeMs);
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

  /** Write `length` bytes of whole lines (more than one write(2) only when the system writes less). */
  private append(data: Uint8Array, length: number): void {
    let off = 0;
    while (off < length) {
      const n = writeSync(this.fd!, data, off, length - off);
      off += n;
      if (off < length) {
        this.warnOnce(
          `ledger-short-write:${this.path}`,
          `short write to ledger ${this.path} (${n} of ${length} bytes); writing the rest`,
        );
      }
    }
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

  private fail(err: unknown, unwritten: CostRecord[]): void {
    this.closeFd();
    const e = err as NodeJS.ErrnoException;
    const hint =
      e?.code === 'EACCES' || e?.code === 'EPERM'
        ? 'check permissions, or set LANGFUSE_COST_LEDGER to a writable path (or "off")'
        : e?.code === 'ENOSPC'
          ? 'the disk is full'
          : 'set LANGFUSE_COST_LEDGER to another path, or "off"';
    this.warnOnce(
      `ledger-write:${this.path}:${e?.code}`,
      `cannot write ledger ${this.path}: ${e?.message ?? e} (${hint})`,
    );
    // Keep the records for the next attempt, within bounds.
    const keep = this.maxPending * 4;
    this.pending = unwritten.concat(this.pending);
    if (this.pending.length > keep) {
      const drop = this.pending.length - keep;
      this.dropped += drop;
      this.pending.splice(0, drop);
      (this.logger ?? getLogger()).warn(
        `ledger ${this.path}: dropped ${drop} records that could not be written (${this.dropped} in all)`,
      );
    }
  }
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
