import { getLogger } from '../logger.js';
import type { CostSink } from '../tracker/sink.js';
import { CostTracker } from '../tracker/tracker.js';
import { trackerConfigFromEnv } from './env-config.js';
import { JsonlLedgerSink } from './ledger/jsonl-sink.js';

let current: CostTracker | null = null;

/**
 * A tracker configured from the environment (see `TRACKER_ENV_VARS`): budgets, enforcement, time zone,
 * and a JSONL ledger sink at `LANGFUSE_COST_LEDGER` (default `.langfuse-cost/ledger.jsonl` under the
 * working directory; `off` disables it). Bad variables are warned about and ignored.
 */
export function createTrackerFromEnv(env: NodeJS.ProcessEnv = process.env, cwd?: string): CostTracker {
  const cfg = trackerConfigFromEnv(env, cwd !== undefined ? { cwd } : {});
  const sinks: CostSink[] = [];
  if (cfg.ledger !== null) {
    sinks.push(new JsonlLedgerSink({ path: cfg.ledger, ...(cfg.rotate ? { rotate: cfg.rotate } : {}) }));
  }
  // The Langfuse SDKs' environment variable names the environment of calls that carry none.
  const defaults = cfg.environment !== undefined ? { environment: cfg.environment } : undefined;
  try {
    return new CostTracker({
      budgets: cfg.budgets,
      enforce: cfg.enforce,
      timeZone: cfg.timeZone,
      sinks,
      ...(defaults ? { defaults } : {}),
    });
  } catch (err) {
    getLogger().warn(
      `cost budgets from the environment are invalid (${(err as Error).message}); tracking without budgets`,
    );
    return new CostTracker({ timeZone: cfg.timeZone, sinks, ...(defaults ? { defaults } : {}) });
  }
}

/**
 * The process-wide tracker used by the adapters when none is passed: created on first use with
 * {@link createTrackerFromEnv}, unless one was set with {@link setDefaultTracker}.
 */
export function getDefaultTracker(): CostTracker {
  if (current === null) current = createTrackerFromEnv();
  return current;
}

/**
 * Replace the process-wide tracker (null: the next `getDefaultTracker()` creates one from the
 * environment again). The previous tracker is not closed.
 */
export function setDefaultTracker(tracker: CostTracker | null): void {
  current = tracker;
}
