/**
 * Price sync against a loopback HTTP server that publishes price files in the LiteLLM and
 * genai-prices formats (fixtures in tests/fixtures/price-sync), with ETag / Last-Modified support.
 * Expected prices and costs are written out from the fixture facts, never taken from the code.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getNodeCatalog, resetNodeCatalog } from '../../../../src/node/default-catalog.js';
import {
  autoRefresh,
  clearCache,
  getCacheStats,
  PriceSyncError,
  readSyncMeta,
  setUserPrice,
  syncPrices,
  unsetUserPrice,
} from '../../../../src/node/sync/index.js';
import { calculateCost, PriceCatalog } from '../../../../src/pricing/index.js';
import { runCli } from '../../../helpers/cli.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const fixture = (name: string) => readFile(join(root, 'tests/fixtures/price-sync', name), 'utf8');

interface Route {
  body: () => string;
  status?: number;
  etag?: string;
  lastModified?: string;
  delayMs?: number;
  contentType?: string;
}

interface Seen {
  path: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

let server: Server;
let base: string;
const routes = new Map<string, Route>();
const seen: Seen[] = [];

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const inm = header(req, 'if-none-match');
    const ims = header(req, 'if-modified-since');
    seen.push({ path, ...(inm ? { ifNoneMatch: inm } : {}), ...(ims ? { ifModifiedSince: ims } : {}) });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const send = () => {
      if (route.etag && inm === route.etag) {
        res.writeHead(304, { etag: route.etag }).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': route.contentType ?? 'application/json' };
      if (route.etag) headers.etag = route.etag;
      if (route.lastModified) headers['last-modified'] = route.lastModified;
      res.writeHead(route.status ?? 200, headers).end(route.body());
    };
    if (route.delayMs) setTimeout(send, route.delayMs).unref();
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

let cacheDir: string;
let litellmV1: string;
let litellmV2: string;
let genaiV1: string;

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'lfc-sync-'));
  routes.clear();
  seen.length = 0;
  litellmV1 = await fixture('litellm-v1.json');
  litellmV2 = await fixture('litellm-v2.json');
  genaiV1 = await fixture('genai-prices-v1.json');
  resetNodeCatalog();
});

afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

const syncedFile = () => join(cacheDir, 'synced-catalog.json');
const sha = async (p: string) =>
  createHash('sha256')
    .update(await readFile(p))
    .digest('hex');
const readSynced = async () =>
  JSON.parse(await readFile(syncedFile(), 'utf8')) as { models: Record<string, unknown>[] };
const modelOf = (data: { models: Record<string, unknown>[] }, id: string) =>
  data.models.find((m) => m.id === id) as
    | { id: string; provider: string; prices: Record<string, number>; deprecated?: boolean }
    | undefined;

describe('syncPrices: LiteLLM source', () => {
  it('downloads, validates, previews and applies; the synced prices price calls', async () => {
    routes.set('/litellm.json', {
      body: () => litellmV1,
      etag: '"v1"',
      lastModified: 'Sat, 21 Nov 2026 10:00:00 GMT',
    });
    const url = `${base}/litellm.json`;

    const preview = await syncPrices({ from: url, cacheDir, dryRun: true });
    expect(preview.status).toBe('preview');
    // Five priced records in the fixture (sample_spec is documentation, not a model).
    expect(preview.diff!.added.map((m) => `${m.provider}/${m.id}`).sort()).toEqual([
      'anthropic/claude-3-5-haiku-20241022',
      'google/gemini-2.0-flash',
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
      'openai/text-embedding-3-small',
    ]);
    expect(existsSync(syncedFile())).toBe(false);

    const applied = await syncPrices({ from: url, cacheDir });
    expect(applied.status).toBe('updated');
    expect(applied.upstreamModels).toBe(5);
    const data = await readSynced();
    // LiteLLM per-token prices → per 1M tokens: 2.5e-6 → 2.5, 1e-5 → 10, 1.25e-6 → 1.25.
    expect(modelOf(data, 'gpt-4o')!.prices).toMatchObject({ input: 2.5, output: 10, cacheRead: 1.25 });
    expect(modelOf(data, 'claude-3-5-haiku-20241022')!.prices).toMatchObject({
      input: 0.8,
      output: 4,
      cacheWrite: 1,
      cacheRead: 0.08,
    });

    const meta = await readSyncMeta(cacheDir);
    expect(meta).toMatchObject({
      source: 'url',
      url,
      etag: '"v1"',
      lastModified: 'Sat, 21 Nov 2026 10:00:00 GMT',
      upstreamModels: 5,
    });

    // The node catalog reads the synced layer: 1,200 uncached input + 300 cached + 400 output tokens of gpt-4o.
    const catalog = getNodeCatalog({ env: { LANGFUSE_COST_CACHE_DIR: cacheDir }, reload: true });
    const r = calculateCost(
      { model: 'gpt-4o', usage: { input: 1200, cacheRead: 300, output: 400 } },
      catalog,
    )!;
    expect(r.layer).toBe('synced');
    expect(r.totalPico).toBe((1200 * 2.5 + 300 * 1.25 + 400 * 10) * 1e6); // USD = (…)/1e6 → pico = ×1e12
  });

  it('respects the TTL, then asks with If-None-Match / If-Modified-Since and accepts a 304', async () => {
    routes.set('/litellm.json', {
      body: () => litellmV1,
      etag: '"v1"',
      lastModified: 'Sat, 21 Nov 2026 10:00:00 GMT',
    });
    const url = `${base}/litellm.json`;
    let now = Date.parse('2026-11-22T10:00:00Z');
    await syncPrices({ from: url, cacheDir, now: () => now });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.ifNoneMatch).toBeUndefined();

    now += 5 * 3600_000; // 5 h later: within the default 6 h TTL, no request at all
    const fresh = await syncPrices({ from: url, cacheDir, now: () => now });
    expect(fresh.status).toBe('fresh');
    expect(seen).toHaveLength(1);

    now += 2 * 3600_000; // 7 h after the download: stale, conditional request
    const before = await sha(syncedFile());
    const r = await syncPrices({ from: url, cacheDir, now: () => now });
    expect(r.status).toBe('not-modified');
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ ifNoneMatch: '"v1"', ifModifiedSince: 'Sat, 21 Nov 2026 10:00:00 GMT' });
    expect(await sha(syncedFile())).toBe(before);
    const meta = await readSyncMeta(cacheDir);
    expect(meta!.checkedAt).toBe(new Date(now).toISOString());
    expect(meta!.fetchedAt).toBe('2026-11-22T10:00:00.000Z');

    // checkedAt restarts the TTL.
    now += 3600_000;
    expect((await syncPrices({ from: url, cacheDir, now: () => now })).status).toBe('fresh');
    expect(seen).toHaveLength(2);
    // force skips the TTL but still asks conditionally.
    expect((await syncPrices({ from: url, cacheDir, now: () => now, force: true })).status).toBe(
      'not-modified',
    );
    expect(seen[2]!.ifNoneMatch).toBe('"v1"');
  });

  it('diffs a new version (changed, added, no longer listed) and keeps the dropped model, marked deprecated', async () => {
    let body = litellmV1;
    let etag = '"v1"';
    routes.set('/litellm.json', {
      body: () => body,
      get etag() {
        return etag;
      },
    } as Route);
    const url = `${base}/litellm.json`;
    await syncPrices({ from: url, cacheDir });
    const inodeBefore = (await stat(syncedFile())).ino;
    const hashBefore = await sha(syncedFile());

    body = litellmV2;
    etag = '"v2"';
    const preview = await syncPrices({ from: url, cacheDir, dryRun: true });
    const d = preview.diff!;
    expect(d.added.map((m) => m.id)).toEqual(['gpt-5-fixture']);
    expect(d.added[0]!.prices).toMatchObject({ input: 1.25, output: 10, cacheRead: 0.125 });
    expect(d.changed).toHaveLength(1);
    expect(d.changed[0]).toMatchObject({
      id: 'gpt-4o',
      provider: 'openai',
      changes: [{ path: 'prices.output', from: 10, to: 12 }],
    });
    expect(d.removed.map((m) => m.id)).toEqual(['claude-3-5-haiku-20241022']);
    expect(d.unchanged).toBe(3);
    // A dry run writes nothing.
    expect(await sha(syncedFile())).toBe(hashBefore);
    expect((await readSyncMeta(cacheDir))!.etag).toBe('"v1"');

    const applied = await syncPrices({ from: url, cacheDir, force: true });
    expect(applied.status).toBe('updated');
    const data = await readSynced();
    expect(modelOf(data, 'gpt-4o')!.prices.output).toBe(12);
    const kept = modelOf(data, 'claude-3-5-haiku-20241022')!;
    expect(kept.deprecated).toBe(true);
    expect(kept.prices).toMatchObject({ input: 0.8, output: 4 });
    expect(data.models).toHaveLength(6); // 5 listed + 1 kept
    const meta = await readSyncMeta(cacheDir);
    expect(meta).toMatchObject({
      etag: '"v2"',
      upstreamModels: 5,
      models: 6,
      kept: ['anthropic/claude-3-5-haiku-20241022'],
    });
    // Applied by rename: a new inode, and no temporary file left behind.
    expect((await stat(syncedFile())).ino).not.toBe(inodeBefore);
    expect((await readdir(cacheDir)).sort()).toEqual(['sync-meta.json', 'synced-catalog.json']);

    // The kept model still prices old calls: 10,000 input + 2,000 output tokens of Claude 3.5 Haiku.
    const catalog = getNodeCatalog({ env: { LANGFUSE_COST_CACHE_DIR: cacheDir }, reload: true });
    const old = calculateCost(
      { model: 'claude-3-5-haiku-20241022', usage: { input: 10_000, output: 2000 } },
      catalog,
    )!;
    expect(old.totalPico).toBe((10_000 * 0.8 + 2000 * 4) * 1e6);

    // The next sync diffs against what the source listed, so the kept model is not "removed" again.
    etag = '"v2b"';
    const again = await syncPrices({ from: url, cacheDir, force: true });
    expect(again.status).toBe('unchanged');
    expect(again.diff!.removed).toEqual([]);
    expect(again.kept).toBe(1);
  });
});

describe('syncPrices: failures leave the previous prices in force', () => {
  const url = () => `${base}/prices.json`;
  let hash: string;

  beforeEach(async () => {
    routes.set('/prices.json', { body: () => litellmV1, etag: '"good"' });
    await syncPrices({ from: url(), cacheDir });
    hash = await sha(syncedFile());
  });

  async function expectFailure(route: Route, reason: string, opts: Parameters<typeof syncPrices>[0] = {}) {
    routes.set('/prices.json', route);
    const err = await syncPrices({ from: url(), cacheDir, force: true, ...opts }).catch((e) => e);
    expect(err).toBeInstanceOf(PriceSyncError);
    expect((err as PriceSyncError).reason).toBe(reason);
    expect(await sha(syncedFile())).toBe(hash);
    const meta = await readSyncMeta(cacheDir);
    expect(meta!.etag).toBe('"good"');
    expect(meta!.lastError!.reason).toBe(reason);
    // The node catalog still prices gpt-4o output at the old $10 per 1M.
    const catalog = getNodeCatalog({ env: { LANGFUSE_COST_CACHE_DIR: cacheDir }, reload: true });
    expect(calculateCost({ model: 'gpt-4o', usage: { output: 1000 } }, catalog)!.totalPico).toBe(
      1000 * 10 * 1e6,
    );
    return err as PriceSyncError;
  }

  it('timeout', async () => {
    const t0 = Date.now();
    const err = await expectFailure({ body: () => litellmV2, delayMs: 3000 }, 'timeout', { timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(err.message).toMatch(/did not answer within 300 ms/);
  });

  it('HTTP 500', async () => {
    const err = await expectFailure({ body: () => 'upstream exploded', status: 500 }, 'http');
    expect(err.status).toBe(500);
    expect(err.message).toMatch(/HTTP 500/);
  });

  it('truncated JSON', async () => {
    const err = await expectFailure(
      { body: () => litellmV2.slice(0, Math.floor(litellmV2.length / 2)) },
      'invalid-json',
    );
    expect(err.message).toMatch(/cut off/);
  });

  it('negative price', async () => {
    const hostile = JSON.parse(litellmV2);
    hostile['gpt-4o'].output_cost_per_token = -1e-5;
    const err = await expectFailure({ body: () => JSON.stringify(hostile) }, 'hostile-values');
    expect(err.message).toContain('"gpt-4o".output_cost_per_token = -0.00001: negative price');
  });

  it('enormous price (> $10,000 per 1M tokens)', async () => {
    const hostile = JSON.parse(litellmV2);
    hostile['gpt-4o-mini'].input_cost_per_token = 0.5; // $500,000 per 1M tokens
    const err = await expectFailure({ body: () => JSON.stringify(hostile) }, 'hostile-values');
    expect(err.message).toMatch(/gpt-4o-mini.*implausible price/);
  });

  it('non-numeric price', async () => {
    const hostile = JSON.parse(litellmV2);
    hostile['gpt-4o'].input_cost_per_token = '0.0000025';
    await expectFailure({ body: () => JSON.stringify(hostile) }, 'hostile-values');
  });

  it('hostile genai-prices tier price', async () => {
    const hostile = JSON.parse(genaiV1);
    hostile[1].models[0].prices.output_mtok.tiers[0].price = 1e9;
    await expectFailure({ body: () => JSON.stringify(hostile) }, 'hostile-values', { maxShrinkRatio: 1 });
  });

  it('a body over the size limit', async () => {
    const err = await expectFailure({ body: () => litellmV2 }, 'too-large', { maxBytes: 1000 });
    expect(err.message).toMatch(/more than 1000 bytes/);
  });

  it('a file that is not a price list', async () => {
    await expectFailure({ body: () => JSON.stringify({ hello: 'world' }) }, 'unknown-format');
  });

  it('a source that suddenly lists far fewer models (shrink guard)', async () => {
    const tiny = JSON.parse(litellmV2);
    for (const k of Object.keys(tiny)) if (k !== 'gpt-4o' && k !== 'sample_spec') delete tiny[k];
    const err = await expectFailure({ body: () => JSON.stringify(tiny) }, 'shrink');
    expect(err.message).toMatch(/lists 1 models, down from 5/);
  });

  it('an unreachable source', async () => {
    const port = (server.address() as AddressInfo).port;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(deadPort).not.toBe(port);
    const err = await syncPrices({
      from: `http://127.0.0.1:${deadPort}/prices.json`,
      cacheDir,
      force: true,
    }).catch((e) => e);
    expect((err as PriceSyncError).reason).toBe('network');
    expect(await sha(syncedFile())).toBe(hash);
  });
});

describe('syncPrices: genai-prices source', () => {
  it('imports tiers, fees and deprecated models from a genai-prices v2 file', async () => {
    routes.set('/genai.json', { body: () => genaiV1, etag: 'W/"g1"' });
    const r = await syncPrices({ from: `${base}/genai.json`, cacheDir });
    expect(r.status).toBe('updated');
    expect(r.upstreamModels).toBe(4);
    const catalog = getNodeCatalog({ env: { LANGFUSE_COST_CACHE_DIR: cacheDir }, reload: true });
    // A 250k-token prompt crosses the 200k cliff: every token at the tier price ($6 in, $22.5 out per 1M).
    const big = calculateCost(
      { model: 'claude-sonnet-4-5-20250929', usage: { input: 250_000, output: 1000 } },
      catalog,
    )!;
    expect(big.totalPico).toBe((250_000 * 6 + 1000 * 22.5) * 1e6);
    // web_searches_kcount 25 → $0.025 per search.
    const search = calculateCost(
      { model: 'gpt-4o-search-preview', usage: { input: 100, output: 10, webSearches: 2 } },
      catalog,
    )!;
    expect(search.totalPico).toBe((100 * 2.5 + 10 * 10) * 1e6 + 2 * 0.025 * 1e12);
    const data = await readSynced();
    expect(modelOf(data, 'claude-2')!.deprecated).toBe(true);
  });
});

describe('cache stats and clear; manual prices', () => {
  it('reports the cache, then clears it', async () => {
    routes.set('/litellm.json', { body: () => litellmV1, etag: '"v1"' });
    const now = Date.parse('2026-11-22T10:00:00Z');
    await syncPrices({ from: `${base}/litellm.json`, cacheDir, now: () => now });
    const catalog = new PriceCatalog({
      layers: [
        {
          layer: 'bundled',
          data: { version: 1, models: [{ id: 'm', provider: 'p', prices: { input: 1 } }] },
        },
      ],
    });
    catalog.resolve('m');
    catalog.resolve('m');
    catalog.resolve('nope');
    const stats = await getCacheStats({ cacheDir, now: now + 90 * 60_000, catalog });
    expect(stats).toMatchObject({
      present: true,
      source: 'url',
      fetchedAt: '2026-11-22T10:00:00.000Z',
      ageMs: 90 * 60_000,
      models: 5,
      keptModels: 0,
      etag: '"v1"',
    });
    expect(stats.resolver).toMatchObject({ hits: 1, misses: 2, unknown: 1 });
    const removed = await clearCache({ cacheDir });
    expect(removed.map((p) => p.slice(cacheDir.length + 1)).sort()).toEqual([
      'sync-meta.json',
      'synced-catalog.json',
    ]);
    expect((await getCacheStats({ cacheDir })).present).toBe(false);
  });

  it('manual prices win over synced and bundled prices, and unset removes them', async () => {
    routes.set('/litellm.json', { body: () => litellmV1, etag: '"v1"' });
    await syncPrices({ from: `${base}/litellm.json`, cacheDir });
    const file = join(cacheDir, 'my-prices.json');
    const env = { LANGFUSE_COST_CACHE_DIR: cacheDir, LANGFUSE_COST_PRICES: file };
    const edit = await setUserPrice({
      model: 'gpt-4o',
      prices: { input: 2, output: 8, cacheRead: 0.5 },
      env,
      provider: 'openai',
    });
    expect(edit.created).toBe(true);
    const catalog = getNodeCatalog({ env, reload: true });
    const usage = { input: 1000, cacheRead: 1000, output: 1000 };
    const r = calculateCost({ model: 'gpt-4o-2024-08-06', usage }, catalog)!;
    expect(r.layer).toBe('user');
    expect(r.totalPico).toBe((1000 * 2 + 1000 * 0.5 + 1000 * 8) * 1e6);
    await unsetUserPrice({ model: 'gpt-4o', env });
    const after = calculateCost({ model: 'gpt-4o', usage }, getNodeCatalog({ env, reload: true }))!;
    expect(after.layer).toBe('synced');
    expect(after.totalPico).toBe((1000 * 2.5 + 1000 * 1.25 + 1000 * 10) * 1e6);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      version: 1,
      source: { name: 'user' },
      models: [],
    });
  });
});

describe('autoRefresh', () => {
  it('swaps the synced layer in the background and survives failures', async () => {
    let status = 200;
    let body = litellmV1;
    routes.set('/auto.json', {
      body: () => body,
      get status() {
        return status;
      },
    } as Route);
    const catalog = new PriceCatalog({
      layers: [
        {
          layer: 'bundled',
          data: {
            version: 1,
            models: [{ id: 'gpt-4o', provider: 'openai', prices: { input: 5, output: 15 } }],
          },
        },
      ],
    });
    const updates: string[] = [];
    const errors: string[] = [];
    const handle = autoRefresh(catalog, {
      ttl: 3600_000,
      from: `${base}/auto.json`,
      cacheDir,
      onUpdate: (r) => updates.push(r.status),
      onError: (e) => errors.push((e as PriceSyncError).reason),
    });
    try {
      // Pricing never waits for the refresh: right now the bundled price applies.
      expect(calculateCost({ model: 'gpt-4o', usage: { output: 1000 } }, catalog)!.totalPico).toBe(
        1000 * 15 * 1e6,
      );
      await expect.poll(() => updates.length, { timeout: 5000 }).toBe(1);
      expect(calculateCost({ model: 'gpt-4o', usage: { output: 1000 } }, catalog)!.totalPico).toBe(
        1000 * 10 * 1e6,
      );

      status = 500;
      expect(await handle.refreshNow()).toBeNull();
      expect(errors).toEqual(['http']);
      expect(calculateCost({ model: 'gpt-4o', usage: { output: 1000 } }, catalog)!.totalPico).toBe(
        1000 * 10 * 1e6,
      );

      status = 200;
      body = litellmV2;
      const r = await handle.refreshNow();
      expect(r!.status).toBe('updated');
      expect(calculateCost({ model: 'gpt-4o', usage: { output: 1000 } }, catalog)!.totalPico).toBe(
        1000 * 12 * 1e6,
      );
    } finally {
      handle.stop();
    }
  });

  it('does not keep a process alive (unref timer)', async () => {
    routes.set('/auto.json', { body: () => litellmV1 });
    const script = `
      import { autoRefresh } from '${root}src/node/sync/index.ts';
      import { PriceCatalog } from '${root}src/pricing/index.ts';
      const h = autoRefresh(new PriceCatalog(), { ttl: 3600000, from: '${base}/auto.json', cacheDir: '${cacheDir}' });
      await h.refreshNow();
      console.log('refreshed');
    `;
    const file = join(cacheDir, 'child.mts');
    await writeFile(file, script);
    const t0 = Date.now();
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', file], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout });
      });
    });
    expect(out.stdout).toContain('refreshed');
    expect(out.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000); // a ref'd 1 h timer would have hit the SIGKILL
  });
});

describe('CLI: prices sync / cache / set / unset', () => {
  it('previews, applies, reports and clears', async () => {
    routes.set('/litellm.json', { body: () => litellmV1, etag: '"v1"' });
    const env = { LANGFUSE_COST_CACHE_DIR: cacheDir };
    const url = `${base}/litellm.json`;
    const dry = await runCli(['prices', 'sync', '--from', url, '--dry-run'], { env });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('5 added, 0 changed, 0 no longer listed upstream, 0 unchanged');
    expect(dry.stdout).toContain('+ openai/gpt-4o  input 2.5, cache read 1.25, output 10');
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    expect(existsSync(syncedFile())).toBe(false);

    const real = await runCli(['prices', 'sync', '--from', url], { env });
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('Applied: 5 models');

    routes.set('/litellm.json', { body: () => litellmV2, etag: '"v2"' });
    const second = await runCli(['prices', 'sync', '--from', url, '--force', '--dry-run'], { env });
    expect(second.stdout).toContain('1 added, 1 changed, 1 no longer listed upstream, 3 unchanged');
    expect(second.stdout).toContain('~ openai/gpt-4o  output 10 → 12');
    expect(second.stdout).toContain('- anthropic/claude-3-5-haiku-20241022');

    routes.set('/litellm.json', {
      body: () => '{"gpt-4o": {"input_cost_per_token": -1, "litellm_provider": "openai"}}',
    });
    const bad = await runCli(['prices', 'sync', '--from', url, '--force'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('negative price');
    expect(bad.stderr).toContain('The previous prices stay in force.');

    const stats = await runCli(['prices', 'cache', 'stats'], { env });
    expect(stats.code).toBe(0);
    expect(stats.stdout).toContain(`source:     url (${url})`);
    expect(stats.stdout).toMatch(/models: {5}5 \(0 deprecated, 0 kept/);
    expect(stats.stdout).toMatch(/last failed refresh: .*negative price/);

    const cleared = await runCli(['prices', 'cache', 'clear'], { env });
    expect(cleared.stdout).toContain('Removed the synced price cache (2 files');
    expect(existsSync(syncedFile())).toBe(false);
  });

  it('sets and unsets a manual price in the user price file', async () => {
    const file = join(cacheDir, 'prices.json');
    const env = { LANGFUSE_COST_CACHE_DIR: cacheDir, LANGFUSE_COST_PRICES: file };
    const set = await runCli(
      [
        'prices',
        'set',
        'acme-chat-1',
        '--input',
        '0.4',
        '--output',
        '1.6',
        '--cache-read',
        '0.1',
        '--provider',
        'acme',
      ],
      {
        env,
      },
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('acme/acme-chat-1: input 0.4, cache read 0.1, output 1.6');
    expect(JSON.parse(await readFile(file, 'utf8')).models).toEqual([
      { id: 'acme-chat-1', provider: 'acme', prices: { input: 0.4, cacheRead: 0.1, output: 1.6 } },
    ]);
    const r = calculateCost(
      { model: 'acme-chat-1', usage: { input: 5000, cacheRead: 5000, output: 500 } },
      getNodeCatalog({ env, reload: true }),
    )!;
    expect(r.totalPico).toBe((5000 * 0.4 + 5000 * 0.1 + 500 * 1.6) * 1e6);

    const invalid = await runCli(['prices', 'set', 'acme-chat-1', '--input', '-3'], { env });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('--input must be a non-negative number');

    const unset = await runCli(['prices', 'unset', 'acme-chat-1'], { env });
    expect(unset.code).toBe(0);
    expect(unset.stdout).toContain('Removed acme/acme-chat-1');
    const again = await runCli(['prices', 'unset', 'acme-chat-1'], { env });
    expect(again.code).toBe(1);
  });
});
