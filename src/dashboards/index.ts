/**
 * `langfuse-cost/dashboards`: run the SQL dashboards on the ledger (chDB) or Langfuse's ClickHouse.
 * @packageDocumentation
 */
// Loaded first by every entry, so the whole core is one shared chunk (why: tsup.config.ts).
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
  type CsvFormatOptions,
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
  EARLIEST_PARAM_TIME,
  formatEpochParam,
  formatParamValue,
  LATEST_PARAM_TIME,
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
  CHDB_ALLOCATOR_CONF,
  CHDB_ALLOCATOR_ENV,
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
