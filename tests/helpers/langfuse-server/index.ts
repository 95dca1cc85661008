/**
 * A loopback Langfuse public API as strict as the server, by version: model definitions (create,
 * list, get, delete, with the server's validation rules and status codes), the health endpoint, the
 * v1 and v2 observations APIs with their real field names, and batch ingestion with the event schema,
 * 207 per-event errors, the `events_only` refusal and the merge of events by id in timestamp order
 * (cost recomputed the way the worker does). Rules: ./rules.ts; sources: ./SOURCES.md.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ApiModel,
  atLeast,
  computeCost,
  findModel,
  ingestionEventProblem,
  invalidRequest,
  isIsoDateTimeWithOffset,
  listingOrder,
  matchTier,
  mergeObservationEvent,
  parseCreateModel,
  parseVersion,
  type Refusal,
  type StoredObservation,
  sortBatch,
  type Version,
} from './rules.js';

export { type ApiModel, type ApiTier, computeCost, findModel, matchTier } from './rules.js';

/** One request as received. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: any;
}

export type { StoredObservation } from './rules.js';

/** Options of {@link startLangfuseServer}. */
export interface LangfuseServerOptions {
  /** `web/package.json` version the server reports and whose rules apply (default `4.16.0`). */
  version?: string;
  publicKey: string;
  secretKey: string;
}

/** A running stand-in. Every field of `state` may be changed between requests. */
export interface LangfuseServer {
  url: string;
  state: {
    version: Version;
    versionText: string;
    /** `LANGFUSE_MIGRATION_V4_WRITE_MODE=events_only`: observation events are refused. */
    eventsOnly: boolean;
    /** Whether `GET /api/public/v2/observations` exists (default: from v4.0.0). */
    v2: boolean;
    /** Whether `GET /api/public/health` answers (a proxy may hide it). */
    health: boolean;
    models: ApiModel[];
    observations: Map<string, StoredObservation>;
    requests: RecordedRequest[];
    /** Events accepted by the ingestion endpoint, in processing order. */
    events: any[];
    /** Fault injection: answer the next model create with the server's 500 (a database error). */
    failNextCreate: boolean;
  };
  /** Switch the version (rules, health answer, v2 availability). */
  setVersion(v: string): void;
  /** A model definition in the response shape of the current version. */
  model(
    m: Omit<
      ApiModel,
      | 'prices'
      | 'inputPrice'
      | 'outputPrice'
      | 'totalPrice'
      | 'createdAt'
      | 'unit'
      | 'tokenizerId'
      | 'tokenizerConfig'
    > &
      Partial<ApiModel>,
  ): ApiModel;
  /** Seed an observation already ingested (cost as given, treated as provided when non-empty). */
  addObservation(o: {
    id: string;
    traceId: string;
    startTime: string;
    type?: string;
    model: string | null;
    modelParameters?: Record<string, unknown> | null;
    usageDetails: Record<string, number>;
    costDetails: Record<string, number>;
  }): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown) {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function refuse(res: ServerResponse, r: Refusal) {
  send(res, r.status, r.body);
}

const badQuery = (issue: string): Refusal => ({
  status: 400,
  body: { message: 'Invalid request data', error: [{ message: issue }] },
});

/** `publicApiPaginationZod` / `GetObservationsV2Query` limits. */
function pageQuery(q: URLSearchParams, maxLimit: number): { page: number; limit: number } | Refusal {
  const page = q.get('page') === null || q.get('page') === '' ? 1 : Number(q.get('page'));
  const limit = q.get('limit') === null || q.get('limit') === '' ? 50 : Number(q.get('limit'));
  if (!Number.isInteger(page) || page <= 0) return badQuery('page: expected an integer > 0');
  if (!Number.isInteger(limit) || limit < (maxLimit === 100 ? 1 : 0) || limit > maxLimit)
    return badQuery(`limit: expected an integer ${maxLimit === 100 ? '1' : '0'}..${maxLimit}`);
  return { page, limit };
}

/** Start the stand-in on 127.0.0.1. */
export async function startLangfuseServer(options: LangfuseServerOptions): Promise<LangfuseServer> {
  const auth = `Basic ${Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')}`;
  const initial = options.version ?? '4.16.0';
  const state: LangfuseServer['state'] = {
    version: parseVersion(initial),
    versionText: initial,
    eventsOnly: false,
    v2: atLeast(parseVersion(initial), '4.0.0'),
    health: true,
    models: [],
    observations: new Map(),
    requests: [],
    events: [],
    failNextCreate: false,
  };
  let nextId = 1;

  /** `prismaToApiModelDefinition` for the current version. */
  function shape(m: ApiModel): ApiModel {
    const out: ApiModel = { ...m };
    if (!atLeast(state.version, '3.135.0')) delete out.pricingTiers;
    return out;
  }

  function model(m: Parameters<LangfuseServer['model']>[0]): ApiModel {
    const tiers = m.pricingTiers;
    const def = tiers?.find((t) => t.isDefault)?.prices ?? {};
    const flat =
      Object.keys(m.prices ?? {}).length > 0
        ? m.prices!
        : Object.fromEntries(Object.entries(def).map(([k, v]) => [k, { price: v }]));
    return {
      unit: 'TOKENS',
      tokenizerId: null,
      tokenizerConfig: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      ...m,
      inputPrice: m.inputPrice ?? flat.input?.price ?? null,
      outputPrice: m.outputPrice ?? flat.output?.price ?? null,
      totalPrice: m.totalPrice ?? flat.total?.price ?? null,
      prices: flat,
      pricingTiers: tiers ?? [],
    };
  }

  function recompute(o: StoredObservation) {
    const usage = { ...o.providedUsageDetails };
    // `getUsageUnits`: a missing total is the sum of the provided keys.
    if (Object.keys(usage).length > 0 && !('total' in usage))
      usage.total = Object.values(o.providedUsageDetails).reduce((s, v) => s + v, 0);
    o.usageDetails = usage;
    const def = o.providedModelName ? findModel(state.models, o.providedModelName) : null;
    o.internalModelId = def?.id ?? null;
    const tier =
      def && Object.keys(usage).length > 0
        ? matchTier(def, usage, { modelParameters: o.modelParameters, metadata: o.metadata })
        : null;
    const c = computeCost(o.providedCostDetails, usage, tier?.prices ?? null, tier?.name ?? null);
    o.costDetails = c.costDetails;
    o.totalCost = c.totalCost;
    o.usagePricingTierName = c.provided ? null : c.tier;
  }

  /** Merge one event over the stored observation and recompute its cost. */
  function apply(e: any) {
    const o = mergeObservationEvent(state.observations.get(e.body.id), e);
    recompute(o);
    state.observations.set(o.id, o);
  }

  /**
   * Langfuse's observation listings read `fromStartTime`/`toStartTime` with a zod date-time schema, which
   * takes four-digit years only: `+010000-01-01T00:00:00.000Z` (`toISOString` past 9999) is a 400.
   */
  function badTimeQuery(q: URLSearchParams): string | undefined {
    for (const k of ['fromStartTime', 'toStartTime']) {
      const v = q.get(k);
      if (v !== null && !isIsoDateTimeWithOffset(v)) return `${k}: Invalid ISO datetime`;
    }
    return undefined;
  }

  function observationsInRange(q: URLSearchParams): StoredObservation[] {
    const from = q.get('fromStartTime');
    const to = q.get('toStartTime');
    const type = q.get('type');
    return [...state.observations.values()]
      .filter((o) => {
        const t = Date.parse(o.startTime);
        return (!from || t >= Date.parse(from)) && (!to || t < Date.parse(to)) && (!type || o.type === type);
      })
      .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime) || (a.id < b.id ? 1 : -1));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://x');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      send(res, 400, { message: 'Invalid request data', error: 'invalid JSON' });
      return;
    }
    state.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
    });
    const p = url.pathname;
    if (p === '/api/public/health' && req.method === 'GET') {
      if (!state.health) return send(res, 404, { message: 'Not found' });
      return send(res, 200, { status: 'OK', version: state.versionText.replace(/^v/, '') });
    }
    if (req.headers.authorization !== auth) {
      // A careless proxy echoing what it received: the client must never surface it.
      const got = req.headers.authorization ?? '';
      const decoded = got.startsWith('Basic ') ? Buffer.from(got.slice(6), 'base64').toString() : '';
      return send(res, 401, { message: `Invalid credentials: ${got} (${decoded})` });
    }
    if (p === '/api/public/models' && req.method === 'GET') {
      const q = pageQuery(url.searchParams, 100);
      if ('status' in q) return refuse(res, q);
      const all = [...state.models].sort(listingOrder);
      return send(res, 200, {
        data: all.slice((q.page - 1) * q.limit, q.page * q.limit).map(shape),
        meta: {
          page: q.page,
          limit: q.limit,
          totalItems: all.length,
          totalPages: Math.ceil(all.length / q.limit),
        },
      });
    }
    if (p === '/api/public/models' && req.method === 'POST') {
      if (state.failNextCreate) {
        state.failNextCreate = false;
        return send(res, 500, { message: 'Internal Server Error', error: 'An unknown error occurred' });
      }
      const parsed = parseCreateModel(body, state.version);
      if ('status' in parsed) return refuse(res, parsed);
      try {
        new RegExp(
          parsed.matchPattern.startsWith('(?i)') ? parsed.matchPattern.slice(4) : parsed.matchPattern,
        );
      } catch {
        return refuse(res, invalidRequest('matchPattern is not a valid regex pattern (Postgres)'));
      }
      if (
        atLeast(state.version, '3.135.0') &&
        state.models.some((m) => !m.isLangfuseManaged && m.modelName === parsed.modelName)
      )
        return refuse(res, invalidRequest(`Model name '${parsed.modelName}' already exists in project`));
      const id = `cmstandin${String(nextId++).padStart(4, '0')}`;
      const tiers = parsed.tiers
        ? parsed.tiers.map((t, i) => ({ id: `${id}t${i}`, ...t }))
        : [
            {
              id: `${id}_tier_default`,
              name: 'Standard',
              isDefault: true,
              priority: 0,
              conditions: [],
              prices: Object.fromEntries(
                (
                  [
                    ['input', parsed.inputPrice],
                    ['output', parsed.outputPrice],
                    ['total', parsed.totalPrice],
                  ] as const
                ).filter(([, v]) => v != null) as [string, number][],
              ),
            },
          ];
      const stored = model({
        id,
        modelName: parsed.modelName,
        matchPattern: parsed.matchPattern,
        startDate: parsed.startDate,
        unit: parsed.unit,
        tokenizerId: parsed.tokenizerId,
        tokenizerConfig: parsed.tokenizerConfig,
        isLangfuseManaged: false,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, nextId)).toISOString(),
        pricingTiers: tiers.filter((t) => Object.keys(t.prices).length > 0 || parsed.tiers),
      });
      state.models.push(stored);
      return send(res, 200, shape(stored));
    }
    const one = /^\/api\/public\/models\/([^/]+)$/.exec(p);
    if (one && req.method === 'GET') {
      const m = state.models.find((x) => x.id === decodeURIComponent(one[1]!));
      if (!m)
        return send(res, 404, { message: 'No model with this id found.', error: 'LangfuseNotFoundError' });
      return send(res, 200, shape(m));
    }
    if (one && req.method === 'DELETE') {
      const i = state.models.findIndex((m) => m.id === decodeURIComponent(one[1]!) && !m.isLangfuseManaged);
      if (i < 0)
        return send(res, 404, {
          message:
            'No model with this id found. Note: You cannot delete built-in models, override them with a model with the same name.',
          error: 'LangfuseNotFoundError',
        });
      state.models.splice(i, 1);
      return send(res, 200, { message: 'Model successfully deleted' });
    }
    if (p === '/api/public/v2/observations' && req.method === 'GET') {
      if (!state.v2)
        return send(res, 404, {
          message: 'The observations v2 API is only available in a Langfuse v4 write mode.',
          error: 'LangfuseNotFoundError',
        });
      const q = pageQuery(new URLSearchParams({ limit: url.searchParams.get('limit') ?? '' }), 1000);
      if ('status' in q) return refuse(res, q);
      const badTime = badTimeQuery(url.searchParams);
      if (badTime) return send(res, 400, { message: 'Invalid request data', error: badTime });
      const rows = observationsInRange(url.searchParams);
      const cursor = url.searchParams.get('cursor');
      const start = cursor ? Number(JSON.parse(Buffer.from(cursor, 'base64').toString()).offset) : 0;
      const groups = new Set(
        (url.searchParams.get('fields') ?? 'core,basic,time,io,metadata,model,usage,prompt,metrics')
          .split(',')
          .map((s) => s.trim()),
      );
      const data = rows.slice(start, start + q.limit).map((o) => ({
        id: o.id,
        traceId: o.traceId,
        startTime: o.startTime,
        endTime: o.startTime,
        projectId: 'proj-standin',
        parentObservationId: null,
        type: o.type,
        ...(groups.has('basic') ? { name: o.name, level: o.level, environment: o.environment } : {}),
        ...(groups.has('model')
          ? {
              providedModelName: o.providedModelName,
              internalModelId: o.internalModelId,
              modelParameters: o.modelParameters,
            }
          : {}),
        ...(groups.has('usage')
          ? {
              usageDetails: o.usageDetails,
              costDetails: o.costDetails,
              totalCost: o.totalCost,
              usagePricingTierName: o.usagePricingTierName,
            }
          : {}),
        ...(groups.has('metadata') ? { metadata: o.metadata } : {}),
        modelId: groups.has('model') ? o.internalModelId : null,
        inputPrice: null,
        outputPrice: null,
        totalPrice: null,
      }));
      const more = start + q.limit < rows.length;
      return send(res, 200, {
        data,
        meta: more
          ? { cursor: Buffer.from(JSON.stringify({ offset: start + q.limit })).toString('base64') }
          : {},
      });
    }
    if (p === '/api/public/observations' && req.method === 'GET') {
      const q = pageQuery(url.searchParams, 100);
      if ('status' in q) return refuse(res, q);
      const badTime = badTimeQuery(url.searchParams);
      if (badTime) return send(res, 400, { message: 'Invalid request data', error: badTime });
      const rows = observationsInRange(url.searchParams);
      const data = rows.slice((q.page - 1) * q.limit, q.page * q.limit).map((o) => ({
        id: o.id,
        traceId: o.traceId,
        type: o.type,
        name: o.name,
        startTime: o.startTime,
        endTime: o.startTime,
        completionStartTime: null,
        model: o.providedModelName,
        modelParameters: o.modelParameters,
        input: null,
        output: null,
        version: null,
        metadata: o.metadata,
        usage: { input: 0, output: 0, total: 0, unit: 'TOKENS' },
        level: o.level,
        statusMessage: null,
        parentObservationId: null,
        promptId: null,
        usageDetails: o.usageDetails,
        costDetails: o.costDetails,
        environment: o.environment,
        modelId: o.internalModelId,
        calculatedTotalCost: o.totalCost,
      }));
      return send(res, 200, {
        data,
        meta: {
          page: q.page,
          limit: q.limit,
          totalItems: rows.length,
          totalPages: Math.ceil(rows.length / q.limit),
        },
      });
    }
    if (p === '/api/public/ingestion' && req.method === 'POST') {
      if (!body || typeof body !== 'object' || !Array.isArray(body.batch))
        return send(res, 400, { message: 'Invalid request data', errors: ['batch: expected array'] });
      const successes: { id: string; status: number }[] = [];
      const errors: { id: string; status: number; message: string; error: string }[] = [];
      const valid: any[] = [];
      for (const e of body.batch as unknown[]) {
        const id =
          e && typeof e === 'object' && typeof (e as any).id === 'string' ? (e as any).id : 'unknown';
        const type =
          e && typeof e === 'object' && typeof (e as any).type === 'string' ? (e as any).type : null;
        if (state.eventsOnly && type !== 'score-create' && type !== 'sdk-log') {
          errors.push({
            id,
            status: 400,
            message: 'Event type not accepted',
            error: `Event type "${type ?? 'unknown'}" is not accepted by /api/public/ingestion when LANGFUSE_MIGRATION_V4_WRITE_MODE is events_only. This endpoint only accepts score and log events.`,
          });
          continue;
        }
        const problem = ingestionEventProblem(e);
        if (problem) {
          errors.push({ id, status: 400, message: 'Invalid request data', error: problem });
          continue;
        }
        valid.push(e);
      }
      for (const e of sortBatch(valid)) {
        if (e.type !== 'trace-create' && e.type !== 'score-create' && e.type !== 'sdk-log') apply(e);
        state.events.push(e);
        successes.push({ id: e.id, status: 201 });
      }
      return send(res, 207, { successes, errors });
    }
    send(res, 404, { message: 'Not found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, 500, { message: 'Internal Server Error', error: String(e) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    model,
    setVersion(v: string) {
      state.version = parseVersion(v);
      state.versionText = v;
      state.v2 = atLeast(state.version, '4.0.0');
    },
    addObservation(o) {
      const stored: StoredObservation = {
        id: o.id,
        traceId: o.traceId,
        type: o.type ?? 'GENERATION',
        name: 'llm-call',
        startTime: o.startTime,
        providedModelName: o.model,
        modelParameters: o.modelParameters ?? null,
        providedUsageDetails: { ...o.usageDetails },
        usageDetails: { ...o.usageDetails },
        providedCostDetails: { ...o.costDetails },
        costDetails: { ...o.costDetails },
        totalCost: o.costDetails.total ?? null,
        internalModelId: null,
        usagePricingTierName: null,
        metadata: {},
        level: 'DEFAULT',
        environment: 'default',
      };
      state.observations.set(o.id, stored);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
