import { closedError } from '../errors.js';
import { csvField } from '../ledger/export.js';
import { UNPRICED } from '../ledger/priced.js';
import type { QueryResult } from './sources/types.js';

/** Output formats of `dashboards run`. */
export type DashboardFormat = 'table' | 'json' | 'csv';

function isUsdColumn(name: string): boolean {
  return /_usd$/.test(name);
}

/**
 * Exact pico-USD of a decimal USD text (`"0.0296"`, `"-1.5"`, `"12"`), as ClickHouse prints a Decimal;
 * digits past the 12th decimal are dropped. Returns null for anything else.
 */
export function parseUsdPico(text: string): bigint | null {
  try {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text).trim());
    if (!m) return null;
    const pico = BigInt(m[2]!) * 1_000_000_000_000n + BigInt((m[3] ?? '').slice(0, 12).padEnd(12, '0'));
    return m[1] ? -pico : pico;
  } catch (err) {
    throw closedError(err, 'parseUsdPico');
  }
}

/**
 * The one money format of every table, report and demo: `$1,234.56` from $1, `$0.0123` (4 decimals,
 * up to two trailing zeros dropped) from a cent, 3 significant digits below (`$0.00563`), `$0.00` for
 * zero; rounded half-up from the exact integer pico-USD amount, never through a double.
 */
export function formatUsdPico(pico: bigint): string {
  try {
    if (typeof pico !== 'bigint') throw new TypeError(`expected a bigint of pico-USD, got ${typeof pico}`);
    return usdPicoText(pico);
  } catch (err) {
    throw closedError(err, 'formatUsdPico');
  }
}

/**
 * {@link formatUsdPico} without the argument check: self-contained (no outside names), because the HTML
 * report embeds this function's source so its figures read exactly like the CLI's.
 */
export function usdPicoText(pico: bigint): string {
  const neg = pico < 0n;
  const abs = neg ? -pico : pico;
  const sign = neg ? '-' : '';
  if (abs === 0n) return '$0.00';
  const fixed = (p: bigint, decimals: number): [string, string] => {
    const unit = 10n ** BigInt(12 - decimals);
    const q = (p * 2n + unit) / (unit * 2n);
    const s = q.toString().padStart(decimals + 1, '0');
    return [s.slice(0, s.length - decimals), s.slice(s.length - decimals)];
  };
  const group = (w: string) => w.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (abs >= 1_000_000_000_000n || fixed(abs, 4)[0] !== '0') {
    const [w, f] = fixed(abs, 2);
    return `${sign}$${group(w)}.${f}`;
  }
  if (abs >= 10_000_000_000n) {
    const [w, f] = fixed(abs, 4);
    return `${sign}$${w}.${f.replace(/0{1,2}$/, '')}`;
  }
  // Below a cent: 3 significant digits (2 decimals at least, 12 at most), never scientific notation.
  const decimals = Math.min(12, Math.max(2, 15 - abs.toString().length));
  const [w, f] = fixed(abs, decimals);
  return `${sign}$${w}.${f}`;
}

/**
 * The one percentage format: a share of a whole with one decimal, rounded half-up from exact
 * integers (`52.1%`); '' when the whole is zero.
 */
export function formatPercent(part: bigint, whole: bigint): string {
  try {
    if (typeof part !== 'bigint' || typeof whole !== 'bigint') {
      throw new TypeError(`expected two bigints, got ${typeof part} and ${typeof whole}`);
    }
    return percentText(part, whole);
  } catch (err) {
    throw closedError(err, 'formatPercent');
  }
}

/** {@link formatPercent} without the argument check, self-contained like {@link usdPicoText}. */
export function percentText(part: bigint, whole: bigint): string {
  if (whole === 0n) return '';
  const neg = part < 0n !== whole < 0n && part !== 0n;
  const p = part < 0n ? -part : part;
  const w = whole < 0n ? -whole : whole;
  const tenths = (p * 2000n + w) / (w * 2n);
  return `${neg ? '-' : ''}${tenths / 10n}.${tenths % 10n}%`;
}

/** {@link formatUsdPico} for a USD amount held in a double (a SQL result cell). */
export function formatUsdAmount(usd: number): string {
  try {
    if (!Number.isFinite(usd)) return String(usd);
    const pico = parseUsdPico(usd.toFixed(12));
    return pico === null ? `$${usd}` : usdPicoText(pico);
  } catch (err) {
    throw closedError(err, 'formatUsdAmount');
  }
}

/** {@link formatPercent} for a percentage held in a double (a SQL `share_pct` cell): `52.1%`. */
export function formatPercentAmount(pct: number): string {
  try {
    if (!Number.isFinite(pct)) return String(pct);
    return percentText(BigInt(Math.round(pct * 1e6)), 100_000_000n);
  } catch (err) {
    throw closedError(err, 'formatPercentAmount');
  }
}

/** USD for reading, without the `$`: {@link formatUsdAmount}'s digits (kept for callers of 0.x). */
export function formatUsdCell(value: number): string {
  try {
    return formatUsdAmount(value).replace('$', '');
  } catch (err) {
    throw closedError(err, 'formatUsdCell');
  }
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
    if (isUsdColumn(name)) return formatUsdAmount(value);
    if (/_pct$/.test(name)) return formatPercentAmount(value);
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
  const cells = result.rows.map((r) => names.map((n) => cellText(n, r[n], r)));
  const numeric = names.map(
    (n) => result.rows.length > 0 && result.rows.every((r) => r[n] == null || typeof r[n] === 'number'),
  );
  const out = alignedTable(names, cells, numeric);
  if (result.rows.length === 0) out.push('(no rows)');
  return `${out.join('\n')}\n`;
}

/**
 * @internal The lines of an aligned text table, the one layout of every terminal table (the dashboards'
 * and the CLI's): a header, a rule, then the rows; `numeric` columns right-aligned. Control characters in
 * a cell (a model or user name with a newline or an escape sequence, from the ledger) are shown as `�`
 * (a tab as a space), so data can neither break the table nor restyle the terminal.
 */
export function alignedTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[],
): string[] {
  const cells = rows.map((r) => r.map(sanitize));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)];
}

function sanitize(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => (c === '\t' ? ' ' : '�'));
}

/** Options of {@link formatCsv}. */
export interface CsvFormatOptions {
  /**
   * Prefix text cells that start with `=`, `+`, `-`, `@`, tab or CR with `'`, so spreadsheets do not run
   * them as formulas (user ids and tags come from end users), as `export` does. Default true. Numbers
   * are never prefixed.
   */
  formulaGuard?: boolean;
}

function csvCell(value: unknown, guard: boolean): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return plainNumber(value);
  if (typeof value === 'bigint') return String(value);
  return csvField(
    Array.isArray(value) || typeof value === 'object' ? JSON.stringify(value) : String(value),
    guard,
  );
}

/**
 * `n` with the digits `String(n)` gives, written without an exponent (`1e-7` → `0.0000001`, as `export`
 * writes amounts): a cost below a micro-dollar stays a plain decimal in a spreadsheet.
 */
function plainNumber(n: number): string {
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = n < 0 ? '-' : '';
  const [whole, fraction = ''] = s.slice(sign.length, e).split('.');
  const digits = whole! + fraction;
  // Where the decimal point goes, counted in `digits`.
  const point = whole!.length + Number(s.slice(e + 1));
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** RFC 4180 CSV with a header row; numbers unrounded; arrays as JSON; text guarded against formulas. */
export function formatCsv(result: QueryResult, options: CsvFormatOptions = {}): string {
  try {
    return formatCsvUnchecked(result, options.formulaGuard !== false);
  } catch (err) {
    throw closedError(err, 'formatCsv');
  }
}

function formatCsvUnchecked(result: QueryResult, guard: boolean): string {
  const names = result.columns.map((c) => c.name);
  const lines = [
    names.map((n) => csvCell(n, guard)).join(','),
    ...result.rows.map((r) => names.map((n) => csvCell(r[n], guard)).join(',')),
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
export function formatResult(
  result: QueryResult,
  format: DashboardFormat,
  options: CsvFormatOptions = {},
): string {
  try {
    return formatResultUnchecked(result, format, options);
  } catch (err) {
    throw closedError(err, 'formatResult');
  }
}

function formatResultUnchecked(
  result: QueryResult,
  format: DashboardFormat,
  options: CsvFormatOptions,
): string {
  if (format === 'json') return formatJson(result);
  if (format === 'csv') return formatCsv(result, options);
  return formatTable(result);
}
