/**
 * Worker thread of `aggregateLedgerParallel`: reads the first piece of a cut ledger kept for it, then
 * claims the next unclaimed one until none are left (the claims are shared with the other threads), and
 * posts back its part: each piece's counts and skipped lines, and the sums of all its lines (the caller
 * merges the parts in file order and warns once per file).
 * Asked to `check` (by `checkSegmentsInWorkers`, for the dashboards' loader), it only checks the lines
 * and posts back the scan; asked for `native` (by `writeNativeInWorker`), it writes its segment's lines
 * to that file as ClickHouse Native columns and posts back how many (null: not in the fast form). Built
 * as its own file (dist/report-worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { writeNativeSegment } from './native.js';
import { checkSegments } from './read.js';
import { aggregatePieces, claimPieces, type ReportWorkerTask } from './report.js';

const task = workerData as ReportWorkerTask;
if ('native' in task) parentPort?.postMessage({ lines: writeNativeSegment(task.segments[0]!, task.native) });
else if ('check' in task) parentPort?.postMessage({ scan: checkSegments(task.segments) });
else {
  const claims = new Int32Array(task.claims);
  const claim = claimPieces(claims, task.pieces.length, task.reserved);
  parentPort?.postMessage({ part: aggregatePieces(task.pieces, claim, task.options, claims) });
}
