/**
 * The `clickhouse` and `clickhouse-v4` sources through the real `@clickhouse/client`, against a loopback
 * server that speaks ClickHouse's HTTP interface and executes each request in chDB (real ClickHouse SQL,
 * server-side parameter binding). The test sees the exact SQL text and parameters on the wire.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource, runDashboard, runDashboards } from '../../../src/dashboards/index.js';
import { openLangfuseChdb } from '../../helpers/dashboards-chdb.js';
import { FROM, generateDataset, HOSTILE_MODEL, PROJECT, TO } from '../../helpers/dashboards-dataset.js';
import { expectedRows, expectRowsMatch } from '../../helpers/dashboards-oracle.js';

interface Seen {
  sql: string;
  params: Record<string, string>;
  settings: Record<string, string>;
  database: string | null;
  auth: string | undefined;
}

/** Undo ClickHouse's escaped text form (what the client sends for string parameters). */
function unescapeParam(v: string): string | null {
  if (v === '\\N') return null;
  return v.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r', '0': '\0' })[c] ?? c);
}

const d = generateDataset(5);
let session: Session;
let server: Server;
let url = '';
const requests: Seen[] = [];

beforeAll(async () => {
  session = await openLangfuseChdb(d);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const params: Record<string, string> = {};
      const settings: Record<string, string> = {};
      for (const [k, v] of u.searchParams) {
        if (k.startsWith('param_')) params[k.slice(6)] = v;
        else if (!['query_id', 'database', 'query'].includes(k)) settings[k] = v;
      }
      const sql = body.replace(/\s*FORMAT JSON\s*$/, '');
      requests.push({
        sql,
        params,
        settings,
        database: u.searchParams.get('database'),
        auth: req.headers.authorization,
      });
      try {
        if ((req.headers['content-type'] ?? '').startsWith('multipart/'))
          throw new Error('multipart not emulated');
        const bound = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, unescapeParam(v)]));
        const r = await session.queryBindAsync(sql, bound, { format: 'JSON' });
        res.writeHead(200, {
          'Content-Type': 'application/json; charset=UTF-8',
          'X-ClickHouse-Format': 'JSON',
        });
        res.end(r.text());
      } catch (err) {
        const code = String((err as { clickhouseCode?: number }).clickhouseCode ?? 1);
        res.writeHead(500, { 'X-ClickHouse-Exception-Code': code, 'Content-Type': 'text/plain' });
        res.end(`Code: ${code}. DB::Exception: ${(err as Error).message}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  session?.close();
});

const iso = (ms: number) => new Date(ms).toISOString();
const params = { projectId: PROJECT, from: iso(FROM), to: iso(TO) };
const base = { projectId: PROJECT, from: FROM, to: TO };

describe('clickhouse source (Langfuse v3)', () => {
  it('runs the dashboards through @clickhouse/client with CLICKHOUSE_* settings and bound parameters', async () => {
    const env = {
      CLICKHOUSE_URL: url,
      CLICKHOUSE_USER: 'lf',
      CLICKHOUSE_PASSWORD: 's3cret',
      CLICKHOUSE_DB: 'langfuse',
    };
    const source = await openSource({ kind: 'clickhouse', env });
    try {
      expect(source.description).toContain('127.0.0.1');
      expect(source.description).not.toContain('s3cret');
      requests.length = 0;
      for (const name of ['cost-by-model', 'top-sessions', 'cost-by-tenant', 'kpi-totals']) {
        const r = await runDashboard(source, name, { params });
        expectRowsMatch(r.rows, expectedRows(name, d, base), `clickhouse ${name}`);
      }
      const req = requests[0]!;
      expect(req.auth).toBe(`Basic ${Buffer.from('lf:s3cret').toString('base64')}`);
      expect(req.database).toBe('langfuse');
      expect(req.settings.session_timezone).toBe('UTC');
      expect(req.params.projectId).toBe(PROJECT);
      expect(req.params.from).toBe(String(FROM / 1000) + '.000');
      expect(req.sql).toContain('{projectId:String}');
      expect(req.sql).not.toContain(PROJECT);
    } finally {
      await source.close();
    }
  });

  it('sends a hostile model name only as a parameter, and gets it back intact', async () => {
    const source = await openSource({ kind: 'clickhouse', url, env: {} });
    try {
      requests.length = 0;
      const r = await runDashboard(source, 'cost-by-model', { params: { ...params, projectId: PROJECT } });
      expect(r.rows.map((x) => x.model)).toContain(HOSTILE_MODEL);
      const probe = `${HOSTILE_MODEL}\n\t'`;
      const r2 = await runDashboard(source, 'cost-by-user', { params: { ...params, projectId: probe } });
      expect(r2.rows).toEqual([]);
      const wire = requests[requests.length - 1]!;
      expect(wire.sql).not.toContain('DROP TABLE');
      expect(unescapeParam(wire.params.projectId!)).toBe(probe);
    } finally {
      await source.close();
    }
  });

  it('needs a project id, and reports server errors with the dashboard name', async () => {
    const source = await openSource({ kind: 'clickhouse', url, env: {} });
    try {
      await expect(runDashboard(source, 'kpi-totals', { params: { from: params.from } })).rejects.toThrow(
        /project id/,
      );
    } finally {
      await source.close();
    }
    const v4OnV3 = await openSource({ kind: 'clickhouse-v4', url, env: {} });
    try {
      await session.queryAsync('RENAME TABLE events_core TO events_core_hidden');
      await expect(runDashboard(v4OnV3, 'kpi-totals', { params })).rejects.toThrow(
        /kpi-totals failed on the clickhouse-v4 source/,
      );
    } finally {
      await session.queryAsync('RENAME TABLE events_core_hidden TO events_core');
      await v4OnV3.close();
    }
  });
});

describe('clickhouse-v4 source (events_core)', () => {
  it('runs every dashboard unchanged behind the events_core CTEs', async () => {
    const source = await openSource({ kind: 'clickhouse-v4', url, env: {} });
    try {
      requests.length = 0;
      const results = await runDashboards(source, undefined, { params });
      for (const r of results) {
        expectRowsMatch(r.rows, expectedRows(r.dashboard.name, d, base), `v4 ${r.dashboard.name}`);
      }
      expect(requests.every((q) => q.sql.includes('FROM events_core AS e'))).toBe(true);
    } finally {
      await source.close();
    }
  });
});
