import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { picoToDecimalString, usdToPico } from '../pricing/money.js';
import { LANGFUSE_COST_KEYS, LANGFUSE_USAGE_KEYS } from '../usage/buckets.js';
import { type LedgerLine, linePico } from './line.js';
import { redactErrorText } from './redact.js';

/** Export formats. */
export type ExportFormat = 'json' | 'csv' | 'jsonl';

/** Every export format. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv', 'jsonl'];

/** Options of CSV output. */
export interface CsvOptions {
  /**
   * Prefix text cells that start with `=`, `+`, `-`, `@`, tab or CR with `'`, so a spreadsheet does not
   * run them as formulas (user ids and tags can come from end users). Default true.
   */
  formulaGuard?: boolean;
}

// Columns from the bucket table: usage keys (and `total`), then every bucket's cost key.
const USAGE_KEYS = [...LANGFUSE_USAGE_KEYS, 'total'] as const;

const COST_KEYS = LANGFUSE_COST_KEYS;

type Cell = { text: string } | { num: string };

/**
 * `status_message` as exported: redacted again (idempotent for what this version wrote) so that a
 * ledger written before redaction, or by hand, does not pass keys or prompts on to an export.
 */
function storedMessage(m: string | null | undefined): string | null | undefined {
  return typeof m === 'string' && m !== '' ? redactErrorText(m) : m;
}

/** The line itself, or a copy whose `status_message` is redacted. */
function redactedLine(l: LedgerLine): LedgerLine {
  const m = l.status_message;
  if (typeof m !== 'string' || m === '') return l;
  const r = redactErrorText(m);
  return r === m ? l : { ...l, status_message: r };
}

const TEXT_COLUMNS: readonly [string, (l: LedgerLine) => string | null | undefined][] = [
  ['id', (l) => l.id],
  ['trace_id', (l) => l.trace_id],
  ['parent_observation_id', (l) => l.parent_observation_id],
  ['start_time', (l) => l.start_time],
  ['end_time', (l) => l.end_time],
  ['status', (l) => l.status],
  ['status_message', (l) => storedMessage(l.status_message)],
  ['provided_model_name', (l) => l.provided_model_name],
  ['resolved_model', (l) => l.resolved_model],
  ['provider', (l) => l.provider],
  ['tier', (l) => l.tier],
  ['source', (l) => l.source],
  ['environment', (l) => l.environment],
  ['name', (l) => l.name],
  ['service', (l) => l.service],
  ['session_id', (l) => l.session_id],
  ['user_id', (l) => l.user_id],
  ['tenant_id', (l) => l.tenant_id],
  ['tags', (l) => (l.tags.length > 0 ? l.tags.join(';') : '')],
];

/** CSV column names, in order. Usage columns are `usage_<langfuse key>`, costs `cost_<key>` (USD). */
export const CSV_COLUMNS: readonly string[] = [
  ...TEXT_COLUMNS.map(([n]) => n),
  'duration_ms',
  'estimated',
  'fallback',
  ...USAGE_KEYS.map((k) => `usage_${k}`),
  ...COST_KEYS.map((k) => `cost_${k}`),
  'total_cost',
  'cost_pico',
  'provided_cost',
  'metadata',
];

/** The CSV header line (with CRLF). */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** Exact decimal text of a USD number (never scientific notation), trailing zeros trimmed. */
export function usdText(usd: number | null | undefined): string {
  try {
    return usdTextUnchecked(usd);
  } catch (err) {
    throw closedError(err, 'usdText');
  }
}

function usdTextUnchecked(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '';
  if (usd === 0) return '0';
  const neg = usd < 0;
  const s = picoToDecimalString(usdToPico(Math.abs(usd)))
    .replace(/0+$/, '')
    .replace(/\.$/, '');
  return neg ? `-${s}` : s;
}

/** Exact decimal text of a pico-USD amount, trailing zeros trimmed (as {@link usdText}). */
function picoText(pico: number): string {
  if (pico === 0) return '0';
  const s = picoToDecimalString(Math.abs(pico)).replace(/0+$/, '').replace(/\.$/, '');
  return pico < 0 ? `-${s}` : s;
}

/** One CSV field, quoted per RFC 4180 when it holds a comma, quote, CR or LF. */
export function csvField(value: string, guard = true): string {
  try {
    return csvFieldUnchecked(value, guard);
  } catch (err) {
    throw closedError(err, 'csvField');
  }
}

function csvFieldUnchecked(value: string, guard = true): string {
  let v = value;
  if (guard && v.length > 0 && '=+-@\t\r'.includes(v[0]!)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One CSV row (with CRLF) for a ledger line. */
export function csvRow(l: LedgerLine, options: CsvOptions = {}): string {
  try {
    return csvRowUnchecked(l, options);
  } catch (err) {
    throw closedError(err, 'csvRow');
  }
}

function csvRowUnchecked(l: LedgerLine, options: CsvOptions = {}): string {
  const guard = options.formulaGuard !== false;
  const cells: Cell[] = [];
  for (const [, get] of TEXT_COLUMNS) cells.push({ text: get(l) ?? '' });
  cells.push({ num: String(l.duration_ms ?? '') });
  cells.push({ num: String(l.estimated === true) });
  cells.push({ num: String(l.fallback === true) });
  for (const k of USAGE_KEYS) cells.push({ num: String(l.usage_details?.[k] ?? 0) });
  // One definition of "priced" (tracker/priced.ts): an unpriced call has empty cost cells, never 0.
  const pico = linePico(l);
  const priced = pico !== null;
  for (const k of COST_KEYS) cells.push({ num: priced ? usdText(l.cost_details?.[k] ?? 0) : '' });
  cells.push({ num: priced ? picoText(pico) : '' });
  cells.push({ num: priced ? String(pico) : '' });
  cells.push({ num: usdText(l.provided_cost_details?.total) });
  const meta = l.metadata && Object.keys(l.metadata).length > 0 ? JSON.stringify(l.metadata) : '';
  cells.push({ text: meta });
  return `${cells.map((c) => ('text' in c ? csvField(c.text, guard) : c.num)).join(',')}\r\n`;
}

/**
 * Streaming exporter: call `add` per line and `end` once; output goes to `write` in pieces
 * (so a million-line export never builds one giant string).
 */
export class ExportWriter {
  private count = 0;

  /** @throws {InvalidArgumentError} for an unknown format, a `write` that is not a function, or bad options. */
  constructor(
    private readonly format: ExportFormat,
    private readonly write: (chunk: string) => void,
    private readonly options: CsvOptions = {},
  ) {
    if (!(EXPORT_FORMATS as readonly unknown[]).includes(format))
      throw new InvalidArgumentError(
        'format',
        `expected one of ${EXPORT_FORMATS.join(', ')}, got ${describeValue(format)}`,
      );
    if (typeof write !== 'function')
      throw new InvalidArgumentError('write', `expected a function, got ${describeValue(write)}`);
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
    try {
      if (format === 'csv') write(csvHeader());
      else if (format === 'json') write('[');
    } catch (err) {
      throw closedError(err, 'new ExportWriter');
    }
  }

  /** Lines written so far. */
  get written(): number {
    return this.count;
  }

  /** Write one line. @throws {LangfuseCostError} when the line cannot be formatted or `write` throws. */
  add(line: LedgerLine): void {
    try {
      this.addUnchecked(line);
    } catch (err) {
      throw closedError(err, 'ExportWriter.add');
    }
  }

  private addUnchecked(line: LedgerLine): void {
    switch (this.format) {
      case 'csv':
        this.write(csvRow(line, this.options));
        break;
      case 'jsonl':
        this.write(`${JSON.stringify(redactedLine(line))}\n`);
        break;
      case 'json':
        this.write(`${this.count === 0 ? '\n' : ',\n'}${JSON.stringify(redactedLine(line))}`);
        break;
    }
    this.count++;
  }

  /** Finish the output. */
  end(): void {
    try {
      if (this.format === 'json') this.write(this.count === 0 ? ']\n' : '\n]\n');
    } catch (err) {
      throw closedError(err, 'ExportWriter.end');
    }
  }
}

/** Format ledger lines as one string. */
export function formatExport(
  lines: Iterable<LedgerLine>,
  format: ExportFormat,
  options: CsvOptions = {},
): string {
  try {
    return formatExportUnchecked(lines, format, options);
  } catch (err) {
    throw closedError(err, 'formatExport');
  }
}

function formatExportUnchecked(
  lines: Iterable<LedgerLine>,
  format: ExportFormat,
  options: CsvOptions = {},
): string {
  const parts: string[] = [];
  const w = new ExportWriter(format, (c) => parts.push(c), options);
  for (const l of lines) w.add(l);
  w.end();
  return parts.join('');
}
