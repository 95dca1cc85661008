/**
 * A tracker that cannot be poisoned (issue 13, item 2): `record`, `recordUnpriced` and
 * `recordFailure` refuse what would corrupt the totals with an `InvalidRecordError`
 * (`INVALID_RECORD`), count it in `health()`, and after any sequence of calls `stats()`,
 * `budgetStatus()` and every export still work and stay exact — checked against a BigInt oracle
 * computed from the prices written here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../src/errors.js';
import type { CostResult } from '../../../src/pricing/cost-result.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { USAGE_BUCKETS } from '../../../src/usage/buckets.js';
import { parseCsv } from '../../helpers/csv.js';

/** USD per 1M tokens; in picodollars per token: input 2,500,000, output 10,000,000. */
const catalog = PriceCatalog.fromData({
  version: 1,
  models: [{ id: 'm', provider: 'p', prices: { input: 2.5, output: 10 } }],
});
const PICO_IN = 2_500_000n;
const PICO_OUT = 10_000_000n;
const T0 = Date.UTC(2026, 5, 1, 12);

function priced(input: number, output: number): CostResult {
  return calculateCost({ model: 'm', provider: 'p', usage: { input, output } }, catalog)!;
}

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function tracker(): CostTracker {
  return new CostTracker({
    now: () => T0,
    budgets: { daily: { limit: 1000 }, perUser: { limit: 1000 } },
    recentLimit: 10_000,
    logger: silent,
  });
}

/** The poisonings of the probe, and more of the same kind. */
const POISONS: [string, (r: CostResult) => unknown, string][] = [
  ['totalPico -Infinity', (r) => ({ ...r, totalPico: Number.NEGATIVE_INFINITY }), 'result.totalPico'],
  ['totalPico 1.5', (r) => ({ ...r, totalPico: 1.5 }), 'result.totalPico'],
  ['totalPico "12"', (r) => ({ ...r, totalPico: '12' }), 'result.totalPico'],
  ['totalPico NaN', (r) => ({ ...r, totalPico: Number.NaN }), 'result.totalPico'],
  ['totalPico -5', (r) => ({ ...r, totalPico: -5, total: -5e-12 }), 'result.totalPico'],
  ['totalPico 2^53', (r) => ({ ...r, totalPico: 2 ** 53, total: 2 ** 53 / 1e12 }), 'result.totalPico'],
  ['totalPico 12n', (r) => ({ ...r, totalPico: 12n }), 'result.totalPico'],
  ['total -1', (r) => ({ ...r, total: -1 }), 'result.total'],
  ['total disagreeing with totalPico', (r) => ({ ...r, total: r.total * 2 + 1 }), 'result.total'],
  ['a negative bucket', (r) => ({ ...r, costs: { ...r.costs, input: -1 } }), 'result.costs.input'],
  [
    'buckets not adding up',
    (r) => ({ ...r, costs: { ...r.costs, output: r.costs.output + 0.5 } }),
    'result.costs',
  ],
  ['usage -100', (r) => ({ ...r, usage: { ...r.usage, input: -100 } }), 'result.usage.input'],
  ['usage "7"', (r) => ({ ...r, usage: { ...r.usage, output: '7' } }), 'result.usage.output'],
  ['no usage', (r) => ({ ...r, usage: undefined }), 'result.usage'],
  ['a model that is an object', (r) => ({ ...r, model: {} }), 'result.model'],
  ['an unknown source', (r) => ({ ...r, source: 'bogus' }), 'result.source'],
  ['a source in other case', (r) => ({ ...r, source: 'Catalog' }), 'result.source'],
  ['a source String object', (r) => ({ ...r, source: new String('catalog') }), 'result.source'],
  ['no source', (r) => ({ ...r, source: undefined }), 'result.source'],
  ['providedCost Infinity', (r) => ({ ...r, providedCost: Number.POSITIVE_INFINITY }), 'result.providedCost'],
  [
    'a getter that throws',
    (r) =>
      Object.defineProperty({ ...r }, 'totalPico', {
        get: () => {
          throw new Error('boom');
        },
      }),
    'result',
  ],
];

const CTX_POISONS: [string, unknown, string][] = [
  ['endTime {}', { endTime: {} }, 'ctx.endTime'],
  ['an invalid Date', { startTime: new Date(Number.NaN) }, 'ctx.startTime'],
  ['a time no Date can hold', { endTime: 9e15 }, 'ctx.endTime'],
  ['a fake Date', { endTime: Object.create(Date.prototype) }, 'ctx.endTime'],
  ['durationMs Infinity', { durationMs: Number.POSITIVE_INFINITY }, 'ctx.durationMs'],
  ['durationMs -5', { durationMs: -5 }, 'ctx.durationMs'],
  ['a userId that is a number', { userId: 42 }, 'ctx.userId'],
  ['a BigInt tag', { tags: ['a', 1n] }, 'ctx.tags[1]'],
  ['a BigInt in metadata', { metadata: { a: 1n } }, 'ctx.metadata.a'],
  ['providedCost -1', { providedCost: -1 }, 'ctx.providedCost'],
  ['a context that is a string', 'user-1', 'ctx'],
];

function expectHealthy(t: CostTracker, oraclePico: bigint, requests: number): void {
  const s = t.stats();
  expect(s.totalPico).toBe(oraclePico);
  expect(s.requests).toBe(requests);
  for (const b of t.budgetStatus()) {
    expect(Number.isFinite(b.spent)).toBe(true);
    expect(b.spent).toBeGreaterThanOrEqual(0);
  }
  const daily = t.budgetStatus().find((b) => b.scope === 'daily')!;
  expect(Math.round(daily.spent * 1e12)).toBe(Number(oraclePico));
  const jsonl = t.export({ format: 'jsonl' });
  const lines =
    jsonl === ''
      ? []
      : jsonl
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toHaveLength(requests);
  let sum = 0n;
  for (const l of lines) {
    const pico = l.cost_pico as number | null;
    if (pico !== null) {
      expect(Number.isSafeInteger(pico) && pico >= 0).toBe(true);
      sum += BigInt(pico);
    }
    expect(l.total_cost === null || (l.total_cost as number) >= 0).toBe(true);
    for (const v of Object.values(l.usage_details as Record<string, number>))
      expect(v).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(l.start_time as string))).toBe(false);
  }
  expect(sum).toBe(oraclePico);
  const json = JSON.parse(t.export({ format: 'json' })) as unknown[];
  expect(json).toHaveLength(requests);
  const csv = parseCsv(t.export({ format: 'csv' }));
  expect(csv.length).toBe(requests + 1);
}

describe('a tracker that cannot be poisoned', () => {
  it.each(POISONS)(
    'refuses a result with %s (INVALID_RECORD, counted, totals untouched)',
    (_name, poison, path) => {
      const t = tracker();
      t.record(priced(1000, 100), { userId: 'u' });
      const before = 1000n * PICO_IN + 100n * PICO_OUT;
      let err: unknown;
      try {
        t.record(poison(priced(5, 5)) as CostResult, { userId: 'u' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidRecordError);
      expect((err as InvalidRecordError).code).toBe('INVALID_RECORD');
      expect((err as InvalidRecordError).path).toBe(path);
      expect(t.health()).toMatchObject({ recorded: 1, rejected: 1, lastRejection: { path } });
      expectHealthy(t, before, 1);
    },
  );

  it('takes a result from each of the six price sources', () => {
    const t = tracker();
    const sources = ['override', 'catalog', 'synced', 'fallback', 'free', 'provided'] as const;
    for (const source of sources) expect(t.record({ ...priced(1, 1), source }).source).toBe(source);
    expect(t.health()).toMatchObject({ recorded: sources.length, rejected: 0 });
  });

  it.each(CTX_POISONS)('refuses a context with %s', (_name, ctx, path) => {
    const t = tracker();
    expect(() => t.record(priced(1, 1), ctx as never)).toThrow(InvalidRecordError);
    expect(() => t.recordUnpriced('x', 'y', { input: 1 }, ctx as never)).toThrow(InvalidRecordError);
    expect(() => t.recordFailure({ model: 'x', error: 'e' }, ctx as never)).toThrow(InvalidRecordError);
    expect(t.health().rejected).toBe(3);
    expect(t.health().lastRejection?.path).toBe(path);
    expectHealthy(t, 0n, 0);
  });

  it('refuses bad unpriced and failed calls too', () => {
    const t = tracker();
    expect(() => t.recordUnpriced({} as never, undefined, { input: 1 })).toThrow(InvalidRecordError);
    expect(() => t.recordUnpriced('x', 7 as never, { input: 1 })).toThrow(InvalidRecordError);
    expect(() => t.recordUnpriced('x', undefined, { input: -1 })).toThrow(InvalidRecordError);
    expect(() => t.recordUnpriced('x', undefined, null as never)).toThrow(InvalidRecordError);
    expect(() => t.recordFailure(null as never)).toThrow(InvalidRecordError);
    expect(() => t.recordFailure({ model: 1 } as never)).toThrow(InvalidRecordError);
    expect(() =>
      t.recordFailure({ model: 'x', error: 'e', result: { ...priced(1, 1), totalPico: -1 } }),
    ).toThrow(InvalidRecordError);
    // A failure's invalid usage (without a result) is not a reason to lose the failure: it is kept
    // with no usage, and a warning.
    expect(t.recordFailure({ model: 'x', error: 'e', usage: { input: -1 } }).usage.input).toBe(0);
    expect(t.health()).toMatchObject({ recorded: 1, rejected: 7 });
    expectHealthy(t, 0n, 1);
  });

  it('holds copies: changing a result, its usage or its tags afterwards changes nothing', () => {
    const t = tracker();
    const r = priced(10, 10);
    const tags = ['a'];
    const rec = t.record(r, { tags, userId: 'u' });
    (r.usage as { input: number }).input = -1;
    (r.costs as { input: number }).input = -1;
    r.totalPico = Number.NaN;
    tags.push(1n as never);
    expect(rec.usage.input).toBe(10);
    expect(rec.tags).toEqual(['a']);
    expectHealthy(t, 10n * PICO_IN + 10n * PICO_OUT, 1);
  });

  it('reads each field once: a Proxy that answers valid, then garbage, cannot slip through', () => {
    const t = tracker();
    const usage = { ...priced(3, 4).usage };
    let reads = 0;
    // One read per bucket is allowed; a second read of anything answers garbage.
    const flip = new Proxy(usage, {
      get: (o, k) => (reads++ < USAGE_BUCKETS.length ? o[k as keyof typeof o] : -1),
    });
    t.record({ ...priced(3, 4), usage: flip });
    expectHealthy(t, 3n * PICO_IN + 4n * PICO_OUT, 1);
  });

  it('a clock stepped back between start and end gives duration 0, not a rejection', () => {
    const t = tracker();
    const rec = t.record(priced(1, 1), { startTime: T0 + 5000, endTime: T0 });
    expect(rec.durationMs).toBe(0);
    expect(rec.startTime).toBe(T0);
  });

  it('after any sequence of valid and poisoned calls, stats, budgets and exports are exact (fast-check)', () => {
    const call = fc.oneof(
      fc.record({
        kind: fc.constant('ok' as const),
        input: fc.nat(2_000_000),
        output: fc.nat(500_000),
        user: fc.constantFrom('u1', 'u2'),
      }),
      fc.record({ kind: fc.constant('unpriced' as const), input: fc.nat(1000) }),
      fc.record({ kind: fc.constant('failure' as const), input: fc.nat(1000) }),
      fc.record({ kind: fc.constant('poison' as const), which: fc.nat(POISONS.length - 1) }),
      fc.record({ kind: fc.constant('badctx' as const), which: fc.nat(CTX_POISONS.length - 1) }),
    );
    fc.assert(
      fc.property(fc.array(call, { maxLength: 40 }), (calls) => {
        const t = tracker();
        let oracle = 0n;
        let accepted = 0;
        let rejected = 0;
        for (const c of calls) {
          try {
            if (c.kind === 'ok') {
              t.record(priced(c.input, c.output), { userId: c.user });
              oracle += BigInt(c.input) * PICO_IN + BigInt(c.output) * PICO_OUT;
            } else if (c.kind === 'unpriced') t.recordUnpriced('mystery', 'acme', { input: c.input });
            else if (c.kind === 'failure')
              t.recordFailure({ model: 'm', error: new Error('429'), usage: { input: c.input } });
            else if (c.kind === 'poison') t.record(POISONS[c.which]![1](priced(7, 7)) as CostResult);
            else t.record(priced(7, 7), CTX_POISONS[c.which]![1] as never);
            accepted++;
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidRecordError);
            rejected++;
          }
        }
        expect(t.health()).toMatchObject({ recorded: accepted, rejected });
        expectHealthy(t, oracle, accepted);
      }),
      { numRuns: 150, seed: 1313 },
    );
  });
});
