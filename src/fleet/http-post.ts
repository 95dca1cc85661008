import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AlertDeliveryError } from './channel.js';

/** Most bytes of a response body kept (for the error text); the rest is read and dropped. */
const MAX_BODY = 512;

/** The answer to a POST. */
export interface PostResult {
  /** HTTP status. */
  status: number;
  /** The first bytes of the body. */
  body: string;
  /** The `Retry-After` header, when sent. */
  retryAfter?: string;
}

/**
 * POST a body and read the answer, or reject when `signal` aborts (the dispatcher's timeout). One
 * fresh connection per alert (`agent: false`): alerts are rare, and a pooled keep-alive socket
 * would hold the host's event loop open after `close()`.
 * Rejects with an {@link AlertDeliveryError} whose text never holds the URL.
 */
export function postBody(
  url: URL,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new AlertDeliveryError('aborted before sending', { retryable: true }));
      return;
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const done = (err: AlertDeliveryError | null, result?: PostResult) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(result!);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_BODY) text += chunk.slice(0, MAX_BODY - text.length);
        });
        const retryAfter = res.headers['retry-after'];
        res.on('end', () =>
          done(null, {
            status: res.statusCode ?? 0,
            body: text,
            ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
          }),
        );
        res.on('error', (e) => done(networkError(e)));
      },
    );
    const onAbort = () => {
      done(new AlertDeliveryError('timed out', { retryable: true }));
      req.destroy();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => done(networkError(e)));
    req.end(body);
  });
}

/** A socket error as a retryable failure: its code (`ECONNREFUSED`, …), never the URL. */
function networkError(e: unknown): AlertDeliveryError {
  const code = (e as { code?: unknown } | null)?.code;
  return new AlertDeliveryError(`network error${typeof code === 'string' ? ` ${code}` : ''}`, {
    retryable: true,
    cause: e,
  });
}

/**
 * An HTTP answer as success, or as a failure that says whether to retry: 2xx is success; 408, 425,
 * 429 and 5xx are retried (429/503 honour `Retry-After` in seconds); any other status will not
 * change on retry.
 */
export function checkStatus(result: PostResult): void {
  const s = result.status;
  if (s >= 200 && s < 300) return;
  const retryable = s === 408 || s === 425 || s === 429 || s >= 500;
  const seconds = result.retryAfter !== undefined ? Number(result.retryAfter) : Number.NaN;
  const snippet = result.body.replace(/\s+/g, ' ').trim().slice(0, 120);
  throw new AlertDeliveryError(`HTTP ${s}${snippet ? ` ${snippet}` : ''}`, {
    retryable,
    ...(Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: seconds * 1000 } : {}),
  });
}
