import { closedError } from '../errors.js';
import type { Dashboard } from './catalog.js';
import { DashboardError, loadDashboard, loadDashboards } from './catalog.js';
import { withSourceCtes } from './compose.js';
import { type BindParamsOptions, bindParams, type DashboardParamValue, REQUIRED_PARAMS } from './params.js';
import type { DashboardSource, QueryResult } from './sources/types.js';

/** Options for {@link runDashboard} and {@link runDashboards}. */
export interface RunDashboardOptions extends BindParamsOptions {
  /** Parameter values by name (`from`, `to`, `projectId`, `limit`, `budget`, `timeZone`, …). */
  params?: Record<string, DashboardParamValue | undefined>;
  /** Directory to load dashboards from when names are given (default: the package's `dashboards/`). */
  dir?: string;
}

/** One dashboard's result: the rows plus what produced them. */
export interface DashboardResult extends QueryResult {
  /** The dashboard that ran. */
  dashboard: Dashboard;
  /** The bound parameters as sent (ClickHouse text form; times as Unix seconds). */
  params: Record<string, string>;
  /** The source kind it ran on. */
  source: DashboardSource['kind'];
  /** Set instead of throwing when {@link runDashboards} runs with `continueOnError`. */
  error?: string;
}

/** Progress of {@link runDashboards}: called before each dashboard starts and once at the end. */
export interface RunProgress {
  /** 0-based index of the dashboard starting now; equals `total` when all are done. */
  index: number;
  total: number;
  /** Name of the dashboard starting now (empty at the end). */
  name: string;
  /** Time since the run started, ms. */
  elapsedMs: number;
}

/** The SQL text a source receives for a dashboard: the file's query, behind the source's CTEs if any. */
export function sqlForSource(dashboard: Dashboard, source: Pick<DashboardSource, 'ctes'>): string {
  try {
    return sqlForSourceUnchecked(dashboard, source);
  } catch (err) {
    throw closedError(err, 'sqlForSource');
  }
}

function sqlForSourceUnchecked(dashboard: Dashboard, source: Pick<DashboardSource, 'ctes'>): string {
  if (source.ctes) {
    const declared = new Set(dashboard.params.map((p) => p.name));
    const missing = REQUIRED_PARAMS.filter((p) => !declared.has(p));
    if (missing.length > 0) {
      throw new DashboardError(
        `dashboard ${dashboard.name} must declare ${missing.join(', ')} to run on a source that filters by them`,
      );
    }
  }
  return withSourceCtes(dashboard.sql, source.ctes);
}

/**
 * Run one dashboard on a source with bound parameters. `projectId` defaults to the source's own
 * (the ledger's `local`); ClickHouse sources need it given.
 */
export async function runDashboard(
  source: DashboardSource,
  dashboard: Dashboard | string,
  options: RunDashboardOptions = {},
): Promise<DashboardResult> {
  const d = typeof dashboard === 'string' ? await loadDashboard(dashboard, options.dir) : dashboard;
  const values = { ...options.params };
  const declaresProject = d.params.some((p) => p.name === 'projectId');
  if (declaresProject && values.projectId === undefined) {
    if (source.defaultProjectId === undefined) {
      throw new DashboardError(
        `the ${source.kind} source needs a Langfuse project id: pass --project-id (or LANGFUSE_PROJECT_ID)`,
      );
    }
    values.projectId = source.defaultProjectId;
  }
  const bindOptions: BindParamsOptions = {};
  if (options.now !== undefined) bindOptions.now = options.now;
  if (options.strict !== undefined) bindOptions.strict = options.strict;
  const params = bindParams(d, values, bindOptions);
  const sql = sqlForSource(d, source);
  let result: QueryResult;
  try {
    result = await source.query(sql, params);
  } catch (err) {
    const msg = (err as Error)?.message ?? String(err);
    const e = new DashboardError(`dashboard ${d.name} failed on the ${source.kind} source: ${msg}`);
    (e as { cause?: unknown }).cause = err;
    throw e;
  }
  return { ...result, dashboard: d, params, source: source.kind };
}

/**
 * Run several dashboards (default: all of them) one after another on the same source.
 * Parameters a dashboard does not declare are ignored for it (so `budget` only reaches days-over-budget).
 */
export async function runDashboards(
  source: DashboardSource,
  dashboards?: (Dashboard | string)[],
  options: RunDashboardOptions & {
    /** Called before each dashboard and once at the end. */
    onProgress?: (p: RunProgress) => void;
    /** Record a failing dashboard's error in its result and go on (default false: throw). */
    continueOnError?: boolean;
  } = {},
): Promise<DashboardResult[]> {
  const list: Dashboard[] = dashboards
    ? await Promise.all(dashboards.map((d) => (typeof d === 'string' ? loadDashboard(d, options.dir) : d)))
    : await loadDashboards(options.dir);
  const t0 = performance.now();
  const out: DashboardResult[] = [];
  for (let i = 0; i < list.length; i++) {
    const d = list[i]!;
    options.onProgress?.({ index: i, total: list.length, name: d.name, elapsedMs: performance.now() - t0 });
    try {
      out.push(await runDashboard(source, d, { ...options, strict: false }));
    } catch (err) {
      if (!options.continueOnError) throw err;
      const error = (err as Error)?.message ?? String(err);
      out.push({ dashboard: d, params: {}, source: source.kind, columns: [], rows: [], elapsedMs: 0, error });
    }
  }
  options.onProgress?.({
    index: list.length,
    total: list.length,
    name: '',
    elapsedMs: performance.now() - t0,
  });
  return out;
}
