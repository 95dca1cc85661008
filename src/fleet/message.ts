import { closedError } from '../errors.js';
import { formatUsd } from '../pricing/money.js';
import type { BudgetAlert } from '../tracker/budgets.js';

/**
 * What a channel delivers: the tracker's {@link BudgetAlert} with a stable id, the ISO time and a
 * one-line text for people. Webhooks receive it as the JSON body.
 */
export interface AlertMessage extends BudgetAlert {
  /** Always `budget.alert` (so a receiver that takes other events can tell it apart). */
  type: 'budget.alert';
  /** Stable id of the crossing (see {@link alertId}): the same crossing has the same id on every replica. */
  id: string;
  /** `at` as an ISO 8601 UTC string. */
  time: string;
  /** One line for people, e.g. `Budget critical: user "alice" spent $9.50 of $10.00 (95%) in 2026-12-04`. */
  text: string;
  /** The `source` option of the dispatcher (a replica or service name), when set. */
  source?: string;
}

/**
 * The stable id of a threshold crossing: scope, key, period, level and threshold, e.g.
 * `user/alice/2026-12-04/critical@0.95` or `daily/-/2026-12-04/warning@0.8`. The key is
 * URI-encoded, so a `/` inside it cannot make two crossings share an id. Whatever replica or
 * restart emits a crossing, its id is the same: receivers can use it to drop duplicates.
 */
export function alertId(
  alert: Pick<BudgetAlert, 'scope' | 'key' | 'period' | 'level' | 'threshold'>,
): string {
  try {
    const key = alert.key === undefined || alert.key === '' ? '-' : encodeURIComponent(alert.key);
    return `${alert.scope}/${key}/${alert.period}/${alert.level}@${alert.threshold}`;
  } catch (err) {
    throw closedError(err, 'alertId');
  }
}

const SCOPE_TEXT: Record<BudgetAlert['scope'], string> = {
  daily: 'daily budget',
  monthly: 'monthly budget',
  session: 'session',
  user: 'user',
  tenant: 'tenant',
};

/** One line for people. Keys are quoted with JSON escapes (no control characters reach a log or an email). */
export function alertText(alert: BudgetAlert): string {
  try {
    const who =
      alert.key === undefined
        ? SCOPE_TEXT[alert.scope]
        : `${SCOPE_TEXT[alert.scope]} ${JSON.stringify(alert.key)}`;
    const pct = Math.round(alert.threshold * 100);
    return `Budget ${alert.level}: ${who} spent ${formatUsd(alert.spent)} of ${formatUsd(alert.limit)} (${pct}% threshold) in ${alert.period}`;
  } catch (err) {
    throw closedError(err, 'alertText');
  }
}

/** The message of an alert. */
export function toAlertMessage(alert: BudgetAlert, source?: string): AlertMessage {
  try {
    const at = Number.isFinite(alert.at) ? alert.at : 0;
    return {
      type: 'budget.alert',
      id: alertId(alert),
      scope: alert.scope,
      ...(alert.key !== undefined ? { key: alert.key } : {}),
      level: alert.level,
      spent: alert.spent,
      limit: alert.limit,
      threshold: alert.threshold,
      period: alert.period,
      at,
      time: new Date(at).toISOString(),
      ...(alert.recordId !== undefined ? { recordId: alert.recordId } : {}),
      text: alertText(alert),
      ...(source !== undefined ? { source } : {}),
    };
  } catch (err) {
    throw closedError(err, 'toAlertMessage');
  }
}
