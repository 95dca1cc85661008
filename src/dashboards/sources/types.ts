/** Name and ClickHouse type of one result column. */
export interface ColumnMeta {
  name: string;
  type: string;
}

/** Rows of one query, with column types, as plain JS values (see {@link normaliseRows}). */
export interface QueryResult {
  columns: ColumnMeta[];
  rows: Record<string, unknown>[];
  /** Wall time of the query as the caller saw it, ms. */
  elapsedMs: number;
  /** Rows the engine read, when it reports it. */
  rowsRead?: number;
}

/** The kinds of source a dashboard runs on. */
export type SourceKind = 'local' | 'clickhouse' | 'clickhouse-v4' | 'chdb';

/**
 * Where dashboards run. Every source answers the same SQL text: `observations` and `traces` with the
 * Langfuse v3 columns, either as real tables or as CTEs the source puts in front of the query.
 */
export interface DashboardSource {
  /** What kind of source this is. */
  readonly kind: SourceKind;
  /** One line for reports and progress, e.g. `ledger .langfuse-cost/ledger.jsonl (12,345 records)`. */
  readonly description: string;
  /** CTE list (`observations AS (…), traces AS (…)`) prepended to every query, when the source needs one. */
  readonly ctes?: string;
  /** The project id used when the caller gives none (the ledger writes `local`); undefined = required. */
  readonly defaultProjectId?: string;
  /** Run one query with bound parameters (values are text in ClickHouse's parameter format). */
  query(sql: string, params: Record<string, string>): Promise<QueryResult>;
  /** Release the connection or the embedded engine. Idempotent. */
  close(): Promise<void>;
}
