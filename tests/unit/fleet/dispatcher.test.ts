import { describe, expect, it } from 'vitest';
import {
  type AlertChannel,
  AlertDeliveryError,
  AlertDispatcher,
  type AlertMessage,
  alertId,
  attachAlerts,
  toAlertMessage,
} from '../../../src/fleet/index.js';
import type { BudgetAlert } from '../../../src/tracker/budgets.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { memoryLogger } from '../../helpers/fleet-servers.js';
import { handResult } from '../../helpers/tracker-fixtures.js';

const alert = (over: Partial<BudgetAlert> = {}): BudgetAlert => ({
  scope: 'user',
  key: 'alice',
  level: 'warning',
  spent: 8,
  limit: 10,
  threshold: 0.8,
  period: '2026-12-04',
  at: Date.UTC(2026, 11, 4, 9),
  recordId: 'r1',
  ...over,
});

/** A channel that records what it is sent; `fail(n)` decides the n-th attempt (0-based). */
function fake(fail: (n: number) => Error | null = () => null, name = 'fake') {
  const sent: AlertMessage[] = [];
  let attempts = 0;
  const channel: AlertChannel = {
    name,
    async send(m) {
      const err = fail(attempts++);
      if (err) throw err;
      sent.push(m);
    },
  };
  return { channel, sent, attempts: () => attempts };
}

/** A channel whose sends wait until released. */
function gate(name = 'gate') {
  const sent: string[] = [];
  const waiting: (() => void)[] = [];
  const channel: AlertChannel = {
    name,
    send: (m) =>
      new Promise<void>((resolve) =>
        waiting.push(() => {
          sent.push(m.id);
          resolve();
        }),
      ),
  };
  const release = async () => {
    while (waiting.length > 0) {
      waiting.shift()!();
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  return { channel, sent, release, waiting };
}

describe('alert ids', () => {
  it('are made of scope, key, period, level and threshold; keys are URI-encoded', () => {
    expect(alertId(alert())).toBe('user/alice/2026-12-04/warning@0.8');
    expect(alertId(alert({ scope: 'daily', key: undefined, level: 'exceeded', threshold: 1 }))).toBe(
      'daily/-/2026-12-04/exceeded@1',
    );
    // Without encoding, key "a/b" in period "x" and key "a" in period "b/x" would collide.
    expect(alertId(alert({ key: 'a/b' }))).not.toBe(alertId(alert({ key: 'a', period: 'b/2026-12-04' })));
    expect(alertId(alert({ key: 'a/b' }))).toBe('user/a%2Fb/2026-12-04/warning@0.8');
  });

  it('the message carries the alert, its id, the ISO time and a text', () => {
    const m = toAlertMessage(alert(), 'pod-1');
    expect(m).toEqual({
      type: 'budget.alert',
      id: 'user/alice/2026-12-04/warning@0.8',
      scope: 'user',
      key: 'alice',
      level: 'warning',
      spent: 8,
      limit: 10,
      threshold: 0.8,
      period: '2026-12-04',
      at: Date.UTC(2026, 11, 4, 9),
      time: '2026-12-04T09:00:00.000Z',
      recordId: 'r1',
      text: 'Budget warning: user "alice" spent $8.00 of $10.00 (80% threshold) in 2026-12-04',
      source: 'pod-1',
    });
    // A key with a newline cannot forge a second line of text (JSON quoting).
    expect(toAlertMessage(alert({ key: 'x\nBudget exceeded' })).text).not.toContain('\n');
  });
});

describe('AlertDispatcher', () => {
  it('the listener only enqueues: nothing is sent inside record(), and it is sent right after', async () => {
    const f = fake();
    const t = new CostTracker({ budgets: { daily: 1 } });
    const d = attachAlerts(t, { channels: [f.channel] });
    t.record(handResult(2e12));
    expect(f.sent).toHaveLength(0);
    expect(d.health().channels[0]!.pending).toBe(3);
    expect(await d.flush(1_000)).toBe(true);
    expect(f.sent.map((m) => m.level)).toEqual(['warning', 'critical', 'exceeded']);
  });

  it('drops an alert whose id was already queued (e.g. re-fired after tracker.reset())', async () => {
    const f = fake();
    const t = new CostTracker({ now: () => Date.UTC(2026, 11, 4), budgets: { daily: 1 } });
    const d = attachAlerts(t, { channels: [f.channel], levels: ['exceeded'] });
    t.record(handResult(2e12));
    t.reset();
    t.record(handResult(2e12)); // the same crossing of the same day fires again
    expect(await d.flush(1_000)).toBe(true);
    expect(f.sent.map((m) => m.id)).toEqual(['daily/-/2026-12-04/exceeded@1']);
    expect(d.health().deduplicated).toBe(1);
  });

  it('a full queue drops the oldest waiting alert, never the one in flight, and says so once', async () => {
    const g = gate();
    const logger = memoryLogger();
    const d = new AlertDispatcher({ channels: [g.channel], queueSize: 3, logger });
    // All six arrive in one tick, before the worker starts: k3, k4 and k5 push out k0, k1 and k2.
    for (let i = 0; i < 6; i++) d.enqueue(alert({ key: `k${i}` }));
    await new Promise((r) => setTimeout(r, 5));
    await g.release();
    expect(await d.flush(1_000)).toBe(true);
    expect(g.sent).toEqual(['k3', 'k4', 'k5'].map((k) => `user/${k}/2026-12-04/warning@0.8`));
    expect(d.health().channels[0]).toMatchObject({ dropped: 3, delivered: 3, pending: 0 });
    expect(logger.lines.filter((l) => l.message.includes('queue full'))).toHaveLength(1);
  });

  it('keeps the in-flight alert when the queue overflows during a send', async () => {
    const g = gate();
    const d = new AlertDispatcher({ channels: [g.channel], queueSize: 2, logger: memoryLogger() });
    d.enqueue(alert({ key: 'first' }));
    await new Promise((r) => setTimeout(r, 5));
    expect(g.waiting).toHaveLength(1); // "first" is being sent
    d.enqueue(alert({ key: 'second' }));
    d.enqueue(alert({ key: 'third' })); // full: drops "second", not "first"
    await g.release();
    expect(await d.flush(1_000)).toBe(true);
    expect(g.sent).toEqual(['user/first/2026-12-04/warning@0.8', 'user/third/2026-12-04/warning@0.8']);
  });

  it('retries with exponential backoff and jitter, then drops after maxAttempts', async () => {
    const times: number[] = [];
    const f = fake((n) => {
      times.push(performance.now());
      return n < 10 ? new Error('boom') : null;
    });
    const d = new AlertDispatcher({
      channels: [f.channel],
      maxAttempts: 4,
      backoffMs: 20,
      random: () => 0,
      logger: memoryLogger(),
    });
    d.enqueue(alert());
    expect(await d.flush(2_000)).toBe(true);
    expect(f.attempts()).toBe(4);
    // random 0: half of 20, 40, 80 ms.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(gaps[2]).toBeGreaterThanOrEqual(39);
    expect(d.health().channels[0]).toMatchObject({
      delivered: 0,
      failedAttempts: 4,
      dropped: 1,
      lastError: 'boom',
    });
  });

  it('honours Retry-After when it is longer than the backoff, capped by maxBackoffMs', async () => {
    const times: number[] = [];
    const f = fake((n) => {
      times.push(performance.now());
      return n === 0 ? new AlertDeliveryError('HTTP 429', { retryable: true, retryAfterMs: 60_000 }) : null;
    });
    const d = new AlertDispatcher({
      channels: [f.channel],
      backoffMs: 1,
      maxBackoffMs: 80,
      logger: memoryLogger(),
    });
    d.enqueue(alert());
    expect(await d.flush(2_000)).toBe(true);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(79);
    expect(times[1]! - times[0]!).toBeLessThan(1_000);
  });

  it('a channel that throws synchronously or rejects with a non-Error is handled; enqueue never throws', async () => {
    const logger = memoryLogger();
    const sync: AlertChannel = {
      name: 'sync',
      send() {
        throw 'not an error';
      },
    };
    const d = new AlertDispatcher({ channels: [sync], maxAttempts: 1, logger });
    const hostile = new Proxy(alert(), {
      get() {
        throw new Error('trap');
      },
    });
    expect(() => d.enqueue(hostile)).not.toThrow();
    d.enqueue(alert());
    expect(await d.flush(1_000)).toBe(true);
    expect(d.health().channels[0]).toMatchObject({ dropped: 1, failedAttempts: 1 });
    expect(logger.lines).toHaveLength(1);
  });

  it('a channel of the user’s that never settles and ignores the signal still times out', async () => {
    let attempts = 0;
    const stuck: AlertChannel = {
      name: 'stuck',
      send: () => {
        attempts++;
        return new Promise<void>(() => {});
      },
    };
    const logger = memoryLogger();
    const d = new AlertDispatcher({ channels: [stuck], timeoutMs: 30, maxAttempts: 2, backoffMs: 1, logger });
    d.enqueue(alert());
    expect(await d.flush(2_000)).toBe(true);
    expect(attempts).toBe(2);
    expect(d.health().channels[0]).toMatchObject({ failedAttempts: 2, dropped: 1, lastError: 'timed out' });
  });

  it('a throwing logger does not stop deliveries', async () => {
    const f = fake((n) => (n === 0 ? new Error('x') : null));
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    logger.warn = () => {
      throw new Error('logger down');
    };
    const d = new AlertDispatcher({ channels: [f.channel], backoffMs: 1, failureThreshold: 1, logger });
    d.enqueue(alert());
    expect(await d.flush(1_000)).toBe(true);
    expect(f.sent).toHaveLength(1);
  });

  it('after close() alerts are refused; flush() resolves false at its timeout', async () => {
    const g = gate();
    const d = new AlertDispatcher({ channels: [g.channel] });
    d.enqueue(alert());
    expect(await d.flush(30)).toBe(false);
    await g.release();
    expect(await d.close(1_000)).toBe(true);
    d.enqueue(alert({ key: 'late' }));
    expect(d.health().refused).toBe(1);
  });

  it('rejects bad options with typed errors', () => {
    expect(() => new AlertDispatcher({ channels: 'x' as never })).toThrow(/channels/);
    expect(() => new AlertDispatcher({ channels: [{} as never] })).toThrow(/channels\[0\]/);
    expect(() => new AlertDispatcher({ channels: [], levels: ['panic' as never] })).toThrow(/levels/);
    expect(() => new AlertDispatcher({ channels: [], timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
