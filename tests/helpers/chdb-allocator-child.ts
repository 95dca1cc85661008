/**
 * Child process of the chDB allocator test: loads chDB the library's way, runs a query that allocates
 * a few hundred MB, and prints what the environment held after the load and how much of the process's
 * anonymous memory was in transparent huge pages after the query (Linux `smaps_rollup`). With the
 * argument `frozen`, the application has made `process.env` a frozen object first.
 */
import { readFileSync } from 'node:fs';
import { CHDB_ALLOCATOR_ENV, loadChdb } from '../../src/dashboards/index.js';

// `frozen`: the application replaced process.env with a frozen copy (writes throw in strict code).
if (process.argv.includes('frozen'))
  Object.defineProperty(process, 'env', { value: Object.freeze({ ...process.env }) });

const chdb = await loadChdb();
const left = process.env[CHDB_ALLOCATOR_ENV] ?? null;
const session = new chdb.Session();
try {
  // A sort of 3M strings: a few hundred MB through chDB's allocator, kept (not yet decayed) after it.
  await session.queryBindAsync(
    'SELECT count() FROM (SELECT toString(number) AS s FROM numbers(3000000) ORDER BY s DESC)',
    {},
  );
  const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const hugeKb = Number(/^AnonHugePages:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 'NaN');
  process.stdout.write(JSON.stringify({ left, hugeKb }));
} finally {
  session.close();
}
