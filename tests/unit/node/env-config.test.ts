import { describe, expect, it } from 'vitest';
import { parseUsd } from '../../../src/node/env-config.js';

describe('parseUsd', () => {
  it('reads amounts with a dollar sign, thousands groups and digit separators', () => {
    expect(parseUsd('5')).toBe(5);
    expect(parseUsd(' $5 ')).toBe(5);
    expect(parseUsd('0.25')).toBe(0.25);
    expect(parseUsd('1,000')).toBe(1000);
    expect(parseUsd('1,000.50')).toBe(1000.5);
    expect(parseUsd('12,345,678.9')).toBe(12_345_678.9);
    expect(parseUsd('1_000')).toBe(1000);
    expect(parseUsd('1_000_000.5')).toBe(1_000_000.5);
  });

  it('takes a comma only in a thousands group: a decimal comma is no amount, not ten times one', () => {
    for (const text of [
      '1,5',
      '1,50',
      '0,001',
      '1.000,50',
      '1,2,3',
      ',5',
      '1,',
      '1,0000',
      '12,34,567',
      '1,000_000',
    ]) {
      expect(parseUsd(text), text).toBeNull();
    }
  });

  it('refuses what is not a plain amount', () => {
    for (const text of ['', '$', 'five', '-5', '+5', '1e3', '1.', '.5', '1__0', '_1', '1_', '5 USD', 'NaN']) {
      expect(parseUsd(text), text).toBeNull();
    }
  });
});
