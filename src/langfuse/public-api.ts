/**
 * A small fetch-based client for the parts of the Langfuse public API this library uses: model
 * definitions, batch ingestion (for cost corrections) and listing observations.
 *
 * Endpoints and shapes (Langfuse `fern/apis/server/definition/*.yml`, as generated into
 * `@langfuse/core` 5.11):
 * - `GET /api/public/models?page&limit` → `{ data: Model[], meta: { page, limit, totalItems, totalPages } }`
 * - `POST /api/public/models` (`CreateModelRequest`) → `Model`
 * - `DELETE /api/public/models/{id}` → `{ message }`; Langfuse-managed models cannot be deleted (404)
 * - `GET /api/public/health` → `{ status, version }` (no authentication; `version` without a `v`)
 * - `GET /api/public/models` takes `limit` 1–100 (a larger one is a 400)
 * - `POST /api/public/ingestion` (`{ batch: IngestionEvent[] }`) → 207 `{ successes: [{id, status}], errors: [{id, status, message?, error?}] }`;
 *   input errors are reported per event inside a 207, not as a 4xx
 * - `GET /api/public/v2/observations?fields&type&fromStartTime&toStartTime&limit&cursor` →
 *   `{ data: ObservationV2[], meta: { cursor? } }` (cursor pagination, limit ≤ 1000), and the older
 *   `GET /api/public/observations?type&fromStartTime&toStartTime&page&limit` →
 *   `{ data: ObservationsView[], meta: MetaResponse }` (removed in Langfuse v4 and, on Langfuse Cloud,
 *   on 2026-11-16); the client uses v2 and falls back to v1 when the server has no v2 (404).
 *
 * Authentication is HTTP Basic with the public key as user name and the secret key as password.
 * The keys live in a private field: they are never part of an error message, a log line,
 * `JSON.stringify(client)` or `util.inspect(client)`.
 */
import { closedError, LangfuseCostError } from '../errors.js';

/** A `fetch`-compatible function. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Where and as whom to call the API. */
export interface LangfuseCredentials {
  /** e.g. `https://cloud.langfuse.com` or a self-hosted URL. */
  baseUrl: string;
  /** `pk-lf-…` */
  publicKey: string;
  /** `sk-lf-…` */
  secretKey: string;
}

/** Options of {@link LangfusePublicApi}. */
export interface LangfusePublicApiOptions extends LangfuseCredentials {
  /** fetch implementation (default the global one). */
  fetch?: FetchLike;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Retries of idempotent requests on network errors, 429 and 5xx (default 2). */
  retries?: number;
  /** Base delay between retries in ms, doubled each time (default 500). */
  retryDelayMs?: number;
}

/** An API call failed. The message names method, path and status; it never contains credentials. */
export class LangfuseApiError extends LangfuseCostError {
  /** HTTP status, or 0 for network errors and timeouts. */
  readonly status: number;
  /** HTTP method. */
  readonly method: string;
  /** Path (without query string). */
  readonly path: string;
  constructor(method: string, path: string, status: number, detail: string) {
    super(
      'LANGFUSE_API_ERROR',
      `Langfuse API ${method} ${path} failed${status ? ` with HTTP ${status}` : ''}: ${detail}`,
    );
    this.name = 'LangfuseApiError';
    this.status = status;
    this.method = method;
    this.path = path;
  }
}

/** One page of model definitions. */
export interface PaginatedLangfuseModels<M = unknown> {
  data: M[];
  meta: { page: number; limit: number; totalItems: number; totalPages: number };
}

/** One event of an ingestion batch (envelope). */
export interface IngestionEvent {
  /** Event id (unique per event; Langfuse deduplicates on it). */
  id: string;
  /** e.g. `generation-update`. */
  type: string;
  /** ISO time of the event. */
  timestamp: string;
  /** The body; `body.id` is the observation or trace id. */
  body: Record<string, unknown>;
  metadata?: unknown;
}

/** Answer of `POST /api/public/ingestion`. */
export interface IngestionResponse {
  successes: { id: string; status: number }[];
  errors: { id: string; status: number; message?: string; error?: unknown }[];
}

/** An observation as this library needs it (normalised from the v2 or v1 API). */
export interface LangfuseObservation {
  id: string;
  traceId: string | null;
  type: string;
  startTime: string;
  model: string | null;
  modelParameters: Record<string, unknown> | null;
  usageDetails: Record<string, number>;
  costDetails: Record<string, number>;
  level: string | null;
  environment: string | null;
}

/** Filters of {@link LangfusePublicApi.observations}. */
export interface ObservationQuery {
  /** ISO time, inclusive. */
  fromStartTime?: string;
  /** ISO time, exclusive. */
  toStartTime?: string;
  /** Observation type, e.g. `GENERATION`. */
  type?: string;
  /** Page size (default 100; v2 allows up to 1000). */
  limit?: number;
  /** Stop after this many observations. */
  max?: number;
}

const DEFAULT_BASE_URL = 'https://cloud.langfuse.com';

// `process` does not exist in every runtime this module may be bundled for.
function processEnv(): Record<string, string | undefined> {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
}

/**
 * Credentials from the environment: `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY` and
 * `LANGFUSE_BASE_URL` (also `LANGFUSE_HOST`, `LANGFUSE_BASEURL`; default Langfuse Cloud).
 * @throws {LangfuseCostError} `LANGFUSE_CREDENTIALS_MISSING` naming the missing variables (never their values).
 */
export function langfuseCredentialsFromEnv(
  env: Record<string, string | undefined> = processEnv(),
): LangfuseCredentials {
  try {
    return langfuseCredentialsFromEnvUnchecked(env);
  } catch (err) {
    throw closedError(err, 'langfuseCredentialsFromEnv');
  }
}

function langfuseCredentialsFromEnvUnchecked(
  env: Record<string, string | undefined> = processEnv(),
): LangfuseCredentials {
  const publicKey = env.LANGFUSE_PUBLIC_KEY?.trim() ?? '';
  const secretKey = env.LANGFUSE_SECRET_KEY?.trim() ?? '';
  const missing = [!publicKey && 'LANGFUSE_PUBLIC_KEY', !secretKey && 'LANGFUSE_SECRET_KEY'].filter(Boolean);
  if (missing.length > 0) {
    throw new LangfuseCostError(
      'LANGFUSE_CREDENTIALS_MISSING',
      `set ${missing.join(' and ')} (and LANGFUSE_BASE_URL for a self-hosted Langfuse)`,
    );
  }
  const baseUrl = (
    env.LANGFUSE_BASE_URL ||
    env.LANGFUSE_HOST ||
    env.LANGFUSE_BASEURL ||
    DEFAULT_BASE_URL
  ).trim();
  return { baseUrl, publicKey, secretKey };
}

function toNumberRecord(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!v || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : Number.NaN;
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

function toParams(v: unknown): Record<string, unknown> | null {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try {
      return JSON.parse(v) as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  return null;
}

function normaliseObservation(o: Record<string, unknown>): LangfuseObservation {
  const s = (k: string): string | null => (typeof o[k] === 'string' ? (o[k] as string) : null);
  return {
    id: String(o.id),
    traceId: s('traceId'),
    type: s('type') ?? 'GENERATION',
    startTime: String(o.startTime),
    model: s('model') ?? s('providedModelName'),
    modelParameters: toParams(o.modelParameters),
    usageDetails: toNumberRecord(o.usageDetails),
    costDetails: toNumberRecord(o.costDetails),
    level: s('level'),
    environment: s('environment'),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Langfuse public-API client.
 *
 * @example
 * ```ts
 * const api = LangfusePublicApi.fromEnv();
 * const models = await api.listAllModels();
 * ```
 */
export class LangfusePublicApi {
  /** Base URL without trailing slash. */
  readonly baseUrl: string;
  readonly #authorization: string;
  readonly #secrets: string[];
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryDelayMs: number;

  constructor(options: LangfusePublicApiOptions) {
    const base = options.baseUrl.trim().replace(/\/+$/, '');
    try {
      new URL(base);
    } catch {
      throw new LangfuseCostError('INVALID_BASE_URL', 'LANGFUSE_BASE_URL is not a valid URL');
    }
    this.baseUrl = base;
    this.#authorization = `Basic ${btoa(`${options.publicKey}:${options.secretKey}`)}`;
    this.#secrets = [options.secretKey, options.publicKey, this.#authorization.slice(6)].filter(
      (x) => x.length >= 4,
    );
    const f = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
    if (!f) throw new LangfuseCostError('NO_FETCH', 'no fetch implementation available in this runtime');
    this.#fetch = f;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#retries = options.retries ?? 2;
    this.#retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** A client configured from `LANGFUSE_PUBLIC_KEY` / `LANGFUSE_SECRET_KEY` / `LANGFUSE_BASE_URL`. */
  static fromEnv(
    env: Record<string, string | undefined> = processEnv(),
    options: Omit<LangfusePublicApiOptions, keyof LangfuseCredentials> = {},
  ): LangfusePublicApi {
    return new LangfusePublicApi({ ...langfuseCredentialsFromEnv(env), ...options });
  }

  /** Never serialise credentials. */
  toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  /** `util.inspect` shows only the base URL. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `LangfusePublicApi { baseUrl: '${this.baseUrl}' }`;
  }

  #scrub(text: string): string {
    let t = text;
    for (const s of this.#secrets) t = t.split(s).join('***');
    return t;
  }

  async #request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    opts: {
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      retry?: boolean;
      accept404?: boolean;
    } = {},
  ): Promise<{ status: number; data: T | null }> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: 'application/json',
      'user-agent': 'langfuse-cost',
    };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const attempts = opts.retry ? this.#retries + 1 : 1;
    let lastError: LangfuseApiError | null = null;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(this.#retryDelayMs * 2 ** (attempt - 1));
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
      let res: Response;
      try {
        res = await this.#fetch(url.toString(), {
          method,
          headers,
          ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
          signal: controller.signal,
        });
      } catch (err) {
        clearTimeout(timer);
        const why = controller.signal.aborted
          ? `no answer within ${this.#timeoutMs} ms`
          : ((err as Error)?.message ?? String(err));
        lastError = new LangfuseApiError(method, path, 0, this.#scrub(why));
        continue;
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        clearTimeout(timer);
        lastError = new LangfuseApiError(
          method,
          path,
          res.status,
          this.#scrub(`response broke off: ${(err as Error)?.message}`),
        );
        continue;
      }
      clearTimeout(timer);
      if (res.status === 404 && opts.accept404) return { status: 404, data: null };
      if (res.status >= 200 && res.status < 300) {
        if (text.trim() === '') return { status: res.status, data: null };
        try {
          return { status: res.status, data: JSON.parse(text) as T };
        } catch {
          throw new LangfuseApiError(method, path, res.status, 'the answer is not JSON');
        }
      }
      const detail =
        this.#scrub(text.replace(/\s+/g, ' ').trim().slice(0, 300)) || res.statusText || 'no details';
      lastError = new LangfuseApiError(method, path, res.status, detail);
      if (!(res.status === 429 || res.status >= 500)) break;
    }
    throw lastError ?? new LangfuseApiError(method, path, 0, 'request failed');
  }

  /** One page of model definitions (`GET /api/public/models`). */
  async listModels<M = unknown>(page = 1, limit = 100): Promise<PaginatedLangfuseModels<M>> {
    const { data } = await this.#request<PaginatedLangfuseModels<M>>('GET', '/api/public/models', {
      query: { page, limit },
      retry: true,
    });
    return data ?? { data: [], meta: { page, limit, totalItems: 0, totalPages: 0 } };
  }

  /**
   * The server's version from `GET /api/public/health` (`{ status, version }`), or null when the
   * endpoint is absent, hidden or answers without a version. Never throws.
   */
  async health(): Promise<{ status: string; version: string } | null> {
    try {
      const { data } = await this.#request<{ status?: unknown; version?: unknown }>(
        'GET',
        '/api/public/health',
        {
          accept404: true,
        },
      );
      if (data && typeof data.version === 'string' && data.version.trim() !== '')
        return { status: String(data.status ?? ''), version: data.version.trim() };
      return null;
    } catch {
      return null;
    }
  }

  /** Every model definition of the project, Langfuse-managed ones included (all pages, ≤ 100 a page). */
  async listAllModels<M = unknown>(limit = 100): Promise<M[]> {
    // The server answers 400 to a limit above 100.
    limit = Math.min(Math.max(Math.floor(limit) || 100, 1), 100);
    const out: M[] = [];
    for (let page = 1; page <= 10_000; page++) {
      const res = await this.listModels<M>(page, limit);
      out.push(...res.data);
      const totalPages = Number(res.meta?.totalPages ?? 0);
      if (res.data.length === 0 || page >= totalPages) break;
    }
    return out;
  }

  /** Create a project model definition (`POST /api/public/models`). Not retried: it is not idempotent. */
  async createModel<M = unknown>(definition: unknown): Promise<M> {
    const { data } = await this.#request<M>('POST', '/api/public/models', { body: definition });
    return data as M;
  }

  /** Delete a project model definition (`DELETE /api/public/models/{id}`). */
  async deleteModel(id: string): Promise<void> {
    await this.#request('DELETE', `/api/public/models/${encodeURIComponent(id)}`, { retry: true });
  }

  /**
   * Send an ingestion batch (`POST /api/public/ingestion`). Per-event failures come back in `errors`
   * (HTTP 207); only transport and authentication failures throw. Safe to retry: Langfuse
   * deduplicates on the event ids.
   */
  async ingest(batch: IngestionEvent[]): Promise<IngestionResponse> {
    const { data } = await this.#request<IngestionResponse>('POST', '/api/public/ingestion', {
      body: { batch },
      retry: true,
    });
    return { successes: data?.successes ?? [], errors: data?.errors ?? [] };
  }

  /**
   * Observations in a time range, page by page (v2 cursor API, v1 page API on servers without v2).
   */
  async *observations(query: ObservationQuery = {}): AsyncGenerator<LangfuseObservation> {
    const limit = Math.min(Math.max(query.limit ?? 100, 1), 1000);
    const max = query.max ?? Number.POSITIVE_INFINITY;
    let seen = 0;
    const common = { type: query.type, fromStartTime: query.fromStartTime, toStartTime: query.toStartTime };
    let cursor: string | undefined;
    let first = true;
    for (;;) {
      const { status, data } = await this.#request<{
        data: Record<string, unknown>[];
        meta?: { cursor?: string };
      }>('GET', '/api/public/v2/observations', {
        query: { ...common, fields: 'core,basic,model,usage', limit, cursor },
        retry: true,
        accept404: first,
      });
      if (status === 404 && first) break;
      first = false;
      for (const o of data?.data ?? []) {
        if (seen++ >= max) return;
        yield normaliseObservation(o);
      }
      cursor = data?.meta?.cursor || undefined;
      if (!cursor || (data?.data ?? []).length === 0) return;
    }
    // v1 fallback: page-based.
    for (let page = 1; page <= 1_000_000; page++) {
      const { data } = await this.#request<{
        data: Record<string, unknown>[];
        meta?: { totalPages?: number };
      }>('GET', '/api/public/observations', {
        query: { ...common, page, limit: Math.min(limit, 100) },
        retry: true,
      });
      const rows = data?.data ?? [];
      for (const o of rows) {
        if (seen++ >= max) return;
        yield normaliseObservation(o);
      }
      if (rows.length === 0 || page >= Number(data?.meta?.totalPages ?? 0)) return;
    }
  }
}
