/**
 * Worker thread of `aggregateLedgerParallel`: reads one share of a ledger (segments of its files) and
 * posts back the aggregated part, skipped lines included (the caller warns once per file after merging).
 * Asked to `check` (by `checkSegmentsInWorkers`, for the dashboards' loader), it only checks the lines
 * and posts back the scan; asked for `native` (by `writeNativeInWorker`), it writes its segment's lines
 * to that file as ClickHouse Native columns and posts back how many (null: not in the fast form). Built
 * as its own file (dist/report-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeNativeSegment } from './native.js';
import { checkSegments } from './read.js';
import { aggregateSegments, type ReportWorkerTask } from './report.js';

const task = workerData as ReportWorkerTask;
if ('native' in task) parentPort?.postMessage({ lines: writeNativeSegment(task.segments[0]!, task.native) });
else if ('check' in task) parentPort?.postMessage({ scan: checkSegments(task.segments) });
else parentPort?.postMessage({ part: aggregateSegments(task.segments, task.options) });
