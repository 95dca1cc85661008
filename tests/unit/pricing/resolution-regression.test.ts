import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { calculateCost } from '../../../src/pricing/index.js';

/**
 * The resolution regression set: real model ids as callers send them, each with the provider the call
 * must be attributed to and the published list price per 1M input and output tokens, written as data
 * in tests/fixtures/pricing/resolution-regression.json (from the providers' price pages as recorded by
 * LiteLLM's model map and genai-prices' data), never read from this library's catalog. A resolver
 * change that sends any of them to another model, another provider or another price fails here.
 */
interface Case {
  model: string;
  hint?: string;
  provider: string;
  /** USD per 1M input tokens. */
  input: number;
  /** USD per 1M output tokens. */
  output: number;
  /** Whose published price page the price comes from. */
  page: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/pricing/resolution-regression.json', import.meta.url), 'utf8'),
) as { cases: Case[] };
const cases = fixture.cases;

/** Tokens priced per bucket: 10k stays under every long-context threshold. */
const TOKENS = 10_000;
/** The day the fixture's prices were read: prices in force then, whatever today is. */
const AT = '2026-11-23';
/** Picodollars per USD. */
const PICO = 1_000_000_000_000;

/**
 * Expected picodollars for `tokens` at `perMillion` USD per 1M tokens: micro-USD per 1M (the fixture's
 * prices have at most 6 decimals) times tokens, in integers.
 */
function expectedPico(perMillion: number, tokens: number): number {
  return Math.round(perMillion * 1e6) * tokens;
}

describe('resolution regression set', () => {
  it('has at least 300 real ids from at least 15 providers', () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    expect(new Set(cases.map((c) => c.provider)).size).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.map((c) => [`${c.model}${c.hint ? ` (hint ${c.hint})` : ''}`, c] as const))(
    '%s',
    (_name, c) => {
      const r = calculateCost({
        model: c.model,
        ...(c.hint ? { provider: c.hint } : {}),
        usage: { input: TOKENS, output: TOKENS },
        at: AT,
      });
      expect(r, 'priced').not.toBeNull();
      expect(r!.source).not.toBe('fallback');
      expect(r!.provider).toBe(c.provider);
      expect(Math.round(r!.costs.input * PICO)).toBe(expectedPico(c.input, TOKENS));
      expect(Math.round(r!.costs.output * PICO)).toBe(expectedPico(c.output, TOKENS));
    },
  );
});
