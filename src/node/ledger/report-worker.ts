/**
 * Worker thread of `aggregateLedgerParallel`: reads one share of a ledger (segments of its files) and
 * posts back the aggregated part, skipped lines included (the caller warns once per file after merging). Built as its own file (dist/report-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LedgerSegment } from './read.js';
import { aggregateSegments, type LedgerReportOptions } from './report.js';

const { segments, options } = workerData as { segments: LedgerSegment[]; options: LedgerReportOptions };
const part = aggregateSegments(segments, options);
parentPort?.postMessage({ part });
