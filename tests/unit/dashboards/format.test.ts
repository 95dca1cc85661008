/**
 * The one money and percentage format (src/dashboards/format.ts) that the CLI tables, `report`, the
 * demo and the HTML report share: expected texts written out by hand, and properties against an
 * independent exact rounding done here with bigints.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pct, usd } from '../../../src/cli/format.js';
import {
  formatPercent,
  formatPercentAmount,
  formatUsdAmount,
  formatUsdPico,
  parseUsdPico,
} from '../../../src/dashboards/format.js';

const P = 1_000_000_000_000n; // pico per USD

describe('formatUsdPico', () => {
  it.each([
    [0n, '$0.00'],
    [P, '$1.00'],
    [(1_005n * P) / 1000n, '$1.01'], // half-up at the cent
    [(1_234_565n * P) / 1000n, '$1,234.57'],
    [(12_345_678_900n * P) / 1000n, '$12,345,678.90'],
    [P / 2n, '$0.50'],
    [(12n * P) / 100n, '$0.12'],
    [(123_456n * P) / 10_000_000n, '$0.0123'],
    [(99_996n * P) / 100_000n, '$1.00'],
    [5_625_000_000n, '$0.00563'], // 3 significant digits under a cent, half-up
    [12_300_000n, '$0.0000123'],
    [1n, '$0.000000000001'],
    [-(5n * P) / 2n, '-$2.50'],
  ])('%s pico → %s', (pico, text) => {
    expect(formatUsdPico(pico)).toBe(text);
  });

  it('rounds half-up to the cent from $1, exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: P, max: 10n ** 10n * P }), (pico) => {
        const cents = (pico * 2n + 10n ** 10n) / (2n * 10n ** 10n);
        const text = `$${(cents / 100n).toLocaleString('en-US')}.${String(cents % 100n).padStart(2, '0')}`;
        expect(formatUsdPico(pico)).toBe(text);
      }),
    );
  });

  it('is a typed error for something other than a bigint', () => {
    expect(() => formatUsdPico(1 as unknown as bigint)).toThrow(/bigint/);
  });
});

describe('formatPercent', () => {
  it.each([
    [5205n, 10000n, '52.1%'],
    [52049n, 100000n, '52.0%'],
    [1n, 3n, '33.3%'],
    [2n, 3n, '66.7%'],
    [0n, 5n, '0.0%'],
    [5n, 0n, ''],
    [3n, 2n, '150.0%'],
  ])('%s of %s → %s', (part, whole, text) => {
    expect(formatPercent(part, whole)).toBe(text);
  });

  it('reads a SQL share_pct the same way', () => {
    expect(formatPercentAmount(52.05)).toBe('52.1%');
    expect(formatPercentAmount(100)).toBe('100.0%');
  });
});

describe('one format for USD held in doubles and in the CLI', () => {
  it('formatUsdAmount, parseUsdPico and the CLI helpers agree with formatUsdPico', () => {
    expect(formatUsdAmount(1234.565)).toBe('$1,234.57');
    expect(formatUsdAmount(0.005625)).toBe('$0.00563');
    expect(parseUsdPico('0.02966800196')).toBe(29_668_001_960n);
    expect(parseUsdPico('12')).toBe(12n * P);
    expect(parseUsdPico('x')).toBeNull();
    expect(usd(5_625_000_000n)).toBe('$0.00563');
    expect(usd(0.005625)).toBe('$0.00563');
    expect(pct(1n, 3n)).toBe('33.3%');
  });
});
