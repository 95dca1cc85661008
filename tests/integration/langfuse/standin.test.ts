/**
 * The loopback Langfuse stand-in holds the server's rules (Why 6 of issue 20): each expectation
 * below is a fact read in the Langfuse source, named in tests/helpers/langfuse-server/SOURCES.md.
 * The stand-in is spoken to over HTTP, exactly as the CLI does.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LangfuseServer, startLangfuseServer } from '../../helpers/langfuse-server/index.js';
import { looksSafeRegex } from '../../helpers/langfuse-server/rules.js';

const PK = 'pk-lf-standin';
const SK = 'sk-lf-standin';
const AUTH = `Basic ${Buffer.from(`${PK}:${SK}`).toString('base64')}`;
let lf: LangfuseServer;

beforeAll(async () => {
  lf = await startLangfuseServer({ publicKey: PK, secretKey: SK });
});
afterAll(() => lf.close());
beforeEach(() => {
  lf.setVersion('4.16.0');
  lf.state.models = [];
  lf.state.observations.clear();
  lf.state.events = [];
  lf.state.eventsOnly = false;
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(lf.url + path, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const tier = (over: Record<string, unknown> = {}) => ({
  name: 'Standard',
  isDefault: true,
  priority: 0,
  conditions: [],
  prices: { input: 1e-6, output: 2e-6 },
  ...over,
});
const usageCond = { usageDetailPattern: '^input$', operator: 'gt', value: 200_000 };
const attrCond = { source: 'model_parameters', key: 'service_tier', operator: 'in', values: ['batch'] };
const create = (modelName: string, extra: Record<string, unknown>) =>
  call('POST', '/api/public/models', {
    modelName,
    matchPattern: `(?i)^${modelName}$`,
    unit: 'TOKENS',
    ...extra,
  });
const firstIssue = (r: { body: any }) => String(r.body.error?.[0]?.message ?? r.body.message);

describe('models API', () => {
  it('refuses a second project definition with the same name (v3.135.0 and later)', async () => {
    expect((await create('m', { pricingTiers: [tier()] })).status).toBe(200);
    const again = await create('m', { inputPrice: 1e-6 });
    expect(again).toEqual({
      status: 400,
      body: { message: "Model name 'm' already exists in project", error: 'InvalidRequestError' },
    });
    lf.setVersion('3.134.0');
    expect((await create('m', { inputPrice: 1e-6 })).status).toBe(200); // no such check before
  });

  it('accepts model-parameter conditions from v4.13.0 only', async () => {
    const body = {
      pricingTiers: [tier(), tier({ name: 'Batch', isDefault: false, priority: 1, conditions: [attrCond] })],
    };
    lf.setVersion('4.12.0');
    const old = await create('a', body);
    expect(old.status).toBe(400);
    expect(old.body.message).toBe('Invalid request data');
    lf.setVersion('4.13.0');
    expect((await create('a', body)).status).toBe(200);
  });

  it('applies the pricing-tier rules', async () => {
    const cases: [unknown[], string][] = [
      [
        [tier(), tier({ isDefault: false, priority: 1, conditions: [usageCond] })],
        'Pricing tier names must be unique',
      ],
      [
        [tier(), tier({ name: 'B', isDefault: false, priority: 0, conditions: [usageCond] })],
        'priorities must be unique',
      ],
      [[tier(), tier({ name: 'B' })], 'Only one pricing tier can have isDefault: true'],
      [
        [tier({ isDefault: false, conditions: [usageCond] })],
        'Exactly one pricing tier must have isDefault: true',
      ],
      [
        [
          tier(),
          tier({
            name: 'B',
            isDefault: false,
            priority: 1,
            conditions: [usageCond],
            prices: { input: 1e-6 },
          }),
        ],
        'must have the same usage keys as the default tier',
      ],
      [[tier({ prices: { input: -1 } })], 'Price must be non-negative'],
      [[tier({ name: 'x'.repeat(101) })], 'Name exceeds maximum length of 100 characters'],
      [
        [tier(), tier({ name: 'B', isDefault: false, priority: 1000, conditions: [usageCond] })],
        'Priority cannot exceed 999',
      ],
      [
        [tier(), tier({ name: 'B', isDefault: false, priority: 1, conditions: [] })],
        'must have at least one condition',
      ],
      [
        [
          tier(),
          tier({
            name: 'B',
            isDefault: false,
            priority: 1,
            conditions: [{ ...usageCond, usageDetailPattern: `^(${'a|'.repeat(100)}b)$` }],
          }),
        ],
        'Pattern exceeds maximum length of 200 characters',
      ],
    ];
    for (const [pricingTiers, message] of cases) {
      const r = await create('t', { pricingTiers });
      expect(r.status, message).toBe(400);
      expect(firstIssue(r), message).toContain(message);
    }
    expect(lf.state.models).toEqual([]);
  });

  it('screens usage patterns for catastrophic backtracking (nested quantifiers)', () => {
    expect(
      looksSafeRegex(
        '^(input(|_cached_tokens|_cache_creation(_5m|_1h)?)|cache_(read|creation)_input_tokens)$',
      ),
    ).toBe(true);
    expect(looksSafeRegex('^(input(_cache_creation(_5m|_1h)?)?)$')).toBe(false);
    expect(looksSafeRegex('(a+)+')).toBe(false);
  });

  it('accepts flat prices (a "Standard" default tier) but not flat prices and tiers together', async () => {
    const flat = await create('f', { inputPrice: 1e-6, outputPrice: 2e-6 });
    expect(flat.status).toBe(200);
    expect(flat.body.pricingTiers).toEqual([
      expect.objectContaining({
        name: 'Standard',
        isDefault: true,
        priority: 0,
        prices: { input: 1e-6, output: 2e-6 },
      }),
    ]);
    const both = await create('g', { inputPrice: 1e-6, pricingTiers: [tier()] });
    expect(both.status).toBe(400);
    expect(firstIssue(both)).toContain('not both');
    expect((await create('h', {})).status).toBe(400);
  });

  it('before v3.135.0 strips pricingTiers silently: an unpriced definition is created', async () => {
    lf.setVersion('3.134.0');
    const r = await create('old', { pricingTiers: [tier()] });
    expect(r.status).toBe(200);
    expect(r.body.prices).toEqual({});
    expect(r.body.inputPrice).toBeNull();
    expect('pricingTiers' in r.body).toBe(false);
  });

  it('lists by modelName, unit, startDate DESC NULLS LAST, at most 100 a page', async () => {
    lf.state.models = [
      lf.model({ id: '1', modelName: 'b', matchPattern: 'b', startDate: null, isLangfuseManaged: true }),
      lf.model({ id: '2', modelName: 'a', matchPattern: 'a', startDate: null, isLangfuseManaged: false }),
      lf.model({
        id: '3',
        modelName: 'a',
        matchPattern: 'a',
        startDate: '2026-01-01T00:00:00.000Z',
        isLangfuseManaged: false,
      }),
    ];
    const r = await call('GET', '/api/public/models?page=1&limit=100');
    expect(r.body.data.map((m: any) => m.id)).toEqual(['3', '2', '1']);
    expect(r.body.meta).toEqual({ page: 1, limit: 100, totalItems: 3, totalPages: 1 });
    expect((await call('GET', '/api/public/models?limit=101')).status).toBe(400);
    expect((await call('GET', '/api/public/models?page=0')).status).toBe(400);
  });

  it('deletes project definitions only', async () => {
    lf.state.models = [
      lf.model({
        id: 'managed',
        modelName: 'x',
        matchPattern: 'x',
        startDate: null,
        isLangfuseManaged: true,
      }),
    ];
    const r = await call('DELETE', '/api/public/models/managed');
    expect(r.status).toBe(404);
    expect(r.body.message).toContain('You cannot delete built-in models');
  });
});

describe('observations API', () => {
  beforeEach(() => {
    lf.addObservation({
      id: 'o1',
      traceId: 't',
      startTime: '2026-11-20T10:00:00.000Z',
      model: 'gpt-4o',
      usageDetails: { input: 1 },
      costDetails: {},
    });
  });

  it('v2 names the model providedModelName and allows up to 1000 a page', async () => {
    const r = await call('GET', '/api/public/v2/observations?fields=core,model,usage&limit=1000');
    expect(r.body.data[0].providedModelName).toBe('gpt-4o');
    expect('model' in r.body.data[0]).toBe(false);
    expect((await call('GET', '/api/public/v2/observations?limit=1001')).status).toBe(400);
  });

  it('v1 names it model and allows up to 100 a page; v2 is absent before v4', async () => {
    const r = await call('GET', '/api/public/observations?limit=100');
    expect(r.body.data[0].model).toBe('gpt-4o');
    expect((await call('GET', '/api/public/observations?limit=101')).status).toBe(400);
    lf.setVersion('3.225.4');
    expect((await call('GET', '/api/public/v2/observations')).status).toBe(404);
  });
});

describe('ingestion API', () => {
  const ev = (id: string, type: string, timestamp: string, body: Record<string, unknown>) => ({
    id,
    type,
    timestamp,
    body,
  });

  it('checks each event and answers 207 with per-event errors', async () => {
    const r = await call('POST', '/api/public/ingestion', {
      batch: [
        ev('e1', 'generation-create', '2026-11-20T10:00:00.000Z', { id: 'g', traceId: 't', model: 'gpt-4o' }),
        ev('e2', 'generation-update', '2026-11-20T10:00:00.000Z', { traceId: 't' }), // no body.id
        ev('e3', 'generation-update', '2026-11-20T10:00:00', { id: 'g' }), // no offset
        ev('e4', 'no-such-event', '2026-11-20T10:00:00.000Z', { id: 'g' }),
      ],
    });
    expect(r.status).toBe(207);
    expect(r.body.successes).toEqual([{ id: 'e1', status: 201 }]);
    expect(r.body.errors.map((e: any) => [e.id, e.status, e.message])).toEqual([
      ['e2', 400, 'Invalid request data'],
      ['e3', 400, 'Invalid request data'],
      ['e4', 400, 'Invalid request data'],
    ]);
    expect((await call('POST', '/api/public/ingestion', { events: [] })).status).toBe(400);
  });

  it('merges events by id, creates first, then updates in timestamp order; provided cost wins', async () => {
    const r = await call('POST', '/api/public/ingestion', {
      batch: [
        ev('u2', 'generation-update', '2026-11-20T10:00:02.000Z', { id: 'g', costDetails: { total: 2 } }),
        ev('u1', 'generation-update', '2026-11-20T10:00:01.000+01:00', {
          id: 'g',
          costDetails: { input: 1, output: 0.5 },
        }),
        ev('c', 'generation-create', '2026-11-20T10:00:03.000Z', {
          id: 'g',
          traceId: 't',
          model: 'gpt-4o',
          usageDetails: { input: 10 },
        }),
      ],
    });
    expect(r.body.errors).toEqual([]);
    const g = lf.state.observations.get('g')!;
    // u1 (09:00:01Z) before u2 (10:00:02Z): the last cost details sent replace the earlier ones.
    expect(g.costDetails).toEqual({ total: 2 });
    expect(g.totalCost).toBe(2);
    expect(g.providedModelName).toBe('gpt-4o');
    expect(lf.state.events.map((e) => e.id)).toEqual(['c', 'u1', 'u2']);
  });

  it('refuses observation events in events_only write mode', async () => {
    lf.state.eventsOnly = true;
    const r = await call('POST', '/api/public/ingestion', {
      batch: [ev('e1', 'generation-update', '2026-11-20T10:00:00.000Z', { id: 'g' })],
    });
    expect(r.body.errors[0]).toMatchObject({ id: 'e1', status: 400, message: 'Event type not accepted' });
  });
});
