import { DashboardError } from '../catalog.js';
import { openLocalSource } from './chdb.js';
import { type ClickHouseSourceOptions, openClickHouseSource } from './clickhouse.js';
import type { DashboardSource } from './types.js';

/** Options for {@link openSource}. */
export interface OpenSourceOptions extends Omit<ClickHouseSourceOptions, 'schema'> {
  /** `local` (the JSONL ledger through chDB), `clickhouse` (Langfuse v3) or `clickhouse-v4` (events_core). */
  kind: 'local' | 'clickhouse' | 'clickhouse-v4';
  /** Ledger path(s) for `local` (default `LANGFUSE_COST_LEDGER` or `.langfuse-cost/ledger.jsonl`). */
  ledger?: string | string[];
  /** Progress messages while a local ledger loads. */
  onProgress?: (message: string) => void;
  /** Warnings about skipped ledger lines (default: the library logger). */
  onWarning?: (message: string) => void;
}

/** The default ledger path: `LANGFUSE_COST_LEDGER`, else `.langfuse-cost/ledger.jsonl`. */
export function defaultLedgerPath(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.LANGFUSE_COST_LEDGER;
  if (v && v !== 'off') return v;
  return '.langfuse-cost/ledger.jsonl';
}

/** Open a dashboard source by kind. Close it when done. */
export async function openSource(options: OpenSourceOptions): Promise<DashboardSource> {
  if (options.kind === 'local') {
    const ledger = options.ledger ?? defaultLedgerPath(options.env);
    return openLocalSource({
      ledger,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
  }
  if (options.kind === 'clickhouse' || options.kind === 'clickhouse-v4') {
    const { kind, ledger: _ledger, onProgress: _p, onWarning: _w, ...rest } = options;
    return openClickHouseSource({ ...rest, schema: kind === 'clickhouse-v4' ? 'v4' : 'v3' });
  }
  throw new DashboardError(
    `unknown source "${(options as { kind: string }).kind}": use local, clickhouse or clickhouse-v4`,
  );
}
