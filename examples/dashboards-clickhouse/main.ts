/**
 * The SQL dashboards against a Langfuse ClickHouse: the same files that run on the local ledger run on
 * Langfuse's own `observations`/`traces` tables (v3) or its `events_core` table (v4), with bound
 * parameters.
 *
 *   CLICKHOUSE_URL=http://localhost:8123 CLICKHOUSE_USER=clickhouse CLICKHOUSE_PASSWORD=… \
 *   LANGFUSE_PROJECT_ID=<project id> node --import tsx examples/dashboards-clickhouse/main.ts [v3|v4]
 *
 * The CLI does the same: `npx langfuse-cost dashboards run kpi-totals --source clickhouse --project-id …`.
 * Without CLICKHOUSE_URL it prints what it needs and exits.
 */
import { formatTable, openClickHouseSource, runDashboards } from 'langfuse-cost/dashboards';
import { scriptArgs } from '../shared/script-args.js';

const USAGE = `Usage: node --import tsx examples/dashboards-clickhouse/main.ts [v3|v4]

Runs three SQL dashboards (kpi-totals, cost-by-model, top-sessions) over the last 7 days of a Langfuse
project, on Langfuse's own ClickHouse: v3 reads the observations/traces tables (the default), v4 the
events_core table. Prints the tables; writes nothing.

Environment: CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DB, LANGFUSE_PROJECT_ID
(without CLICKHOUSE_URL or LANGFUSE_PROJECT_ID it says what it needs and exits).

Options:
  -h, --help    print this help
`;

const { positionals } = scriptArgs({
  name: 'dashboards-clickhouse',
  usage: USAGE,
  options: {},
  allowPositionals: true,
});
if (positionals.length > 1 || (positionals[0] !== undefined && !['v3', 'v4'].includes(positionals[0]))) {
  console.error(`dashboards-clickhouse: expected v3 or v4, got "${positionals.join(' ')}" (see --help)`);
  process.exit(2);
}
const url = process.env.CLICKHOUSE_URL;
const projectId = process.env.LANGFUSE_PROJECT_ID;
const schema = positionals[0] === 'v4' ? 'v4' : 'v3';

if (!url || !projectId) {
  console.log(`This example needs a Langfuse ClickHouse to query:
  CLICKHOUSE_URL        HTTP(S) URL of Langfuse's ClickHouse, e.g. http://localhost:8123 (missing: ${!url})
  CLICKHOUSE_USER       user (default "default")
  CLICKHOUSE_PASSWORD   password
  CLICKHOUSE_DB         database (default "default")
  LANGFUSE_PROJECT_ID   the project whose data to read (missing: ${!projectId}; see the project settings in Langfuse)
and, as argument, v3 (observations/traces tables, the default) or v4 (events_core).
With docker compose self-hosting, ClickHouse listens on port 8123 of the clickhouse service.
To try the dashboards without ClickHouse, run them on the local ledger instead:
  npm run demo     (writes a ledger and runs every dashboard on it in embedded ClickHouse)`);
  process.exit(0);
}

const source = await openClickHouseSource({ schema });
console.log(`source: ${source.description}`);
try {
  const results = await runDashboards(source, ['kpi-totals', 'cost-by-model', 'top-sessions'], {
    params: { projectId, from: '-7d', to: 'now' },
  });
  for (const r of results) {
    console.log(`\n${r.dashboard.title} (${r.rows.length} rows, ${Math.round(r.elapsedMs)} ms)`);
    console.log(formatTable(r));
  }
} finally {
  await source.close();
}
