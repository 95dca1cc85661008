import { describe, expect, it } from 'vitest';
import { CallSample, type CostAggregate, STATUS_SUCCESS } from '../../../src/tracker/aggregate.js';
import { GroupTable } from '../../../src/tracker/groups.js';
import { normalizeUsage } from '../../../src/usage/token-usage.js';
import { seededRandom } from '../../helpers/seeded-random.js';

const sample = new CallSample();
/** Add one priced call of `pico` and `tokens` input tokens to `agg`. */
function call(agg: CostAggregate, pico: number, tokens: number): void {
  sample.set(pico, STATUS_SUCCESS, true, false, -1, normalizeUsage({ input: tokens }));
  agg.add(sample);
}

describe('GroupTable compaction', () => {
  it('keeps the costliest keys, the earlier of equal ones, and folds the rest into (other) exactly', () => {
    // Costs from a small set of values, so that many keys tie at the cut; some past 2^53 pico-USD, where
    // the table ranks by an approximation: multiples of 4,096 keep every sum here exact as a float too.
    const values = [0, 4_096, 5 * 4_096, 5_000 * 4_096, 2 ** 60, 3 * 2 ** 60];
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = seededRandom(seed);
      const max = 1 + Math.floor(rnd() * 12);
      const table = new GroupTable(max);
      // Reference: every call by key, in the order the keys were made.
      const spent = new Map<string, { pico: bigint; tokens: number; calls: number }>();
      for (let k = 0; k < 2 * max; k++) {
        const key = `k${k}`;
        const calls = 1 + Math.floor(rnd() * 3);
        const entry = { pico: 0n, tokens: 0, calls };
        for (let c = 0; c < calls; c++) {
          const pico = values[Math.floor(rnd() * values.length)]!;
          call(table.get(key), pico, c + 1);
          entry.pico += BigInt(pico);
          entry.tokens += c + 1;
        }
        spent.set(key, entry);
      }
      expect(table.size).toBe(2 * max);
      // The next new key compacts the table first.
      table.get('new');

      // What a stable sort by cost, highest first, keeps: ties stay in the order the keys were made.
      const ranked = [...spent].sort((a, b) =>
        a[1].pico === b[1].pico ? 0 : a[1].pico > b[1].pico ? -1 : 1,
      );
      const kept = new Set(ranked.slice(0, max).map(([k]) => k));
      const expectedKeys = [...spent.keys()].filter((k) => kept.has(k));
      expect([...table.map.keys()]).toEqual([...expectedKeys, 'new']);
      for (const k of expectedKeys) expect(table.map.get(k)!.totalPico()).toBe(spent.get(k)!.pico);

      const folded = ranked.slice(max).map(([, e]) => e);
      const other = table.other!.summary();
      expect(other.requests).toBe(folded.reduce((n, e) => n + e.calls, 0));
      expect(other.totalPico).toBe(folded.reduce((n, e) => n + e.pico, 0n));
      expect(other.tokens.input).toBe(folded.reduce((n, e) => n + e.tokens, 0));
    }
  });

  it('counts the folded keys out of its allowance', () => {
    const allowance = { used: 0, limit: 100 };
    const table = new GroupTable(3, allowance);
    for (let k = 0; k < 6; k++) call(table.get(`k${k}`), 10 * k, 1);
    expect(allowance.used).toBe(6);
    table.get('new'); // 6 keys: 3 stay (k5, k4, k3), then the new one
    expect([...table.map.keys()]).toEqual(['k3', 'k4', 'k5', 'new']);
    expect(allowance.used).toBe(4);
  });
});
