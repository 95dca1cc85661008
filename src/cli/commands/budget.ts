import { formatPercentAmount } from '../../dashboards/format.js';
import { redisBudgetStore } from '../../fleet/redis-budget-store.js';
import { redisStoreOptionsFromEnv } from '../../fleet/redis-env.js';
import { parseThreshold, parseUsd } from '../../node/env-config.js';
import { ledgerBudgetStatus } from '../../node/ledger/report.js';
import type { BudgetConfig, BudgetLimit, BudgetScope, BudgetStatus } from '../../tracker/budgets.js';
import { CostTracker } from '../../tracker/tracker.js';
import { intFlag, parseArgs, strFlag } from '../args.js';
import { type CliCommand, CliError, type CliIO } from '../command.js';
import { renderTable, usd } from '../format.js';
import { bigintReplacer, envConfig, ledgerPath } from '../ledger-options.js';
import { calendarFlag, DEFAULT_WINDOW, describeWindow, windowFlags, windowHelp } from '../time-window.js';

const USAGE = `Usage: langfuse-cost budget status [options]

Spend in the ledger against budget limits, for today and this month (in the time zone) and per
session, user and tenant. Limits come from the environment (LANGFUSE_COST_DAILY_LIMIT,
LANGFUSE_COST_MONTHLY_LIMIT, LANGFUSE_COST_SESSION_LIMIT, LANGFUSE_COST_USER_LIMIT,
LANGFUSE_COST_TENANT_LIMIT, LANGFUSE_COST_WARNING_THRESHOLD, LANGFUSE_COST_CRITICAL_THRESHOLD);
flags override them. It also prints the spend in the window of --from and --to (without them:
${DEFAULT_WINDOW}, the same window in every command); the limits always count the current periods.

With --redis URL, or LANGFUSE_COST_REDIS_URL set (and no --ledger), the spend is read from the
Redis that a fleet's trackers share (redisBudgetStore): every replica's spend in the current
periods, live. --from and --to do not apply there.

Options:
  --ledger PATH     ledger file (default: LANGFUSE_COST_LEDGER, else .langfuse-cost/ledger.jsonl)
  --redis URL       read the fleet's spend from this Redis (default: LANGFUSE_COST_REDIS_URL)
  --prefix P        key prefix in Redis (default: LANGFUSE_COST_REDIS_PREFIX, else langfuse-cost:)
${windowHelp(20)}
  --daily USD       limit per calendar day
  --monthly USD     limit per calendar month
  --session USD     limit per session (no reset)
  --user USD        limit per user per day
  --tenant USD      limit per tenant per day
  --warning SHARE   warning threshold: 0.8, 80 or 80% (default 0.8)
  --critical SHARE  critical threshold (default 0.95)
  --tz ZONE         IANA time zone of dates, days and months (default: LANGFUSE_COST_TIMEZONE, else UTC)
  --top N           sessions/users/tenants listed per budget, most used first (default 10; 0 = all)
  --json            print JSON
  --check           exit with code 3 when any limit is reached (for cron jobs and CI)
`;

const SCOPE_FLAGS = [
  ['daily', 'daily'],
  ['monthly', 'monthly'],
  ['session', 'perSession'],
  ['user', 'perUser'],
  ['tenant', 'perTenant'],
] as const;

/** `langfuse-cost budget status`: spend against limits. */
export const command: CliCommand = {
  name: 'budget',
  summary: 'spend against budget limits',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, {
      booleans: ['json', 'check'],
      known: [
        'ledger',
        'from',
        'to',
        'daily',
        'monthly',
        'session',
        'user',
        'tenant',
        'warning',
        'critical',
        'tz',
        'top',
        'redis',
        'prefix',
      ],
    });
    const sub = args.positionals[0];
    if (sub !== 'status') {
      throw new CliError(
        sub === undefined
          ? 'expected a subcommand: status (see --help)'
          : `unknown subcommand "${sub}": use status`,
        2,
      );
    }
    const env = envConfig(io);
    const budgets: BudgetConfig = { ...env.budgets };
    const share = (name: 'warning' | 'critical') => {
      const v = strFlag(args, name);
      if (v === undefined) return undefined;
      const f = parseThreshold(v);
      if (f === null) throw new CliError(`--${name} must be a share such as 0.8, 80 or 80%; got "${v}"`, 2);
      return f;
    };
    const warning = share('warning');
    const critical = share('critical');
    for (const [flag, key] of SCOPE_FLAGS) {
      const v = strFlag(args, flag);
      if (v === undefined) continue;
      const usd = parseUsd(v);
      if (usd === null)
        throw new CliError(`--${flag} must be an amount of USD such as 5 or 12.50; got "${v}"`, 2);
      const prev = budgets[key];
      budgets[key] = { ...(typeof prev === 'object' ? prev : {}), limit: usd };
    }
    for (const [, key] of SCOPE_FLAGS) {
      const b = budgets[key] as BudgetLimit | undefined;
      if (!b) continue;
      if (warning !== undefined) b.warning = warning;
      if (critical !== undefined) b.critical = critical;
      if ((b.warning ?? 0.8) > (b.critical ?? 0.95)) {
        throw new CliError(
          `the warning threshold (${b.warning ?? 0.8}) is above the critical one (${b.critical ?? 0.95})`,
          2,
        );
      }
    }
    if (SCOPE_FLAGS.every(([, key]) => budgets[key] === undefined)) {
      throw new CliError(
        'no budget limits: set LANGFUSE_COST_DAILY_LIMIT (or _MONTHLY_, _SESSION_, _USER_, _TENANT_LIMIT), or pass --daily USD, --monthly USD, …',
        2,
      );
    }
    const cal = calendarFlag(args, env.timeZone);
    const now = Date.now();
    // 0 is all, as `report --top 0` is (it read as the default, 10).
    const top = intFlag(args, 'top', 10) || Number.MAX_SAFE_INTEGER;
    const redis = redisSource(args, io);
    if (redis !== null) {
      const r = await redisStatus(redis, budgets, cal.timeZone, now, top);
      const exceeded = r.statuses.some((s) => s.level === 'exceeded');
      if (args.flags.json) {
        const out = {
          redis: redis.shown,
          timeZone: cal.timeZone,
          statuses: r.statuses,
          overWarning: r.overWarning,
          exceeded,
        };
        io.stdout.write(`${JSON.stringify(out, bigintReplacer, 2)}\n`);
      } else {
        io.stdout.write(`Budgets in ${cal.timeZone}, the fleet's spend in ${redis.shown}\n\n`);
        printStatuses(io, budgets, r);
      }
      return args.flags.check && exceeded ? 3 : 0;
    }
    const window = windowFlags(args, cal, now);
    const path = ledgerPath(args, io, env);
    const warnings: string[] = [];
    const r = ledgerBudgetStatus(path, budgets, {
      timeZone: cal.timeZone,
      now,
      window,
      top,
      onWarning: (m) => warnings.push(m),
    });
    for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
    const spend = r.window!; // present: a window was asked for
    const exceeded = r.statuses.some((s) => s.level === 'exceeded');
    if (args.flags.json) {
      const out = {
        ledger: path,
        timeZone: cal.timeZone,
        window: {
          from: window.from !== undefined ? new Date(window.from).toISOString() : null,
          to: new Date(window.to).toISOString(),
          calls: spend.calls,
          spent: spend.spent,
          spentPico: spend.spentPico,
        },
        statuses: r.statuses,
        overWarning: r.overWarning,
        exceeded,
      };
      io.stdout.write(`${JSON.stringify(out, bigintReplacer, 2)}\n`);
    } else {
      io.stdout.write(`Budgets in ${cal.timeZone}, from ${path}\n`);
      io.stdout.write(
        `Window ${describeWindow(window)}: ${usd(spend.spent)} over ${spend.calls.toLocaleString('en-US')} calls\n\n`,
      );
      printStatuses(io, budgets, r);
    }
    return args.flags.check && exceeded ? 3 : 0;
  },
};

/** Statuses with the count of keys at or over the warning threshold per scoped budget. */
interface StatusReport {
  statuses: BudgetStatus[];
  overWarning: Partial<Record<BudgetScope, number>>;
}

function printStatuses(io: CliIO, budgets: BudgetConfig, r: StatusReport): void {
  const rows = r.statuses.map((s) => [
    s.scope,
    s.key ?? '',
    s.period,
    usd(s.spent),
    usd(s.limit),
    Number.isFinite(s.used) ? formatPercentAmount(s.used * 100) : '∞',
    s.level === 'ok' ? 'ok' : s.level.toUpperCase(),
  ]);
  io.stdout.write(renderTable(['SCOPE', 'KEY', 'PERIOD', 'SPENT', 'LIMIT', 'USED', 'STATUS'], rows));
  const notes: string[] = [];
  for (const [scope, n] of Object.entries(r.overWarning)) {
    if (n && n > 0) notes.push(`${n} ${scope}${n === 1 ? '' : 's'} at or above the warning threshold`);
  }
  for (const [, key] of SCOPE_FLAGS) {
    const scope = key.replace(/^per/, '').toLowerCase();
    if (budgets[key] && key.startsWith('per') && !r.statuses.some((s) => s.scope === scope)) {
      notes.push(`no ${scope} has spent anything in the current period`);
    }
  }
  if (notes.length > 0) io.stdout.write(`\n${notes.join('\n')}\n`);
}

/** Longest the command waits for Redis to list and read the current periods' keys, ms. */
const REDIS_STATUS_TIMEOUT_MS = 10_000;

interface RedisSource {
  url: string;
  prefix: string | undefined;
  /** The URL without user and password, for output. */
  shown: string;
}

/** The Redis to read: `--redis`, else `LANGFUSE_COST_REDIS_URL` unless `--ledger` asks for the ledger. */
function redisSource(args: ReturnType<typeof parseArgs>, io: CliIO): RedisSource | null {
  const flag = strFlag(args, 'redis');
  const fromEnv = io.env.LANGFUSE_COST_REDIS_URL?.trim() || undefined;
  const url = flag ?? (strFlag(args, 'ledger') === undefined ? fromEnv : undefined);
  if (url === undefined) return null;
  let env: ReturnType<typeof redisStoreOptionsFromEnv>;
  try {
    // The other LANGFUSE_COST_REDIS_* variables apply with --redis too.
    env = redisStoreOptionsFromEnv({ ...io.env, LANGFUSE_COST_REDIS_URL: url }, { strict: true });
  } catch (err) {
    const m = (err as Error).message;
    throw new CliError(
      flag !== undefined && m.includes('_URL ')
        ? '--redis must be a redis:// or rediss:// URL'
        : `${m} (fix or unset the variable)`,
      2,
    );
  }
  let shown: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('not redis');
    u.username = '';
    u.password = '';
    shown = u.href;
  } catch {
    throw new CliError('--redis must be a redis:// or rediss:// URL', 2);
  }
  return { url, prefix: strFlag(args, 'prefix') ?? env?.prefix, shown };
}

/** The fleet's spend from Redis, through a tracker with the shared store (the same code replicas run). */
async function redisStatus(
  src: RedisSource,
  budgets: BudgetConfig,
  timeZone: string,
  now: number,
  top: number,
): Promise<StatusReport> {
  const problems: string[] = [];
  const logger = {
    debug() {},
    info() {},
    warn: (m: string) => void problems.push(m),
    error: (m: string) => void problems.push(m),
  };
  const store = redisBudgetStore({
    url: src.url,
    ...(src.prefix !== undefined ? { prefix: src.prefix } : {}),
    timeoutMs: REDIS_STATUS_TIMEOUT_MS,
    statusTimeoutMs: REDIS_STATUS_TIMEOUT_MS,
    logger,
  });
  const tracker = new CostTracker({ budgets, timeZone, now: () => now, budgetStore: store, logger });
  try {
    const all = await tracker.budgetStatusAsync();
    if (store.health().state !== 'up') {
      throw new CliError(
        `cannot read ${src.shown}: ${store.health().lastError ?? problems[0] ?? 'no answer'}`,
        1,
      );
    }
    const statuses: BudgetStatus[] = [];
    const overWarning: Partial<Record<BudgetScope, number>> = {};
    const shown: Partial<Record<BudgetScope, number>> = {};
    for (const s of all) {
      if (s.key === undefined) {
        statuses.push(s);
        continue;
      }
      if (s.level !== 'ok') overWarning[s.scope] = (overWarning[s.scope] ?? 0) + 1;
      else overWarning[s.scope] ??= 0;
      const n = shown[s.scope] ?? 0;
      if (n < top) statuses.push(s);
      shown[s.scope] = n + 1;
    }
    return { statuses, overWarning };
  } finally {
    await tracker.close();
  }
}
