import { randomUUID } from 'node:crypto';
import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { redactSecrets } from '../ledger/redact.js';
import { getLogger, type Logger } from '../logger.js';
import type {
  BudgetRuleView,
  BudgetSlotRef,
  BudgetSpend,
  BudgetStore,
  BudgetStoreContext,
} from '../tracker/budget-store.js';
import { GenerationalMap } from '../tracker/budget-store-memory.js';
import type { ZonedCalendar } from '../tracker/calendar.js';

/**
 * What the store needs of a Redis client: one method that sends a command and resolves with the
 * reply. A client of the official `redis` package (`createClient()`, connected) has it.
 */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of {@link redisBudgetStore}. */
export interface RedisBudgetStoreOptions {
  /**
   * `redis://[user:password@]host:port[/db]` or `rediss://…`: the store makes its own client with the
   * official `redis` package (an optional peer dependency, loaded when the store opens) and closes
   * it on `tracker.close()`. Give `url` or `client`.
   */
  url?: string;
  /** A connected client of your own (kept open on `close`). */
  client?: RedisCommandClient;
  /** Prefix of every key (default `langfuse-cost:`). Replicas that share budgets share the prefix. */
  prefix?: string;
  /**
   * Longest wait on Redis of a call that waits (`checkBudgetAsync`), ms (default 50). When Redis
   * misses it, calls stop waiting (they use the spend last read) until it answers again.
   */
  timeoutMs?: number;
  /**
   * Time a batch may take in the background before Redis counts as unavailable (warned, and with
   * `failClosed` calls refused) and the batch is sent again, ms (default 1,000).
   */
  batchTimeoutMs?: number;
  /** Longest a recorded call waits before its batch is sent, ms (default 5). */
  flushMs?: number;
  /** Most records per batch (default 500). */
  maxBatch?: number;
  /**
   * Fleet spend of a budget key read longer ago than this is read again (in the background) when a
   * call checks it, ms (default 100). Keys this replica records on are read back with every batch.
   */
  refreshMs?: number;
  /**
   * While Redis cannot be reached: `false` (default, fail-open) counts locally and lets calls
   * through against the spend last known plus this replica's own; `true` (fail-closed) makes
   * `checkBudget` refuse every call that has a budget until Redis answers again.
   */
  failClosed?: boolean;
  /** First wait before a failed batch is sent again, ms (default 100; doubles up to 2,000). */
  retryMs?: number;
  /** Keys of `total` budgets (sessions by default) expire this long after their last call, ms (default 30 days). */
  totalTtlMs?: number;
  /** How long Redis remembers an applied batch (so a resend is not counted twice), ms (default 1 day). */
  dedupeTtlMs?: number;
  /** Most records held while Redis is away; past it the oldest batch is dropped, with a warning (default 1,000,000). */
  maxQueued?: number;
  /** Time `budgetStatusAsync` may take to list and read every key, ms (default 2,000). */
  statusTimeoutMs?: number;
  /** Where the store's warnings go (default: the tracker's logger, else the library's). */
  logger?: Logger;
}

/** Health counters of a Redis budget store. */
export interface RedisBudgetStoreHealth {
  /** `up` after a batch or read succeeded, `down` after one failed, `unknown` before either. */
  state: 'unknown' | 'up' | 'down';
  /** Records acknowledged by Redis (a resend that Redis had applied already counts once). */
  applied: number;
  /** Records waiting to be sent (or resent). */
  queued: number;
  /** Records dropped because more than `maxQueued` waited (their spend is missing from the fleet's). */
  dropped: number;
  /** Batches that failed or timed out. */
  failures: number;
  /** The last failure, secrets removed. */
  lastError?: string;
}

/** A Redis budget store: {@link BudgetStore} plus `health()`. */
export interface RedisBudgetStore extends BudgetStore {
  health(): RedisBudgetStoreHealth;
  /** Send everything queued now; resolves when Redis acknowledged it or after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean>;
}

/** Default wait of a call on Redis, ms: see docs/fleet.md, "Latency". */
export const DEFAULT_REDIS_TIMEOUT_MS = 50;
const DEFAULT_BATCH_TIMEOUT_MS = 1_000;
/** Warnings about Redis being unavailable: at most one per this interval, ms. */
const WARN_INTERVAL_MS = 60_000;
const DEFAULT_FLUSH_MS = 5;
const DEFAULT_MAX_BATCH = 500;
const DEFAULT_REFRESH_MS = 100;
const DEFAULT_RETRY_MS = 100;
const MAX_RETRY_MS = 2_000;
const DAY_MS = 86_400_000;
const DEFAULT_TOTAL_TTL_MS = 30 * DAY_MS;
const DEFAULT_DEDUPE_TTL_MS = DAY_MS;
const DEFAULT_MAX_QUEUED = 1_000_000;
const DEFAULT_STATUS_TIMEOUT_MS = 2_000;
/** Day and month keys live this long past their period's end (replicas' clocks may differ a little). */
export const PERIOD_GRACE_MS = 3_600_000;
/** Largest spend one key holds: Redis integers are signed 64-bit (about $9.22 million). */
export const MAX_KEY_PICO = 2n ** 63n - 1n;
const SCAN_COUNT = '1000';
const DEFAULT_PREFIX = 'langfuse-cost:';
/** Key part standing for "no key" (daily and monthly budgets). */
const NO_KEY = '-';

/**
 * The one atomic step per batch. KEYS[1] is the batch's marker; then `n` spend keys to add to; then
 * keys only read. ARGV: marker lifetime (ms), `n`, then per spend key: amount (picodollars),
 * expiry (epoch ms, or minus a lifetime for keys of `total` budgets), and the warning, critical and
 * limit thresholds (picodollars); a threshold is crossed by the increment that takes the key from
below it (or from not existing) to at least it. Values are compared as decimal strings: Lua numbers are doubles
 * and would round sums past 2^53 picodollars. Returns the result (per spend key `before:mask`, the
 * mask's bits the thresholds crossed) and the values of the read keys. A batch whose marker exists
 * was applied already: its stored result comes back and nothing is added again.
 */
export const BATCH_SCRIPT = `
local function lt(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local n = tonumber(ARGV[2])
local out = {''}
local done = false
if n > 0 then done = redis.call('GET', KEYS[1]) end
if done then
  out[1] = done
elseif n > 0 then
  local bits = {1, 2, 4}
  local res = {}
  for i = 1, n do
    local k = KEYS[1 + i]
    local a = 3 + (i - 1) * 5
    local old = redis.call('GET', k)
    local before = old or '0'
    local ok = redis.pcall('INCRBY', k, ARGV[a])
    local mask = 0
    if type(ok) == 'number' then
      local after = redis.call('GET', k)
      for l = 1, 3 do
        local th = ARGV[a + 1 + l]
        if (not old or lt(before, th)) and not lt(after, th) then mask = mask + bits[l] end
      end
      local exp = tonumber(ARGV[a + 1])
      if exp > 0 then redis.call('PEXPIREAT', k, ARGV[a + 1]) else redis.call('PEXPIRE', k, -exp) end
    else
      mask = -1
    end
    res[i] = before .. ':' .. mask
  end
  out[1] = table.concat(res, ',')
  redis.call('SET', KEYS[1], out[1], 'PX', ARGV[1])
end
for i = 2 + n, #KEYS do out[#out + 1] = redis.call('GET', KEYS[i]) or '0' end
return out
`;

/** Spend of one budget key in one period: the fleet's as last read, plus this replica's not yet in it. */
class Slot implements BudgetSpend {
  period = '';
  start = Number.NEGATIVE_INFINITY;
  end = Number.NEGATIVE_INFINITY;
  redisKey = '';
  /** Expiry argument of the batch script (epoch ms, or minus a lifetime). */
  expiry = 0;
  /** Fleet spend as Redis last answered (this replica's acknowledged records included). */
  fleet = 0n;
  /** This replica's spend Redis has not acknowledged yet. */
  own = 0n;
  /** When `fleet` was read (performance.now), −∞ never. */
  readAt = Number.NEGATIVE_INFINITY;
  /** 0: not being read; 1: waiting in the next exchange's reads; 2: read by the exchange in flight. */
  reading = 0;

  get pico(): bigint {
    return this.fleet + this.own;
  }
}

/** One budget key charged by a batch. */
interface Charge {
  slot: Slot;
  rule: number;
  key: string;
  period: string;
  redisKey: string;
  expiry: number;
  amount: bigint;
}

/** One record of a batch: its time, id and what it added to which charge. */
interface BatchRecord {
  id: string;
  t: number;
  parts: [charge: Charge, pico: number][];
}

interface Batch {
  id: string;
  charges: Map<string, Charge>;
  records: BatchRecord[];
  /** Sent at least once: its content is fixed (a resend must be the same batch). */
  sent: boolean;
  acked: boolean;
}

const newSlot = () => new Slot();

/** Escape the glob characters of a SCAN pattern. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

function positive(name: string, v: number | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new InvalidArgumentError(`options.${name}`, `expected a number ≥ ${min}, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * A budget store shared by every tracker that uses the same Redis (and `prefix`): spend per budget,
 * key and period kept as integer picodollars (`INCRBY`), threshold crossings decided in the same
 * atomic script as the increment (so exactly one replica emits each alert), enforcement against the
 * fleet's spend. Records are sent in the background in batches; a call waits on Redis only in
 * `checkBudgetAsync`, at most `timeoutMs`. While Redis is away the replica counts locally (or, with
 * `failClosed`, refuses budgeted calls), warns once, and sends what it held when Redis is back; each
 * batch is applied once however often it is sent. See docs/fleet.md.
 *
 * @example
 * ```ts
 * const tracker = new CostTracker({
 *   budgets: { daily: 50, perUser: 5 },
 *   enforce: true,
 *   budgetStore: redisBudgetStore({ url: process.env.LANGFUSE_COST_REDIS_URL }),
 * });
 * ```
 * @throws {InvalidArgumentError} for options of the wrong type, or neither `url` nor `client`.
 */
export function redisBudgetStore(options: RedisBudgetStoreOptions): RedisBudgetStore {
  try {
    return new RedisStore(options);
  } catch (err) {
    throw closedError(err, 'redisBudgetStore');
  }
}

class RedisStore implements RedisBudgetStore {
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly batchTimeoutMs: number;
  /** Redis missed a waiting call's deadline: calls do not wait until it answers again. */
  private lagging = false;
  /** When the last "unavailable" warning was logged (performance.now), and how many were held back since. */
  private warnedAt = Number.NEGATIVE_INFINITY;
  private heldBack = 0;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly refreshMs: number;
  private readonly failClosed: boolean;
  private readonly retryMs: number;
  private readonly totalTtlMs: number;
  private readonly dedupeTtlMs: number;
  private readonly maxQueued: number;
  private readonly statusTimeoutMs: number;
  private readonly url: string | undefined;
  private client: RedisCommandClient | undefined;
  private connecting: Promise<RedisCommandClient | undefined> | undefined;
  /** The client the store made (from `url`), connected or not: closed by `close()`. */
  private owned: RedisCommandClient | undefined;
  private logger: Logger | undefined;
  private rules: readonly BudgetRuleView[] = [];
  /** Per rule: its thresholds as the script's decimal arguments. */
  private thresholds: string[][] = [];
  private calendar!: ZonedCalendar;
  private crossed!: BudgetStoreContext['crossed'];
  private slots: (Slot | undefined)[] = [];
  private keyed: (GenerationalMap<Slot> | undefined)[] = [];
  private readonly replica = randomUUID().slice(0, 12);
  private seq = 0;
  /** Batches sent or waiting, oldest first; only the last one takes new records. */
  private queue: Batch[] = [];
  private queuedRecords = 0;
  private reads: Slot[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** A send is queued with setImmediate. */
  private immediate = false;
  private inFlight = false;
  private retryWait = 0;
  private state: 'unknown' | 'up' | 'down' = 'unknown';
  private closed = false;
  /** Calls waiting for an answer of Redis: to an exchange numbered `need` or later. */
  private waiters: { need: number; done: () => void }[] = [];
  /** Called at the next failure (connection attempts waiting for the first connection). */
  private onFail: (() => void)[] = [];
  /** Exchanges started. */
  private started = 0;
  private sha: string | undefined;
  private stats = { applied: 0, dropped: 0, failures: 0, lastError: undefined as string | undefined };

  constructor(o: RedisBudgetStoreOptions) {
    if (o === null || typeof o !== 'object') {
      throw new InvalidArgumentError('options', `expected an object, got ${describeValue(o)}`);
    }
    if (o.client !== undefined && typeof o.client?.sendCommand !== 'function') {
      throw new InvalidArgumentError('options.client', 'expected a Redis client with sendCommand()');
    }
    if (o.client === undefined && (typeof o.url !== 'string' || o.url === '')) {
      throw new InvalidArgumentError('options', 'give url (redis://host:port) or a connected client');
    }
    if (o.prefix !== undefined && typeof o.prefix !== 'string') {
      throw new InvalidArgumentError('options.prefix', `expected a string, got ${describeValue(o.prefix)}`);
    }
    this.prefix = o.prefix ?? DEFAULT_PREFIX;
    this.url = o.client === undefined ? o.url : undefined;
    this.client = o.client;
    this.timeoutMs = positive('timeoutMs', o.timeoutMs, DEFAULT_REDIS_TIMEOUT_MS, 1);
    this.batchTimeoutMs = positive('batchTimeoutMs', o.batchTimeoutMs, DEFAULT_BATCH_TIMEOUT_MS, 1);
    this.flushMs = positive('flushMs', o.flushMs, DEFAULT_FLUSH_MS);
    this.maxBatch = Math.floor(positive('maxBatch', o.maxBatch, DEFAULT_MAX_BATCH, 1));
    this.refreshMs = positive('refreshMs', o.refreshMs, DEFAULT_REFRESH_MS);
    this.failClosed = o.failClosed === true;
    this.retryMs = positive('retryMs', o.retryMs, DEFAULT_RETRY_MS, 1);
    this.totalTtlMs = Math.floor(positive('totalTtlMs', o.totalTtlMs, DEFAULT_TOTAL_TTL_MS, 1));
    this.dedupeTtlMs = Math.floor(positive('dedupeTtlMs', o.dedupeTtlMs, DEFAULT_DEDUPE_TTL_MS, 1));
    this.maxQueued = Math.floor(positive('maxQueued', o.maxQueued, DEFAULT_MAX_QUEUED, 1));
    this.statusTimeoutMs = positive('statusTimeoutMs', o.statusTimeoutMs, DEFAULT_STATUS_TIMEOUT_MS, 1);
    this.logger = o.logger;
  }

  open(context: BudgetStoreContext): void {
    this.rules = context.rules;
    this.thresholds = this.rules.map((r) => r.pico.map((p) => BigInt(p).toString()));
    this.calendar = context.calendar;
    this.crossed = context.crossed;
    this.logger ??= context.logger;
    this.slots = this.rules.map((r) => (isGlobal(r) ? new Slot() : undefined));
    this.keyed = this.rules.map((r) =>
      isGlobal(r) ? undefined : new GenerationalMap(context.keyLimit, newSlot),
    );
    if (this.rules.length > 0) {
      void this.connect().then((c) =>
        c?.sendCommand(['PING']).then(
          () => {
            if (this.state === 'unknown') this.up();
          },
          () => undefined,
        ),
      );
    }
  }

  add(rule: number, key: string, pico: number, t: number, recordId: string): void {
    if (this.closed || !(pico > 0)) return;
    const slot = this.slot(rule, key, t, true)!;
    const amount = BigInt(pico);
    slot.own += amount;
    let batch = this.queue[this.queue.length - 1];
    // A record's budgets (day, user, session…) go into one batch: a new batch starts between records.
    if (
      batch === undefined ||
      batch.sent ||
      (batch.records.length >= this.maxBatch && batch.records[batch.records.length - 1]!.id !== recordId)
    ) {
      batch = {
        id: `${this.replica}:${this.seq++}`,
        charges: new Map(),
        records: [],
        sent: false,
        acked: false,
      };
      this.queue.push(batch);
    }
    let charge = batch.charges.get(slot.redisKey);
    if (charge === undefined) {
      charge = {
        slot,
        rule,
        key,
        period: slot.period,
        redisKey: slot.redisKey,
        expiry: slot.expiry,
        amount: 0n,
      };
      batch.charges.set(slot.redisKey, charge);
    }
    charge.amount += amount;
    let rec = batch.records[batch.records.length - 1];
    if (rec === undefined || rec.id !== recordId) {
      rec = { id: recordId, t, parts: [] };
      batch.records.push(rec);
      this.queuedRecords++;
      if (this.queuedRecords > this.maxQueued) this.dropOldest();
    }
    rec.parts.push([charge, pico]);
    this.schedule(batch.records.length >= this.maxBatch ? 0 : this.flushMs);
  }

  spent(rule: number, key: string, t: number): BudgetSpend | undefined {
    // A key this replica never saw is made (spend unknown, 0 until read) so that it gets read.
    const slot = this.slot(rule, key, t, false) ?? this.slot(rule, key, t, true);
    if (slot !== undefined && slot.reading === 0 && performance.now() - slot.readAt > this.refreshMs) {
      this.read(slot);
      this.schedule(this.flushMs);
    }
    return slot;
  }

  *keys(rule: number): IterableIterator<string> {
    const map = this.keyed[rule];
    if (map === undefined) return;
    for (const [key] of map.entries()) yield key;
  }

  available(): boolean {
    return !this.failClosed || this.state === 'up';
  }

  async sync(t: number, slots?: readonly BudgetSlotRef[]): Promise<void> {
    try {
      if (this.closed) return;
      if (slots === undefined) {
        await this.syncAll(t);
        return;
      }
      for (const s of slots) {
        const slot = this.slot(s.rule, s.key, t, true);
        if (slot !== undefined) this.read(slot);
      }
      // Down or lagging: the call must not wait again; the reads go out with the next exchange.
      if (this.state === 'down' || this.lagging) {
        this.schedule(0);
        return;
      }
      if (!(await this.nextAnswer(this.timeoutMs))) this.lagging = true;
    } catch (err) {
      this.fail(err);
    }
  }

  async flush(timeoutMs = this.timeoutMs): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.queue.length > 0 && performance.now() < deadline) {
      this.schedule(0);
      await this.nextAnswer(Math.max(1, deadline - performance.now()));
      if (this.state === 'down' && this.queue.length > 0) {
        await sleep(Math.min(this.retryMs, Math.max(0, deadline - performance.now())));
      }
    }
    return this.queue.length === 0;
  }

  clear(): void {
    for (const s of this.slots) if (s !== undefined) s.end = Number.NEGATIVE_INFINITY;
    for (const m of this.keyed) m?.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush(Math.max(this.timeoutMs, 1_000));
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake();
    if (this.queue.length > 0) {
      this.warn(
        `redis budget store closed with ${this.queuedRecords} record(s) Redis has not acknowledged; their spend is missing from the fleet's`,
      );
    }
    if (this.owned !== undefined) {
      const c = this.owned as { close?: () => Promise<unknown>; destroy?: () => void };
      try {
        const closing = this.state === 'up' ? c.close?.call(c) : undefined;
        if (closing !== undefined) await withTimeout(closing, this.timeoutMs).catch(() => undefined);
      } catch {
        // not open: destroyed below
      }
      try {
        c.destroy?.call(c);
      } catch {
        // already closed
      }
    }
  }

  health(): RedisBudgetStoreHealth {
    return {
      state: this.state,
      applied: this.stats.applied,
      queued: this.queuedRecords,
      dropped: this.stats.dropped,
      failures: this.stats.failures,
      ...(this.stats.lastError !== undefined ? { lastError: this.stats.lastError } : {}),
    };
  }

  /** The slot of `key` under rule `i`, rolled to the period of `t`; created when `create`. */
  private slot(i: number, key: string, t: number, create: boolean): Slot | undefined {
    const s = this.slots[i] ?? this.keyed[i]?.get(key, create);
    if (s !== undefined && (t < s.start || t >= s.end)) this.roll(s, i, key, t);
    return s;
  }

  private roll(s: Slot, i: number, key: string, t: number): void {
    const r = this.rules[i]!;
    if (r.period === 'total') {
      s.period = 'total';
      s.start = Number.NEGATIVE_INFINITY;
      s.end = Number.POSITIVE_INFINITY;
      s.expiry = -this.totalTtlMs;
    } else {
      const p = this.calendar.period(t, r.period);
      s.period = p.key;
      s.start = p.start;
      s.end = p.end;
      s.expiry = p.end + PERIOD_GRACE_MS;
    }
    s.redisKey = this.spendKey(r.scope, key, s.period);
    s.fleet = 0n;
    s.own = 0n;
    s.readAt = Number.NEGATIVE_INFINITY;
  }

  private spendKey(scope: string, key: string, period: string): string {
    return `${this.prefix}spend:${scope}:${key === '' ? NO_KEY : encodeURIComponent(key)}:${period}`;
  }

  /** Read the slot with the next exchange (one in flight may have started before the caller asked). */
  private read(slot: Slot): void {
    if (slot.reading === 1) return;
    slot.reading = 1;
    this.reads.push(slot);
  }

  private schedule(ms: number): void {
    if (this.closed || this.inFlight) return;
    if (ms === 0 && this.state !== 'down') {
      // At once, but after the caller's code: setImmediate, not setTimeout(0), which waits ≥ 1 ms.
      if (this.immediate) return;
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        void this.send();
      });
      return;
    }
    // While Redis is away the backoff timer stands: a full batch does not hammer a dead server.
    if (this.timer !== undefined || this.immediate) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.send();
    }, ms);
    this.timer.unref?.();
  }

  /** Send the oldest batch (with the reads waiting), then the next, one at a time. */
  private async send(): Promise<void> {
    if (this.inFlight || this.closed) return;
    const batch = this.queue[0];
    if (batch === undefined && this.reads.length === 0) return;
    this.inFlight = true;
    let again = 0;
    let gen = 0;
    /** Waiters answered: those of this exchange when it succeeded, all after a failure. */
    let woke = Number.POSITIVE_INFINITY;
    try {
      const client = await this.connected();
      if (client === undefined) {
        // Still connecting: wait without a warning (a refused connection reports itself as an error).
        if (this.state === 'unknown') {
          this.inFlight = false;
          this.schedule(this.retryMs);
          return;
        }
        throw new Error('no Redis connection');
      }
      const reads = this.reads;
      this.reads = [];
      for (const s of reads) s.reading = 2;
      if (batch !== undefined) batch.sent = true;
      gen = ++this.started;
      const ok = await this.exchange(client, batch, reads);
      if (ok) {
        woke = gen;
        this.retryWait = 0;
        again = this.queue.length > 0 ? 0 : -1;
      } else {
        for (const s of reads) if (s.reading === 2) this.read(s);
        again = this.backoff();
      }
    } catch (err) {
      this.fail(err);
      again = this.backoff();
    } finally {
      this.inFlight = false;
    }
    this.wake(woke);
    if (again >= 0) this.schedule(again);
    else if (this.reads.length > 0) this.schedule(this.waiters.length > 0 ? 0 : this.flushMs);
  }

  private backoff(): number {
    this.retryWait = this.retryWait === 0 ? this.retryMs : Math.min(MAX_RETRY_MS, this.retryWait * 2);
    return this.retryWait;
  }

  /** One script call; true when Redis answered in time. A late answer is still taken. */
  private async exchange(
    client: RedisCommandClient,
    batch: Batch | undefined,
    reads: Slot[],
  ): Promise<boolean> {
    const charges = batch === undefined ? [] : [...batch.charges.values()];
    const keys = [batch === undefined ? `${this.prefix}batch:none` : `${this.prefix}batch:${batch.id}`];
    const args = [String(this.dedupeTtlMs), String(charges.length)];
    for (const c of charges) {
      keys.push(c.redisKey);
      const th = this.thresholds[c.rule]!;
      args.push(c.amount.toString(), String(c.expiry), ...th);
    }
    const readKeys = reads.map((s) => s.redisKey);
    for (const k of readKeys) keys.push(k);
    // Without charges the marker is only read (GET of a key that never exists): no write.
    const pending = this.evalScript(client, keys, args).then(
      (reply) => {
        this.answer(batch, charges, reads, readKeys, reply);
        return true;
      },
      (err) => {
        this.fail(err);
        return false;
      },
    );
    const timedOut = Symbol('timeout');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      pending,
      new Promise<symbol>((resolve) => {
        // When the host's code held the event loop past the deadline, the answer may be waiting in
        // the socket: setImmediate runs after the poll phase has read it, so only a real delay counts.
        timer = setTimeout(() => setImmediate(() => resolve(timedOut)), this.batchTimeoutMs);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
    if (r === timedOut) {
      this.fail(new Error(`no answer within ${this.batchTimeoutMs} ms`));
      return false;
    }
    return r === true;
  }

  private async evalScript(client: RedisCommandClient, keys: string[], args: string[]): Promise<unknown> {
    const n = String(keys.length);
    if (this.sha !== undefined) {
      try {
        return await client.sendCommand(['EVALSHA', this.sha, n, ...keys, ...args]);
      } catch (err) {
        if (!String((err as Error)?.message ?? err).includes('NOSCRIPT')) throw err;
      }
    }
    const reply = await client.sendCommand(['EVAL', BATCH_SCRIPT, n, ...keys, ...args]);
    // Learn the script's digest for the next batches (EVAL has loaded it into the script cache).
    if (this.sha === undefined) {
      client.sendCommand(['SCRIPT', 'LOAD', BATCH_SCRIPT]).then(
        (sha) => {
          if (typeof sha === 'string') this.sha = sha;
        },
        () => undefined,
      );
    }
    return reply;
  }

  /** Take Redis's answer to a batch: acknowledge its spend and emit the crossings it decided. */
  private answer(
    batch: Batch | undefined,
    charges: Charge[],
    reads: Slot[],
    readKeys: string[],
    reply: unknown,
  ): void {
    if (!Array.isArray(reply)) throw new Error(`unexpected reply ${describeValue(reply)}`);
    const now = performance.now();
    this.up();
    for (let i = 0; i < reads.length; i++) {
      const s = reads[i]!;
      if (s.reading === 2) s.reading = 0;
      // A slot rolled into a new period meanwhile: its key changed, the value is of the old one.
      if (s.redisKey !== readKeys[i]) continue;
      const v = BigInt(String(reply[1 + i]));
      if (v > s.fleet) s.fleet = v;
      s.readAt = now;
    }
    if (batch === undefined || batch.acked) return;
    batch.acked = true;
    const i = this.queue.indexOf(batch);
    if (i >= 0) this.queue.splice(i, 1);
    this.queuedRecords -= batch.records.length;
    this.stats.applied += batch.records.length;
    const results = String(reply[0]).split(',');
    const befores: bigint[] = [];
    const masks: number[] = [];
    for (let j = 0; j < charges.length; j++) {
      const c = charges[j]!;
      const [before, mask] = (results[j] ?? '0:0').split(':');
      const b = BigInt(before ?? '0');
      befores.push(b);
      masks.push(Number(mask));
      if (Number(mask) < 0) {
        this.warn(
          `redis budget store: ${c.redisKey} would pass the 64-bit limit of a Redis integer ($9.2 million); the amount was not added`,
        );
      }
      const s = c.slot;
      if (s.redisKey === c.redisKey) {
        s.own -= c.amount;
        if (s.own < 0n) s.own = 0n;
        const after = b + c.amount;
        if (after > s.fleet) s.fleet = after;
        s.readAt = now;
      }
    }
    this.emitCrossings(batch, charges, befores, masks);
  }

  /** Each crossed threshold goes to the record of the batch whose running sum reached it. */
  private emitCrossings(batch: Batch, charges: Charge[], befores: bigint[], masks: number[]): void {
    for (let j = 0; j < charges.length; j++) {
      const mask = masks[j]!;
      if (!(mask > 0)) continue;
      const c = charges[j]!;
      const r = this.rules[c.rule]!;
      let sum = befores[j]!;
      let level = 0;
      for (const rec of batch.records) {
        for (const [charge, pico] of rec.parts) {
          if (charge !== c) continue;
          sum += BigInt(pico);
          while (level < 3 && sum >= BigInt(r.pico[level]!)) {
            if ((mask & (1 << level)) !== 0) {
              try {
                this.crossed({
                  rule: c.rule,
                  key: c.key,
                  level: level as 0 | 1 | 2,
                  spentPico: sum,
                  period: c.period,
                  at: rec.t,
                  recordId: rec.id,
                });
              } catch {
                // The tracker's listeners are guarded; nothing here may break the batch loop.
              }
            }
            level++;
          }
        }
      }
    }
  }

  private dropOldest(): void {
    // The oldest batch not yet sent and not taking records (a sent one may have been applied).
    const last = this.queue[this.queue.length - 1];
    const b = this.queue.find((x) => !x.sent && x !== last);
    if (b === undefined) return;
    this.queue.splice(this.queue.indexOf(b), 1);
    for (const rec of b.records)
      for (const [c, pico] of rec.parts) if (c.slot.redisKey === c.redisKey) c.slot.own -= BigInt(pico);
    this.queuedRecords -= b.records.length;
    this.stats.dropped += b.records.length;
    this.warn(
      `redis budget store: more than ${this.maxQueued} records waited for Redis; dropped ${b.records.length} (their spend is missing from the fleet's)`,
    );
  }

  private async syncAll(t: number): Promise<void> {
    const client = await this.connected(this.statusTimeoutMs);
    if (client === undefined) return;
    const deadline = performance.now() + this.statusTimeoutMs;
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i]!;
      if (isGlobal(r)) {
        this.read(this.slot(i, '', t, true)!);
        continue;
      }
      const period = r.period === 'total' ? 'total' : this.calendar.period(t, r.period).key;
      const head = `${this.prefix}spend:${r.scope}:`;
      const pattern = `${globEscape(head)}*:${globEscape(period)}`;
      let cursor = '0';
      do {
        const reply = await withTimeout(
          client.sendCommand(['SCAN', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT]),
          Math.max(1, deadline - performance.now()),
        );
        if (!Array.isArray(reply)) return;
        cursor = String(reply[0]);
        for (const k of reply[1] as unknown[]) {
          const name = String(k);
          const enc = name.slice(head.length, name.length - period.length - 1);
          let key: string;
          try {
            key = decodeURIComponent(enc);
          } catch {
            continue;
          }
          const slot = this.slot(i, key, t, true);
          if (slot !== undefined) this.read(slot);
        }
      } while (cursor !== '0' && performance.now() < deadline);
    }
    this.schedule(0);
    await this.nextAnswer(Math.max(1, deadline - performance.now()));
  }

  /**
   * Resolves at the answer (or failure) of the first exchange that starts after this call (so it
   * carries what the caller queued), or after `ms`.
   */
  private nextAnswer(ms: number): Promise<boolean> {
    const need = this.started + 1;
    const p = new Promise<boolean>((resolve) => {
      // As for batches: an answer already in the socket is read before the deadline counts.
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            const i = this.waiters.indexOf(w);
            if (i >= 0) this.waiters.splice(i, 1);
            resolve(false);
          }),
        ms,
      );
      timer.unref?.();
      const w = {
        need,
        done: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.waiters.push(w);
    });
    this.schedule(0);
    return p;
  }

  /** Wake the waiters an exchange numbered `gen` answers (every waiter after a failure: `Infinity`). */
  private wake(gen = Number.POSITIVE_INFINITY): void {
    // Nothing left to send or read: no later answer can tell a waiter more.
    if (this.queue.length === 0 && this.reads.length === 0) gen = Number.POSITIVE_INFINITY;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.need <= gen) w.done();
      else keep.push(w);
    }
    this.waiters = keep;
  }

  /** The client, connected; waits at most `ms` for the first connection, less if it fails. */
  private async connected(ms = this.timeoutMs): Promise<RedisCommandClient | undefined> {
    if (this.client !== undefined) return this.client;
    const failed = new Promise<undefined>((resolve) => this.onFail.push(() => resolve(undefined)));
    return withTimeout(Promise.race([this.connect(), failed]), ms).catch(() => undefined);
  }

  private connect(): Promise<RedisCommandClient | undefined> {
    if (this.client !== undefined) return Promise.resolve(this.client);
    this.connecting ??= this.makeClient().then(
      (c) => {
        this.client = c;
        return c;
      },
      (err) => {
        this.fail(err);
        this.connecting = undefined;
        return undefined;
      },
    );
    return this.connecting;
  }

  private async makeClient(): Promise<RedisCommandClient> {
    const mod = (await import('redis').catch((err) => {
      throw new Error(
        `the Redis budget store needs the optional peer dependency "redis" (npm install redis): ${(err as Error)?.message ?? err}`,
      );
    })) as unknown as { createClient: (o: object) => RedisCommandClient & EventEmitterLike & Connectable };
    const client = mod.createClient({
      url: this.url,
      // Fail fast while disconnected (the store keeps the batch and resends), reconnect quickly.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: Math.max(this.timeoutMs, 1_000),
        reconnectStrategy: (retries: number) =>
          Math.min(MAX_RETRY_MS, this.retryMs * 2 ** Math.min(retries, 5)),
      },
    });
    // Without a listener a lost connection would be an uncaught 'error' event: the host would crash.
    client.on('error', (err: unknown) => this.fail(err));
    this.owned = client;
    await client.connect();
    return client;
  }

  private up(): void {
    this.lagging = false;
    if (this.state === 'down' && this.heldBack === 0) {
      this.info(
        `redis budget store: Redis answers again; sending the ${this.queuedRecords} record(s) counted meanwhile`,
      );
    }
    this.state = 'up';
  }

  /** A failed exchange: count it, and warn once per outage. */
  private fail(err: unknown): void {
    const waiting = this.onFail;
    this.onFail = [];
    for (const f of waiting) f();
    this.stats.failures++;
    const message = redactSecrets(String((err as Error)?.message ?? err)).replace(/\/\/[^@/\s]*@/g, '//');
    this.stats.lastError = message;
    if (this.state !== 'down') {
      this.state = 'down';
      // Once per outage, and at most once a minute however often it comes and goes.
      const now = performance.now();
      if (now - this.warnedAt < WARN_INTERVAL_MS) {
        this.heldBack++;
        return;
      }
      this.warnedAt = now;
      const held = this.heldBack;
      this.heldBack = 0;
      this.warn(
        (held > 0 ? `(${held} more outage(s) in the last minute) ` : '') +
          `redis budget store: Redis unavailable (${message}); ${
            this.failClosed
              ? 'refusing budgeted calls (failClosed) until it answers'
              : 'counting spend in this process and letting calls through (fail-open)'
          }; what is counted meanwhile is sent when it answers`,
      );
    }
  }

  private warn(message: string): void {
    try {
      (this.logger ?? getLogger()).warn(message);
    } catch {
      // A broken logger must not break accounting.
    }
  }

  private info(message: string): void {
    try {
      const l = this.logger ?? getLogger();
      (l.info ?? l.warn).call(l, message);
    } catch {
      // as above
    }
  }
}

interface EventEmitterLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface Connectable {
  connect(): Promise<unknown>;
}

function isGlobal(r: BudgetRuleView): boolean {
  return r.scope === 'daily' || r.scope === 'monthly';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms)} ms`)), ms);
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}
