import type { AlertMessage } from './message.js';

/**
 * A place alerts are delivered to. Built in: {@link webhookChannel}, {@link slackChannel},
 * {@link emailChannel}; anything with this shape works.
 */
export interface AlertChannel {
  /** Name in log lines and `health()` (never a URL or an address: those may hold secrets). */
  readonly name: string;
  /**
   * Deliver one alert. Resolve when the receiver accepted it; reject to have it retried (an
   * {@link AlertDeliveryError} with `retryable: false` gives up at once). `signal` aborts when the
   * attempt times out or the dispatcher closes.
   */
  send(message: AlertMessage, signal: AbortSignal): Promise<void>;
  /**
   * Strings that must never appear in a log line (webhook URLs, tokens, passwords): the dispatcher
   * replaces them by `[REDACTED]` in every line it writes about this channel.
   */
  readonly secrets?: readonly string[];
  /** Release connections (called by the dispatcher's `close()`). */
  close?(): Promise<void> | void;
}

/** Why one delivery attempt failed, and whether trying again can help. */
export class AlertDeliveryError extends Error {
  /** False for answers that will not change (HTTP 400/403/404, SMTP 5xx, a missing module). */
  readonly retryable: boolean;
  /** Wait asked for by the receiver (HTTP `Retry-After`), ms. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'AlertDeliveryError';
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}
