/**
 * Worker thread of `aggregateLedgerParallel`: reads one share of a ledger (segments of its files) and
 * posts back the aggregated part and the warnings it met. Built as its own file (dist/report-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LedgerSegment } from './read.js';
import { aggregateSegments, type LedgerReportOptions } from './report.js';

const { segments, options } = workerData as { segments: LedgerSegment[]; options: LedgerReportOptions };
const warnings: string[] = [];
const part = aggregateSegments(segments, { ...options, onWarning: (m) => warnings.push(m) });
parentPort?.postMessage({ part, warnings });
