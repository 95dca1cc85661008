import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DashboardParamValue } from '../../dashboards/index.js';
import { parseUsd } from '../../node/env-config.js';
import { usdToPico } from '../../pricing/money.js';
import { type ParsedArgs, parseArgs, strFlag } from '../args.js';
import type { CliCommand, CliIO } from '../command.js';
import { CliError } from '../command.js';
import { calendarFlag, DEFAULT_WINDOW, type TimeWindow, timeWindow, windowHelp } from '../time-window.js';

const USAGE = `Usage:
  langfuse-cost dashboards list [--format table|json]
  langfuse-cost dashboards show <name> [--source local|clickhouse|clickhouse-v4]
  langfuse-cost dashboards run <name> [source and window options] [--param k=v]... [--format table|json|csv]
  langfuse-cost dashboards html [--out cost-report.html] [source and window options] [--param k=v]...

Runs the SQL dashboards in the package's dashboards/ directory (ClickHouse dialect, written against
Langfuse's observations/traces tables) on one of three sources. Parameters are bound, never pasted
into the SQL.

Source:
  --source local          the JSONL ledger through embedded ClickHouse (chDB) (default)
  --source clickhouse     a Langfuse v3 ClickHouse (observations, traces)
  --source clickhouse-v4  a Langfuse v4 ClickHouse (events_core)
  --ledger PATH           ledger for --source local (default LANGFUSE_COST_LEDGER or
                          .langfuse-cost/ledger.jsonl; rotated files are included)
  --url URL               ClickHouse HTTP URL (default CLICKHOUSE_URL or http://localhost:8123)
  --user USER             (default CLICKHOUSE_USER or default)
  --password PASSWORD     (default CLICKHOUSE_PASSWORD; prefer the variable: arguments show in ps)
  --database DB           (default CLICKHOUSE_DB or default)
  --project-id ID         Langfuse project id (default LANGFUSE_PROJECT_ID; "local" for the ledger)

Window and parameters. Without --from and --to every dashboard covers ${DEFAULT_WINDOW}: the same
window as report, export and budget (a file's own default applies only when it is run from code).
${windowHelp(26)}
  --tz ZONE               IANA time zone of dates, days and hours (default: LANGFUSE_COST_TIMEZONE,
                          else UTC)
  --param k=v             any parameter a dashboard declares (repeatable), e.g. limit=50, budget=25
  --format FORMAT         table (default), json or csv (run); table or json (list)
  --no-formula-guard      CSV: keep text cells that start with = + - @ as they are (default: a
                          leading ' so spreadsheets do not run them as formulas, as in export)
  --out FILE              HTML report path (default cost-report.html)

HTML report (html):
  --langfuse-url URL      Langfuse UI to link trace and session ids to (default LANGFUSE_BASE_URL,
                          LANGFUSE_BASEURL or LANGFUSE_HOST; no links without one)
  --langfuse-project ID   Langfuse project id of the links (default --project-id unless "local",
                          else LANGFUSE_PROJECT_ID)
  --daily-limit USD       daily budget to check each day against (default LANGFUSE_COST_DAILY_LIMIT;
                          --param budget=USD also sets it)
  --monthly-limit USD     monthly budget (default LANGFUSE_COST_MONTHLY_LIMIT)

Environment: CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DB, LANGFUSE_PROJECT_ID,
LANGFUSE_COST_LEDGER, LANGFUSE_COST_TIMEZONE, LANGFUSE_BASE_URL (LANGFUSE_BASEURL, LANGFUSE_HOST),
LANGFUSE_COST_DAILY_LIMIT, LANGFUSE_COST_MONTHLY_LIMIT.
`;

const VALUE_FLAGS = [
  'source',
  'ledger',
  'url',
  'user',
  'password',
  'database',
  'project-id',
  'from',
  'to',
  'tz',
  'param',
  'format',
  'out',
  'langfuse-url',
  'langfuse-project',
  'daily-limit',
  'monthly-limit',
];

type DashboardsModule = typeof import('../../dashboards/index.js');

function progressWriter(io: CliIO): { update(msg: string): void; done(): void } {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  let shown = false;
  return {
    update(msg: string) {
      if (!tty) return;
      const cols = (io.stderr as NodeJS.WriteStream).columns || 100;
      io.stderr.write(`\r\x1b[K${msg.slice(0, Math.max(10, cols - 1))}`);
      shown = true;
    },
    done() {
      if (tty && shown) io.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/**
 * The parameters of a run: `--param` values, then the window (`--from`/`--to`, or `--param from=…`,
 * read like every command's window, absent: from 1900 on), the zone and the project.
 */
function paramValues(
  d: DashboardsModule,
  args: ParsedArgs,
  io: CliIO,
  now: number,
): { params: Record<string, DashboardParamValue>; window: TimeWindow; timeZone: string } {
  const given: Record<string, string> = {};
  for (const kv of args.multi.param ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new CliError(`--param needs name=value, got "${kv}"`, 2);
    given[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  // The zone of the dates and of the days and hours: --tz, else --param timeZone=…, else the environment's.
  const cal = calendarFlag(args, io.env.LANGFUSE_COST_TIMEZONE, given.timeZone);
  const from = strFlag(args, 'from') ?? given.from;
  const to = strFlag(args, 'to') ?? given.to;
  const window = timeWindow(
    { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) },
    cal,
    now,
  );
  // All time starts where ClickHouse's times do (1900), not at 1970: the ledger may hold earlier calls.
  const params: Record<string, DashboardParamValue> = {
    ...given,
    from: window.from ?? d.EARLIEST_PARAM_TIME,
    to: window.to,
  };
  if (strFlag(args, 'tz') !== undefined || given.timeZone !== undefined || io.env.LANGFUSE_COST_TIMEZONE) {
    params.timeZone = cal.timeZone;
  }
  const project = strFlag(args, 'project-id') ?? io.env.LANGFUSE_PROJECT_ID;
  if (project !== undefined && project !== '') params.projectId = project;
  return { params, window, timeZone: cal.timeZone };
}

function sourceKind(args: ParsedArgs): 'local' | 'clickhouse' | 'clickhouse-v4' {
  const s = strFlag(args, 'source') ?? 'local';
  if (s !== 'local' && s !== 'clickhouse' && s !== 'clickhouse-v4') {
    throw new CliError(`--source must be local, clickhouse or clickhouse-v4, got "${s}"`, 2);
  }
  return s;
}

async function openFromArgs(
  d: DashboardsModule,
  args: ParsedArgs,
  io: CliIO,
  progress: { update(msg: string): void },
): Promise<import('../../dashboards/index.js').DashboardSource> {
  const kind = sourceKind(args);
  const url = strFlag(args, 'url');
  const username = strFlag(args, 'user');
  const password = strFlag(args, 'password');
  const database = strFlag(args, 'database');
  const ledger = strFlag(args, 'ledger');
  return d.openSource({
    kind,
    env: io.env,
    onWarning: (m) => io.stderr.write(`warning: ${m}\n`),
    ...(ledger !== undefined
      ? { ledger: resolve(io.cwd, ledger) }
      : { ledger: resolve(io.cwd, d.defaultLedgerPath(io.env)) }),
    ...(url !== undefined ? { url } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(database !== undefined ? { database } : {}),
    onProgress: (m) => progress.update(m),
  });
}

function rethrow(d: DashboardsModule, err: unknown): never {
  if (err instanceof d.DashboardError) {
    const usage = /parameter|needs a Langfuse project id|no dashboard|cannot read ".*" as a time/.test(
      err.message,
    );
    throw new CliError(err.message, usage ? 2 : 1);
  }
  throw err;
}

async function list(d: DashboardsModule, args: ParsedArgs, io: CliIO): Promise<number> {
  const all = await d.loadDashboards();
  const format = strFlag(args, 'format') ?? 'table';
  if (format === 'json') {
    const out = all.map((x) => ({
      name: x.name,
      title: x.title,
      description: x.description,
      params: x.params,
    }));
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  if (format !== 'table') throw new CliError(`--format for list must be table or json, got "${format}"`, 2);
  const std = new Set(['projectId', 'from', 'to']);
  const rows = all.map((x) => ({
    name: x.name,
    title: x.title,
    params: x.params
      .filter((p) => !std.has(p.name))
      .map((p) => `${p.name}=${p.default ?? '?'}`)
      .join(' '),
  }));
  io.stdout.write(
    d.formatTable({
      columns: [
        { name: 'name', type: 'String' },
        { name: 'title', type: 'String' },
        { name: 'params', type: 'String' },
      ],
      rows,
      elapsedMs: 0,
    }),
  );
  return 0;
}

async function show(d: DashboardsModule, args: ParsedArgs, io: CliIO): Promise<number> {
  const name = args.positionals[1];
  if (!name)
    throw new CliError('dashboards show needs a dashboard name (see: langfuse-cost dashboards list)', 2);
  const dash = await d.loadDashboard(name);
  const kind = strFlag(args, 'source');
  if (kind === undefined || kind === 'local' || kind === 'clickhouse') {
    io.stdout.write(dash.text.endsWith('\n') ? dash.text : `${dash.text}\n`);
    return 0;
  }
  sourceKind(args);
  const ctes = await d.readDashboardAsset('sources/langfuse-v4.sql');
  io.stdout.write(`${d.sqlForSource(dash, { ctes })}\n`);
  return 0;
}

async function run(d: DashboardsModule, args: ParsedArgs, io: CliIO): Promise<number> {
  const name = args.positionals[1];
  if (!name)
    throw new CliError('dashboards run needs a dashboard name (see: langfuse-cost dashboards list)', 2);
  const format = strFlag(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'csv') {
    throw new CliError(`--format must be table, json or csv, got "${format}"`, 2);
  }
  const dash = await d.loadDashboard(name);
  const { params } = paramValues(d, args, io, Date.now());
  // --tz applies only where a dashboard has a time zone; other given parameters must exist.
  if (!dash.params.some((p) => p.name === 'timeZone')) delete params.timeZone;
  const progress = progressWriter(io);
  const source = await openFromArgs(d, args, io, progress);
  try {
    progress.update(`running ${dash.name} on ${source.description}`);
    const result = await d.runDashboard(source, dash, { params, strict: true });
    progress.done();
    io.stdout.write(
      d.formatResult(result, format, { formulaGuard: args.flags['no-formula-guard'] !== true }),
    );
    return 0;
  } finally {
    progress.done();
    await source.close();
  }
}

/** Hours up to 3 days of data, else days: the bucket of the report's facts. */
const HOURLY_UP_TO_MS = 3 * 86_400_000;

/** The budgets of the report: flags, else `--param budget=` (daily), else the budget command's variables. */
function reportBudgets(
  args: ParsedArgs,
  io: CliIO,
  given: Record<string, DashboardParamValue>,
): import('../../dashboards/index.js').HtmlReportBudget[] {
  const out: import('../../dashboards/index.js').HtmlReportBudget[] = [];
  const one = (label: string, period: 'day' | 'month', sources: [string, string | undefined][]) => {
    const found = sources.find(([, v]) => v !== undefined && v !== '');
    if (!found) return;
    const usd = parseUsd(found[1]!);
    if (usd === null)
      throw new CliError(`${found[0]} must be a USD amount like 25 or 12.50, got "${found[1]}"`, 2);
    out.push({ label, period, limitPico: BigInt(usdToPico(usd)), origin: found[0] });
  };
  one('Daily limit', 'day', [
    ['--daily-limit', strFlag(args, 'daily-limit')],
    ['--param budget', given.budget === undefined ? undefined : String(given.budget)],
    ['LANGFUSE_COST_DAILY_LIMIT', io.env.LANGFUSE_COST_DAILY_LIMIT],
  ]);
  one('Monthly limit', 'month', [
    ['--monthly-limit', strFlag(args, 'monthly-limit')],
    ['LANGFUSE_COST_MONTHLY_LIMIT', io.env.LANGFUSE_COST_MONTHLY_LIMIT],
  ]);
  return out;
}

/** The Langfuse UI the report links to, when both a URL and a project id are known. */
function langfuseLinks(
  args: ParsedArgs,
  io: CliIO,
  params: Record<string, DashboardParamValue>,
): { baseUrl: string; projectId: string } | undefined {
  const baseUrl = (
    strFlag(args, 'langfuse-url') ||
    io.env.LANGFUSE_BASE_URL ||
    io.env.LANGFUSE_BASEURL ||
    io.env.LANGFUSE_HOST ||
    ''
  ).trim();
  const fromParams = params.projectId === undefined ? '' : String(params.projectId);
  const projectId = (
    strFlag(args, 'langfuse-project') ||
    (fromParams !== 'local' ? fromParams : '') ||
    io.env.LANGFUSE_PROJECT_ID ||
    ''
  ).trim();
  if (!baseUrl || !projectId) return undefined;
  // Only a web address becomes a link: a javascript: or data: URL in a variable must not.
  if (!/^https?:\/\/[^\s]+$/i.test(baseUrl)) {
    throw new CliError(`--langfuse-url must be an http(s) URL, got "${baseUrl}"`, 2);
  }
  return { baseUrl, projectId };
}

async function html(d: DashboardsModule, args: ParsedArgs, io: CliIO): Promise<number> {
  const out = resolve(io.cwd, strFlag(args, 'out') ?? 'cost-report.html');
  const now = Date.now();
  // One window for the whole report, the same as every command's (the files' own defaults differ).
  const { params, window, timeZone } = paramValues(d, args, io, now);
  const budgets = reportBudgets(args, io, params);
  delete params.budget;
  const langfuse = langfuseLinks(args, io, params);
  const progress = progressWriter(io);
  const source = await openFromArgs(d, args, io, progress);
  try {
    progress.update(`measuring the window on ${source.description}`);
    // The bucket follows the data's span: hours for up to 3 days, else days (the page regroups by month).
    const kpi = await d.runDashboard(source, 'kpi-totals', {
      params: {
        from: params.from,
        to: params.to,
        ...(params.projectId ? { projectId: params.projectId } : {}),
      },
      now,
    });
    const first = kpi.rows[0]?.first_call;
    const last = kpi.rows[0]?.last_call;
    const span =
      window.from !== undefined
        ? window.to - window.from
        : first && last
          ? Date.parse(`${String(last).replace(' ', 'T')}Z`) -
            Date.parse(`${String(first).replace(' ', 'T')}Z`)
          : Number.POSITIVE_INFINITY;
    const bucket = span <= HOURLY_UP_TO_MS ? 'hour' : 'day';
    const results = await d.runDashboards(source, [...d.REPORT_DASHBOARDS], {
      params: { ...params, timeZone, bucket },
      now,
      continueOnError: true,
      onProgress: (p) => {
        if (p.name)
          progress.update(`[${p.index + 1}/${p.total}] ${p.name} (${(p.elapsedMs / 1000).toFixed(1)} s)`);
      },
    });
    progress.done();
    const fmt = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
    const page = d.renderHtmlReport(results, {
      source: source.description,
      from: window.from !== undefined ? `${fmt(window.from)} UTC` : 'the first call',
      to: `${fmt(window.to)} UTC`,
      timeZone,
      bucket,
      budgets,
      ...(langfuse ? { langfuse } : {}),
    });
    await writeFile(out, page);
    const failed = results.filter((r) => r.error);
    for (const f of failed) io.stderr.write(`langfuse-cost dashboards: ${f.error}\n`);
    const facts = results.find((r) => r.dashboard.name === 'report-facts');
    io.stdout.write(
      `wrote ${out} (${(Buffer.byteLength(page) / 1024).toFixed(0)} KiB: ${(facts?.rows.length ?? 0).toLocaleString('en-US')} aggregated rows by ${bucket}, times in ${timeZone}${langfuse ? ', linked to Langfuse' : ''})\n`,
    );
    return failed.length > 0 ? 1 : 0;
  } finally {
    progress.done();
    await source.close();
  }
}

/** `langfuse-cost dashboards`: list, show and run the SQL dashboards; write the HTML report. */
export const command: CliCommand = {
  name: 'dashboards',
  summary: 'run the SQL dashboards and write the HTML report',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, { known: VALUE_FLAGS, booleans: ['no-formula-guard'] });
    const sub = args.positionals[0];
    const d: DashboardsModule = await import('../../dashboards/index.js');
    try {
      if (sub === 'list') return await list(d, args, io);
      if (sub === 'show') return await show(d, args, io);
      if (sub === 'run') return await run(d, args, io);
      if (sub === 'html') return await html(d, args, io);
    } catch (err) {
      rethrow(d, err);
    }
    throw new CliError(sub ? `unknown subcommand "${sub}"\n\n${USAGE}` : USAGE, 2);
  },
};
