import { closedError } from '../errors.js';
import { envReader } from './env-reader.js';
import {
  type RedisBudgetStore,
  type RedisBudgetStoreOptions,
  redisBudgetStore,
} from './redis-budget-store.js';

/**
 * Environment variables read by {@link redisStoreOptionsFromEnv}. The store is on when
 * `LANGFUSE_COST_REDIS_URL` is set.
 *
 * | Variable | Meaning |
 * |---|---|
 * | `LANGFUSE_COST_REDIS_URL` | `redis://[user:password@]host:port[/db]` or `rediss://…` of the shared store |
 * | `LANGFUSE_COST_REDIS_PREFIX` | prefix of every key (default `langfuse-cost:`) |
 * | `LANGFUSE_COST_REDIS_TIMEOUT_MS` | longest wait of a call on Redis, and of a batch (default 50) |
 * | `LANGFUSE_COST_REDIS_FAIL_CLOSED` | `true`: refuse budgeted calls while Redis is away (default `false`, fail-open) |
 */
export const REDIS_ENV_VARS = [
  'LANGFUSE_COST_REDIS_URL',
  'LANGFUSE_COST_REDIS_PREFIX',
  'LANGFUSE_COST_REDIS_TIMEOUT_MS',
  'LANGFUSE_COST_REDIS_FAIL_CLOSED',
] as const;

/** Options of {@link redisStoreOptionsFromEnv}. */
export interface RedisEnvOptions {
  /** Throw `INVALID_ENV` on a bad value instead of warning and ignoring it. */
  strict?: boolean;
}

/**
 * Redis budget store options from `LANGFUSE_COST_REDIS_*` variables (see {@link REDIS_ENV_VARS}),
 * or null when `LANGFUSE_COST_REDIS_URL` is not set. Bad values are warned about (never echoing the
 * URL, which may hold a password) and ignored, or thrown with `strict`.
 * @throws {LangfuseCostError} `INVALID_ENV` in strict mode.
 */
export function redisStoreOptionsFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: RedisEnvOptions = {},
): RedisBudgetStoreOptions | null {
  try {
    const { get, bad, wholeNumber } = envReader(env, options.strict);
    const url = get('LANGFUSE_COST_REDIS_URL');
    if (url === undefined) return null;
    if (!/^rediss?:\/\//i.test(url)) {
      bad('LANGFUSE_COST_REDIS_URL', '', 'a redis:// or rediss:// URL', false);
      return null;
    }
    const out: RedisBudgetStoreOptions = { url };
    const prefix = get('LANGFUSE_COST_REDIS_PREFIX');
    if (prefix !== undefined) out.prefix = prefix;
    const timeout = wholeNumber('LANGFUSE_COST_REDIS_TIMEOUT_MS', 'a whole number of ms ≥ 1');
    if (timeout !== undefined) out.timeoutMs = timeout;
    const closed = get('LANGFUSE_COST_REDIS_FAIL_CLOSED');
    if (closed !== undefined) {
      const v = closed.toLowerCase();
      if (v === 'true' || v === '1') out.failClosed = true;
      else if (v !== 'false' && v !== '0') bad('LANGFUSE_COST_REDIS_FAIL_CLOSED', closed, 'true or false');
    }
    return out;
  } catch (err) {
    throw closedError(err, 'redisStoreOptionsFromEnv');
  }
}

/**
 * A Redis budget store configured by `LANGFUSE_COST_REDIS_*` variables, or null when
 * `LANGFUSE_COST_REDIS_URL` is not set (use the in-process store then).
 *
 * @example
 * ```ts
 * const tracker = new CostTracker({
 *   budgets: { daily: 50 },
 *   budgetStore: redisBudgetStoreFromEnv() ?? undefined,
 * });
 * ```
 * @throws {LangfuseCostError} `INVALID_ENV` in strict mode.
 */
export function redisBudgetStoreFromEnv(
  env: Record<string, string | undefined> = process.env,
  options: RedisEnvOptions = {},
): RedisBudgetStore | null {
  try {
    const o = redisStoreOptionsFromEnv(env, options);
    return o === null ? null : redisBudgetStore(o);
  } catch (err) {
    throw closedError(err, 'redisBudgetStoreFromEnv');
  }
}
