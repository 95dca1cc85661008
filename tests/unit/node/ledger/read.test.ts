import { describe, expect, it } from 'vitest';
import { boundText, StartTimeWindow } from '../../../../src/node/ledger/read.js';

// Ledger times in the ledger's own form (24 characters, compared as text) and in others (parsed).
const T2026 = '2026-11-01T10:00:00.000Z';
const T0050 = '0050-03-01T00:00:00.000Z';
const T9999 = '9999-12-31T23:59:59.999Z';
const PARSED = '2026-11-01T10:00:00Z'; // 20 characters: parsed, not compared as text
const ms = (iso: string) => Date.parse(iso);
const YEAR_10000 = ms('+010000-01-01T00:00:00.000Z');
const YEAR_MINUS_1 = ms('-000001-01-01T00:00:00.000Z');

describe('StartTimeWindow', () => {
  it('compares the ledger form as text and other forms as instants', () => {
    const w = new StartTimeWindow(ms('2026-11-01T00:00:00.000Z'), ms('2026-11-02T00:00:00.000Z'));
    expect([T2026, PARSED, T0050, T9999].map((t) => w.has(t))).toEqual([true, true, false, false]);
    expect(w.has('2026-11-02T00:00:00.000Z')).toBe(false); // the end is exclusive
    expect(w.has('2026-11-01T00:00:00.000Z')).toBe(true);
  });

  it('takes bounds past the years 0–9999 (which ISO text writes with a sign) as open or closed ends', () => {
    const all = [T0050, T2026, T9999, PARSED];
    const has = (from: number | undefined, to: number | undefined) => {
      const w = new StartTimeWindow(from, to);
      return all.map((t) => w.has(t));
    };
    // --to 9999-12-31 (the year 10000): every time is before it.
    expect(has(undefined, YEAR_10000)).toEqual([true, true, true, true]);
    expect(has(ms(T0050), YEAR_10000)).toEqual([true, true, true, true]);
    // From the year -1: every time is after it; up to it: none.
    expect(has(YEAR_MINUS_1, undefined)).toEqual([true, true, true, true]);
    expect(has(undefined, YEAR_MINUS_1)).toEqual([false, false, false, false]);
    // From the year 10000: none.
    expect(has(YEAR_10000, undefined)).toEqual([false, false, false, false]);
  });

  it('boundText orders as the instants do against every ledger time', () => {
    const bounds = [YEAR_MINUS_1, ms(T0050), ms(T2026), ms(T9999), YEAR_10000];
    for (const b of bounds)
      for (const t of [T0050, T2026, T9999]) expect(t < boundText(b), `${t} < ${b}`).toBe(ms(t) < b);
  });
});
