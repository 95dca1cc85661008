import { describe, expect, it } from 'vitest';
import { HISTOGRAM_GAMMA, HISTOGRAM_RELATIVE_ERROR, LogHistogram } from '../../../src/tracker/index.js';

const nearestRank = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

describe('LogHistogram', () => {
  it('states a relative error bound under 1%', () => {
    expect(HISTOGRAM_RELATIVE_ERROR).toBeCloseTo((HISTOGRAM_GAMMA - 1) / (HISTOGRAM_GAMMA + 1), 15);
    expect(HISTOGRAM_RELATIVE_ERROR).toBeLessThan(0.01);
  });

  it('every quantile of many distributions is within the bound of the exact nearest-rank value', () => {
    let seed = 99;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const dists: Record<string, () => number> = {
      uniform: () => Math.floor(rand() * 1e9),
      logUniform: () => Math.round(10 ** (rand() * 15)),
      bimodal: () => (rand() < 0.9 ? 5_000_000 + Math.floor(rand() * 1000) : 9e11),
      small: () => Math.floor(rand() * 40), // integers near the bottom, zeros included
      powersOfGamma: () => Math.round(HISTOGRAM_GAMMA ** Math.floor(rand() * 1500)), // bucket edges
    };
    for (const [name, gen] of Object.entries(dists)) {
      const h = new LogHistogram();
      const values: number[] = [];
      for (let i = 0; i < 20_000; i++) {
        const v = gen();
        values.push(v);
        h.addValue(v);
      }
      values.sort((a, b) => a - b);
      for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1]) {
        const exact = nearestRank(values, q);
        const got = h.quantile(q);
        if (exact === 0) expect([name, q, got]).toEqual([name, q, 0]);
        else expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR + 1e-12);
      }
      expect(h.buckets).toBeLessThan(2200);
    }
  });

  it('merging equals adding everything to one histogram; memory follows distinct buckets', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    const all = new LogHistogram();
    for (let i = 1; i <= 5000; i++) {
      const v = i * 7919;
      (i % 2 ? a : b).addValue(v);
      all.addValue(v);
    }
    a.mergeHistogram(b);
    expect(a.quantiles([0.1, 0.5, 0.9])).toEqual(all.quantiles([0.1, 0.5, 0.9]));
    expect([a.count, a.min, a.max]).toEqual([5000, 7919, 5000 * 7919]);
    const one = new LogHistogram();
    for (let i = 0; i < 1000; i++) one.addValue(123_456);
    expect(one.buckets).toBe(1);
    expect(one.quantile(0.5)).toBe(123_456); // clamped to the exact min/max
  });
});
