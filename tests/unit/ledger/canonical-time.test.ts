import { describe, expect, it } from 'vitest';
import { isCanonicalTime, isCanonicalTimeBytes } from '../../../src/ledger/check.js';

describe('isCanonicalTimeBytes', () => {
  it('agrees with isCanonicalTime on valid times and on every one-character change of them', () => {
    const times = [
      '2026-11-01T10:00:00.000Z',
      '2024-02-29T23:59:59.999Z', // a leap day
      '2026-02-28T00:00:00.000Z',
      '2100-02-28T12:30:45.123Z',
      '2000-02-29T01:02:03.004Z',
      '2026-12-31T19:09:09.909Z',
      '2026-04-30T20:00:00.000Z',
    ];
    // Characters around the digits' range and the separators, and bytes a decoder would not accept.
    const chars = ['0', '1', '2', '3', '4', '5', '6', '9', '/', ':', '-', 'T', '.', 'Z', ' ', 'a', '\u00ff'];
    let checked = 0;
    let valid = 0;
    for (const t of times) {
      for (let i = 0; i <= t.length; i++) {
        for (const c of chars) {
          for (const s of [t.slice(0, i) + c + t.slice(i + 1), t.slice(0, i) + c + t.slice(i)]) {
            const bytes = Buffer.from(`"${s}"`, 'latin1');
            const want = isCanonicalTime(s, 0, s.length);
            const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
            expect(isCanonicalTimeBytes(view, 1, bytes.length - 1), s).toBe(want);
            checked++;
            if (want) valid++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(5000);
    expect(valid).toBeGreaterThan(100);
  });
});
