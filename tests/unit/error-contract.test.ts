/**
 * The closed error contract (issue 13, item 1): whatever a caller passes — objects where strings
 * belong, getters and Proxy traps that throw, cycles, BigInts, Symbols, huge strings, null
 * prototypes, fake Dates — a public function returns a value of its documented shape or throws a
 * `LangfuseCostError`; the adapters never throw into the host at all.
 *
 * Property-based (fast-check) with a fixed seed so a failure reproduces; `scripts/fuzz.ts`
 * (`npm run fuzz`) runs the same properties with ≥ 100k cases on demand.
 */
import { describe, expect, it } from 'vitest';
import { LangfuseCostError } from '../../src/errors.js';
import * as ledger from '../../src/node/ledger/index.js';
import {
  calculateCost,
  collectCatalogIssues,
  decomposeModelName,
  importLiteLLM,
  PriceCatalog,
} from '../../src/pricing/index.js';
import {
  CostTracker,
  LedgerLineEncoder,
  parseTimeSpec,
  TypedEmitter,
  ZonedCalendar,
} from '../../src/tracker/index.js';
import { LEDGER_NOT_YET_CLOSED, SKIPPED_IO } from '../helpers/contract-surface.js';
import { contractProperties, FUZZ_SEED, NOT_YET_CLOSED } from '../helpers/error-contract.js';

/** Cases per property in `npm test` (the whole file stays well under 30 s on a busy machine). */
const RUNS = 400;

describe(`closed error contract (fast-check, seed ${FUZZ_SEED})`, () => {
  for (const p of contractProperties()) {
    it(p.name, () => {
      const runs = RUNS * (p.scale ?? 1);
      const r = p.run({ numRuns: runs, seed: FUZZ_SEED });
      expect(r.failures, r.firstFailure).toBe(0);
      expect(r.cases).toBeGreaterThanOrEqual(runs);
    });
  }

  it('the known escapes of issue 13 are typed errors now', () => {
    const q = { model: 'gpt-4o', usage: { input: 1 } };
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (e) {
        expect(e).toBeInstanceOf(LangfuseCostError);
        return (e as LangfuseCostError).code;
      }
    };
    expect(codeOf(() => calculateCost({ ...q, provider: {} as never }))).toBe('INVALID_USAGE');
    expect(codeOf(() => calculateCost({ ...q, serviceTier: {} as never }))).toBe('UNKNOWN_SERVICE_TIER');
    expect(codeOf(() => calculateCost({ ...q, serviceTier: Object.create(null) }))).toBe(
      'UNKNOWN_SERVICE_TIER',
    );
    expect(codeOf(() => calculateCost({ ...q, serviceTier: 'toString' }))).toBe('UNKNOWN_SERVICE_TIER');
    const t = new CostTracker();
    const r = calculateCost(q)!;
    expect(codeOf(() => t.record(r, { endTime: {} as never }))).toBe('INVALID_RECORD');
  });

  it('the escapes closed after the first round are typed errors, and leave nothing half done', () => {
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
        return undefined;
      } catch (e) {
        expect(e).toBeInstanceOf(LangfuseCostError);
        return (e as LangfuseCostError).code;
      }
    };
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(codeOf(() => decomposeModelName({} as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseTimeSpec('7d', { now: '1' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => parseTimeSpec({} as never, { now: 0 }))).toBe('INVALID_ARGUMENT');
    expect(
      codeOf(() =>
        importLiteLLM({
          get 'gpt-4o'() {
            throw new Error('getter');
          },
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    // An unreadable document is a validation issue, not a crash.
    expect(collectCatalogIssues({ version: 10n, models: [] })).toHaveLength(1);
    expect(collectCatalogIssues(trap)[0]!.path).toBe('$');
    expect(codeOf(() => new PriceCatalog().override(null as never))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new PriceCatalog({ freeProviders: 'ollama' as never }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new ZonedCalendar('UTC').period(1e300, 'day'))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => new ZonedCalendar('UTC').dayStart('tomorrow'))).toBe('INVALID_ARGUMENT');
    // A capacity of 0 used to loop forever on the first line.
    expect(codeOf(() => new LedgerLineEncoder('local', 0))).toBe('INVALID_ARGUMENT');
    const enc = new LedgerLineEncoder('local', 64);
    expect(codeOf(() => enc.line({ id: 'r1', usage: trap } as never))).toBe('INVALID_ARGUMENT');
    expect(enc.length).toBe(0);
    // Listeners live in a Map: an event named like an Object.prototype member is just a name.
    const em = new TypedEmitter<Record<string, () => void>>();
    expect(codeOf(() => em.emit('toString'))).toBeUndefined();
    expect(em.listenerCount('__proto__')).toBe(0);
  });

  it('says what stays outside the fuzzed surface, and why', () => {
    expect([...NOT_YET_CLOSED]).toEqual([]);
    // The ledger readers and writers of langfuse-cost/node are work in progress elsewhere.
    for (const name of LEDGER_NOT_YET_CLOSED)
      expect(typeof (ledger as Record<string, unknown>)[name]).toBe('function');
    for (const why of Object.values(SKIPPED_IO)) expect(why).not.toBe('');
  });
});
