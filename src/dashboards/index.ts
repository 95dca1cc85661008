/**
 * `langfuse-cost/dashboards`: run the SQL dashboards on the ledger (chDB) or Langfuse's ClickHouse.
 * @packageDocumentation
 */
// Every entry loads the root entry first, so that every module of the core is reached from every
// entry: the bundler (esbuild, code splitting) then emits the whole core as ONE shared chunk instead
// of one chunk per set of entries that reach a module, and `import 'langfuse-cost'` loads 2 files
// instead of 12 (a cold start ~5 ms shorter; bench/cold-start.ts). The core stays one instance for
// all entries. tests/package/module-graph.test.ts fails if the root's graph grows again.
import '../index.js';

export {
  type Dashboard,
  type DashboardColumn,
  DashboardError,
  type DashboardParam,
  dashboardsDir,
  findPlaceholders,
  listDashboardNames,
  loadDashboard,
  loadDashboards,
  parseDashboard,
  readDashboardAsset,
} from './catalog.js';
export { stripSqlComments, withSourceCtes } from './compose.js';
export {
  type DashboardFormat,
  formatCsv,
  formatJson,
  formatPercent,
  formatPercentAmount,
  formatResult,
  formatTable,
  formatUsdAmount,
  formatUsdCell,
  formatUsdPico,
  parseUsdPico,
} from './format.js';
export {
  type HtmlReportBudget,
  type HtmlReportMeta,
  REPORT_DASHBOARDS,
  renderHtmlReport,
  usdTick,
} from './html/report.js';
export {
  type BindParamsOptions,
  bindParams,
  type DashboardParamValue,
  formatEpochParam,
  formatParamValue,
  parseTimeValue,
  REQUIRED_PARAMS,
} from './params.js';
export {
  type DashboardResult,
  type RunDashboardOptions,
  type RunProgress,
  runDashboard,
  runDashboards,
  sqlForSource,
} from './runner.js';
export {
  type ChdbSourceOptions,
  createChdbSource,
  type LocalSourceOptions,
  loadChdb,
  openLocalSource,
} from './sources/chdb.js';
export { type ClickHouseSourceOptions, openClickHouseSource } from './sources/clickhouse.js';
export { LEDGER_SCHEMA } from './sources/ledger-tables.js';
export { defaultLedgerPath, type OpenSourceOptions, openSource } from './sources/open.js';
export type { ColumnMeta, DashboardSource, QueryResult, SourceKind } from './sources/types.js';
