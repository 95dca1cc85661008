// One replica of the Redis fleet tests: `node --import tsx redis-fleet-child.ts <json options>`.
// Makes the calls of `callsFor(replica, calls)` through a CostTracker whose budgets live in Redis
// and whose alerts go to a webhook: before each call `checkBudgetAsync` (the refusal, if any, is
// the outcome), then `record`. Prints `progress <n>` every 100 calls, and at the end one JSON line:
// every call's outcome and anything that reached the host (there must be nothing).
import { existsSync } from 'node:fs';
import { BudgetExceededError } from '../../src/errors.js';
import { attachAlerts } from '../../src/fleet/index.js';
import { redisBudgetStore } from '../../src/fleet/redis-budget-store.js';
import { webhookChannel } from '../../src/fleet/webhook.js';
import { calculateCost } from '../../src/pricing/index.js';
import { type BudgetConfig, CostTracker } from '../../src/tracker/index.js';
import { callsFor } from './redis-fleet-calls.js';

interface Options {
  url: string;
  webhook: string;
  replica: number;
  calls: number;
  budgets: BudgetConfig;
  timeoutMs?: number;
  /** Wait for this file before starting (so replicas start together). */
  startFile: string;
  /** Before call `holdAt`, wait for `holdFile` to exist (so every replica calls on after a kill). */
  holdAt?: number;
  holdFile?: string;
}

const o = JSON.parse(process.argv[2]!) as Options;
while (!existsSync(o.startFile)) await new Promise((r) => setTimeout(r, 5));

const logLines: string[] = [];
const logger = {
  debug() {},
  info: (m: string) => void logLines.push(`info ${m}`),
  warn: (m: string) => void logLines.push(`warn ${m}`),
  error: (m: string) => void logLines.push(`error ${m}`),
};
const store = redisBudgetStore({ url: o.url, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), logger });
const tracker = new CostTracker({ budgets: o.budgets, enforce: true, budgetStore: store, logger });
const alerts = attachAlerts(tracker, {
  channels: [webhookChannel({ url: o.webhook })],
  source: `replica-${o.replica}`,
  backoffMs: 50,
  logger,
});

/** Per call: `ok` or the refused budget `scope:key`. */
const outcomes: string[] = [];
const hostErrors: string[] = [];
const calls = callsFor(o.replica, o.calls);
for (let i = 0; i < calls.length; i++) {
  if (i === o.holdAt && o.holdFile)
    while (!existsSync(o.holdFile)) await new Promise((r) => setTimeout(r, 5));
  const c = calls[i]!;
  const attr = { userId: c.user, sessionId: c.session };
  try {
    await tracker.checkBudgetAsync(attr);
  } catch (err) {
    if (err instanceof BudgetExceededError) {
      outcomes.push(`${err.details.scope}:${err.details.key ?? ''}`);
      continue;
    }
    hostErrors.push(`check: ${String(err)}`);
    outcomes.push('error');
    continue;
  }
  try {
    tracker.record(calculateCost({ model: c.model, usage: { input: c.input, output: c.output } })!, attr);
    outcomes.push('ok');
  } catch (err) {
    hostErrors.push(`record: ${String(err)}`);
    outcomes.push('error');
  }
  if ((i + 1) % 100 === 0) process.stdout.write(`progress ${i + 1}\n`);
}
const flushed = await store.flush(30_000);
await tracker.close();
await alerts.close(10_000);
process.stdout.write(
  `${JSON.stringify({ outcomes, hostErrors, flushed, health: store.health(), log: logLines })}\n`,
);
