import { alignedTable, formatPercent, formatUsdAmount, formatUsdPico } from '../dashboards/format.js';

/**
 * Render rows as an aligned text table ({@link alignedTable}: control characters in the data shown as
 * `�`); numeric-looking columns are right-aligned.
 */
export function renderTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toLocaleString('en-US') : c)));
  const numeric = headers.map(
    (_, i) => cells.length > 0 && cells.every((r) => /^[-$\d.,%]*$/.test(r[i] ?? '')),
  );
  return `${alignedTable(headers, cells, numeric).join('\n')}\n`;
}

/**
 * USD for tables, in the one money format of every table, report and demo ({@link formatUsdPico}):
 * exact from integer pico-USD (bigint), or from a USD amount (number).
 */
export function usd(value: number | bigint): string {
  return typeof value === 'bigint' ? formatUsdPico(value) : formatUsdAmount(value);
}

/** A share of a whole, `52.1%`, in the one percentage format ({@link formatPercent}); '' of nothing. */
export const pct = formatPercent;

/** USD per 1M tokens, e.g. `$2.50`. */
export function perMillion(usdPerMillion: number | undefined): string {
  if (usdPerMillion === undefined) return '';
  return `$${Number(usdPerMillion.toPrecision(8)).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;
}
