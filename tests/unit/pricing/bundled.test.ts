import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogIndexJson } from '../../../src/pricing/bundled/catalog-data.js';
import { bundledCatalog, bundledIndexPlan } from '../../../src/pricing/bundled/index.js';
import { PriceCatalog } from '../../../src/pricing/catalog.js';
import { planIndex } from '../../../src/pricing/index-plan.js';
import type { CatalogData, CatalogModel } from '../../../src/pricing/types.js';
import { collectCatalogIssues } from '../../../src/pricing/validate.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BUNDLED_DIR = join(ROOT, 'src/pricing/bundled');
const data: CatalogData = bundledCatalog;
const TOKEN_MODES = new Set(['chat', 'completion', 'embedding', 'responses', undefined]);
const GENERATION_DAY = '2031-02-03';
const OTHER_GENERATION_DAY = '2031-02-04';

/** The catalog with its provenance date removed. */
function withoutDate(c: CatalogData): CatalogData {
  return { ...c, source: c.source ? { ...c.source, date: undefined } : undefined } as CatalogData;
}

/** The text with the provenance date's value blanked, whether the JSON is plain or escaped in a string. */
function blankDate(text: string): string {
  const blanked = text.replace(/(\\?"date\\?":\\?")\d{4}-\d{2}-\d{2}/, '$1');
  expect(blanked, 'the provenance date is where it is expected').not.toBe(text);
  return blanked;
}

/** The catalog a generated catalog-data.ts holds, read by importing the module. */
async function catalogOfTsFile(file: string): Promise<CatalogData> {
  const mod = (await import(pathToFileURL(file).href)) as { catalogJson: () => string };
  return JSON.parse(mod.catalogJson()) as CatalogData;
}

function entry(provider: string, id: string): CatalogModel {
  const m = data.models.find((x) => x.provider === provider && x.id === id && !x.validUntil);
  expect(m, `${provider}/${id}`).toBeDefined();
  return m!;
}

describe('bundled catalog', () => {
  it('is valid and records its provenance', () => {
    expect(collectCatalogIssues(data)).toEqual([]);
    const pkg = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/@pydantic/genai-prices/package.json'), 'utf8'),
    ) as {
      version: string;
    };
    expect(data.source).toMatchObject({
      name: '@pydantic/genai-prices',
      version: pkg.version,
      license: 'MIT',
      url: 'https://github.com/pydantic/genai-prices',
    });
    expect(data.source?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(readFileSync(join(ROOT, 'NOTICE'), 'utf8')).toContain('Copyright (c) Pydantic Services Inc.');
  });

  it('covers at least 1,000 chat/completion/embedding models across at least 25 providers', () => {
    const models = new Set(
      data.models.filter((m) => TOKEN_MODES.has(m.mode ?? 'chat')).map((m) => `${m.provider}/${m.id}`),
    );
    const providers = new Set(data.models.map((m) => m.provider));
    expect(models.size).toBeGreaterThanOrEqual(1000);
    expect(providers.size).toBeGreaterThanOrEqual(25);
    for (const p of [
      'openai',
      'anthropic',
      'google',
      'aws',
      'azure',
      'mistral',
      'groq',
      'x-ai',
      'deepseek',
      'openrouter',
    ]) {
      expect(providers.has(p), p).toBe(true);
    }
  });

  it('keeps deprecated models, dated prices, tiers, cache, reasoning and audio prices', () => {
    expect(data.models.filter((m) => m.deprecated).length).toBeGreaterThan(10);
    expect(entry('google', 'gemini-2.5-flash-preview').deprecated).toBe(true);
    expect(entry('x-ai', 'grok-2-1212').deprecated).toBe(true);
    expect(data.models.filter((m) => m.validFrom).length).toBeGreaterThan(5);
    expect(data.models.filter((m) => m.contextTiers?.length).length).toBeGreaterThan(20);
    expect(data.models.filter((m) => m.prices.cacheRead !== undefined).length).toBeGreaterThan(300);
    expect(data.models.filter((m) => m.prices.cacheWrite1h !== undefined).length).toBeGreaterThan(5);
    expect(data.models.filter((m) => m.prices.inputAudio !== undefined).length).toBeGreaterThan(5);
    expect(data.models.filter((m) => m.prices.outputAudio !== undefined).length).toBeGreaterThan(5);
    expect(data.models.filter((m) => m.prices.reasoning !== undefined).length).toBeGreaterThan(0);
    expect(entry('google', 'gemini-2.5-pro').contextTiers?.[0]?.above).toBe(200000);
  });

  it('adds the documented 50% Batch API discount to OpenAI, Anthropic and Gemini models only', () => {
    expect(entry('openai', 'gpt-4o').serviceTiers?.batch).toMatchObject({ multiplier: 0.5 });
    expect(entry('anthropic', 'claude-sonnet-4-5').serviceTiers?.batch).toMatchObject({ multiplier: 0.5 });
    expect(entry('google', 'gemini-2.5-pro').serviceTiers?.batch).toEqual({ multiplier: 0.5 });
    // Web-search fees are not discounted.
    const sonnet = entry('anthropic', 'claude-sonnet-4-5');
    expect(sonnet.serviceTiers?.batch?.perWebSearch).toBe(sonnet.prices.perWebSearch);
    expect(data.models.filter((m) => m.provider === 'mistral' && m.serviceTiers?.batch)).toEqual([]);
  });

  it('loads into a PriceCatalog and resolves real names', () => {
    const catalog = PriceCatalog.fromData(data, 'bundled');
    expect(catalog.resolve('gpt-4o-2024-08-06')?.model.id).toBe('gpt-4o');
    expect(catalog.resolve('models/gemini-2.5-pro')?.model.id).toBe('gemini-2.5-pro');
    expect(catalog.resolve('claude-3-5-sonnet-20241022', 'anthropic')?.model.id).toBe('claude-3-5-sonnet');
    expect(catalog.resolve('deepseek-chat', 'deepseek')?.model.prices.input).toBe(0.27);
  });

  it('ships the index of its entries (a stale index: run npm run prices:update)', () => {
    // Computed from the entries as they are now, with today's provider table (usage/providers.ts).
    expect(JSON.parse(catalogIndexJson())).toEqual(JSON.parse(JSON.stringify(planIndex([data]))));
  });

  it('resolves, lists and counts the same with its shipped index as with one computed at load', () => {
    const shipped = PriceCatalog.fromData(data, 'bundled', 'bundled', {
      trusted: true,
      plan: bundledIndexPlan(),
    });
    const computed = PriceCatalog.fromData(data, 'bundled', 'bundled', { trusted: true });
    expect(shipped.list()).toEqual(computed.list());
    expect(shipped.stats().models).toBe(computed.stats().models);
    const names = data.models.flatMap((m) => [
      m.id,
      ...(m.aliases ?? []),
      `${m.id}-20250101`,
      `openrouter/${m.id}`,
    ]);
    names.push('global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'constructor', '__proto__', 'toString');
    for (const n of names) {
      for (const p of [undefined, 'openai', 'aws.bedrock']) {
        const a = shipped.resolve(n, p);
        const b = computed.resolve(n, p);
        expect([a?.model, a?.provider, a?.rule], `${n} ${p}`).toEqual([b?.model, b?.provider, b?.rule]);
      }
    }
  });

  it('keeps catalog.json and catalog-data.ts identical', () => {
    const json = readFileSync(join(BUNDLED_DIR, 'catalog.json'), 'utf8');
    expect(JSON.parse(json)).toEqual(data);
  });

  it('is what `npm run prices:update` generates from the installed package, on any day', async () => {
    // The generator runs on a day that is certainly not the committed provenance date (an injected
    // clock, SOURCE_DATE_EPOCH), so this fails if anything but that date is compared.
    const day = data.source?.date === GENERATION_DAY ? OTHER_GENERATION_DAY : GENERATION_DAY;
    const out = mkdtempSync(join(tmpdir(), 'lc-prices-update-'));
    try {
      const tsx = createRequire(import.meta.url).resolve('tsx');
      const r = spawnSync(
        process.execPath,
        ['--import', tsx, join(ROOT, 'scripts/update-prices.ts'), '--out', out, '--quiet'],
        {
          encoding: 'utf8',
          cwd: ROOT,
          env: { ...process.env, SOURCE_DATE_EPOCH: String(Date.parse(`${day}T12:00:00Z`) / 1000) },
        },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const freshJson = JSON.parse(readFileSync(join(out, 'catalog.json'), 'utf8')) as CatalogData;
      const freshTs = await catalogOfTsFile(join(out, 'catalog-data.ts'));
      const committedTs = await catalogOfTsFile(join(BUNDLED_DIR, 'catalog-data.ts'));
      expect(freshJson.source?.date).toBe(day);
      expect(freshTs.source?.date).toBe(day);
      // Only the provenance date may differ, in both generated files.
      expect(withoutDate(freshJson)).toEqual(withoutDate(data));
      expect(withoutDate(freshTs)).toEqual(withoutDate(committedTs));
      expect(withoutDate(committedTs)).toEqual(withoutDate(data));
      // Byte for byte, too, once the date is blanked (in catalog-data.ts it is escaped inside a string).
      for (const f of ['catalog.json', 'catalog-data.ts']) {
        expect(blankDate(readFileSync(join(out, f), 'utf8')), f).toBe(
          blankDate(readFileSync(join(BUNDLED_DIR, f), 'utf8')),
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
