import { picoToDecimalString } from 'langfuse-cost';
import { formatPercentAmount } from 'langfuse-cost/dashboards';

/** Terminal output helpers for the demo (no colours when NO_COLOR is set or stdout is not a TTY). */

const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);

/** Bold. */
export const bold = paint('1');
/** Dim. */
export const dim = paint('2');
/** Yellow (warnings). */
export const yellow = paint('33');
/** Green (checks). */
export const green = paint('32');
/** Red (mismatches). */
export const red = paint('31');

/**
 * Exact USD amount from integer pico-USD, trailing zeros trimmed but at least 6 decimals:
 * `6590250000` → `$0.00659025`. Exact, so amounts printed this way add up to the printed total.
 */
export function usd(pico: number | bigint): string {
  const s = picoToDecimalString(pico).replace(/0+$/, '');
  const [whole, frac = ''] = s.split('.');
  return `$${whole}.${frac.padEnd(6, '0')}`;
}

/** A section heading. */
export function heading(title: string): string {
  return `\n${bold(title)}\n${dim('─'.repeat(Math.max(title.length, 20)))}`;
}

/** A plain text table; numeric-looking cells are right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const isNum = (s: string) => /^[-$]?[\d,.]+%?$/.test(s);
  const line = (r: string[]) =>
    `  ${r.map((c, i) => (isNum(c) && i > 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  return [
    line(header),
    `  ${widths.map((w) => '─'.repeat(w)).join('  ')}`,
    ...rows.map((r) => line(r.map(String))),
  ].join('\n');
}

/** `1,234` */
export function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** `82.4%`: the library's one percentage format (the CLI's and the HTML report's). */
export function pct(fraction: number): string {
  return formatPercentAmount(fraction * 100);
}
