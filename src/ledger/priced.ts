/**
 * One definition of "priced" for every reader of the ledger — the report, the exports, the HTML
 * report and the SQL dashboards — so they can never disagree about which calls have a cost.
 *
 * A call is **priced** when its ledger line carries a total: `cost_pico` (exact integer pico-USD) or,
 * failing that, `total_cost` (USD). Otherwise it is **unpriced**: its model had no price, so its cost is
 * unknown — not $0. Unpriced calls count as calls and tokens, never in a cost, an average or a share;
 * where a cost is shown for them alone it reads {@link UNPRICED}, and in SQL and JSON it is NULL.
 * (A free model is priced: its cost is a known $0.)
 */

import { linePico } from './line.js';

/** What a cost cell says for a call (or a group of calls) without a price. */
export const UNPRICED = 'unpriced';

/**
 * True when a ledger line has a price (see the module comment). The same rule as
 * {@link LEDGER_TOTAL_COST_SQL} and as the report's totals (`linePico`).
 */
export function isPricedLine(line: { cost_pico?: unknown; total_cost?: unknown }): boolean {
  return linePico(line) !== null;
}

/**
 * The `total_cost` (Nullable Decimal64(12)) of a ledger line `r` as the dashboards see it: `cost_pico`
 * when it is an integer, else `total_cost`, else NULL — {@link isPricedLine} in SQL. The dashboards then
 * count a call as unpriced exactly when `total_cost IS NULL`.
 */
export const LEDGER_TOTAL_COST_SQL = `multiIf(
    toInt64OrNull(r.cost_pico) IS NOT NULL,
    CAST(toDecimal128(assumeNotNull(toInt64OrNull(r.cost_pico)), 12) / toDecimal128(1000000000000, 0), 'Nullable(Decimal64(12))'),
    r.total_cost IS NOT NULL, r.total_cost,
    NULL
  )`;

/** The SQL predicate of an unpriced observation, used by every dashboard. */
export const UNPRICED_SQL = 'total_cost IS NULL';
