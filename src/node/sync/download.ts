import { closedError } from '../../errors.js';
import { PriceSyncError } from './errors.js';

/** A `fetch`-compatible function (the global one by default; tests and proxies may pass their own). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Options of {@link downloadPriceFile}. */
export interface DownloadOptions {
  /** URL to fetch. */
  url: string;
  /** Give up after this many milliseconds (headers and body together). */
  timeoutMs: number;
  /** Refuse bodies larger than this many bytes (after content decoding). */
  maxBytes: number;
  /** `ETag` of the copy we hold; sent as `If-None-Match`. */
  etag?: string;
  /** `Last-Modified` of the copy we hold; sent as `If-Modified-Since`. */
  lastModified?: string;
  /** fetch implementation. */
  fetch?: FetchLike;
}

/** Result of {@link downloadPriceFile}. */
export type DownloadResult =
  | { status: 'not-modified'; etag?: string; lastModified?: string }
  | { status: 'ok'; body: string; bytes: number; etag?: string; lastModified?: string };

function header(res: Response, name: string): string | undefined {
  const v = res.headers.get(name);
  return v === null || v === '' ? undefined : v;
}

function withValidators<T extends object>(
  res: Response,
  obj: T,
): T & { etag?: string; lastModified?: string } {
  const etag = header(res, 'etag');
  const lastModified = header(res, 'last-modified');
  return { ...obj, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
}

/**
 * Download a price file with a conditional request, a timeout and a size limit.
 * A 304 answer means our copy is current. Anything else that is not a complete 2xx body within the
 * limits is a {@link PriceSyncError} (`timeout`, `http`, `too-large`, `network`).
 */
export async function downloadPriceFile(options: DownloadOptions): Promise<DownloadResult> {
  const doFetch = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (!doFetch) throw new PriceSyncError('network', 'no fetch implementation available in this runtime');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;

  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  timer.unref?.();
  const where = redactUrl(options.url);
  try {
    let res: Response;
    try {
      res = await doFetch(options.url, { headers, signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      if (timedOut) throw timeoutError(where, options.timeoutMs);
      throw new PriceSyncError('network', `could not reach ${where}: ${describe(err)}`, { cause: err });
    }
    if (res.status === 304) {
      await res.body?.cancel().catch(() => {});
      return withValidators(res, { status: 'not-modified' as const });
    }
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel().catch(() => {});
      throw new PriceSyncError(
        'http',
        `${where} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
        {
          status: res.status,
        },
      );
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > options.maxBytes && !res.headers.get('content-encoding')) {
      await res.body?.cancel().catch(() => {});
      throw tooLarge(where, declared, options.maxBytes);
    }
    const body = await readLimited(res, options.maxBytes, where, () => timedOut, options.timeoutMs);
    return withValidators(res, { status: 'ok' as const, body: body.text, bytes: body.bytes });
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(
  res: Response,
  maxBytes: number,
  where: string,
  timedOut: () => boolean,
  timeoutMs: number,
): Promise<{ text: string; bytes: number }> {
  if (!res.body) return { text: '', bytes: 0 };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(where, bytes, maxBytes);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof PriceSyncError) throw err;
    if (timedOut()) throw timeoutError(where, timeoutMs);
    throw new PriceSyncError('network', `download from ${where} broke off: ${describe(err)}`, { cause: err });
  }
  const all = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return { text: new TextDecoder('utf-8').decode(all), bytes };
}

function timeoutError(where: string, ms: number): PriceSyncError {
  return new PriceSyncError('timeout', `${where} did not answer within ${ms} ms`);
}

function tooLarge(where: string, bytes: number, max: number): PriceSyncError {
  return new PriceSyncError(
    'too-large',
    `${where} sent more than ${max} bytes (${bytes} so far); raise maxBytes if this is expected`,
  );
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e?.message ?? String(err)} (${cause})` : (e?.message ?? String(err));
}

/** A URL safe to print: user-info and query string removed (they may carry tokens). */
export function redactUrl(url: string): string {
  try {
    return redactUrlUnchecked(url);
  } catch (err) {
    throw closedError(err, 'redactUrl');
  }
}

function redactUrlUnchecked(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    const q = u.search ? '?…' : '';
    u.search = '';
    u.hash = '';
    return u.toString() + q;
  } catch {
    return '<invalid URL>';
  }
}
