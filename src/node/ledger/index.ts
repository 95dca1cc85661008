export { LedgerFileError } from './errors.js';
export { flushAtExit, forgetAtExit, type SyncFlushable } from './exit-hooks.js';
export {
  DEFAULT_LEDGER_PATH,
  type LedgerFile,
  listLedgerFiles,
  nextRotationSeq,
  rotatedPath,
  splitLedgerName,
} from './files.js';
export { JsonlLedgerSink, type JsonlLedgerSinkOptions, type LedgerRotation } from './jsonl-sink.js';
export { type LedgerScanResult, parseTime, type ReadLedgerOptions, readLedger, scanLedger } from './read.js';
export {
  aggregateLedger,
  aggregateLedgerParallel,
  dayOfFunction,
  type LedgerBudgetOptions,
  type LedgerBudgetReport,
  type LedgerGroupBy,
  type LedgerReport,
  type LedgerReportOptions,
  ledgerBudgetStatus,
  type ParallelReportOptions,
  sampleFromLine,
} from './report.js';
