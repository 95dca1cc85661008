export { LedgerLineEncoder } from '../ledger/encoder.js';
export {
  CSV_COLUMNS,
  type CsvOptions,
  csvField,
  csvHeader,
  csvRow,
  EXPORT_FORMATS,
  type ExportFormat,
  ExportWriter,
  formatExport,
  usdText,
} from '../ledger/export.js';
export {
  BUCKET_OF_LANGFUSE_KEY,
  expandLedgerLine,
  fromLedgerLine,
  isoTime,
  type LedgerLine,
  type LedgerLineOptions,
  ledgerLineJson,
  linePico,
  OMITTED_WHEN_DEFAULT,
  toLedgerLine,
  usageFromDetails,
} from '../ledger/line.js';
export type { Attribution, CostRecord, FailureInput, RecordContext, RecordSource } from '../ledger/record.js';
export { CostAggregate, type CostSummary } from './aggregate.js';
export type {
  BudgetCrossing,
  BudgetRuleView,
  BudgetSlotRef,
  BudgetSpend,
  BudgetStore,
  BudgetStoreContext,
} from './budget-store.js';
export { InProcessBudgetStore } from './budget-store-memory.js';
export {
  type BudgetAlert,
  type BudgetConfig,
  type BudgetLevel,
  type BudgetLimit,
  type BudgetPeriod,
  type BudgetScope,
  type BudgetStatus,
  DEFAULT_CRITICAL,
  DEFAULT_WARNING,
} from './budgets.js';
export { type CalendarPeriod, type CalendarUnit, ZonedCalendar } from './calendar.js';
export { type EventMap, TypedEmitter } from './emitter.js';
export { GROUP_DIMENSIONS, type GroupDimension, NONE_KEY, OTHER_KEY } from './groups.js';
export { HISTOGRAM_GAMMA, HISTOGRAM_RELATIVE_ERROR, LogHistogram } from './histogram.js';
export { formatLogCost, formatLogLine, LogSink, type LogSinkOptions } from './log-sink.js';
export { MAX_RECORD_METADATA_KEYS, MAX_RECORD_TAGS, MAX_RECORD_TIME } from './record-guard.js';
export type { CostSink, CostSinkHealth } from './sink.js';
export {
  DAY_WORDS,
  NOW_WORD,
  parseTimeSpec,
  TIME_SYNTAX,
  TIME_UNITS,
  type TimeSpecOptions,
  type TimeUnit,
} from './time-syntax.js';
export {
  type CostStats,
  CostTracker,
  type CostTrackerOptions,
  type GroupStats,
  type RecordUnpricedOptions,
  type StatsOptions,
  type TrackerEvents,
  type TrackerExportOptions,
  type TrackerHealth,
} from './tracker.js';
export { STATS_WINDOWS, type StatsWindow } from './windows.js';
