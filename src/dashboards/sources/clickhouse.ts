import type { ClickHouseClient } from '@clickhouse/client';
import { getLogger } from '../../logger.js';
import { DashboardError, readDashboardAsset } from '../catalog.js';
import { type ClickHouseJson, normaliseRows } from './result.js';
import type { DashboardSource, QueryResult } from './types.js';

/** Connection settings for a Langfuse ClickHouse. */
export interface ClickHouseSourceOptions {
  /** `v3`: query the `observations`/`traces` tables; `v4`: present `events_core` as them through CTEs. */
  schema?: 'v3' | 'v4';
  /** HTTP(S) URL, default `CLICKHOUSE_URL` or `http://localhost:8123`. */
  url?: string;
  /** User, default `CLICKHOUSE_USER` or `default`. */
  username?: string;
  /** Password, default `CLICKHOUSE_PASSWORD` or empty. */
  password?: string;
  /** Database, default `CLICKHOUSE_DB` or `default`. */
  database?: string;
  /** Request timeout, ms (default 120 000: dashboards scan a lot). */
  requestTimeoutMs?: number;
  /** Time zone results are printed in (default `UTC`; empty string: leave the server's). */
  sessionTimeZone?: string;
  /** Environment to read `CLICKHOUSE_*` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** The CTE list for v4 (default: `dashboards/sources/langfuse-v4.sql`). */
  v4Ctes?: string;
}

/**
 * Open a Langfuse ClickHouse (v3 tables, or v4 `events_core`) as a dashboard source through
 * `@clickhouse/client` (optional dependency, loaded here only). Parameters travel as `query_params`,
 * which the server binds; nothing is pasted into the SQL text.
 */
export async function openClickHouseSource(options: ClickHouseSourceOptions = {}): Promise<DashboardSource> {
  const env = options.env ?? process.env;
  const schema = options.schema ?? 'v3';
  let mod: typeof import('@clickhouse/client');
  try {
    mod = await import('@clickhouse/client');
  } catch (err) {
    throw new DashboardError(
      `the clickhouse source needs the optional package "@clickhouse/client": npm install @clickhouse/client (${(err as Error)?.message ?? err})`,
    );
  }
  const url = options.url ?? env.CLICKHOUSE_URL ?? 'http://localhost:8123';
  const database = options.database ?? env.CLICKHOUSE_DB ?? 'default';
  const client: ClickHouseClient = mod.createClient({
    url,
    username: options.username ?? env.CLICKHOUSE_USER ?? 'default',
    password: options.password ?? env.CLICKHOUSE_PASSWORD ?? '',
    database,
    request_timeout: options.requestTimeoutMs ?? 120_000,
    application: 'langfuse-cost',
    // Errors reach the caller as exceptions; the client's own console logging would only repeat them.
    log: { level: mod.ClickHouseLogLevel.OFF },
  });
  const ctes =
    schema === 'v4' ? (options.v4Ctes ?? (await readDashboardAsset('sources/langfuse-v4.sql'))) : undefined;
  let tz = options.sessionTimeZone ?? 'UTC';
  let closed = false;
  const safeUrl = redactUrl(url);
  const source: DashboardSource = {
    kind: schema === 'v4' ? 'clickhouse-v4' : 'clickhouse',
    description: `ClickHouse ${safeUrl} database ${database} (Langfuse ${schema}${schema === 'v4' ? ' events_core' : ''})`,
    ...(ctes ? { ctes } : {}),
    async query(sql: string, params: Record<string, string>): Promise<QueryResult> {
      if (closed) throw new DashboardError('the ClickHouse source is closed');
      const t0 = performance.now();
      const run = () =>
        client.query({
          query: sql,
          query_params: params,
          format: 'JSON',
          ...(tz ? { clickhouse_settings: { session_timezone: tz } } : {}),
        });
      let rs: Awaited<ReturnType<typeof run>>;
      try {
        rs = await run();
      } catch (err) {
        // A readonly=1 user may not change settings; fall back to the server's time zone once.
        if (tz && /readonly|Cannot modify 'session_timezone'/i.test(String((err as Error)?.message))) {
          getLogger().warn(
            `ClickHouse refused session_timezone=${tz} (readonly user); times use the server zone`,
          );
          tz = '';
          rs = await run();
        } else throw err;
      }
      const body = (await rs.json()) as ClickHouseJson;
      const columns = body.meta ?? [];
      const out: QueryResult = {
        columns,
        rows: normaliseRows(columns, body.data ?? []),
        elapsedMs: performance.now() - t0,
      };
      if (typeof body.statistics?.rows_read === 'number') out.rowsRead = body.statistics.rows_read;
      return out;
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
  return source;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
