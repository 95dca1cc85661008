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
import { calculateCost } from '../../src/pricing/index.js';
import { CostTracker } from '../../src/tracker/index.js';
import { contractProperties, FUZZ_SEED } from '../helpers/error-contract.js';

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
});
