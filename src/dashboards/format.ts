import { closedError } from '../errors.js';
import { UNPRICED } from '../tracker/priced.js';
import type { QueryResult } from './sources/types.js';

/** Output formats of `dashboards run`. */
export type DashboardFormat = 'table' | 'json' | 'csv';

function isUsdColumn(name: string): boolean {
  return /_usd$/.test(name);
}

/** USD for reading: 2 decimals from $100, 4 from $1, else 6 significant-enough decimals. */
export function formatUsdCell(value: number): string {
  try {
    return formatUsdCellUnchecked(value);
  } catch (err) {
    throw closedError(err, 'formatUsdCell');
  }
}

function formatUsdCellUnchecked(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 2 : abs >= 1 ? 4 : 6;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The columns that count a row's unpriced calls. */
const UNPRICED_COUNT_COLUMNS = ['unpriced_calls', 'unpriced_requests'] as const;

/**
 * What a NULL USD cell of a dashboard row says. The dashboards give a NULL cost, never $0, to calls
 * without a price (see src/tracker/priced.ts): it reads {@link UNPRICED} when the row counts unpriced
 * calls, or is one call (a row without a count column, whose cost is NULL only when it has no price);
 * otherwise the NULL means "nothing to divide by" and reads as `fallback`.
 */
export function nullUsdText(row: Record<string, unknown>, fallback = ''): string {
  try {
    const counts = UNPRICED_COUNT_COLUMNS.filter((c) => c in row);
    if (counts.length === 0) return UNPRICED;
    return counts.some((c) => typeof row[c] === 'number' && (row[c] as number) > 0) ? UNPRICED : fallback;
  } catch (err) {
    throw closedError(err, 'nullUsdText');
  }
}

function cellText(name: string, value: unknown, row: Record<string, unknown> = {}): string {
  if (value === null || value === undefined) return isUsdColumn(name) ? nullUsdText(row) : '';
  if (Array.isArray(value)) return value.map((v) => cellText('', v)).join(', ');
  if (typeof value === 'number') {
    if (isUsdColumn(name)) return formatUsdCell(value);
    if (Number.isInteger(value)) return value.toLocaleString('en-US');
    return value.toLocaleString('en-US', { maximumFractionDigits: 6 });
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Aligned text table; numeric columns right-aligned, USD columns rounded for reading (CSV/JSON keep every digit). */
export function formatTable(result: QueryResult): string {
  try {
    return formatTableUnchecked(result);
  } catch (err) {
    throw closedError(err, 'formatTable');
  }
}

function formatTableUnchecked(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  if (names.length === 0) return '(no columns)\n';
  const cells = result.rows.map((r) => names.map((n) => sanitize(cellText(n, r[n], r))));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => r[i]!.length)));
  const numeric = names.map(
    (n) => result.rows.length > 0 && result.rows.every((r) => r[n] == null || typeof r[n] === 'number'),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(names), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)];
  if (result.rows.length === 0) out.push('(no rows)');
  return `${out.join('\n')}\n`;
}

// Control characters in data (a model name with a newline or an escape sequence) must not break or
// restyle the terminal table.
function sanitize(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\t' ? ' ' : '�'));
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = Array.isArray(value) || typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row; numbers unrounded; arrays as JSON. */
export function formatCsv(result: QueryResult): string {
  try {
    return formatCsvUnchecked(result);
  } catch (err) {
    throw closedError(err, 'formatCsv');
  }
}

function formatCsvUnchecked(result: QueryResult): string {
  const names = result.columns.map((c) => c.name);
  const lines = [
    names.map(csvCell).join(','),
    ...result.rows.map((r) => names.map((n) => csvCell(r[n])).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** JSON array of row objects (column order kept). */
export function formatJson(result: QueryResult): string {
  try {
    return formatJsonUnchecked(result);
  } catch (err) {
    throw closedError(err, 'formatJson');
  }
}

function formatJsonUnchecked(result: QueryResult): string {
  return `${JSON.stringify(result.rows, null, 2)}\n`;
}

/** Format a result in one of the {@link DashboardFormat}s. */
export function formatResult(result: QueryResult, format: DashboardFormat): string {
  try {
    return formatResultUnchecked(result, format);
  } catch (err) {
    throw closedError(err, 'formatResult');
  }
}

function formatResultUnchecked(result: QueryResult, format: DashboardFormat): string {
  if (format === 'json') return formatJson(result);
  if (format === 'csv') return formatCsv(result);
  return formatTable(result);
}
