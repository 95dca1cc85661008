/**
 * Issue 13, item 4: match rules cannot hang the caller. The catastrophic patterns arrive by the three
 * routes a regex has into a catalog — a price file, a price sync of Langfuse model definitions (over a
 * loopback HTTP server) and `catalog.override` — and each one is either matched in linear time or
 * rejected at load with a typed error naming the source, the model and the pattern. Pricing 1 KB
 * adversarial names with every loadable hostile catalog is timed (bound 50 ms a call, to stay clear
 * of a loaded CI box; the figures are printed — the goal is ≤ 1 ms).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogValidationError, LangfuseCostError } from '../../../src/errors.js';
import {
  compileMatchPattern,
  findMatchingDefinition,
  type LangfuseModel,
} from '../../../src/langfuse/index.js';
import { loadPriceFile } from '../../../src/node/price-files.js';
import { PriceSyncError, syncPrices } from '../../../src/node/sync/index.js';
import { bundledCatalog } from '../../../src/pricing/bundled/index.js';
import {
  type CatalogData,
  calculateCost,
  decomposeModelName,
  MAX_MATCHED_NAME_LENGTH,
  PriceCatalog,
} from '../../../src/pricing/index.js';
import { timeCall } from '../../helpers/thread-cpu.js';

/** Patterns that hang a backtracking engine; all are accepted and run in linear time. */
const CATASTROPHIC = [
  '^(a+)+$',
  '(a|a)*$',
  '(a|aa)+$',
  '(.*a){20}',
  '^(\\w+\\s?)*$',
  '^(?=(a+)+$)(a|a)*$',
  '^(?!(a|aa)+!)(a+)+b',
];
/** Patterns outside the linear-time subset: rejected at load, with the reason. */
const REJECTED: [string, RegExp][] = [
  ['^(a+)\\1$', /backreferences/],
  ['^(?<x>a+)\\k<x>$', /backreferences/],
  ['(?<=a)b', /lookbehind/],
  ['^(?=(?=a+)(a+)+)', /nested/],
  ['a(?=(a+)+b)', /only right after a leading \^/],
];

/** 1 KB names built to make a backtracking engine explode on the patterns above. */
function adversarialNames(k: number): string[] {
  const tag = String(k).padStart(4, '0');
  return [
    `${'a'.repeat(1024 - 5)}!${tag}`,
    `${'a'.repeat(1024 - 4)}${tag}`,
    `${'a '.repeat(510)}!${tag}`.slice(0, 1024),
    `${'aa'.repeat(509)}#${tag}!`,
  ].map((n) => n.slice(0, MAX_MATCHED_NAME_LENGTH));
}

function hostileCatalog(patterns: string[]): CatalogData {
  return {
    version: 1,
    models: patterns.map((regex, i) => ({
      id: `hostile-${i}`,
      provider: 'acme',
      match: { regex },
      prices: { input: 1, output: 2 },
    })),
  };
}

/**
 * Price every adversarial name once (each a first sight). Returns per-call CPU times in ms, of the
 * thread that matches (see `timeCall`), with wall-clock figures printed beside them.
 */
function timePricing(catalog: PriceCatalog, label: string): { cpu: number[]; wall: number[] } {
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let k = 0; k < 10; k++) {
    for (const model of adversarialNames(k)) {
      for (const provider of [undefined, 'acme']) {
        const t = timeCall(() =>
          calculateCost(
            { model, ...(provider ? { provider } : {}), usage: { input: 10, output: 1 } },
            catalog,
          ),
        );
        wall.push(t.wallMs);
        cpu.push(t.cpuMs);
      }
    }
  }
  const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.floor(f * (xs.length - 1))]!;
  console.log(
    `  ${label}: ${cpu.length} first-sight calls with 1 KB adversarial names — ` +
      `median ${(q(wall, 0.5) * 1000).toFixed(0)} µs, p90 ${(q(wall, 0.9) * 1000).toFixed(0)} µs, max ${q(wall, 1).toFixed(2)} ms wall; ` +
      `max ${q(cpu, 1).toFixed(2)} ms CPU`,
  );
  return { cpu, wall };
}

/** The bounds: no call over 50 ms of CPU, and the typical call well under the 1 ms goal. */
function expectFast(t: { cpu: number[]; wall: number[] }): void {
  expect(Math.max(...t.cpu)).toBeLessThan(50);
  const median = [...t.wall].sort((a, b) => a - b)[Math.floor(t.wall.length / 2)]!;
  expect(median).toBeLessThan(5);
}

function withBundled(layer: 'user' | 'synced' | 'override', data: CatalogData, origin: string): PriceCatalog {
  const c = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled catalog', { trusted: true });
  c.addLayer(layer, data, origin);
  return c;
}

const dir = mkdtempSync(join(tmpdir(), 'lc-regex-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a price file', () => {
  it('with catastrophic regexes loads, matches what they mean, and prices 1 KB adversarial names fast', async () => {
    const file = join(dir, 'hostile.json');
    writeFileSync(file, JSON.stringify(hostileCatalog(CATASTROPHIC)));
    const data = await loadPriceFile(file);
    const catalog = withBundled('user', data, file);
    // The rules still mean what they say.
    expect(catalog.resolve('aaaa')?.model.id).toBe('hostile-0');
    expect(catalog.resolve('bab')?.model.id).toBe('hostile-1'); // (a|a)*$ matches the empty tail
    expectFast(timePricing(catalog, 'price file'));
  });

  for (const [pattern, reason] of REJECTED) {
    it(`with ${pattern} is rejected at load, naming the file, the model and the pattern`, async () => {
      const file = join(dir, `rejected-${REJECTED.findIndex((r) => r[0] === pattern)}.json`);
      writeFileSync(file, JSON.stringify(hostileCatalog(['^fine-\\d+$', pattern])));
      const err = await loadPriceFile(file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CatalogValidationError);
      const e = err as CatalogValidationError;
      expect(e).toBeInstanceOf(LangfuseCostError);
      expect(e.code).toBe('INVALID_CATALOG');
      expect(e.origin).toBe(file);
      expect(e.issues).toHaveLength(1);
      expect(e.issues[0]!.path).toBe('models[1].match.regex');
      expect(e.message).toContain(file);
      expect(e.message).toContain('model "acme/hostile-1"');
      expect(e.message).toContain(JSON.stringify(pattern));
      expect(e.message).toMatch(reason);
      expect(e.message).toContain('rewrite the rule with equals, startsWith, endsWith or contains');
    });
  }
});

describe('catalogs built to be as slow as validation allows', () => {
  // Each is loadable, and each would cost 5–50 ms per 1 KB first-sight name without the per-name
  // work budget (src/pricing/regex/work-budget.ts): patterns at the state limit, thousands of regex
  // rules, tens of thousands of string rules.
  const maximal = ['[ab]*a[ab]{600}', '(.*a){200}', '(?:[a-z]+-?){300}x', '(\\w+\\s?){300}!'];
  const cases: [string, string[] | CatalogData][] = [
    ['4 patterns at the state limit', maximal],
    ['200 patterns at the state limit', Array.from({ length: 200 }, (_, i) => `${maximal[i % 4]}|z${i}`)],
    ['5,000 regex rules', Array.from({ length: 5_000 }, (_, i) => `q${i}[0-9]+x`)],
    [
      '20,000 contains rules',
      {
        version: 1,
        models: Array.from({ length: 20_000 }, (_, i) => ({
          id: `c${i}`,
          provider: 'acme',
          match: { contains: `zz${i}` },
          prices: { input: 1, output: 2 },
        })),
      },
    ],
  ];
  for (const [label, rules] of cases) {
    it(`${label}: 1 KB adversarial names stay within the work budget`, () => {
      const data = Array.isArray(rules) ? hostileCatalog(rules) : rules;
      const catalog = withBundled('user', data, `${label}.json`);
      expectFast(timePricing(catalog, label));
      expect(catalog.stats().overBudget).toBeGreaterThan(0);
    });
  }
});

describe('catalog.override', () => {
  it('accepts the catastrophic patterns and prices 1 KB adversarial names fast', () => {
    const catalog = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled catalog', { trusted: true });
    catalog.override(hostileCatalog(CATASTROPHIC).models);
    expect(calculateCost({ model: 'aaaa', usage: { input: 1_000_000 } }, catalog)?.total).toBe(1);
    expectFast(timePricing(catalog, 'catalog.override'));
  });

  for (const [pattern, reason] of REJECTED) {
    it(`rejects ${pattern} with a typed error`, () => {
      const catalog = new PriceCatalog();
      let caught: unknown;
      try {
        catalog.override({ id: 'evil', provider: 'acme', match: { regex: pattern }, prices: { input: 1 } });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CatalogValidationError);
      const e = caught as CatalogValidationError;
      expect(e.origin).toBe('override');
      expect(e.message).toContain('model "acme/evil"');
      expect(e.message).toMatch(reason);
      // The catalog is unchanged.
      expect(catalog.resolve('evil')).toBeNull();
    });
  }
});

describe('a price sync of Langfuse model definitions', () => {
  let server: Server;
  let base: string;
  let body = '';
  let cacheDir: string;

  const definitions = (patterns: string[]): string =>
    JSON.stringify({
      data: patterns.map((p, i) => ({
        id: `def-${i}`,
        modelName: `hostile-${i}`,
        matchPattern: `(?i)${p}`,
        startDate: null,
        unit: 'TOKENS',
        isLangfuseManaged: false,
        pricingTiers: [
          {
            name: 'Standard',
            isDefault: true,
            priority: 0,
            conditions: [],
            prices: { input: 1e-6, output: 2e-6 },
          },
        ],
      })),
      meta: { page: 1, limit: 100, totalItems: patterns.length, totalPages: 1 },
    });

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    cacheDir = await mkdtemp(join(tmpdir(), 'lc-regex-sync-'));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('with catastrophic match patterns applies, and the synced layer prices 1 KB adversarial names fast', async () => {
    body = definitions(CATASTROPHIC);
    const result = await syncPrices({
      from: `${base}/api/public/models`,
      format: 'langfuse',
      cacheDir,
      force: true,
    });
    expect(result.status).toBe('updated');
    const catalog = withBundled('synced', result.catalog!, 'synced');
    expect(catalog.resolve('aaaa')?.model.id).toBe('hostile-0');
    expectFast(timePricing(catalog, 'synced Langfuse definitions'));
  });

  for (const [pattern, reason] of REJECTED) {
    it(`with ${pattern} is refused with a typed error naming the definition; the synced prices stay`, async () => {
      body = definitions(['^fine-\\d+$', pattern]);
      const err = await syncPrices({
        from: `${base}/api/public/models`,
        format: 'langfuse',
        cacheDir,
        force: true,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PriceSyncError);
      const e = err as PriceSyncError;
      expect(e.reason).toBe('invalid-data');
      expect(e.message).toContain(base);
      expect(e.message).toContain('model "');
      expect(e.message).toContain('hostile-1');
      expect(e.message).toContain(JSON.stringify(pattern));
      expect(e.message).toMatch(reason);
      // The previous sync (the catastrophic-but-linear definitions) is still what the cache holds.
      const again = await syncPrices({ from: `${base}/api/public/models`, format: 'langfuse', cacheDir });
      expect(again.catalog?.models.map((m) => m.id)).toContain('hostile-6');
    });
  }

  it('the definitions Langfuse would use for a name are found in linear time (compileMatchPattern)', () => {
    const remote = CATASTROPHIC.map(
      (p, i): LangfuseModel => ({
        id: `d${i}`,
        modelName: `m${i}`,
        matchPattern: `(?i)${p}`,
        isLangfuseManaged: false,
      }),
    );
    for (const name of adversarialNames(0)) {
      const t0 = performance.now();
      findMatchingDefinition(name, remote);
      expect(performance.now() - t0).toBeLessThan(50);
    }
    expect(findMatchingDefinition('aaaa', remote)?.modelName).toBe('m0');
    for (const [pattern] of REJECTED) expect(compileMatchPattern(`(?i)${pattern}`)).toBeNull();
  });
});

describe('the length bound on names that reach matching', () => {
  const catalog = PriceCatalog.fromData({
    version: 1,
    models: [
      { id: 'any-a', provider: 'acme', match: { regex: '^a+$' }, prices: { input: 1 } },
      { id: 'long-alias', provider: 'acme', aliases: ['b'.repeat(4000)], prices: { input: 2 } },
    ],
  });

  it(`regex rules see names up to ${MAX_MATCHED_NAME_LENGTH} characters; longer ones are unknown unless named exactly`, () => {
    expect(catalog.resolve('a'.repeat(MAX_MATCHED_NAME_LENGTH))?.model.id).toBe('any-a');
    expect(catalog.resolve('a'.repeat(MAX_MATCHED_NAME_LENGTH + 1))).toBeNull();
    expect(calculateCost({ model: 'a'.repeat(100_000), usage: { input: 10 } }, catalog)).toBeNull();
    // An exact name or alias is a map lookup, whatever its length.
    expect(catalog.resolve('b'.repeat(4000))?.model.id).toBe('long-alias');
    // Long names are not memoised (they would pile up), and --explain says why rules were skipped.
    const before = catalog.stats().memoised;
    for (let k = 0; k < 100; k++) catalog.resolve(`${'a'.repeat(5000)}${k}`);
    expect(catalog.stats().memoised).toBe(before);
    const steps = catalog.explain('a'.repeat(2000)).steps;
    expect(steps.find((s) => s.rule === 'name length')?.detail).toMatch(/2000 characters, over 1024/);
  });

  it('a huge name is not decomposed (stripping suffixes over and over would be quadratic)', () => {
    const huge = '-1234'.repeat(200_000);
    const t0 = performance.now();
    expect(decomposeModelName(huge).candidates).toHaveLength(1);
    expect(calculateCost({ model: huge, usage: { input: 10 } }, catalog)).toBeNull();
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
