import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../helpers/cli.js';

// Price facts for the user price file (USD per 1M tokens).
const userPrices = {
  version: 1,
  models: [
    {
      id: 'house-model',
      provider: 'acme',
      aliases: ['house'],
      prices: { input: 4, cacheRead: 0.4, output: 16, reasoning: 20 },
    },
    {
      id: 'long-model',
      provider: 'acme',
      prices: { input: 1, output: 2 },
      contextTiers: [{ above: 100000, prices: { input: 2, output: 4 } }],
      serviceTiers: { batch: { multiplier: 0.5 } },
    },
  ],
  deployments: { 'prod-house-eastus': 'house-model' },
};
let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lc-cli-'));
  writeFileSync(join(dir, 'prices.json'), JSON.stringify(userPrices));
  writeFileSync(
    join(dir, 'bad.json'),
    JSON.stringify({ version: 1, models: [{ id: 'x', provider: 'p', prices: { input: -3, ouput: 1 } }] }),
  );
  env = { LANGFUSE_COST_PRICES: join(dir, 'prices.json') };
});

describe('langfuse-cost price', () => {
  it('prices a call from a user price file, as JSON', async () => {
    const r = await runCli(
      [
        'price',
        'house',
        '--input',
        '1200',
        '--cache-read',
        '800',
        '--output',
        '300',
        '--reasoning',
        '100',
        '--json',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const expected = (1200 * 4 + 800 * 0.4 + 300 * 16 + 100 * 20) / 1e6;
    expect(j.total).toBeCloseTo(expected, 12);
    expect(j.totalExact).toBe('0.011920000000');
    expect(j.resolvedModel).toBe('house-model');
    expect(j.source).toBe('override');
  });

  it('prints a readable table with tier and exact total', async () => {
    const r = await runCli(
      ['price', 'long-model', '--input', '150000', '--output', '1000', '--tier', 'batch'],
      { env },
    );
    expect(r.code).toBe(0);
    // > 100k prompt tokens: input $2, output $4 per 1M, batch ×0.5
    const expected = ((150000 * 2 + 1000 * 4) * 0.5) / 1e6;
    expect(r.stdout).toContain('tier: batch >100k');
    expect(r.stdout).toContain(`exact total: $${expected.toFixed(12)}`);
    expect(r.stdout).toMatch(/input\s+150,000\s+\$1\.00\s+\$0\.15/);
  });

  it('resolves a deployment name and explains the steps', async () => {
    const r = await runCli(['price', 'prod-house-eastus', '--input', '10', '--explain'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployment map');
    expect(r.stdout).toContain('acme/house-model');
  });

  it('prices real names with the bundled catalog', async () => {
    // gpt-4o: $2.50 input, $10 output per 1M tokens
    const r = await runCli(['price', 'gpt-4o-2024-08-06', '--input', '1200', '--output', '300', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.total).toBeCloseTo((1200 * 2.5 + 300 * 10) / 1e6, 12);
    expect(j.provider).toBe('openai');
    expect(j.source).toBe('catalog');
  });

  it('prices a JSON Lines batch and reports bad lines without stopping', async () => {
    const input = [
      JSON.stringify({ model: 'house-model', usage: { input: 1000, output: 1000 } }),
      JSON.stringify({ model: 'long-model', usage: { input: 200000 } }),
      'not json',
      JSON.stringify({ model: 'no-such-model-xyz', usage: { input: 1 } }),
      JSON.stringify({ model: 'house-model', usage: { input: -1 } }),
    ].join('\n');
    const r = await runCli(['price', '--batch'], { env, input });
    expect(r.code).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(lines[0].total).toBeCloseTo((1000 * 4 + 1000 * 16) / 1e6, 12);
    expect(lines[1].total).toBeCloseTo((200000 * 2) / 1e6, 12);
    expect(lines[2].error).toMatch(/JSON/);
    expect(lines[3].error).toBe('unknown model');
    expect(lines[4].error).toMatch(/usage\.input: is negative/);
    expect(r.stderr).toContain('priced 2 of 5 lines, total $0.420000000000'); // 0.02 + 0.4
  });

  it('--batch skips blank lines: they are not counted, and answers keep their line numbers', async () => {
    const call = JSON.stringify({ model: 'house-model', usage: { input: 1000 } });
    const r = await runCli(['price', '--batch'], { env, input: `${call}\n\n  \n${call}\n` });
    expect(r.code).toBe(0);
    const answers = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(answers.map((a) => a.line)).toEqual([1, 4]);
    // Two calls of 1,000 input tokens at $4 per million: $0.008.
    expect(r.stderr).toContain('priced 2 of 2 lines, total $0.008000000000');
  });

  it('explains what to do for an unknown model and bad flags', async () => {
    const unknown = await runCli(['price', 'no-such-model-xyz', '--input', '1'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No price for "no-such-model-xyz"');
    expect(unknown.stderr).toContain('LANGFUSE_COST_PRICES');
    const bad = await runCli(['price', 'house', '--input', 'lots'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--input must be a non-negative integer');
    const tier = await runCli(['price', 'house', '--tier', 'turbo'], { env });
    expect(tier.code).toBe(2);
    expect(tier.stderr).toContain('unknown service tier "turbo"');
  });
});

describe('langfuse-cost prices', () => {
  it('lists and searches models across layers', async () => {
    const r = await runCli(['prices', 'list', '--search', 'house'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/acme\s+house-model\s+\$4\.00\s+\$16\.00\s+\$0\.40\s+user/);
    const openai = await runCli(['prices', 'list', '--provider', 'openai', '--json']);
    const models = JSON.parse(openai.stdout) as { provider: string }[];
    expect(models.length).toBeGreaterThan(50);
    expect(new Set(models.map((m) => m.provider))).toEqual(new Set(['openai']));
  });

  it('shows the entry a name resolves to', async () => {
    const r = await runCli(['prices', 'show', 'long-model'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('prompt > 100,000 tokens:');
    expect(r.stdout).toContain('batch: ×0.5 of standard');
  });

  it('validates price files and names every bad field', async () => {
    const ok = await runCli(['prices', 'validate', join(dir, 'prices.json')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('2 models');
    const bad = await runCli(['prices', 'validate', join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('models[0].prices.input: negative price -3');
    expect(bad.stderr).toContain('models[0].prices.ouput: unknown price key');
  });
});

describe('units beyond tokens and self-hosted models (bundled prices; OpenAI pricing page)', () => {
  it.each([
    [['whisper-1', '--audio-seconds', '60'], '0.006000000000', 'catalog'], // $0.006 per minute
    [['tts-1', '--characters', '1000000'], '15.000000000000', 'catalog'], // $15 per 1M characters
    [['tts-1-hd', '--characters', '1000000'], '30.000000000000', 'catalog'], // $30 per 1M characters
    [['dall-e-3', '--images', '1'], '0.040000000000', 'catalog'], // standard 1024×1024
    [['dall-e-3/1792x1024/hd', '--images', '2'], '0.240000000000', 'catalog'], // 2 × $0.12
    [
      ['llama3.2:3b', '--provider', 'ollama', '--input', '1000', '--output', '1000'],
      '0.000000000000',
      'free',
    ],
  ])('price %j → $%s (%s)', async (args, exact, source) => {
    const r = await runCli(['price', ...args, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { totalExact: string; source: string };
    expect(j.totalExact).toBe(exact);
    expect(j.source).toBe(source);
  });

  it('the unit flags come from the bucket table and show in --help', async () => {
    const r = await runCli(['price', '--help']);
    for (const flag of ['--audio-seconds', '--characters', '--images']) expect(r.stdout).toContain(flag);
  });
});
