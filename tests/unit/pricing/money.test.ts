import { describe, expect, it } from 'vitest';
import { usdText } from '../../../src/pricing/money.js';

/** A deterministic stream of integers in [0, 2^32) (a 32-bit LCG), so a failure repeats. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
    return x;
  };
}

describe('usdText: String(usd), made from whole picodollars', () => {
  it.each([
    // [amount, String's text], written out: the cases the fast path turns on
    [0, '0'],
    [1e-6, '0.000001'], // the smallest amount without an exponent
    [9.99999e-7, '9.99999e-7'], // below 1e-6 String writes an exponent
    [5e-7, '5e-7'],
    [1e-12, '1e-12'],
    [0.0025, '0.0025'], // trailing zeros in the low half
    [0.0129125, '0.0129125'],
    [0.000001000001, '0.000001000001'], // a zero run inside the fraction
    [0.120000000001, '0.120000000001'],
    [1, '1'],
    [1000, '1000'],
    [999.999999999999, '999.999999999999'], // 15 significant digits: still the fast path
    [1000.000000000001, '1000.000000000001'], // 16: written by String
    // 16 digits past 8192, where doubles are further apart than picodollars: String's text is not
    // the whole picodollars' (8500.000000000009 and …01 are the same double)
    [8_500_000_000_000_009 / 1e12, '8500.00000000001'],
    [0.1 + 0.2, '0.30000000000000004'], // not whole picodollars
    [1 / 3, '0.3333333333333333'],
    [9_007_199_254_740_991 / 1e12, '9007.199254740992'], // the largest safe integer of picodollars: 16 digits, String's own
    [1e21, '1e+21'],
    [Number.NaN, 'NaN'],
  ])('%s → %s', (amount, text) => {
    expect(usdText(amount)).toBe(text);
  });

  it('is String(amount) for every amount of up to 16 digits of picodollars (200,000 of them, seeded)', () => {
    const next = lcg(17);
    const misses: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Integers of 1 to 16 digits, and zero runs at either end of the fraction's two halves.
      const digits = 1 + (next() % 16);
      let pico = Math.floor((next() / 2 ** 32) * 10 ** digits);
      if (i % 4 === 1) pico -= pico % 1_000_000;
      if (i % 4 === 2) pico -= pico % 1000;
      const usd = pico / 1e12;
      if (usdText(usd) !== String(usd)) misses.push(`${pico} pico: ${usdText(usd)} ≠ ${String(usd)}`);
    }
    expect(misses.slice(0, 5)).toEqual([]);
  });
});
