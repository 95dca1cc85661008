import { createHmac } from 'node:crypto';
import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import type { AlertChannel } from './channel.js';
import { checkStatus, postBody } from './http-post.js';
import type { AlertMessage } from './message.js';

/** Options of {@link webhookChannel}. */
export interface WebhookChannelOptions {
  /** Where to POST (http or https). Treated as a secret: never logged. */
  url: string | URL;
  /** Extra headers, e.g. `{ authorization: 'Bearer …' }`. Their values are never logged. */
  headers?: Record<string, string>;
  /**
   * Shared secret: each request then carries `x-langfuse-cost-signature: sha256=<hex HMAC-SHA256 of
   * the body>` so the receiver can check it came from you. Never logged.
   */
  secret?: string;
  /** Name in logs and health (default `webhook`). */
  name?: string;
}

/** Header carrying the alert id, the same on every retry (receivers drop duplicates by it). */
export const ALERT_ID_HEADER = 'x-langfuse-cost-alert-id';
/** Header carrying the HMAC of the body when a `secret` is set. */
export const SIGNATURE_HEADER = 'x-langfuse-cost-signature';

/** A checked http(s) URL. */
export function httpUrl(value: unknown, path: string): URL {
  let url: URL | undefined;
  try {
    url = value instanceof URL ? value : typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    // The value may be a secret URL: say what is wrong without echoing it.
    throw new InvalidArgumentError(
      path,
      typeof value === 'string' || value instanceof URL
        ? 'expected an http:// or https:// URL'
        : `expected an http:// or https:// URL, got ${describeValue(value)}`,
    );
  }
  return url;
}

/**
 * A channel that POSTs each alert as JSON (the {@link AlertMessage}: `type`, `id`, `scope`, `key`,
 * `level`, `spent`, `limit`, `threshold`, `period`, `at`, `time`, `recordId`, `text`, `source`), with
 * the alert id in `x-langfuse-cost-alert-id`. 2xx is delivered; 408/425/429/5xx, timeouts and
 * network errors are retried; other statuses give up at once.
 * @throws {InvalidArgumentError} for a URL that is not http(s).
 */
export function webhookChannel(options: WebhookChannelOptions): AlertChannel {
  try {
    const url = httpUrl(options?.url, 'webhookChannel(options.url)');
    const headers = { ...(options.headers ?? {}) };
    const secret = options.secret;
    const secrets = [
      url.href,
      url.pathname + url.search,
      ...Object.values(headers),
      ...(secret ? [secret] : []),
    ];
    return {
      name: options.name ?? 'webhook',
      secrets: secrets.filter((s) => s.length >= 4 && s !== '/'),
      async send(message: AlertMessage, signal: AbortSignal): Promise<void> {
        const body = JSON.stringify(message);
        const h: Record<string, string> = {
          'content-type': 'application/json',
          'user-agent': 'langfuse-cost-alerts',
          [ALERT_ID_HEADER]: message.id,
          ...headers,
        };
        if (secret) h[SIGNATURE_HEADER] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
        checkStatus(await postBody(url, body, h, signal));
      },
    };
  } catch (err) {
    throw closedError(err, 'webhookChannel');
  }
}

/** The body the webhook channel sends for a message (for receivers' tests). */
export function webhookBody(message: AlertMessage): string {
  try {
    return JSON.stringify(message);
  } catch (err) {
    throw closedError(err, 'webhookBody');
  }
}
