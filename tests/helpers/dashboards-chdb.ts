/** chDB set-up for the dashboard tests: Langfuse's real DDL, filled with the generated dataset. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Session } from 'chdb';
import { loadChdb } from '../../src/dashboards/index.js';
import { type Dataset, v3ObservationRows, v3TraceRows, v4EventRows } from './dashboards-dataset.js';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/langfuse/${name}`, import.meta.url)), 'utf8');

/** Split a DDL file into statements (line comments dropped first, so a `;` in a comment cannot split). */
export function ddlStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Insert rows as JSONEachRow in several INSERTs, so stale versions land in separate parts. */
export async function insertRows(
  session: Session,
  table: string,
  rows: Record<string, unknown>[],
  parts = 3,
) {
  for (let p = 0; p < parts; p++) {
    const chunk = rows.filter((_, i) => i % parts === p);
    if (chunk.length === 0) continue;
    const body = `${chunk.map((r) => JSON.stringify(r)).join('\n')}\n`;
    await session.insert({ table, values: Buffer.from(body), format: 'JSONEachRow' });
  }
}

/**
 * A chDB session with `observations` and `traces` (v3 DDL) and `events_core` (v4 DDL) holding the
 * dataset, merges stopped so every stale version stays on disk for the queries to skip.
 */
export async function openLangfuseChdb(d: Dataset): Promise<Session> {
  const chdb = await loadChdb();
  const session = new chdb.Session();
  await session.queryAsync(`SET session_timezone = 'UTC'`);
  for (const stmt of [
    ...ddlStatements(fixture('clickhouse-v3.sql')),
    ...ddlStatements(fixture('clickhouse-v4-events-core.sql')),
  ]) {
    await session.queryAsync(stmt);
  }
  for (const t of ['observations', 'traces', 'events_core'])
    await session.queryAsync(`SYSTEM STOP MERGES ${t}`);
  await insertRows(session, 'observations', v3ObservationRows(d));
  await insertRows(session, 'traces', v3TraceRows(d));
  await insertRows(session, 'events_core', v4EventRows(d));
  return session;
}

/** Run a scalar query on the session. */
export async function scalar(
  session: Session,
  sql: string,
  params: Record<string, string> = {},
): Promise<unknown> {
  const r = await session.queryBindAsync(sql, params, { format: 'JSONEachRow' });
  const row = JSON.parse(r.text()) as Record<string, unknown>;
  return Object.values(row)[0];
}
