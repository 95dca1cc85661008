/**
 * `langfuse models diff|push|restore` and `langfuse reprice` against the strict loopback Langfuse
 * stand-in (tests/helpers/langfuse-server: the server's own validation rules, status codes, listing
 * order, pagination limits, v1/v2 observation field names, ingestion schema and event merge, by
 * server version; sources in tests/helpers/langfuse-server/SOURCES.md). Every request the CLI sends
 * is recorded and asserted: method, path, auth header and body. Expected prices and costs are
 * written out here.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildMatchPattern,
  compileMatchPattern,
  LangfuseApiError,
  LangfusePublicApi,
  toLangfuseModelDefinition,
  usageFromLangfuseDetails,
} from '../../../src/langfuse/index.js';
import { repriceLedger } from '../../../src/node/sync/index.js';
import { PriceCatalog } from '../../../src/pricing/index.js';
import type { CatalogData } from '../../../src/pricing/types.js';
import { runCli } from '../../helpers/cli.js';
import {
  type ApiModel,
  type LangfuseServer,
  startLangfuseServer,
} from '../../helpers/langfuse-server/index.js';

const PK = 'pk-lf-PUBLIC-1a2b3c4d';
const SK = 'sk-lf-SECRET-9f8e7d6c';
const AUTH = `Basic ${Buffer.from(`${PK}:${SK}`).toString('base64')}`;

// Our prices for the test (USD per 1M tokens).
const CATALOG: CatalogData = {
  version: 1,
  models: [
    {
      id: 'acme-large-2025-06-01',
      provider: 'acme',
      aliases: ['acme-large'],
      prices: { input: 2, cacheRead: 0.5, cacheWrite: 2.5, output: 8 },
      contextTiers: [{ above: 128_000, prices: { input: 4, output: 16 } }],
      serviceTiers: { batch: { multiplier: 0.5 } },
    },
    { id: 'acme-mini', provider: 'acme', prices: { input: 0.1, output: 0.4 } },
    { id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, cacheRead: 1.25, output: 10 } },
  ],
};

let lf: LangfuseServer;
let baseUrl: string;
let dir: string;
let pricesFile: string;

/** A definition in the server's response shape, default tier from `prices`. */
function remoteModel(
  id: string,
  modelName: string,
  matchPattern: string,
  managed: boolean,
  prices: Record<string, number>,
  extraTiers: any[] = [],
  startDate: string | null = null,
): ApiModel {
  return lf.model({
    id,
    modelName,
    matchPattern,
    startDate,
    isLangfuseManaged: managed,
    pricingTiers: [
      { id: `${id}_tier_default`, name: 'Standard', isDefault: true, priority: 0, conditions: [], prices },
      ...extraTiers,
    ],
  });
}

beforeAll(async () => {
  lf = await startLangfuseServer({ publicKey: PK, secretKey: SK });
  baseUrl = lf.url;
});

afterAll(async () => {
  await lf.close();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lfc-admin-'));
  pricesFile = join(dir, 'prices.json');
  await writeFile(pricesFile, JSON.stringify(CATALOG));
  lf.setVersion('4.16.0');
  lf.state.eventsOnly = false;
  lf.state.health = true;
  lf.state.models = [];
  lf.state.observations.clear();
  lf.state.requests = [];
  lf.state.events = [];
  lf.state.failNextCreate = false;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}) {
  return {
    LANGFUSE_PUBLIC_KEY: PK,
    LANGFUSE_SECRET_KEY: SK,
    LANGFUSE_BASE_URL: baseUrl,
    LANGFUSE_COST_PRICES: pricesFile,
    LANGFUSE_COST_CACHE_DIR: join(dir, 'cache'),
    LANGFUSE_COST_LEDGER: 'off',
    ...extra,
  };
}

function expectNoSecrets(...texts: string[]) {
  for (const t of texts) {
    expect(t).not.toContain(SK);
    expect(t).not.toContain(PK);
    expect(t).not.toContain(AUTH.slice(6));
  }
}

// Per-token prices Langfuse expects for acme-large (our $/1M ÷ 1e6).
const ACME_STANDARD = {
  input: 2e-6,
  input_cached_tokens: 5e-7,
  input_cache_read: 5e-7,
  cache_read_input_tokens: 5e-7,
  output: 8e-6,
};
// Every prompt bucket Langfuse or an SDK may send, anchored (never output_*, never total); within
// the server's 200-character limit and without nested quantifiers (its safe-regex check).
const PROMPT_PATTERN =
  '^(input(|_cached_tokens|_cache_read|_cache_creation(_5m|_1h)?|_cache_write|_audio(_tokens)?|_image(_tokens)?)|cache_(read|creation)_input_tokens)$';

describe('model definitions', () => {
  it('builds an anchored, case-insensitive match pattern that covers the names our resolver accepts', () => {
    const m = CATALOG.models[0]!;
    const pattern = buildMatchPattern(m);
    expect(pattern.startsWith('(?i)^')).toBe(true);
    expect(pattern.endsWith('$')).toBe(true);
    const re = compileMatchPattern(pattern)!;
    for (const name of [
      'acme-large',
      'ACME-Large-2025-06-01',
      'acme/acme-large',
      'acme-large-latest',
      'acme-large-20250601',
      'accounts/x/models/acme-large',
    ]) {
      expect(re.test(name), name).toBe(true);
    }
    for (const name of ['acme-large-preview', 'xacme-large', 'acme-larger', 'openai/acme-large'])
      expect(re.test(name), name).toBe(false);
  });

  it('excludes names our resolver prices with another model', () => {
    const catalog = PriceCatalog.fromData({
      version: 1,
      models: [
        { id: 'gpt-4o', provider: 'openai', prices: { input: 2.5, output: 10 } },
        { id: 'gpt-4o-2024-05-13', provider: 'openai', prices: { input: 5, output: 15 } },
      ],
    });
    const def = toLangfuseModelDefinition(catalog.resolve('gpt-4o')!.model, { catalog });
    const re = compileMatchPattern(def.matchPattern)!;
    expect(re.test('gpt-4o-2024-08-06')).toBe(true);
    expect(re.test('gpt-4o-2024-05-13')).toBe(false);
    expect(def.matchPattern).toContain('(?!(gpt-4o-2024-05-13)$)');
  });

  it('prices per usage key per token, with long-context and service tiers', () => {
    const def = toLangfuseModelDefinition(CATALOG.models[0]!);
    expect(def.modelName).toBe('acme-large-2025-06-01');
    expect(def.unit).toBe('TOKENS');
    const [standard, batchLong, batch, long] = def.pricingTiers;
    expect(def.pricingTiers.map((t) => [t.name, t.priority, t.isDefault])).toEqual([
      ['Standard', 0, true],
      ['Batch, prompt >128K', 1, false],
      ['Batch', 2, false],
      ['Prompt >128K', 3, false],
    ]);
    expect(standard!.conditions).toEqual([]);
    expect(standard!.prices).toMatchObject(ACME_STANDARD);
    expect(standard!.prices.output_reasoning_tokens).toBe(8e-6); // reasoning inherits the output price
    expect(standard!.prices.total).toBeUndefined();
    expect(long!.conditions).toEqual([
      { usageDetailPattern: PROMPT_PATTERN, operator: 'gt', value: 128_000, caseSensitive: false },
    ]);
    // Above 128k: input $4, output $16; cache reads keep the base $0.5 (the tier does not list them).
    expect(long!.prices).toMatchObject({ input: 4e-6, input_cached_tokens: 5e-7, output: 1.6e-5 });
    expect(batch!.conditions).toEqual([
      { source: 'model_parameters', key: 'service_tier', operator: 'in', values: ['batch'] },
    ]);
    expect(batch!.prices).toMatchObject({ input: 1e-6, input_cached_tokens: 2.5e-7, output: 4e-6 });
    expect(batchLong!.conditions).toHaveLength(2);
    expect(batchLong!.prices).toMatchObject({ input: 2e-6, input_cached_tokens: 2.5e-7, output: 8e-6 });
  });

  it('reads Langfuse usage details back into disjoint usage', () => {
    expect(
      usageFromLangfuseDetails({
        input: 100,
        input_cached_tokens: 50,
        cache_read_input_tokens: 50,
        output: 20,
        total: 170,
      }),
    ).toEqual({
      usage: { input: 100, cacheRead: 50, output: 20 },
    });
    // Vercel AI SDK sends the cache-write sum and its 5m/1h split.
    expect(
      usageFromLangfuseDetails({
        input: 10,
        input_cache_creation: 300,
        input_cache_creation_5m: 100,
        input_cache_creation_1h: 200,
      }),
    ).toEqual({
      usage: { input: 10, cacheWrite: 100, cacheWrite1h: 200 },
    });
    // Langfuse ≥ 3.156 subtracts the 5m/1h split from input_cache_creation (disjoint keys).
    expect(
      usageFromLangfuseDetails({
        input: 10,
        input_cache_creation: 0,
        input_cache_creation_5m: 100,
        input_cache_creation_1h: 200,
      }),
    ).toEqual({ usage: { input: 10, cacheWrite: 100, cacheWrite1h: 200 } });
    expect(
      usageFromLangfuseDetails({
        input: 10,
        input_cache_creation: 50,
        input_cache_creation_5m: 100,
        input_cache_creation_1h: 200,
      }),
    ).toEqual({ usage: { input: 10, cacheWrite: 150, cacheWrite1h: 200 } });
    // AI SDK Bedrock cache writes.
    expect(usageFromLangfuseDetails({ input: 10, input_cache_write: 70 })).toEqual({
      usage: { input: 10, cacheWrite: 70 },
    });
    expect(usageFromLangfuseDetails({ input: 10, input_cached_tokens: 5, input_cache_read: 6 })).toEqual({
      error: 'usage keys input_cached_tokens/input_cache_read/cache_read_input_tokens disagree',
    });
    expect(usageFromLangfuseDetails({ input: 10, reasoning_tokens: 4, output: 20 })).toEqual({
      error: 'usage keys not understood: reasoning_tokens',
    });
  });
});

describe('public API client', () => {
  it('never exposes credentials, even when the server echoes them', async () => {
    const api = new LangfusePublicApi({ baseUrl, publicKey: PK, secretKey: `${SK}-wrong`, retries: 0 });
    expectNoSecrets(JSON.stringify(api), inspect(api), String(api));
    const err = await api.listModels().catch((e) => e);
    expect(err).toBeInstanceOf(LangfuseApiError);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/GET \/api\/public\/models failed with HTTP 401/);
    expect(err.message).not.toContain(`${SK}-wrong`);
    expect(err.message).not.toContain(PK);
    expect(err.message).not.toContain(Buffer.from(`${PK}:${SK}-wrong`).toString('base64'));
    expect(inspect(err)).not.toContain(`${SK}-wrong`);
  });

  it('falls back to the v1 observations API when v2 is absent', async () => {
    lf.state.v2 = false;
    for (const i of [1, 2, 3])
      lf.addObservation({
        id: `o${i}`,
        traceId: 't',
        startTime: `2026-11-20T10:00:0${i}.000Z`,
        model: 'gpt-4o',
        usageDetails: { input: i },
        costDetails: {},
      });
    const api = new LangfusePublicApi({ baseUrl, publicKey: PK, secretKey: SK });
    const ids: string[] = [];
    for await (const o of api.observations({
      type: 'GENERATION',
      fromStartTime: '2026-11-20T00:00:00.000Z',
      toStartTime: '2026-11-21T00:00:00.000Z',
    })) {
      ids.push(o.id);
    }
    // The server lists the newest first.
    expect(ids).toEqual(['o3', 'o2', 'o1']);
    const paths = lf.state.requests.map((r) => `${r.path}${r.query.page ? `#${r.query.page}` : ''}`);
    expect(paths).toEqual(['/api/public/v2/observations', '/api/public/observations#1']);
    expect(lf.state.requests[1]!.query).toMatchObject({
      type: 'GENERATION',
      fromStartTime: '2026-11-20T00:00:00.000Z',
      toStartTime: '2026-11-21T00:00:00.000Z',
      limit: '100',
    });
  });
});

describe('CLI: langfuse models diff / push', () => {
  function seedRemote() {
    lf.state.models = [
      // Langfuse-managed gpt-4o, priced as we do (default-model-prices.json shape).
      remoteModel(
        'b9854a5c92dc496b997d99d20',
        'gpt-4o',
        '(?i)^(openai/)?(gpt-4o)$',
        true,
        {
          input: 2.5e-6,
          input_cached_tokens: 1.25e-6,
          input_cache_read: 1.25e-6,
          output: 1e-5,
          cache_read_input_tokens: 1.25e-6,
        },
        [
          {
            id: 'fast',
            name: 'Fast mode',
            isDefault: false,
            priority: 1,
            conditions: [
              {
                source: 'model_parameters',
                key: 'service_tier',
                operator: 'in',
                values: ['fast', 'priority'],
              },
            ],
            prices: { input: 4.25e-6, output: 1.7e-5 },
          },
        ],
      ),
      // An older project definition of acme-large with stale prices.
      remoteModel('cm-old-acme', 'acme-large-2025-06-01', '(?i)^(acme-large)$', false, {
        input: 1e-6,
        output: 4e-6,
      }),
      // Unrelated managed model.
      remoteModel(
        'managed-claude',
        'claude-3-5-haiku-20241022',
        '(?i)^(anthropic/)?(claude-3-5-haiku-20241022)$',
        true,
        { input: 8e-7, output: 4e-6 },
      ),
    ];
  }

  it('diffs the models in use against the project definitions', async () => {
    seedRemote();
    const r = await runCli(
      [
        'langfuse',
        'models',
        'diff',
        '--models',
        'acme-large,acme-mini,gpt-4o,gpt-4o-2024-08-06,no-such-model',
      ],
      {
        env: env(),
      },
    );
    expectNoSecrets(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Langfuse model definitions at ${baseUrl}`);
    expect(r.stdout).toMatch(
      /different acme\/acme-large-2025-06-01 {2}names: acme-large {2}current: acme-large-2025-06-01 \(project\)/,
    );
    expect(r.stdout).toContain('input: $1/1M → $2/1M');
    expect(r.stdout).toContain('output: $4/1M → $8/1M');
    expect(r.stdout).toContain('tier "Prompt >128K" missing');
    expect(r.stdout).toMatch(/missing {3}acme\/acme-mini {2}names: acme-mini/);
    // Langfuse's managed pattern (?i)^(openai/)?(gpt-4o)$ does not match the dated name our resolver maps to gpt-4o.
    expect(r.stdout).toMatch(
      /different openai\/gpt-4o {2}names: gpt-4o, gpt-4o-2024-08-06 {2}current: gpt-4o \(Langfuse-managed\)/,
    );
    expect(r.stdout).toContain('"gpt-4o-2024-08-06" is matched by no definition');
    expect(r.stdout).toContain(
      'input_cached_tokens: unpriced → $0.5/1M (and input_cache_read, cache_read_input_tokens)',
    );
    expect(r.stdout).toContain('not in our catalog (left alone): no-such-model');
    // Only reads: the server's version, then the models list (100 a page, the server's maximum).
    expect(lf.state.requests.map((q) => `${q.method} ${q.path} ${q.query.page ?? ''}`)).toEqual([
      'GET /api/public/health ',
      'GET /api/public/models 1',
    ]);
    expect(lf.state.requests[1]!.query.limit).toBe('100');
    expect(lf.state.requests[1]!.authorization).toBe(AUTH);
  });

  it('reads the models in use from the ledger', async () => {
    seedRemote();
    const ledger = join(dir, 'ledger.jsonl');
    await writeFile(
      ledger,
      [
        {
          id: 'a',
          provided_model_name: 'acme-large',
          provider: 'acme',
          start_time: '2026-11-20T10:00:00.000Z',
        },
        {
          id: 'b',
          provided_model_name: 'gpt-4o',
          provider: 'openai',
          start_time: '2026-11-20T10:00:00.000Z',
        },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const r = await runCli(['langfuse', 'models', 'diff', '--ledger', ledger, '--json'], { env: env() });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.models.map((m: any) => [m.model.id, m.status])).toEqual([
      ['acme-large-2025-06-01', 'different'],
      ['gpt-4o', 'same'],
    ]);
  });

  const push = (...args: string[]) =>
    runCli(
      [
        'langfuse',
        'models',
        'push',
        '--models',
        'acme-large,acme-mini,gpt-4o',
        '--backup-dir',
        join(dir, '.langfuse-cost'),
        ...args,
      ],
      { env: env() },
    );
  const writesOf = (reqs: typeof lf.state.requests) =>
    reqs.filter((q) => q.method !== 'GET').map((q) => ({ method: q.method, path: q.path, body: q.body }));

  it('push replaces a definition that has the same name: delete first, copy kept, converges (Why 1)', async () => {
    seedRemote();
    const old = lf.state.models.find((m) => m.id === 'cm-old-acme')!;
    const dry = await push('--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(lf.state.requests.every((q) => q.method === 'GET')).toBe(true);
    const planned = JSON.parse(dry.stdout);
    expect(planned.server).toMatchObject({ version: '4.16.0', pricing: 'model-parameter-tiers' });

    lf.state.requests = [];
    const r = await push();
    expectNoSecrets(r.stdout, r.stderr);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The server refuses a second definition with the same name (400 "already exists"), so the old
    // one goes first; the dry run listed exactly these requests.
    const writes = writesOf(lf.state.requests);
    expect(writes.map((q) => `${q.method} ${q.path}`)).toEqual([
      'DELETE /api/public/models/cm-old-acme',
      'POST /api/public/models',
      'POST /api/public/models',
    ]);
    expect(planned.requests).toEqual(writes);
    for (const q of lf.state.requests)
      if (q.path !== '/api/public/health') expect(q.authorization).toBe(AUTH);
    const acme = writes[1]!.body;
    expect(acme).toEqual({
      modelName: 'acme-large-2025-06-01',
      matchPattern:
        '(?i)^(acme/|accounts/[^/]+/models/)?(acme-large-2025-06-01|acme-large)(-[0-9]{4}-[0-9]{2}-[0-9]{2}|-[0-9]{8}|-[0-9]{2}-[0-9]{2}|-[0-9]{4}|-[0-9]{3}|-latest|-v[0-9]+(:[0-9]+)?)*$',
      unit: 'TOKENS',
      pricingTiers: expect.any(Array),
    });
    expect(acme.pricingTiers.map((t: any) => t.name)).toEqual([
      'Standard',
      'Batch, prompt >128K',
      'Batch',
      'Prompt >128K',
    ]);
    expect(acme.pricingTiers[0].prices).toMatchObject(ACME_STANDARD);
    expect(writes[2]!.body).toMatchObject({
      modelName: 'acme-mini',
      pricingTiers: [
        {
          name: 'Standard',
          isDefault: true,
          priority: 0,
          conditions: [],
          prices: { input: 1e-7, output: 4e-7 },
        },
      ],
    });
    // One project definition per name remains, with our prices.
    const project = lf.state.models.filter((m) => !m.isLangfuseManaged);
    expect(project.map((m) => m.modelName).sort()).toEqual(['acme-large-2025-06-01', 'acme-mini']);
    // The deleted definition is kept in a file, and the output says how to restore it.
    const backups = await readdir(join(dir, '.langfuse-cost'));
    expect(backups).toHaveLength(1);
    const backupPath = join(dir, '.langfuse-cost', backups[0]!);
    const saved = JSON.parse(await readFile(backupPath, 'utf8'));
    expect(saved.baseUrl).toBe(baseUrl);
    expect(saved.definitions).toEqual([JSON.parse(JSON.stringify(old))]);
    expect(r.stdout).toContain('created acme-large-2025-06-01 (id cmstandin0001), replacing cm-old-acme');
    expect(r.stdout).toContain(`langfuse-cost langfuse models restore ${backupPath}`);

    // Pushing again changes nothing: Langfuse prices them as we do.
    lf.state.requests = [];
    const again = await push();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(writesOf(lf.state.requests)).toEqual([]);
    const after = await runCli(
      ['langfuse', 'models', 'diff', '--models', 'acme-large,acme-mini,gpt-4o', '--json'],
      { env: env() },
    );
    expect(JSON.parse(after.stdout).models.map((m: any) => m.status)).toEqual(['same', 'same', 'same']);
  });

  it('push puts the deleted definition back when the create fails, and says how to restore it', async () => {
    seedRemote();
    lf.state.models.push(
      remoteModel('cm-mini-old', 'acme-mini', '(?i)^(acme-mini)$', false, { input: 1e-6, output: 1e-6 }),
    );
    lf.state.failNextCreate = true; // the server answers the create with a 500
    const r = await runCli(
      ['langfuse', 'models', 'push', '--models', 'acme-mini', '--backup-dir', join(dir, '.langfuse-cost')],
      { env: env() },
    );
    expect(r.code).toBe(1);
    const writes = writesOf(lf.state.requests);
    expect(writes.map((q) => `${q.method} ${q.path}`)).toEqual([
      'DELETE /api/public/models/cm-mini-old',
      'POST /api/public/models',
      'POST /api/public/models',
    ]);
    // The third request re-creates the deleted definition from its copy.
    expect(writes[2]!.body).toEqual({
      modelName: 'acme-mini',
      matchPattern: '(?i)^(acme-mini)$',
      startDate: null,
      unit: 'TOKENS',
      pricingTiers: [
        {
          name: 'Standard',
          isDefault: true,
          priority: 0,
          conditions: [],
          prices: { input: 1e-6, output: 1e-6 },
        },
      ],
    });
    const restored = lf.state.models.filter((m) => m.modelName === 'acme-mini');
    expect(restored).toHaveLength(1);
    expect(restored[0]!.matchPattern).toBe('(?i)^(acme-mini)$');
    expect(r.stdout).toContain('failed acme-mini');
    expect(r.stdout).toContain('HTTP 500');
    expect(r.stdout).toContain('put back cm-mini-old');
    const backups = await readdir(join(dir, '.langfuse-cost'));
    expect(backups).toHaveLength(1);
    expect(r.stdout).toContain(
      `langfuse-cost langfuse models restore ${join(dir, '.langfuse-cost', backups[0]!)}`,
    );
  });

  it('restore re-creates the definitions of a backup file', async () => {
    seedRemote();
    const r1 = await push();
    expect(r1.code).toBe(0);
    const file = join(dir, '.langfuse-cost', (await readdir(join(dir, '.langfuse-cost')))[0]!);
    // Put the old definition back by hand: delete ours, restore the copy.
    const ours = lf.state.models.find((m) => m.modelName === 'acme-large-2025-06-01')!;
    lf.state.models = lf.state.models.filter((m) => m !== ours);
    lf.state.requests = [];
    const r = await runCli(['langfuse', 'models', 'restore', file], { env: env() });
    expect(r.code).toBe(0);
    expect(writesOf(lf.state.requests).map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /api/public/models',
    ]);
    const back = lf.state.models.find((m) => m.modelName === 'acme-large-2025-06-01')!;
    expect(back.matchPattern).toBe('(?i)^(acme-large)$');
    expect(back.pricingTiers![0]!.prices).toEqual({ input: 1e-6, output: 4e-6 });
    expect(r.stdout).toContain('restored acme-large-2025-06-01');
  });

  it('--keep-existing leaves a same-name definition alone (the server allows one per name)', async () => {
    seedRemote();
    const r = await push('--keep-existing');
    expect(r.code).toBe(0);
    expect(
      writesOf(lf.state.requests).map((q) => `${q.method} ${q.path} ${q.body?.modelName ?? ''}`),
    ).toEqual(['POST /api/public/models acme-mini']);
    expect(r.stdout).toContain(
      'kept acme-large-2025-06-01: the project already has a definition with this name',
    );
  });

  it('push sends only what the server version accepts (Why 2)', async () => {
    // v4.12: usage conditions only; a model_parameters condition is a 400 there.
    seedRemote();
    lf.setVersion('4.12.0');
    const r412 = await push();
    expect(r412.stdout).not.toContain('failed');
    expect(r412.code).toBe(0);
    const acme412 = writesOf(lf.state.requests).find(
      (q) => q.body?.modelName === 'acme-large-2025-06-01',
    )!.body;
    expect(acme412.pricingTiers.map((t: any) => [t.name, t.priority])).toEqual([
      ['Standard', 0],
      ['Prompt >128K', 1],
    ]);
    expect(JSON.stringify(acme412)).not.toContain('model_parameters');
    expect(r412.stdout).toContain('Langfuse 4.12.0');
    expect(r412.stdout).toContain(
      'not pushed: tiers Batch, prompt >128K, Batch (model-parameter conditions need Langfuse 4.13)',
    );
    const d412 = await runCli(['langfuse', 'models', 'diff', '--models', 'acme-large,acme-mini', '--json'], {
      env: env(),
    });
    expect(JSON.parse(d412.stdout).models.map((m: any) => m.status)).toEqual(['same', 'same']);

    // v3.134: no pricing tiers (the key would be stripped and an unpriced definition created): flat prices.
    lf.setVersion('3.134.0');
    lf.state.models = [];
    lf.state.requests = [];
    const r3 = await push();
    expect(r3.code).toBe(0);
    const bodies = writesOf(lf.state.requests).map((q) => q.body);
    expect(bodies).toEqual([
      {
        modelName: 'acme-large-2025-06-01',
        matchPattern: expect.any(String),
        unit: 'TOKENS',
        inputPrice: 2e-6,
        outputPrice: 8e-6,
      },
      {
        modelName: 'acme-mini',
        matchPattern: expect.any(String),
        unit: 'TOKENS',
        inputPrice: 1e-7,
        outputPrice: 4e-7,
      },
      {
        modelName: 'gpt-4o',
        matchPattern: expect.any(String),
        unit: 'TOKENS',
        inputPrice: 2.5e-6,
        outputPrice: 1e-5,
      },
    ]);
    const stored = lf.state.models.find((m) => m.modelName === 'acme-large-2025-06-01')!;
    expect(stored.prices).toEqual({ input: { price: 2e-6 }, output: { price: 8e-6 } });
    const d3 = await runCli(['langfuse', 'models', 'diff', '--models', 'acme-large,acme-mini', '--json'], {
      env: env(),
    });
    expect(JSON.parse(d3.stdout).models.map((m: any) => m.status)).toEqual(['same', 'same']);
    // A server that hides its version: the listing shows which shape it speaks.
    lf.setVersion('4.12.0');
    lf.state.health = false;
    seedRemote(); // Langfuse-managed definitions with tiers, none conditioned on model parameters
    lf.state.models = lf.state.models.map((m) =>
      m.isLangfuseManaged ? { ...m, pricingTiers: m.pricingTiers!.filter((t) => t.isDefault) } : m,
    );
    const hidden = await push('--dry-run', '--json');
    expect(JSON.parse(hidden.stdout).server).toMatchObject({ version: null, pricing: 'usage-tiers' });
    // No signal at all: the command asks for the version instead of guessing.
    lf.state.models = [];
    const none = await push('--dry-run');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--server-version');
    const given = await push('--dry-run', '--json', '--server-version', '3.134.0');
    expect(JSON.parse(given.stdout).server).toMatchObject({ version: '3.134.0', pricing: 'flat' });
  });

  it('Langfuse prices every usage key it emits with a pushed definition, input_cache_write too (Why 3)', async () => {
    const r = await runCli(['langfuse', 'models', 'push', '--models', 'acme-large'], { env: env() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const api = new LangfusePublicApi({ baseUrl, publicKey: PK, secretKey: SK });
    const gen = (id: string, usageDetails: Record<string, number>) => ({
      id: `ev-${id}`,
      type: 'generation-create',
      timestamp: '2026-11-20T10:00:00.000Z',
      body: { id, traceId: 't1', startTime: '2026-11-20T10:00:00.000Z', model: 'acme-large', usageDetails },
    });
    const res = await api.ingest([
      // AI SDK Bedrock cache writes arrive as input_cache_write.
      gen('g1', { input: 1000, input_cache_write: 2000, output: 100 }),
      // 100K uncached + 40K of another prompt bucket: a 140K prompt, over the 128K threshold.
      gen('g2', { input: 100_000, input_cache_creation_5m: 40_000, output: 10 }),
      gen('g3', { input: 100_000, input_cache_write: 40_000, output: 10 }),
      gen('g4', { input: 100_000, input_audio: 40_000, output: 10 }),
      gen('g5', { input: 100_000, input_image: 40_000, output: 10 }),
      // 100K + 20K: below the threshold.
      gen('g6', { input: 100_000, input_image: 20_000, output: 10 }),
    ]);
    expect(res.errors).toEqual([]);
    const g1 = lf.state.observations.get('g1')!;
    // $2 in, $2.5 cache write, $8 out per 1M.
    expect(g1.costDetails.input).toBeCloseTo((1000 * 2) / 1e6, 15);
    expect(g1.costDetails.input_cache_write).toBeCloseTo((2000 * 2.5) / 1e6, 15);
    expect(g1.costDetails.output).toBeCloseTo((100 * 8) / 1e6, 15);
    expect(g1.totalCost).toBeCloseTo((1000 * 2 + 2000 * 2.5 + 100 * 8) / 1e6, 15);
    for (const id of ['g2', 'g3', 'g4', 'g5']) {
      const o = lf.state.observations.get(id)!;
      expect(o.usagePricingTierName, id).toBe('Prompt >128K');
      expect(o.costDetails.input, id).toBeCloseTo((100_000 * 4) / 1e6, 12); // $4 above 128K
      expect(o.costDetails.output, id).toBeCloseTo((10 * 16) / 1e6, 12);
    }
    expect(lf.state.observations.get('g6')!.usagePricingTierName).toBe('Standard');
  });

  it('diff picks the definition Langfuse picks: newest startDate first, future ones included (Why 5)', async () => {
    seedRemote();
    lf.state.models.push(
      remoteModel(
        'cm-future',
        'acme-large-next',
        '(?i)^(acme-large)$',
        false,
        { input: 3e-6, output: 8e-6 },
        [],
        '2999-01-01T00:00:00.000Z',
      ),
      remoteModel(
        'cm-2025',
        'acme-large-2025',
        '(?i)^(acme-large)$',
        false,
        { input: 5e-6, output: 8e-6 },
        [],
        '2025-01-01T00:00:00.000Z',
      ),
    );
    const r = await runCli(['langfuse', 'models', 'diff', '--models', 'acme-large'], { env: env() });
    expect(r.code).toBe(0);
    // ORDER BY project_id ASC, start_date DESC NULLS LAST: 2999 before 2025 before the one without a date.
    expect(r.stdout).toContain('current: acme-large-next (project)');
    expect(r.stdout).toContain('input: $3/1M → $2/1M');
    lf.state.models = lf.state.models.filter((m) => m.id !== 'cm-future');
    const r2 = await runCli(['langfuse', 'models', 'diff', '--models', 'acme-large'], { env: env() });
    expect(r2.stdout).toContain('current: acme-large-2025 (project)');
  });

  it('fails clearly without credentials and never prints them on auth errors', async () => {
    const none = await runCli(['langfuse', 'models', 'diff', '--models', 'gpt-4o'], {
      env: { ...env(), LANGFUSE_PUBLIC_KEY: '', LANGFUSE_SECRET_KEY: '' },
    });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY');
    const wrong = await runCli(['langfuse', 'models', 'diff', '--models', 'gpt-4o'], {
      env: env({ LANGFUSE_SECRET_KEY: `${SK}-x` }),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('HTTP 401');
    for (const t of [wrong.stdout, wrong.stderr]) {
      expect(t).not.toContain(`${SK}-x`);
      expect(t).not.toContain(PK);
    }
  });
});

describe('CLI: langfuse reprice', () => {
  function seedObservations() {
    const rows: Parameters<typeof lf.addObservation>[0][] = [
      {
        // Langfuse had no price for acme-large: cost empty.
        id: 'obs-1',
        traceId: 'trace-1',
        startTime: '2026-11-20T10:00:00.123456Z',
        type: 'GENERATION',
        model: 'acme-large',
        usageDetails: { input: 1000, input_cached_tokens: 500, output: 200, total: 1700 },
        costDetails: {},
      },
      {
        // Already right: 2,000 × $2.5 + 100 × $10 per 1M = $0.006.
        id: 'obs-2',
        traceId: 'trace-1',
        startTime: '2026-11-20T11:00:00.000Z',
        type: 'GENERATION',
        model: 'gpt-4o',
        usageDetails: { input: 2000, output: 100, total: 2100 },
        costDetails: { input: 0.005, output: 0.001, total: 0.006 },
      },
      {
        // Batch call over 128k tokens, wrongly priced at $0.5.
        id: 'obs-3',
        traceId: 'trace-2',
        startTime: '2026-11-20T12:00:00.000Z',
        type: 'GENERATION',
        model: 'acme-large-2025-06-01',
        modelParameters: { service_tier: 'batch', temperature: '0' },
        usageDetails: { input: 130_000, output: 1000, total: 131_000 },
        costDetails: { total: 0.5 },
      },
      {
        id: 'obs-4',
        traceId: 'trace-2',
        startTime: '2026-11-20T13:00:00.000Z',
        type: 'GENERATION',
        model: 'unknown-model-x',
        usageDetails: { input: 5 },
        costDetails: {},
      },
      {
        id: 'obs-5',
        traceId: 'trace-3',
        startTime: '2026-11-20T14:00:00.000Z',
        type: 'GENERATION',
        model: 'gpt-4o',
        usageDetails: { promptTokens: 10 },
        costDetails: {},
      },
      {
        id: 'obs-6',
        traceId: 'trace-3',
        startTime: '2026-11-20T15:00:00.000Z',
        type: 'GENERATION',
        model: 'acme-large',
        usageDetails: { input: 100, output: 100, total: 200 },
        costDetails: { input: 0.0002, output: 0.0018, total: 0.002 },
      },
      // Outside the range.
      {
        id: 'obs-7',
        traceId: 'trace-4',
        startTime: '2026-11-25T10:00:00.000Z',
        type: 'GENERATION',
        model: 'acme-large',
        usageDetails: { input: 1 },
        costDetails: {},
      },
    ];
    for (const o of rows) lf.addObservation(o);
  }

  // New costs, from our prices (USD per 1M): acme-large $2 in / $0.5 cached / $8 out; batch ×0.5; >128k $4 / $16.
  const obs1 = { input: (1000 * 2) / 1e6, input_cached_tokens: (500 * 0.5) / 1e6, output: (200 * 8) / 1e6 };
  const obs1Total = (1000 * 2 + 500 * 0.5 + 200 * 8) / 1e6; // 0.00385
  const obs3 = { input: (130_000 * 4 * 0.5) / 1e6, output: (1000 * 16 * 0.5) / 1e6 };
  const obs3Total = (130_000 * 2 + 1000 * 8) / 1e6; // 0.268
  const obs6Total = (100 * 2 + 100 * 8) / 1e6; // 0.001

  it('dry run: scans, plans and sends nothing', async () => {
    seedObservations();
    // A date in --to includes that whole day, as in every command: up to the start of the 21st.
    const r = await runCli(
      ['langfuse', 'reprice', '--from', '2026-11-20', '--to', '2026-11-20', '--dry-run'],
      { env: env() },
    );
    expectNoSecrets(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('6 generations scanned: 3 to correct, 1 already right, 2 left alone');
    expect(r.stdout).toContain('left alone: 1 (model not in the catalog)');
    expect(r.stdout).toContain('left alone: 1 (usage keys not understood: promptTokens)');
    expect(r.stdout).toContain('Dry run: nothing was sent.');
    expect(lf.state.requests.filter((q) => q.path === '/api/public/ingestion')).toEqual([]);
    const gets = lf.state.requests.filter((q) => q.path === '/api/public/v2/observations');
    expect(gets).toHaveLength(1); // 6 rows in range, 100 a page
    expect(gets[0]!.query).toMatchObject({
      type: 'GENERATION',
      fromStartTime: '2026-11-20T00:00:00.000Z',
      toStartTime: '2026-11-21T00:00:00.000Z',
      fields: 'core,basic,model,usage',
    });
  });

  it('asks Langfuse for a window with four-digit years: --to 9999-12-31 is an open end', async () => {
    seedObservations();
    const r = await runCli(
      ['langfuse', 'reprice', '--from', '2026-11-20', '--to', '9999-12-31', '--dry-run'],
      {
        env: env(),
      },
    );
    expect(r.code).toBe(0);
    // The six of the 20th and one of a later day.
    expect(r.stdout).toContain('7 generations scanned');
    const gets = lf.state.requests.filter((q) => q.path === '/api/public/v2/observations');
    // toISOString() of the year 10000 is `+010000-01-01T00:00:00.000Z`, which Langfuse's query schema refuses.
    expect(gets[0]!.query).toMatchObject({
      fromStartTime: '2026-11-20T00:00:00.000Z',
      toStartTime: '9999-12-31T23:59:59.999Z',
    });
  });

  it('sends generation-update events with the corrected cost of the same observations', async () => {
    seedObservations();
    const r = await runCli(
      ['langfuse', 'reprice', '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-21T00:00:00Z', '--json'],
      { env: env() },
    );
    expectNoSecrets(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    const posts = lf.state.requests.filter((q) => q.path === '/api/public/ingestion');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.method).toBe('POST');
    expect(posts[0]!.authorization).toBe(AUTH);
    // The server lists the newest first; compare by observation id.
    const batch = (posts[0]!.body.batch as any[]).sort((a, b) => (a.body.id < b.body.id ? -1 : 1));
    expect(batch.map((e) => e.type)).toEqual(['generation-update', 'generation-update', 'generation-update']);
    expect(new Set(batch.map((e) => e.id)).size).toBe(3);
    for (const e of batch) {
      expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(e.timestamp)).toBeGreaterThan(0);
      expect(Object.keys(e.body).sort()).toEqual(['costDetails', 'id', 'metadata', 'startTime', 'traceId']);
    }
    const [e1, e3, e6] = batch;
    expect(e1.body).toMatchObject({ id: 'obs-1', traceId: 'trace-1', startTime: '2026-11-20T10:00:00.123Z' });
    expect(Object.keys(e1.body.costDetails).sort()).toEqual([
      'input',
      'input_cached_tokens',
      'output',
      'total',
    ]);
    for (const [k, v] of Object.entries(obs1)) expect(e1.body.costDetails[k]).toBeCloseTo(v, 12);
    expect(e1.body.costDetails.total).toBeCloseTo(obs1Total, 12);
    expect(e1.body.metadata).toEqual({
      langfuse_cost_repriced_at: e1.timestamp,
      langfuse_cost_previous_total: 'none',
    });
    expect(e3.body).toMatchObject({ id: 'obs-3', traceId: 'trace-2', startTime: '2026-11-20T12:00:00.000Z' });
    expect(e3.body.costDetails.input).toBeCloseTo(obs3.input, 12);
    expect(e3.body.costDetails.output).toBeCloseTo(obs3.output, 12);
    expect(e3.body.costDetails.total).toBeCloseTo(obs3Total, 12);
    expect(e3.body.metadata.langfuse_cost_previous_total).toBe('0.5');
    expect(e6.body.id).toBe('obs-6');
    expect(e6.body.costDetails.total).toBeCloseTo(obs6Total, 12);
    const out = JSON.parse(r.stdout);
    expect(out.langfuse.outcome).toEqual({ sent: 3, accepted: 3, rejected: [] });
    // Merged over the stored observations: the cost is the one sent, usage and model stay.
    const o1 = lf.state.observations.get('obs-1')!;
    expect(o1.costDetails).toEqual(e1.body.costDetails);
    expect(o1.totalCost).toBeCloseTo(obs1Total, 12);
    expect(o1.providedUsageDetails).toEqual({
      input: 1000,
      input_cached_tokens: 500,
      output: 200,
      total: 1700,
    });
    expect(o1.providedModelName).toBe('acme-large');
    expect(o1.metadata).toEqual(e1.body.metadata);
    expect(lf.state.observations.get('obs-3')!.totalCost).toBeCloseTo(obs3Total, 12);
  });

  it('reports observations Langfuse rejects (v4 events_only mode) and exits non-zero', async () => {
    seedObservations();
    lf.state.eventsOnly = true;
    const r = await runCli(
      ['langfuse', 'reprice', '--from', '2026-11-20', '--to', '2026-11-21', '--no-annotate'],
      { env: env() },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('sent 3 generation-update events: 0 accepted, 3 rejected');
    expect(r.stdout).toContain('rejected obs-3: HTTP 400 Event type not accepted');
    expect(lf.state.observations.get('obs-3')!.totalCost).toBe(0.5); // unchanged
    const batch = lf.state.requests.find((q) => q.path === '/api/public/ingestion')!.body.batch as any[];
    expect(batch[0].body.metadata).toBeUndefined();
  });

  it('re-prices the local ledger atomically and keeps a backup', async () => {
    const ledger = join(dir, 'ledger.jsonl');
    const line = (o: Record<string, unknown>) => JSON.stringify(o);
    // Priced earlier at $1 in / $0.25 cached / $4 out per 1M: (1000×1 + 500×0.25 + 200×4)/1e6 = $0.001925.
    const stale = {
      id: 'run-1',
      trace_id: 'run-1',
      type: 'GENERATION',
      start_time: '2026-11-20T10:00:00.000Z',
      end_time: '2026-11-20T10:00:01.000Z',
      level: 'DEFAULT',
      provided_model_name: 'acme-large',
      internal_model_id: 'acme-large-2025-06-01',
      usage_details: { input: 1000, input_cached_tokens: 500, output: 200, total: 1700 },
      cost_details: { input: 0.001, input_cached_tokens: 0.000125, output: 0.0008, total: 0.001925 },
      provided_cost_details: {},
      total_cost: 0.001925,
      cost_pico: 1_925_000_000,
      metadata: { team: 'search' },
      provider: 'acme',
      resolved_model: 'acme-large-2025-06-01',
      source: 'override',
      estimated: false,
      tier: 'standard',
      status: 'success',
    };
    const provided = {
      ...stale,
      id: 'run-2',
      source: 'provided',
      provided_cost_details: { total: 0.5 },
      total_cost: 0.5,
      cost_pico: 5e11,
    };
    const outside = { ...stale, id: 'run-3', start_time: '2026-10-01T00:00:00.000Z' };
    const right = {
      ...stale,
      id: 'run-4',
      provided_model_name: 'gpt-4o',
      provider: 'openai',
      resolved_model: 'gpt-4o',
      internal_model_id: 'gpt-4o',
      usage_details: { input: 2000, output: 100, total: 2100 },
      cost_details: { input: 0.005, output: 0.001, total: 0.006 },
      total_cost: 0.006,
      cost_pico: 6_000_000_000,
    };
    const lines = [line(stale), line(provided), line(outside), '{"broken', line(right)];
    const original = `${lines.join('\n')}\n`;
    await writeFile(ledger, original);

    const dry = await repriceLedger({
      path: ledger,
      from: '2026-11-20',
      to: '2026-11-21',
      catalog: PriceCatalog.fromData(CATALOG, 'user'),
      dryRun: true,
    });
    expect(dry).toMatchObject({ lines: 5, inRange: 3, changed: 1, written: [], backups: [] });
    expect(await readFile(ledger, 'utf8')).toBe(original);

    const r = await runCli(
      [
        'langfuse',
        'reprice',
        '--from',
        '2026-11-20',
        '--to',
        '2026-11-21',
        '--skip-langfuse',
        '--ledger',
        ledger,
      ],
      {
        env: env(),
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 calls in range (5 lines): 1 re-priced');
    expect(r.stdout).toContain('left alone: 1 (cost reported by the provider)');
    expect(lf.state.requests).toEqual([]); // --skip-langfuse: no API call at all
    const after = (await readFile(ledger, 'utf8')).split('\n');
    expect(after).toHaveLength(6);
    expect(after.slice(1, 5)).toEqual(lines.slice(1, 5)); // untouched lines byte-identical
    const updated = JSON.parse(after[0]!);
    expect(updated.cost_pico).toBe((1000 * 2 + 500 * 0.5 + 200 * 8) * 1e6);
    expect(updated.total_cost).toBeCloseTo(0.00385, 12);
    expect(updated.cost_details.input).toBeCloseTo(0.002, 12);
    expect(updated.cost_details.input_cached_tokens).toBeCloseTo(0.00025, 12);
    expect(updated.cost_details.output).toBeCloseTo(0.0016, 12);
    expect(updated.usage_details).toEqual(stale.usage_details);
    expect(updated.metadata.team).toBe('search');
    expect(Date.parse(updated.metadata.langfuse_cost_repriced_at)).toBeGreaterThan(0);
    const backups = (await readdir(dir)).filter((f) => f.startsWith('ledger.jsonl.bak-'));
    expect(backups).toHaveLength(1);
    expect(await readFile(join(dir, backups[0]!), 'utf8')).toBe(original);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('re-prices rotated files too, and keeps lines appended while it rewrites', async () => {
    const ledger = join(dir, 'ledger.jsonl');
    const catalog = PriceCatalog.fromData(CATALOG, 'user');
    const mk = (i: number, day: string) =>
      JSON.stringify({
        id: `r${i}`,
        type: 'GENERATION',
        start_time: `2026-11-${day}T10:00:00.000Z`,
        provided_model_name: 'acme-mini',
        provider: 'acme',
        usage_details: { input: 1000, output: 1000, total: 2000 },
        cost_details: { input: 0, output: 0, total: 0 },
        total_cost: 0,
        cost_pico: 0,
        metadata: {},
        source: 'override',
        tier: 'standard',
        status: 'success',
      });
    await writeFile(join(dir, 'ledger.2026-11-19.1.jsonl'), `${mk(0, '19')}\n`);
    const initial = 20_000;
    await writeFile(ledger, `${Array.from({ length: initial }, (_, i) => mk(i + 1, '20')).join('\n')}\n`);
    // Another "process" keeps appending whole lines with O_APPEND while the ledger is rewritten.
    let appended = 0;
    let stop = false;
    const { appendFile } = await import('node:fs/promises');
    const writer = (async () => {
      while (!stop) {
        await appendFile(ledger, `${mk(100_000 + appended, '21')}\n`);
        appended++;
      }
    })();
    const r = await repriceLedger({
      path: ledger,
      from: '2026-11-19',
      to: '2026-11-21',
      catalog,
      backup: false,
    });
    stop = true;
    await writer;
    expect(r.files.map((f) => f.slice(dir.length + 1))).toEqual([
      'ledger.2026-11-19.1.jsonl',
      'ledger.jsonl',
    ]);
    expect(r.changed).toBe(initial + 1);
    // acme-mini: 1,000 × $0.1 + 1,000 × $0.4 per 1M = $0.0005 per call.
    expect(r.newTotalPico).toBe(BigInt(initial + 1) * 500_000_000n);
    const rotated = JSON.parse((await readFile(join(dir, 'ledger.2026-11-19.1.jsonl'), 'utf8')).trim());
    expect(rotated.cost_pico).toBe((1000 * 0.1 + 1000 * 0.4) * 1e6);
    const lines = (await readFile(ledger, 'utf8')).trim().split('\n');
    expect(appended).toBeGreaterThan(0);
    expect(lines).toHaveLength(initial + appended);
    const ids = new Set(lines.map((l) => JSON.parse(l).id));
    for (let k = 0; k < appended; k++) expect(ids.has(`r${100_000 + k}`)).toBe(true);
    expect(JSON.parse(lines[0]!).cost_pico).toBe(500_000_000);
    expect(existsSync(`${ledger}.lock`)).toBe(false);
  });
});
