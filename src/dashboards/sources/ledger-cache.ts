/**
 * The dashboards' columnar cache of the ledger: for each ledger file, the rows it gives the `observations`
 * table and its traces (before traces of several files are merged), in ClickHouse's Native format, so a
 * run reads them straight into chDB instead of parsing the JSON again. An entry is reused while its
 * file has the same identity (device and inode, so a rotated file keeps its entry), size, modification
 * time and first and last bytes; when the file only grew (the active ledger), the entry is kept and a
 * part for the new lines is added. The cache holds what the ledger holds, in another encoding (no
 * prompt text: the ledger stores none unless asked, and the dashboards' tables have no column for it),
 * and never anything else; deleting it only costs the next run a rebuild.
 *
 * Files are written under a temporary name and renamed into place, so a concurrent run sees an entry
 * whole or not at all; two runs building the same entry both succeed and the last manifest wins.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SkippedLine } from '../../node/ledger/read.js';

/** Bumped when the layout of the cache changes (older entries are then rebuilt). */
const CACHE_FORMAT = 1;
/** Bytes hashed at the start of a file, and before the end of what an entry covers. */
const EDGE_BYTES = 4096;
/** Part files that no manifest names are deleted once they are this old (a run may still be reading them). */
const ORPHAN_AGE_MS = 10 * 60_000;

/** One part of a cached file: the complete lines in `[start, end)`, as Native files of both tables. */
export interface CachePart {
  start: number;
  end: number;
  /**
   * File names (in the cache directory) and sizes of the `observations` rows and the part's traces;
   * empty names for a part without rows (every line skipped).
   */
  observations: string;
  observationsBytes: number;
  traces: string;
  tracesBytes: number;
  /** Lines of the part the ledger reader skipped, counted and listed (for the same warnings as a fresh read). */
  skipped: number;
  skippedLines: SkippedLine[];
}

/** What the cache holds for one ledger file. */
interface Manifest {
  format: number;
  /** Hash of the SQL and engine the parts were made with. */
  schema: string;
  path: string;
  dev: number;
  ino: number;
  /** Bytes covered (the end of the last part: the file's last complete line). */
  size: number;
  mtimeMs: number;
  head: string;
  tail: string;
  parts: CachePart[];
}

/** What a run can take from the cache for a file: parts to load, and where new lines start. */
export interface CachePlan {
  /** Parts to load as they are. */
  parts: CachePart[];
  /** Offset from which the file must be read (0: all of it; `size`: nothing new). */
  from: number;
}

/** A cache directory for one schema (see {@link LedgerCache.open}). */
export class LedgerCache {
  private constructor(
    /** The directory. */
    readonly dir: string,
    private readonly schema: string,
    private readonly warn: (message: string) => void,
  ) {}

  /**
   * The cache in `dir` for tables built by `schema` (any text that changes when the SQL does), or
   * null, after one warning, when the directory cannot be created (the run then reads the ledger).
   */
  static open(dir: string, schema: string, warn: (message: string) => void): LedgerCache | null {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      warn(`dashboards cache disabled: cannot create ${dir} (${(err as Error)?.message ?? err})`);
      return null;
    }
    const hash = createHash('sha256').update(`${CACHE_FORMAT}\n${schema}`).digest('hex').slice(0, 16);
    return new LedgerCache(dir, hash, warn);
  }

  /** The parts of `file` (whose stats are `st`) that are still valid, and where reading must resume. */
  plan(file: string, st: Stats): CachePlan {
    const m = this.manifest(file, st);
    if (m === null || m.size > st.size || m.dev !== st.dev || m.ino !== st.ino) return { parts: [], from: 0 };
    if (m.size === st.size && m.mtimeMs !== st.mtimeMs) return { parts: [], from: 0 };
    if (edgeHash(file, 0, EDGE_BYTES) !== m.head || edgeHash(file, m.size - EDGE_BYTES, m.size) !== m.tail) {
      return { parts: [], from: 0 };
    }
    for (const p of m.parts) {
      if (p.observations === '') continue;
      if (fileSize(join(this.dir, p.observations)) !== p.observationsBytes) return this.partial(file, p);
      if (fileSize(join(this.dir, p.traces)) !== p.tracesBytes) return this.partial(file, p);
    }
    return { parts: m.parts, from: m.size };
  }

  /** A part whose files are missing or of the wrong size: one warning, and the file is read again. */
  private partial(file: string, p: CachePart): CachePlan {
    this.warn(`dashboards cache: ${p.observations} is incomplete; reading ${file} again`);
    return { parts: [], from: 0 };
  }

  /** Warn that a part could not be loaded (a corrupt file): the run reads the ledger file again. */
  corrupt(file: string, message: string): void {
    this.warn(
      `dashboards cache: the entry of ${file} cannot be read (${message}); reading the ledger file again`,
    );
  }

  /** Fresh names, in the cache directory, for the two Native files of a new part of `file`. */
  partNames(file: string, st: Stats, start: number, end: number): { observations: string; traces: string } {
    const base = `${this.key(file, st)}-${start}-${end}-${randomBytes(4).toString('hex')}`;
    return { observations: `${base}.observations.native`, traces: `${base}.traces.native` };
  }

  /** Full path of a cache file. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** A temporary path in the cache directory for `name` (renamed into place by {@link commit}). */
  temp(name: string): string {
    return join(this.dir, `${name}.${process.pid}.tmp`);
  }

  /** Record the parts of `file` (covering `[0, size)`), moving new part files into place. */
  commit(file: string, st: Stats, size: number, parts: CachePart[], fresh: CachePart[]): void {
    try {
      for (const p of fresh) {
        if (p.observations === '') continue;
        for (const name of [p.observations, p.traces]) renameSync(this.temp(name), this.path(name));
      }
      const m: Manifest = {
        format: CACHE_FORMAT,
        schema: this.schema,
        path: file,
        dev: st.dev,
        ino: st.ino,
        size,
        mtimeMs: st.mtimeMs,
        head: edgeHash(file, 0, EDGE_BYTES),
        tail: edgeHash(file, size - EDGE_BYTES, size),
        parts,
      };
      const key = this.key(file, st);
      const tmp = this.temp(`${key}.json`);
      writeFileSync(tmp, JSON.stringify(m));
      renameSync(tmp, this.path(`${key}.json`));
      this.removeOrphans(key, parts);
    } catch (err) {
      this.warn(`dashboards cache: cannot write the entry of ${file} (${(err as Error)?.message ?? err})`);
    }
  }

  /** Delete this key's part files that the manifest no longer names, once no run can still be reading them. */
  private removeOrphans(key: string, parts: CachePart[]): void {
    const keep = new Set(parts.flatMap((p) => [p.observations, p.traces]));
    const now = Date.now();
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith(`${key}-`) || keep.has(name)) continue;
      const st = statSync(this.path(name), { throwIfNoEntry: false });
      if (st !== undefined && now - st.mtimeMs > ORPHAN_AGE_MS) rmSync(this.path(name), { force: true });
    }
  }

  /** The entry's key: the file's identity (so a rotated file keeps its entry), else its path. */
  private key(file: string, st: Stats): string {
    const id = st.ino > 0 ? `${st.dev}:${st.ino}` : file;
    return `ledger-${createHash('sha256').update(id).digest('hex').slice(0, 24)}`;
  }

  /** The manifest of `file`, or null when there is none, or it is for another schema or unreadable (one warning). */
  private manifest(file: string, st: Stats): Manifest | null {
    const path = this.path(`${this.key(file, st)}.json`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return null;
    }
    let m: Manifest | null = null;
    try {
      m = JSON.parse(text) as Manifest;
    } catch {
      // Handled below, with the other unreadable manifests.
    }
    if (m === null || typeof m !== 'object' || !Array.isArray(m.parts) || typeof m.size !== 'number') {
      this.warn(`dashboards cache: ${path} is not a cache manifest; reading ${file} again`);
      return null;
    }
    return m.format === CACHE_FORMAT && m.schema === this.schema ? m : null;
  }
}

/** Size of a file, or -1 when it is missing. */
function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? -1;
}

/** Hash of the bytes `[max(0, from), to)` of a file. */
function edgeHash(path: string, from: number, to: number): string {
  const start = Math.max(0, from);
  const b = Buffer.alloc(Math.max(0, to - start));
  const fd = openSync(path, 'r');
  try {
    let got = 0;
    while (got < b.length) {
      const n = readSync(fd, b, got, b.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    return createHash('sha256').update(b.subarray(0, got)).digest('hex');
  } finally {
    closeSync(fd);
  }
}

/** The offset just after the last newline before `size` in a file (0 when there is none). */
export function lastLineEnd(path: string, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.allocUnsafe(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - b.length);
      const n = readSync(fd, b, 0, end - start, start);
      const nl = b.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) return start + nl + 1;
      end = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}
