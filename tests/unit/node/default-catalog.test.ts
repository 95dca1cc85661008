import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, LangfuseCostError } from '../../../src/errors.js';
import { getLogger, type Logger, setLogger } from '../../../src/logger.js';
import {
  catalogHealth,
  getNodeCatalog,
  parseFallbackPrice,
  resetNodeCatalog,
} from '../../../src/node/default-catalog.js';
import { calculateCost, PriceCatalog } from '../../../src/pricing/index.js';
import type { CatalogData } from '../../../src/pricing/types.js';

const root = mkdtempSync(join(tmpdir(), 'lc-node-catalog-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => resetNodeCatalog());

function writeJson(path: string, data: unknown): string {
  writeFileSync(path, JSON.stringify(data));
  return path;
}

// Prices below are test facts, not real prices.
const cacheDir = join(root, 'cache');
mkdirSync(cacheDir);
const synced: CatalogData = {
  version: 1,
  source: { name: 'test-sync' },
  models: [
    { id: 'gpt-4o', provider: 'openai', prices: { input: 2, output: 8 } },
    { id: 'acme-synced', provider: 'acme', prices: { input: 0.5, output: 1 } },
  ],
};
writeJson(join(cacheDir, 'synced-catalog.json'), synced);
const userFile = writeJson(join(root, 'user.json'), {
  version: 1,
  models: [{ id: 'gpt-4o', provider: 'openai', prices: { input: 1, output: 4 } }],
});
const explicitFile = writeJson(join(root, 'explicit.json'), {
  version: 1,
  models: [{ id: 'gpt-4o', provider: 'openai', prices: { input: 0.5, output: 2 } }],
});

const usage = { input: 1000, output: 100 };

describe('getNodeCatalog', () => {
  it('stacks user files over the synced cache over the bundled catalog', () => {
    const env = { LANGFUSE_COST_PRICES: userFile, LANGFUSE_COST_CACHE_DIR: cacheDir };
    const catalog = getNodeCatalog({ env });
    const user = calculateCost({ model: 'gpt-4o', provider: 'openai', usage }, catalog);
    expect(user?.layer).toBe('user');
    expect(user?.totalPico).toBe((1000 * 1 + 100 * 4) * 1e6);
    const fromSync = calculateCost({ model: 'acme-synced', usage }, catalog);
    expect(fromSync?.layer).toBe('synced');
    expect(fromSync?.totalPico).toBe((1000 * 0.5 + 100 * 1) * 1e6);
    // A real name only the bundled catalog knows.
    expect(catalog.resolve('claude-3-5-haiku-20241022', 'anthropic')?.layer).toBe('bundled');
    // Without user files, the synced price wins over the bundled one.
    const noUser = getNodeCatalog({ env: { LANGFUSE_COST_CACHE_DIR: cacheDir } });
    expect(calculateCost({ model: 'gpt-4o', provider: 'openai', usage }, noUser)?.totalPico).toBe(
      (1000 * 2 + 100 * 8) * 1e6,
    );
  });

  it('lets an explicit priceFiles option win over LANGFUSE_COST_PRICES, and code overrides win over both', () => {
    const catalog = getNodeCatalog({
      env: { LANGFUSE_COST_PRICES: userFile, LANGFUSE_COST_CACHE_DIR: cacheDir },
      priceFiles: [explicitFile],
    });
    expect(calculateCost({ model: 'gpt-4o', provider: 'openai', usage }, catalog)?.totalPico).toBe(
      (1000 * 0.5 + 100 * 2) * 1e6,
    );
    catalog.override({ id: 'gpt-4o', provider: 'openai', prices: { input: 0.1, output: 0.2 } });
    const r = calculateCost({ model: 'gpt-4o', provider: 'openai', usage }, catalog);
    expect(r?.layer).toBe('override');
    expect(r?.totalPico).toBe((1000 * 0.1 + 100 * 0.2) * 1e6);
  });

  it('is process-wide: the same configuration gives the same catalog until reload', () => {
    const env = { LANGFUSE_COST_CACHE_DIR: cacheDir };
    const a = getNodeCatalog({ env });
    expect(getNodeCatalog({ env })).toBe(a);
    expect(getNodeCatalog({ env, reload: true })).not.toBe(a);
    expect(getNodeCatalog({ env: { ...env, LANGFUSE_COST_PRICES: userFile } })).not.toBe(a);
  });

  it('can skip the synced cache', () => {
    const catalog = getNodeCatalog({ env: { LANGFUSE_COST_CACHE_DIR: cacheDir }, synced: false });
    expect(catalog.resolve('acme-synced')).toBeNull();
  });

  it('prices unknown models with LANGFUSE_COST_FALLBACK_PRICE, flagged estimated', () => {
    const catalog = getNodeCatalog({
      env: { LANGFUSE_COST_CACHE_DIR: cacheDir, LANGFUSE_COST_FALLBACK_PRICE: '3,15' },
    });
    const r = calculateCost({ model: 'totally-unknown-model-xyz', usage }, catalog);
    expect(r?.estimated).toBe(true);
    expect(r?.source).toBe('fallback');
    expect(r?.totalPico).toBe((1000 * 3 + 100 * 15) * 1e6);
  });

  it('ignores a corrupt synced cache with a warning instead of failing', () => {
    const badDir = join(root, 'bad-cache');
    mkdirSync(badDir);
    writeFileSync(join(badDir, 'synced-catalog.json'), '{"version": 1, "models": [');
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} };
    const previous = getLogger();
    setLogger(logger);
    try {
      const catalog = getNodeCatalog({ env: { LANGFUSE_COST_CACHE_DIR: badDir } });
      expect(catalog.resolve('gpt-4o', 'openai')?.layer).toBe('bundled');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(join(badDir, 'synced-catalog.json'));
    } finally {
      setLogger(previous);
    }
  });

  it('skips a missing user price file with one warning naming it, and keeps every other layer', () => {
    const missing = join(root, 'missing.json');
    const warnings: string[] = [];
    const catalog = getNodeCatalog({
      env: { LANGFUSE_COST_PRICES: `${missing},${userFile}`, LANGFUSE_COST_CACHE_DIR: cacheDir },
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/missing\.json \(listed in LANGFUSE_COST_PRICES\)/);
    // The good file next to it still prices gpt-4o: $1 / $4 per 1M.
    expect(calculateCost({ model: 'gpt-4o', provider: 'openai', usage }, catalog)?.totalPico).toBe(
      (1000 * 1 + 100 * 4) * 1e6,
    );
    const health = catalogHealth(catalog);
    expect(health.ok).toBe(false);
    expect(health.skipped.map((s) => [s.origin, s.error?.code])).toEqual([[missing, 'PRICE_FILE_NOT_FOUND']]);
  });
});

describe('a price layer fails alone', () => {
  // Each broken file sits between two good ones; the good ones must keep their prices.
  const broken: [string, string, string][] = [
    ['invalid YAML', 'broken.yaml', 'version: 1\nmodels: [ {id: x\n'],
    ['invalid JSON', 'broken.json', '{"version": 1, "models": ['],
    [
      'an invalid catalog',
      'invalid.json',
      JSON.stringify({ version: 1, models: [{ id: 'x', provider: 'p', prices: { input: -1 } }] }),
    ],
    ['a directory', 'a-directory', ''],
  ];
  const yamlFile = join(root, 'negotiated.yaml');
  writeFileSync(
    yamlFile,
    'version: 1\nmodels:\n  - id: acme-yaml\n    provider: acme\n    prices: { input: 3, output: 5 }\n',
  );

  it.each(broken)(
    '%s is skipped with one warning; the JSON and YAML files around it still price',
    (_what, name, text) => {
      const bad = join(root, name);
      if (name === 'a-directory') mkdirSync(bad, { recursive: true });
      else writeFileSync(bad, text);
      const warnings: string[] = [];
      const catalog = getNodeCatalog({
        env: { LANGFUSE_COST_PRICES: [yamlFile, bad, userFile].join(','), LANGFUSE_COST_CACHE_DIR: cacheDir },
        onWarning: (m) => warnings.push(m),
      });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(bad);
      expect(calculateCost({ model: 'acme-yaml', usage }, catalog)?.totalPico).toBe(
        (1000 * 3 + 100 * 5) * 1e6,
      );
      expect(calculateCost({ model: 'gpt-4o', provider: 'openai', usage }, catalog)?.totalPico).toBe(
        (1000 * 1 + 100 * 4) * 1e6,
      );
      // The same catalog again: no second warning (the configuration did not change).
      expect(
        getNodeCatalog({
          env: {
            LANGFUSE_COST_PRICES: [yamlFile, bad, userFile].join(','),
            LANGFUSE_COST_CACHE_DIR: cacheDir,
          },
          onWarning: (m) => warnings.push(m),
        }),
      ).toBe(catalog);
      expect(warnings).toHaveLength(1);
      const health = catalogHealth(catalog);
      expect(health.layers.map((s) => [s.layer, s.state, s.origin])).toEqual([
        ['user', 'loaded', userFile],
        ['user', 'skipped', bad],
        ['user', 'loaded', yamlFile],
        ['synced', 'loaded', join(cacheDir, 'synced-catalog.json')],
        ['bundled', 'loaded', 'bundled catalog'],
      ]);
    },
  );

  it('a malformed LANGFUSE_COST_FALLBACK_PRICE is skipped; user and bundled prices stay', () => {
    const warnings: string[] = [];
    const catalog = getNodeCatalog({
      env: {
        LANGFUSE_COST_PRICES: userFile,
        LANGFUSE_COST_CACHE_DIR: cacheDir,
        LANGFUSE_COST_FALLBACK_PRICE: '3,x',
      },
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('LANGFUSE_COST_FALLBACK_PRICE');
    expect(calculateCost({ model: 'totally-unknown-model-xyz', usage }, catalog)).toBeNull();
    expect(calculateCost({ model: 'gpt-4o', provider: 'openai', usage }, catalog)?.layer).toBe('user');
    expect(catalogHealth(catalog).skipped.map((s) => s.error?.code)).toEqual(['INVALID_CONFIG']);
  });

  it('warns through the library logger by default', () => {
    const warnings: string[] = [];
    const previous = getLogger();
    setLogger({ debug() {}, info() {}, warn: (m) => warnings.push(m), error() {} });
    try {
      getNodeCatalog({
        env: { LANGFUSE_COST_PRICES: join(root, 'nowhere.json'), LANGFUSE_COST_CACHE_DIR: cacheDir },
      });
    } finally {
      setLogger(previous);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(join(root, 'nowhere.json'));
  });

  it('catalogHealth of a catalog built elsewhere lists its layers as loaded, and rejects anything else', () => {
    const other = PriceCatalog.fromData(
      { version: 1, models: [{ id: 'm', provider: 'p', prices: { input: 1 } }] },
      'user',
      'x',
    );
    expect(catalogHealth(other)).toEqual({
      ok: true,
      layers: [{ layer: 'user', origin: 'user', state: 'loaded', models: 1 }],
      skipped: [],
    });
    expect(() => catalogHealth({} as PriceCatalog)).toThrow(InvalidArgumentError);
  });
});

describe('parseFallbackPrice', () => {
  it('reads "input,output" or one number for both', () => {
    expect(parseFallbackPrice('3,15')).toEqual({ input: 3, output: 15 });
    expect(parseFallbackPrice(' 2.5 , 10 ')).toEqual({ input: 2.5, output: 10 });
    expect(parseFallbackPrice('1')).toEqual({ input: 1, output: 1 });
  });

  it('rejects anything else with what was expected', () => {
    for (const bad of ['a,b', '-1,2', '1,2,3', ',', '']) {
      expect(() => parseFallbackPrice(bad)).toThrow(LangfuseCostError);
    }
    expect(() => parseFallbackPrice('x')).toThrow(/"input,output" in USD per 1M tokens/);
  });
});
