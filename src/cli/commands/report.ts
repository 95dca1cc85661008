import { relative } from 'node:path';
import { UNPRICED } from '../../ledger/priced.js';
import {
  aggregateLedgerParallel,
  LEDGER_GROUP_BY,
  type LedgerGroupBy,
  type LedgerReport,
} from '../../node/ledger/report.js';
import type { CostSummary } from '../../tracker/aggregate.js';
import { BUCKETS } from '../../usage/buckets.js';
import { intFlag, parseArgs, strFlag } from '../args.js';
import { type CliCommand, CliError } from '../command.js';
import { pct, renderTable, usd } from '../format.js';
import { bigintReplacer, envConfig, ledgerPath } from '../ledger-options.js';
import {
  calendarFlag,
  DEFAULT_WINDOW,
  describeWindow,
  type TimeWindow,
  windowFlags,
  windowHelp,
} from '../time-window.js';

const BY = LEDGER_GROUP_BY;

const USAGE = `Usage: langfuse-cost report [options]

Totals and a breakdown of the calls in the ledger. A ledger of 32 MiB or more is read
on several threads (one per core, at most 4), with the same exact figures.
Without --from and --to: ${DEFAULT_WINDOW} (the same window in every command).

Options:
  --ledger PATH   ledger file (default: LANGFUSE_COST_LEDGER, else .langfuse-cost/ledger.jsonl);
                  rotated files next to it are read too
  --by DIM        break down by model (default), provider, session, user, tenant, operation,
                  environment, tag or day
${windowHelp(18)}
  --tz ZONE       IANA time zone of dates and of --by day (default: LANGFUSE_COST_TIMEZONE, else UTC)
  --top N         show the N largest groups (--by day: the latest N days), the rest summed as (other)
                  (default 20; 0 = all)
  --json          print JSON (exact amounts as strings in "totalPico" and "exact")
`;

/** `langfuse-cost report`: totals and breakdowns from the ledger. */
export const command: CliCommand = {
  name: 'report',
  summary: 'totals and breakdowns from the ledger',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, { booleans: ['json'], known: ['ledger', 'by', 'from', 'to', 'tz', 'top'] });
    if (args.positionals.length > 0)
      throw new CliError(`unexpected argument "${args.positionals[0]}" (see --help)`, 2);
    const by = (strFlag(args, 'by') ?? 'model') as LedgerGroupBy;
    if (!BY.includes(by)) throw new CliError(`--by must be one of ${BY.join(', ')}; got "${by}"`, 2);
    const env = envConfig(io);
    const cal = calendarFlag(args, env.timeZone);
    const window = windowFlags(args, cal);
    const top = intFlag(args, 'top', 20);
    const path = ledgerPath(args, io, env);
    const warnings: string[] = [];
    // Large ledgers are read on several threads; the result is the same as a single-threaded read.
    const report = await aggregateLedgerParallel(path, {
      groupBy: by,
      timeZone: cal.timeZone,
      ...(window.from !== undefined ? { from: window.from } : {}),
      to: window.to,
      ...(top > 0 ? { top } : {}),
      onWarning: (m) => warnings.push(m),
    });
    for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
    const groups = report.groups ?? [];
    if (args.flags.json) {
      const out = {
        ledger: path,
        files: report.files,
        lines: report.lines,
        calls: report.matched,
        skippedLines: report.skipped,
        // The first skipped lines with their reasons (the warning on stderr says the same).
        skipped: report.skippedLines.slice(0, 20).map(({ file, line, reason }) => ({ file, line, reason })),
        from: window.from !== undefined ? new Date(window.from).toISOString() : null,
        to: new Date(window.to).toISOString(),
        timeZone: cal.timeZone,
        firstStart: report.firstStart,
        lastStart: report.lastStart,
        totals: jsonSummary(report.totals),
        groupBy: by,
        groups: groups.map(jsonSummary),
      };
      io.stdout.write(`${JSON.stringify(out, bigintReplacer, 2)}\n`);
      return 0;
    }
    io.stdout.write(human(report, groups, by, path, io.cwd, cal.timeZone, window));
    return 0;
  },
};

/** Calls with a price (tracker/priced.ts): the only ones in costs, averages and shares. */
function pricedCalls(t: Pick<CostSummary, 'requests' | 'unpriced'>): number {
  return t.requests - t.unpriced;
}

/** A cost, or "unpriced" when none of the calls has a price (their cost is unknown, not $0). */
function costText(t: Pick<CostSummary, 'requests' | 'unpriced'>, amount: number | bigint): string {
  return pricedCalls(t) > 0 ? usd(amount) : UNPRICED;
}

/** Money fields of a summary that are unknown, not 0, when none of its calls has a price. */
const COST_FIELDS = [
  'totalCost',
  'totalPico',
  'exact',
  'avgCostPerRequest',
  'costPer1kTokens',
  'p50',
  'p90',
  'p99',
  'maxCost',
] as const;
type CostField = (typeof COST_FIELDS)[number];

/** A summary for JSON: with no priced call, its costs are null (unknown), as in the dashboards' JSON. */
function jsonSummary<T extends CostSummary>(t: T): T | { [K in keyof T]: K extends CostField ? null : T[K] } {
  if (pricedCalls(t) > 0) return t;
  const out = { ...t } as Record<string, unknown>;
  for (const k of COST_FIELDS) out[k] = null;
  return out as { [K in keyof T]: K extends CostField ? null : T[K] };
}

function human(
  report: LedgerReport,
  groups: LedgerReport['groups'],
  by: LedgerGroupBy,
  path: string,
  cwd: string,
  tz: string,
  window: TimeWindow,
): string {
  const t = report.totals;
  const lines: string[] = [];
  const rel = relative(cwd, path);
  const files = report.files.length;
  lines.push(`Ledger     ${rel.startsWith('..') ? path : rel} (${files} file${files === 1 ? '' : 's'})`);
  lines.push(`Range      ${describeWindow(window)}${by === 'day' ? ` (days in ${tz})` : ''}`);
  if (report.skipped > 0) {
    lines.push(
      `Skipped    ${report.skipped} invalid or torn line(s), not counted (see the warning on stderr)`,
    );
  }
  if (t.requests === 0) {
    lines.push('', 'No calls in this range.', '');
    return lines.join('\n');
  }
  lines.push(`First/last ${report.firstStart} … ${report.lastStart}`);
  lines.push('');
  const priced = pricedCalls(t);
  lines.push(
    priced > 0
      ? `Total cost     ${usd(t.totalPico)}  (exact $${t.exact})`
      : `Total cost     ${UNPRICED}  (no call in this range has a price)`,
  );
  const extras = [
    `${t.errors.toLocaleString('en-US')} errors`,
    `${t.cached.toLocaleString('en-US')} cached`,
    `${t.unpriced.toLocaleString('en-US')} unpriced`,
    `${t.estimated.toLocaleString('en-US')} estimated`,
  ];
  lines.push(`Calls          ${t.requests.toLocaleString('en-US')}  (${extras.join(', ')})`);
  // Every bucket with a count, in table order, named by its `price` flag: tokens within the total,
  // other units (requests, audio seconds, characters, images) on their own line.
  const tokenParts: string[] = [];
  const unitParts: string[] = [];
  for (const row of BUCKETS) {
    const n = t.tokens[row.key];
    if (n > 0) {
      (row.kind === 'token' ? tokenParts : unitParts).push(
        `${row.flag.replaceAll('-', ' ')} ${n.toLocaleString('en-US')}`,
      );
    }
  }
  lines.push(
    `Tokens         ${t.totalTokens.toLocaleString('en-US')}${tokenParts.length > 0 ? `  (${tokenParts.join(', ')})` : ''}`,
  );
  if (unitParts.length > 0) lines.push(`Units          ${unitParts.join(', ')}`);
  if (priced > 0) {
    // Averages and percentiles cover the priced calls only; the unpriced ones are counted beside them.
    const over =
      t.unpriced > 0
        ? `  (over ${priced.toLocaleString('en-US')} priced calls; ${t.unpriced.toLocaleString('en-US')} ${UNPRICED})`
        : '';
    lines.push(
      `Per call       avg ${usd(t.avgCostPerRequest)}, p50 ${usd(t.p50)}, p90 ${usd(t.p90)}, p99 ${usd(t.p99)}, max ${usd(t.maxCost)}${over}`,
    );
    lines.push(
      `Per 1k tokens  ${usd(t.costPer1kTokens)}${t.unpriced > 0 ? '  (tokens of priced calls)' : ''}`,
    );
  } else {
    lines.push(`Per call       ${UNPRICED}`);
  }
  if (t.providedRequests > 0) {
    lines.push(
      `Provider-reported cost  ${usd(t.providedCost)} over ${t.providedRequests.toLocaleString('en-US')} calls`,
    );
  }
  lines.push('');
  const rows = (groups ?? []).map((g) => [
    g.key,
    g.requests,
    g.unpriced,
    g.errors,
    g.totalTokens,
    costText(g, g.totalPico),
    pricedCalls(g) > 0 ? pct(g.totalPico, t.totalPico) : '',
    // The same average as the totals': over the group's priced calls.
    costText(g, g.avgCostPerRequest),
  ]);
  lines.push(
    renderTable(
      [by.toUpperCase(), 'CALLS', 'UNPRICED', 'ERRORS', 'TOKENS', 'COST', 'SHARE', 'AVG/CALL'],
      rows,
    ).trimEnd(),
  );
  lines.push('');
  return lines.join('\n');
}
