import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../src/errors.js';
import type { CostRecord } from '../../../src/ledger/record.js';
import { setLogger } from '../../../src/logger.js';
import {
  type CostSink,
  CostTracker,
  formatLogLine,
  LogSink,
  toLedgerLine,
} from '../../../src/tracker/index.js';
import { decimal12, handResult, PRICES, priced } from '../../helpers/tracker-fixtures.js';

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0);

/** Deterministic pseudo-random integers (xorshift), so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function captureWarnings(): { warnings: string[]; restore(): void } {
  const warnings: string[] = [];
  setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) });
  return {
    warnings,
    restore: () =>
      setLogger({
        debug() {},
        info: (m) => console.info(m),
        warn: (m) => console.warn(m),
        error: (m) => console.error(m),
      }),
  };
}

describe('CostTracker totals', () => {
  it('generates ids as one random prefix and the call sequence in base 36, across digit carries', () => {
    const t = new CostTracker({ recentLimit: 0 });
    const ids: string[] = [];
    for (let n = 1; n <= 47_000; n++) ids.push(t.record(handResult(1)).id);
    const prefix = ids[0]!.slice(0, ids[0]!.indexOf('-') + 1);
    expect(prefix).toMatch(/^[0-9a-f]{16}-$/);
    // 36, 1296 and 46656 are where a base-36 number gains a digit.
    for (const n of [1, 9, 10, 35, 36, 37, 71, 72, 1295, 1296, 1297, 46_655, 46_656, 46_657, 47_000]) {
      expect([n, ids[n - 1]]).toEqual([n, prefix + n.toString(36)]);
    }
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, id] of ids.entries())
      if (id !== prefix + (i + 1).toString(36)) expect([i + 1, id]).toBe(null);
  });

  it('sums 200,000 costs exactly (BigInt reference), including amounts past 2^53 pico in total', () => {
    const t = new CostTracker({ now: () => T0 });
    const next = rng(42);
    let expected = 0n;
    let floatSum = 0;
    for (let i = 0; i < 200_000; i++) {
      // Costs up to ~$0.107 with odd digits: a float sum of USD drifts, pico sums must not.
      const pico = (next() % 10_000_000) * 10_737 + (next() % 997);
      expected += BigInt(pico);
      floatSum += pico / 1e12;
      t.record(handResult(pico));
    }
    const s = t.stats();
    expect(s.totalPico).toBe(expected);
    expect(s.exact).toBe(decimal12(expected));
    expect(expected > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    // The naive float sum is off in the last digits; ours is the nearest double to the exact sum.
    expect(s.totalCost).toBe(Number(expected) / 1e12);
    expect(floatSum).not.toBe(Number(expected) / 1e12);
    expect(s.requests).toBe(200_000);
  });

  it('prices from the catalog land in totals, tokens by bucket, averages and cost per 1k tokens', () => {
    const t = new CostTracker({ now: () => T0 });
    t.record(priced('gpt-4o', { input: 1200, cacheRead: 300, output: 300 }));
    t.record(priced('claude-x', { input: 1000, cacheWrite: 2000, output: 500 }));
    const a =
      (1200 * PRICES['gpt-4o'].input + 300 * PRICES['gpt-4o'].cacheRead + 300 * PRICES['gpt-4o'].output) /
      1e6;
    const b =
      (1000 * PRICES['claude-x'].input +
        2000 * PRICES['claude-x'].cacheWrite +
        500 * PRICES['claude-x'].output) /
      1e6;
    const s = t.stats();
    expect(s.totalPico).toBe(BigInt(Math.round(a * 1e12)) + BigInt(Math.round(b * 1e12)));
    expect(s.totalCost).toBeCloseTo(a + b, 12);
    expect(s.tokens.input).toBe(2200);
    expect(s.tokens.cacheRead).toBe(300);
    expect(s.tokens.cacheWrite).toBe(2000);
    expect(s.tokens.output).toBe(800);
    expect(s.totalTokens).toBe(2200 + 300 + 2000 + 800);
    expect(s.avgCostPerRequest).toBeCloseTo((a + b) / 2, 12);
    expect(s.costPer1kTokens).toBeCloseTo(((a + b) * 1000) / 5300, 12);
    expect(s.maxCost).toBeCloseTo(Math.max(a, b), 12);
  });

  it('counts failures, cache hits and unpriced calls without a silent $0', () => {
    const cap = captureWarnings();
    try {
      const t = new CostTracker({ now: () => T0 });
      t.record(priced('mini', { input: 1000, output: 1000 }));
      const cached = t.record(priced('mini', { input: 1000, output: 1000 }), { cached: true });
      const failed = t.recordFailure({ model: 'mini', error: new Error('rate limited') });
      const billedFail = t.recordFailure({
        model: 'gpt-4o',
        error: 'timeout',
        result: priced('gpt-4o', { input: 400 }),
      });
      const unpricedFail = t.recordFailure({ model: 'mystery', error: 'boom', usage: { input: 50 } });
      const unp = t.recordUnpriced('mystery-2', 'acme', { input: 10, output: 5 });
      t.recordUnpriced('mystery-2', 'acme', { input: 10, output: 5 });

      expect(cached.status).toBe('cached');
      expect(cached.totalPico).toBe(0);
      expect(failed.status).toBe('error');
      expect(failed.error).toBe('rate limited');
      expect(failed.unpriced).toBeUndefined();
      expect(billedFail.totalPico).toBe(400 * PRICES['gpt-4o'].input * 1e6); // tokens × USD/1M × 1e12
      expect(unpricedFail.unpriced).toBe(true);
      expect(unp.unpriced).toBe(true);
      expect(toLedgerLine(unp).total_cost).toBeNull();
      expect(toLedgerLine(unp).cost_pico).toBeNull();

      const s = t.stats();
      expect(s.requests).toBe(7);
      expect(s.errors).toBe(3);
      expect(s.cached).toBe(1);
      expect(s.unpriced).toBe(3);
      const mini = (1000 * PRICES.mini.input + 1000 * PRICES.mini.output) / 1e6;
      const fail = (400 * PRICES['gpt-4o'].input) / 1e6;
      expect(s.totalCost).toBeCloseTo(mini + fail, 12);
      // Averages cover priced calls: mini, cached (0), failed (0), billed failure.
      expect(s.avgCostPerRequest).toBeCloseTo((mini + fail) / 4, 12);
      expect(s.tokens.input).toBe(1000 + 1000 + 400 + 50 + 10 + 10);
      // One warning per unpriced model, not per call.
      expect(cap.warnings.filter((w) => w.includes('mystery-2'))).toHaveLength(1);
    } finally {
      cap.restore();
    }
  });

  it('keeps a bounded window of recent records, oldest first, and ids are unique', () => {
    const t = new CostTracker({ recentLimit: 5, now: () => T0 });
    const recs: CostRecord[] = [];
    for (let i = 1; i <= 12; i++) recs.push(t.record(handResult(i)));
    expect(t.recent().map((r) => r.totalPico)).toEqual([8, 9, 10, 11, 12]);
    expect(t.recent(2).map((r) => r.totalPico)).toEqual([11, 12]);
    expect(new Set(recs.map((r) => r.id)).size).toBe(12);
    expect(t.stats().requests).toBe(12);
  });

  it('makes every record a plain object (Object.prototype, own keys in order), with few or with all optional fields', () => {
    const t = new CostTracker({ now: () => T0, storeText: true });
    const all = {
      spanId: 'span-1',
      traceId: 'trace-1',
      parentId: 'parent-1',
      sessionId: 's',
      userId: 'u',
      tenantId: 't',
      operation: 'op',
      service: 'svc',
      environment: 'prod',
      fallback: true,
      tags: ['a'],
      metadata: { k: 'v' },
      inputText: 'in',
      outputText: 'out',
      providedCost: 0.5,
    };
    const recs = [
      t.record(priced('gpt-4o', { input: 100, output: 10 })),
      t.record(priced('gpt-4o', { input: 100, output: 10 }), all),
      t.recordFailure({ model: 'gpt-4o', error: new Error('boom') }, all),
      t.recordUnpriced('nope', 'acme', { input: 5 }, all),
    ];
    for (const r of recs) {
      expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
      expect(r.constructor).toBe(Object);
      // A literal with the same keys in the same order: equal, and the same JSON text.
      const copy = { ...r };
      expect(r).toStrictEqual(copy);
      expect(JSON.stringify(r)).toBe(JSON.stringify(copy));
    }
    expect(Object.keys(recs[1]!)).toEqual([
      ...['id', 'startTime', 'endTime', 'durationMs', 'model', 'resolvedModel', 'provider'],
      ...['usage', 'costs', 'total', 'totalPico', 'source', 'estimated', 'tier', 'status'],
      ...['traceId', 'parentId', 'sessionId', 'userId', 'tenantId', 'operation', 'service', 'environment'],
      ...['fallback', 'tags', 'metadata', 'inputText', 'outputText', 'providedCost'],
    ]);
  });

  it('merges default attribution, drops text unless asked, and derives times', () => {
    const t = new CostTracker({
      now: () => T0,
      defaults: { environment: 'prod', tenantId: 'acme', tags: ['base'], metadata: { app: 'x' } },
    });
    const r = t.record(priced('mini', { input: 10 }), {
      spanId: 'span-1',
      traceId: 'trace-1',
      userId: 'u1',
      tags: ['extra'],
      metadata: { step: '2' },
      durationMs: 812,
      inputText: 'secret prompt',
    });
    expect(r.id).toBe('span-1');
    expect(r.environment).toBe('prod');
    expect(r.tenantId).toBe('acme');
    expect(r.userId).toBe('u1');
    expect(r.tags).toEqual(['base', 'extra']);
    expect(r.metadata).toEqual({ app: 'x', step: '2' });
    expect(r.inputText).toBeUndefined();
    expect(r.endTime).toBe(T0);
    expect(r.startTime).toBe(T0 - 812);
    const withText = new CostTracker({ storeText: true }).record(priced('mini', { input: 1 }), {
      inputText: 'p',
    });
    expect(withText.inputText).toBe('p');
    const line = toLedgerLine(withText);
    expect(line.input).toBe('p');
  });

  it('never throws into the caller because of a sink or a listener', () => {
    const cap = captureWarnings();
    try {
      const bad: CostSink = {
        write() {
          throw new Error('disk on fire');
        },
      };
      const seen: string[] = [];
      const good: CostSink = { write: (r) => seen.push(r.id) };
      const t = new CostTracker({ sinks: [bad, good] });
      t.on('record', () => {
        throw new Error('listener bug');
      });
      expect(() => t.record(priced('mini', { input: 1 }))).not.toThrow();
      expect(seen).toHaveLength(1);
      const broken = { ...priced('mini', { input: 1 }), usage: undefined } as unknown as ReturnType<
        typeof priced
      >;
      // A malformed result is refused with the typed error (counted), never half-recorded: the
      // totals, the sinks and reading them are unaffected.
      expect(() => t.record(broken)).toThrow(InvalidRecordError);
      expect(t.stats().requests).toBe(1);
      expect(seen).toHaveLength(1);
      expect(t.health()).toMatchObject({ recorded: 1, rejected: 1, lastRejection: { path: 'result.usage' } });
      expect(cap.warnings.some((w) => w.includes('disk on fire'))).toBe(true);
      expect(cap.warnings.some((w) => w.includes('listener bug'))).toBe(true);
    } finally {
      cap.restore();
    }
  });

  it('percentiles are within the histogram error bound of the exact nearest-rank values', () => {
    const t = new CostTracker({ now: () => T0 });
    const next = rng(7);
    const values: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      // Log-uniform over 6 decades, like real per-call costs.
      const v = Math.round(10 ** (4 + (next() % 600_000) / 100_000));
      values.push(v);
      t.record(handResult(v));
    }
    values.sort((a, b) => a - b);
    const s = t.stats();
    for (const [q, got] of [
      [0.5, s.p50],
      [0.9, s.p90],
      [0.99, s.p99],
    ] as const) {
      const exact = values[Math.ceil(q * values.length) - 1]! / 1e12;
      expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    expect(s.maxCost).toBe(values.at(-1)! / 1e12);
  });
});

describe('record ids', () => {
  it('draws the random prefix of generated ids only when an id is generated', () => {
    // Counts reads of globalThis.crypto (a process's first use of it loads Node's Web Crypto).
    const real = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    let reads = 0;
    Object.defineProperty(globalThis, 'crypto', {
      configurable: true,
      get: () => {
        reads++;
        return real.get ? real.get.call(globalThis) : real.value;
      },
    });
    try {
      const t = new CostTracker();
      const own = t.record(handResult(1_000), { spanId: 'run-1' });
      expect(own.id).toBe('run-1');
      expect(reads).toBe(0);
      const ids = [2, 3, 4].map((k) => t.record(handResult(k * 1_000)).id);
      expect(reads).toBe(1);
      // One prefix of 16 hex digits, then the sequence in base 36.
      const prefix = ids[0]!.slice(0, 17);
      expect(prefix).toMatch(/^[0-9a-f]{16}-$/);
      expect(ids).toEqual([`${prefix}1`, `${prefix}2`, `${prefix}3`]);
      expect(new CostTracker().record(handResult(1)).id.slice(0, 17)).not.toBe(prefix);
    } finally {
      Object.defineProperty(globalThis, 'crypto', real);
    }
  });
});

describe('groups', () => {
  function filled(): CostTracker {
    const t = new CostTracker({ now: () => T0 });
    // model, provider, session, user, tenant, operation, tags
    const calls: [string, number, Record<string, unknown>][] = [
      ['m1', 100, { sessionId: 's1', userId: 'u1', tenantId: 'tA', operation: 'chat', tags: ['x', 'y'] }],
      ['m1', 200, { sessionId: 's1', userId: 'u2', tenantId: 'tA', operation: 'chat', tags: ['x'] }],
      ['m2', 400, { sessionId: 's2', userId: 'u1', tenantId: 'tB', operation: 'embed' }],
      ['m3', 800, { userId: 'u3', tags: ['y', 'y'] }],
    ];
    for (const [model, pico, ctx] of calls) {
      t.record(handResult(pico, model, model === 'm2' ? 'anthropic' : 'openai'), ctx);
    }
    return t;
  }

  const cases: [Parameters<CostTracker['stats']>[0], Record<string, [number, number]>][] = [
    [{ groupBy: 'model' }, { m3: [1, 800], m2: [1, 400], m1: [2, 300] }],
    [{ groupBy: 'provider' }, { openai: [3, 1100], anthropic: [1, 400] }],
    [{ groupBy: 'session' }, { '(none)': [1, 800], s2: [1, 400], s1: [2, 300] }],
    [{ groupBy: 'user' }, { u3: [1, 800], u1: [2, 500], u2: [1, 200] }],
    [{ groupBy: 'tenant' }, { '(none)': [1, 800], tB: [1, 400], tA: [2, 300] }],
    [{ groupBy: 'operation' }, { '(none)': [1, 800], embed: [1, 400], chat: [2, 300] }],
    // A call counts once per distinct tag; duplicates on one call count once.
    [{ groupBy: 'tag' }, { y: [2, 900], '(none)': [1, 400], x: [2, 300] }],
  ];
  for (const [opts, want] of cases) {
    it(`groups by ${opts!.groupBy}, most expensive first`, () => {
      const g = filled().stats(opts).groups!;
      expect(g.map((x) => x.key)).toEqual(Object.keys(want));
      for (const x of g) {
        expect([x.requests, Number(x.totalPico)]).toEqual(want[x.key]);
      }
    });
  }

  it('bounds the number of groups: the lowest spenders fold into (other), totals stay exact', () => {
    const t = new CostTracker({ maxGroups: 10, now: () => T0 });
    let total = 0n;
    for (let i = 0; i < 1000; i++) {
      const pico = (i + 1) * 1000;
      total += BigInt(pico);
      t.record(handResult(pico), { sessionId: `s${i}` });
    }
    const s = t.stats({ groupBy: 'session' });
    const groups = s.groups!;
    expect(groups.length).toBeLessThanOrEqual(21);
    expect(groups.at(-1)!.key).toBe('(other)');
    expect(groups.reduce((a, g) => a + g.totalPico, 0n)).toBe(total);
    expect(groups.reduce((a, g) => a + g.requests, 0)).toBe(1000);
    // The most expensive session is kept whole.
    expect(groups[0]!.key).toBe('s999');
    expect(groups[0]!.totalPico).toBe(1_000_000n);
    const limited = t.stats({ groupBy: 'session', limit: 3 }).groups!;
    expect(limited.map((g) => g.key)).toEqual(['s999', 's998', 's997', '(other)']);
    expect(limited.reduce((a, g) => a + g.totalPico, 0n)).toBe(total);
  });

  it('can leave dimensions out, and says so when asked for one', () => {
    const t = new CostTracker({ dimensions: ['model'] });
    t.record(handResult(5));
    expect(t.stats({ groupBy: 'model' }).groups).toHaveLength(1);
    expect(() => t.stats({ groupBy: 'user' })).toThrow(/dimensions/);
  });

  it('names the windows and dimensions there are when asked for another', () => {
    const t = new CostTracker();
    t.record(handResult(5));
    const ask = (options: unknown) => () => t.stats(options as never);
    expect(ask({ window: 'today' })).toThrow(
      'options.window: expected one of all, minute, hour, day, calendarDay, calendarMonth, got "today"',
    );
    expect(ask({ groupBy: 'models' })).toThrow(
      'options.groupBy: expected one of model, provider, session, user, tenant, operation, environment, tag, got "models"',
    );
    expect(t.stats({ window: 'calendarDay', groupBy: 'model' }).groups).toHaveLength(1);
  });
});

describe('log sink', () => {
  it('writes the grep-able line through a replaceable logger', () => {
    const lines: string[] = [];
    const t = new CostTracker({ sinks: [new LogSink({ log: (l) => lines.push(l) })] });
    t.record(priced('gpt-4o', { input: 1200, output: 300 }), { durationMs: 812.4, sessionId: 'chat 1' });
    const cost = (1200 * PRICES['gpt-4o'].input + 300 * PRICES['gpt-4o'].output) / 1e6;
    expect(cost).toBe(0.006);
    expect(lines).toEqual([
      'model=gpt-4o tokens=1500 cost=$0.006000 source=catalog duration=812ms session="chat 1"',
    ]);

    const viaLogger: string[] = [];
    setLogger({ debug() {}, info: (m) => viaLogger.push(m), warn() {}, error() {} });
    try {
      const t2 = new CostTracker({ sinks: [new LogSink()] });
      t2.record(handResult(123), { durationMs: 5 });
      t2.recordFailure({ model: 'x', error: new Error('bad "quote"') }, { durationMs: 7 });
    } finally {
      setLogger({ debug() {}, info: console.info, warn: console.warn, error: console.error });
    }
    expect(viaLogger[0]).toBe('model=hand-model tokens=100 cost=$0.000000000123 source=catalog duration=5ms');
    expect(viaLogger[1]).toBe(
      'model=x tokens=0 cost=$0.000000 source=none duration=7ms status=error error="bad \\"quote\\""',
    );
    expect(formatLogLine({ ...t.recent(1)[0]!, unpriced: true })).toContain('cost=unpriced');
  });
});
