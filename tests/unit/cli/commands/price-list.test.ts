/**
 * `langfuse-cost price <model>` without token counts lists the model's prices: USD per 1M tokens for
 * every bucket it prices, per long-context tier and service tier, from price facts written here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUCKETS } from '../../../../src/usage/buckets.js';
import { runCli } from '../../../helpers/cli.js';

const prices = {
  version: 1,
  models: [
    {
      id: 'tiered-model',
      provider: 'acme',
      prices: { input: 2, cacheRead: 0.5, output: 8, perWebSearch: 0.01 },
      contextTiers: [{ above: 128000, prices: { input: 4, output: 16 } }],
      serviceTiers: { batch: { multiplier: 0.5 }, priority: { input: 3.5, output: 14 } },
    },
  ],
};
let env: Record<string, string>;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-price-list-'));
  writeFileSync(join(dir, 'prices.json'), JSON.stringify(prices));
  env = { LANGFUSE_COST_PRICES: join(dir, 'prices.json') };
});

describe('price <model> without token counts', () => {
  it('lists the price of every bucket, tier and service tier, per 1M tokens', async () => {
    const r = await runCli(['price', 'tiered-model'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const row = (tier: string) =>
      lines
        .find((l) => l.startsWith(`${tier} `))
        ?.trim()
        .split(/\s{2,}/);
    expect(lines.find((l) => l.startsWith('tier '))?.split(/\s{2,}/)).toEqual([
      'tier',
      'input',
      'cache-read',
      'output',
      'web-searches (per web search)',
    ]);
    expect(row('standard')).toEqual(['standard', '$2.00', '$0.50', '$8.00', '$0.01']);
    expect(row('>128k')).toEqual(['>128k', '$4.00', '$0.50', '$16.00', '$0.01']);
    // Priority names input and output; the rest keep the standard price.
    expect(row('priority')).toEqual(['priority', '$3.50', '$0.50', '$14.00', '$0.01']);
    expect(row('batch')).toEqual(['batch', '$1.00', '$0.25', '$4.00', '$0.005']);
    expect(row('batch >128k')).toEqual(['batch >128k', '$2.00', '$0.25', '$8.00', '$0.005']);
    expect(r.stdout).not.toContain('$0.00 ');
    expect(r.stdout).toMatch(/Without a price of their own: .*reasoning pays output/);
  });

  it('gives the same list as JSON, one key per bucket of the bucket table', async () => {
    const r = await runCli(['price', 'tiered-model', '--json'], { env });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { tiers: { tier: string; prices: Record<string, number> }[] };
    expect(j.tiers.map((t) => t.tier)).toEqual([
      'standard',
      '>128k',
      'priority',
      'priority >128k',
      'batch',
      'batch >128k',
    ]);
    const keys = Object.keys(j.tiers[0]!.prices);
    expect(keys).toEqual(BUCKETS.map((b) => b.key).filter((k) => keys.includes(k)));
    expect(j.tiers[0]!.prices).toEqual({ input: 2, cacheRead: 0.5, output: 8, webSearches: 0.01 });
  });

  it('lists one service tier with --tier', async () => {
    const r = await runCli(['price', 'tiered-model', '--tier', 'batch'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^batch\s+\$1\.00/m);
    expect(r.stdout).not.toMatch(/^standard/m);
  });

  it('still prices a call when token counts are given', async () => {
    const r = await runCli(['price', 'tiered-model', '--input', '1000', '--output', '100', '--json'], {
      env,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).total).toBeCloseTo((1000 * 2 + 100 * 8) / 1e6, 12);
  });
});
