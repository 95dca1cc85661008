import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { REDACTED, redactSecrets } from '../ledger/redact.js';
import { getLogger, type Logger } from '../logger.js';
import type { BudgetAlert, BudgetLevel } from '../tracker/budgets.js';
import { type AlertChannel, AlertDeliveryError } from './channel.js';
import { type AlertMessage, alertId, toAlertMessage } from './message.js';

/** What the dispatcher listens to: a `CostTracker` (only its public `on('budget', …)` is used). */
export interface BudgetAlertSource {
  /** Add a `budget` listener; returns a function that removes it. */
  on(event: 'budget', listener: (alert: BudgetAlert) => void): () => void;
}

/** Options of {@link AlertDispatcher}. */
export interface AlertDispatcherOptions {
  /** Where alerts go; each channel has its own queue, so a slow one never delays another. */
  channels: AlertChannel[];
  /** Levels delivered (default all: `warning`, `critical`, `exceeded`). */
  levels?: BudgetLevel[];
  /** Name of this replica or service, sent with every alert (`source`). */
  source?: string;
  /** Where the dispatcher's log lines go (default: the library logger, `setLogger`). */
  logger?: Logger;
  /** Time one attempt may take before it is abandoned and retried, ms (default 5,000). */
  timeoutMs?: number;
  /** Attempts per alert and channel, the first included (default 5). */
  maxAttempts?: number;
  /** Wait before the first retry, ms (default 1,000); doubled after each failure, with jitter. */
  backoffMs?: number;
  /** Longest wait between attempts, ms (default 60,000), `Retry-After` included. */
  maxBackoffMs?: number;
  /** Alerts waiting per channel (default 100); when full, the oldest waiting alert is dropped. */
  queueSize?: number;
  /** Alert ids remembered for de-duplication (default 10,000; two generations, like budget keys). */
  dedupeSize?: number;
  /** Failed attempts in a row after which a channel is reported as failing, once (default 3). */
  failureThreshold?: number;
  /** Source of jitter in [0, 1) (default `Math.random`; tests pin it). */
  random?: () => number;
}

/** Counters of one channel, from `health()`. */
export interface AlertChannelHealth {
  /** Channel name. */
  name: string;
  /** Alerts the receiver accepted. */
  delivered: number;
  /** Attempts that failed (each retry counts). */
  failedAttempts: number;
  /** Alerts given up: retries spent, a permanent error, a full queue, or left at `close()`. */
  dropped: number;
  /** Alerts waiting or in flight. */
  pending: number;
  /** True from the failure that made it `failing` until the next delivery. */
  failing: boolean;
  /** The last failure, redacted. */
  lastError?: string;
}

/** Counters of a dispatcher. */
export interface AlertDispatcherHealth {
  /** Per channel, in the order given. */
  channels: AlertChannelHealth[];
  /** Alerts not enqueued because an alert with the same id was (see `alertId`). */
  deduplicated: number;
  /** Alerts filtered out by `levels`. */
  filtered: number;
  /** Alerts that arrived after `close()`. */
  refused: number;
}

/** One alert, shared by the channel queues; its message is built off the host's call path. */
interface Entry {
  alert: BudgetAlert;
  id: string;
  message?: AlertMessage;
}

const LEVELS: readonly BudgetLevel[] = ['warning', 'critical', 'exceeded'];

/** Ids in two generations: bounded memory, and an id seen since the last turnover is always kept. */
class SeenIds {
  private young = new Set<string>();
  private old = new Set<string>();
  constructor(private readonly limit: number) {}

  /** True when `id` was seen; remembers it either way. */
  check(id: string): boolean {
    if (this.young.has(id)) return true;
    const seen = this.old.has(id);
    if (this.young.size >= Math.max(1, this.limit >> 1)) {
      this.old = this.young;
      this.young = new Set();
    }
    this.young.add(id);
    return seen;
  }
}

/** A channel, its queue and its counters. */
class Lane {
  readonly queue: Entry[] = [];
  running = false;
  inFlight = false;
  consecutive = 0;
  overflowing = false;
  abort: AbortController | null = null;
  wake: (() => void) | null = null;
  readonly health: AlertChannelHealth;
  constructor(readonly channel: AlertChannel) {
    this.health = {
      name: channel.name,
      delivered: 0,
      failedAttempts: 0,
      dropped: 0,
      pending: 0,
      failing: false,
    };
  }
}

function positive(v: number | undefined, dflt: number, path: string, min = 1): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw new InvalidArgumentError(
      `AlertDispatcher(options.${path})`,
      `expected a number ≥ ${min}, got ${describeValue(v)}`,
    );
  return Math.floor(v);
}

/**
 * Delivers budget alerts to channels (webhook, Slack, email, your own) without ever being in the
 * way of the host's call: the `budget` listener only checks the alert's id and enqueues it; messages
 * are built and sent later, one queue per channel, with a timeout per attempt, retries with
 * exponential backoff and jitter, a bounded queue, de-duplication by alert id, and one log line
 * when a channel keeps failing (and one when it recovers). Nothing is thrown into the host.
 * Delivery is at least once per channel (a timed-out attempt may still have arrived): receivers
 * can drop duplicates by the alert id (`x-langfuse-cost-alert-id` header, `id` field).
 */
export class AlertDispatcher {
  private readonly lanes: Lane[];
  private readonly levels: ReadonlySet<BudgetLevel>;
  private readonly seen: SeenIds;
  private readonly logger: Logger | undefined;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly queueSize: number;
  private readonly failureThreshold: number;
  private readonly random: () => number;
  private readonly source: string | undefined;
  private readonly detachers: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private closed = false;
  private deduplicated = 0;
  private filtered = 0;
  private refused = 0;

  /** @throws {InvalidArgumentError} for a bad option or channel. */
  constructor(options: AlertDispatcherOptions) {
    try {
      if (options === null || typeof options !== 'object' || !Array.isArray(options.channels))
        throw new InvalidArgumentError(
          'AlertDispatcher(options.channels)',
          `expected an array of channels, got ${describeValue(options?.channels)}`,
        );
      this.lanes = options.channels.map((c, i) => {
        if (c === null || typeof c !== 'object' || typeof c.send !== 'function' || typeof c.name !== 'string')
          throw new InvalidArgumentError(
            `AlertDispatcher(options.channels[${i}])`,
            `expected a channel with name and send(), got ${describeValue(c)}`,
          );
        return new Lane(c);
      });
      const levels = options.levels ?? LEVELS;
      for (const l of levels)
        if (!LEVELS.includes(l))
          throw new InvalidArgumentError(
            'AlertDispatcher(options.levels)',
            `expected warning, critical or exceeded, got ${describeValue(l)}`,
          );
      this.levels = new Set(levels);
      this.timeoutMs = positive(options.timeoutMs, 5_000, 'timeoutMs');
      this.maxAttempts = positive(options.maxAttempts, 5, 'maxAttempts');
      this.backoffMs = positive(options.backoffMs, 1_000, 'backoffMs', 0);
      this.maxBackoffMs = positive(options.maxBackoffMs, 60_000, 'maxBackoffMs', 0);
      this.queueSize = positive(options.queueSize, 100, 'queueSize');
      this.failureThreshold = positive(options.failureThreshold, 3, 'failureThreshold');
      this.seen = new SeenIds(positive(options.dedupeSize, 10_000, 'dedupeSize'));
      this.random = options.random ?? Math.random;
      this.logger = options.logger;
      this.source = options.source;
    } catch (err) {
      throw closedError(err, 'AlertDispatcher');
    }
  }

  /**
   * Deliver the `budget` alerts of a tracker (or anything with `on('budget', …)`). Returns a
   * function that stops listening (pending deliveries go on).
   */
  attach(source: BudgetAlertSource): () => void {
    try {
      const off = source.on('budget', (alert) => this.enqueue(alert));
      this.detachers.push(off);
      return off;
    } catch (err) {
      throw closedError(err, 'AlertDispatcher.attach');
    }
  }

  /**
   * Queue one alert for every channel. Returns at once and never throws: the listener runs inside
   * the host's `record()` call. An alert whose id was already queued is dropped (de-duplication).
   */
  enqueue(alert: BudgetAlert): void {
    try {
      if (this.closed) {
        this.refused++;
        return;
      }
      if (!this.levels.has(alert.level)) {
        this.filtered++;
        return;
      }
      const id = alertId(alert);
      if (this.seen.check(id)) {
        this.deduplicated++;
        return;
      }
      const entry: Entry = { alert, id };
      for (const lane of this.lanes) {
        if (lane.queue.length >= this.queueSize) {
          // The newest alert is the most severe of its budget: keep it, drop the oldest waiting one.
          const at = lane.inFlight ? 1 : 0;
          if (lane.queue.length > at) {
            lane.queue.splice(at, 1);
            lane.health.dropped++;
            if (!lane.overflowing) {
              lane.overflowing = true;
              this.log(
                lane,
                'warn',
                `queue full (${this.queueSize} alerts): dropping the oldest waiting alerts until it drains`,
              );
            }
          }
        }
        lane.queue.push(entry);
        if (!lane.running) {
          lane.running = true;
          // Off the host's tick: building and sending start after its call has returned.
          setImmediate(() => void this.run(lane));
        }
      }
    } catch {
      // Never into the host: a hostile alert object or a broken logger is not the caller's problem.
    }
  }

  /**
   * Wait until every queued alert is delivered or given up, at most `timeoutMs` (default 10,000).
   * Resolves true when all queues are empty, false at the timeout. Never rejects.
   */
  flush(timeoutMs = 10_000): Promise<boolean> {
    if (this.idle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.idleWaiters.indexOf(onIdle);
        if (i >= 0) this.idleWaiters.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(onIdle);
    });
  }

  /**
   * Stop listening, wait for pending deliveries at most `timeoutMs` (default 10,000), then abort
   * what is left (counted as dropped, with one log line) and close the channels. Resolves true when
   * everything was delivered or given up in time. Never rejects.
   */
  async close(timeoutMs = 10_000): Promise<boolean> {
    for (const off of this.detachers.splice(0)) {
      try {
        off();
      } catch {
        // a source whose remover throws: nothing more to do
      }
    }
    this.closed = true;
    const drained = await this.flush(timeoutMs);
    if (!drained) {
      for (const lane of this.lanes) {
        const left = lane.queue.length;
        if (left === 0) continue;
        lane.health.dropped += left;
        lane.queue.length = 0;
        lane.abort?.abort();
        lane.wake?.();
        this.log(lane, 'warn', `closed with ${left} undelivered alert(s) after waiting ${timeoutMs} ms`);
      }
    }
    await Promise.all(
      this.lanes.map(async (lane) => {
        try {
          await lane.channel.close?.();
        } catch {
          // closing is best effort
        }
      }),
    );
    return drained;
  }

  /** Counters per channel, and of de-duplication. */
  health(): AlertDispatcherHealth {
    return {
      channels: this.lanes.map((l) => ({ ...l.health, pending: l.queue.length })),
      deduplicated: this.deduplicated,
      filtered: this.filtered,
      refused: this.refused,
    };
  }

  private idle(): boolean {
    return this.lanes.every((l) => l.queue.length === 0 && !l.running);
  }

  private settle(): void {
    if (!this.idle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** The worker of one channel: its queue in order, one alert at a time. */
  private async run(lane: Lane): Promise<void> {
    try {
      while (lane.queue.length > 0) {
        const entry = lane.queue[0]!;
        lane.inFlight = true;
        await this.deliver(lane, entry);
        lane.inFlight = false;
        // close() may have emptied the queue while this alert was in flight.
        if (lane.queue[0] === entry) lane.queue.shift();
        if (lane.queue.length === 0) lane.overflowing = false;
      }
    } catch (err) {
      this.log(lane, 'error', `alert worker stopped: ${text(err)}`);
      lane.queue.length = 0;
    } finally {
      lane.inFlight = false;
      lane.running = false;
      this.settle();
    }
  }

  /** All attempts of one alert on one channel. True when delivered. */
  private async deliver(lane: Lane, entry: Entry): Promise<boolean> {
    entry.message ??= toAlertMessage(entry.alert, this.source);
    for (let attempt = 1; ; attempt++) {
      const ac = new AbortController();
      lane.abort = ac;
      const timer = setTimeout(() => ac.abort(), this.timeoutMs);
      let error: AlertDeliveryError | null = null;
      try {
        await bounded(lane.channel.send(entry.message, ac.signal), ac.signal);
      } catch (err) {
        error =
          err instanceof AlertDeliveryError
            ? err
            : new AlertDeliveryError(ac.signal.aborted ? 'timed out' : text(err), {
                retryable: true,
                cause: err,
              });
      } finally {
        clearTimeout(timer);
        lane.abort = null;
      }
      if (error === null) {
        lane.health.delivered++;
        lane.consecutive = 0;
        if (lane.health.failing) {
          lane.health.failing = false;
          this.log(lane, 'info', 'delivering again');
        }
        return true;
      }
      if (lane.queue[0] !== entry) return false; // dropped by close()
      lane.health.failedAttempts++;
      lane.consecutive++;
      lane.health.lastError = this.scrub(lane, error.message);
      const last = !error.retryable || attempt >= this.maxAttempts;
      if (last) lane.health.dropped++;
      if (!lane.health.failing && (last || lane.consecutive >= this.failureThreshold)) {
        lane.health.failing = true;
        this.log(
          lane,
          'warn',
          `keeps failing: ${lane.consecutive} attempt(s) in a row failed, last: ${error.message}; ` +
            (error.retryable
              ? `each alert is tried ${this.maxAttempts} times, then dropped`
              : 'this answer will not change on retry, so alerts are dropped') +
            ' (one line until it delivers again; counts in health())',
        );
      }
      if (last) return false;
      await this.sleep(lane, this.delay(attempt, error.retryAfterMs));
      if (lane.queue[0] !== entry) return false;
    }
  }

  /** Exponential backoff with jitter: half the doubled wait fixed, half random; `Retry-After` wins when longer. */
  private delay(attempt: number, retryAfterMs: number | undefined): number {
    const base = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
    const jittered = base / 2 + this.random() * (base / 2);
    return Math.min(this.maxBackoffMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  /** A wait that `close()` can cut short; it does not keep the process alive. */
  private sleep(lane: Lane, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        lane.wake = null;
        resolve();
      }
      lane.wake = done;
    });
  }

  private scrub(lane: Lane, message: string): string {
    let s = String(message);
    for (const secret of lane.channel.secrets ?? []) if (secret) s = s.split(secret).join(REDACTED);
    return redactSecrets(s, 500);
  }

  private log(lane: Lane, level: 'info' | 'warn' | 'error', message: string): void {
    try {
      const logger = this.logger ?? getLogger();
      logger[level](this.scrub(lane, `alert channel "${lane.channel.name}" ${message}`));
    } catch {
      // a logger that throws must not stop deliveries
    }
  }
}

/**
 * A send that ends when its signal aborts, even if the channel ignores the signal (a channel of the
 * user's that never settles must not stall its queue forever).
 */
function bounded(send: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new AlertDeliveryError('timed out', { retryable: true }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(send).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

function text(err: unknown): string {
  try {
    return err instanceof Error ? err.message : describeValue(err);
  } catch {
    return 'an unreadable error';
  }
}

/**
 * Deliver a tracker's budget alerts to channels: `attachAlerts(tracker, { channels: [slackChannel({ url })] })`.
 * Call `close()` at shutdown to wait for pending deliveries.
 * @throws {InvalidArgumentError} for bad options.
 */
export function attachAlerts(source: BudgetAlertSource, options: AlertDispatcherOptions): AlertDispatcher {
  try {
    const d = new AlertDispatcher(options);
    d.attach(source);
    return d;
  } catch (err) {
    throw closedError(err, 'attachAlerts');
  }
}
