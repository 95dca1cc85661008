/**
 * Worker thread of `aggregateLedgerParallel`: reads one share of a ledger (segments of its files) and
 * posts back the aggregated part, skipped lines included (the caller warns once per file after merging).
 * Asked to `check` (by `checkSegmentsInWorkers`, for the dashboards' loader), it only checks the lines
 * and posts back the scan. Built as its own file (dist/report-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkSegments } from './read.js';
import { aggregateSegments, type ReportWorkerTask } from './report.js';

const task = workerData as ReportWorkerTask;
if ('check' in task) parentPort?.postMessage({ scan: checkSegments(task.segments) });
else parentPort?.postMessage({ part: aggregateSegments(task.segments, task.options) });
