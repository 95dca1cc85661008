import type { ColumnMeta } from './types.js';

/** The body of ClickHouse's `JSON` output format (the parts we read). */
export interface ClickHouseJson {
  meta?: ColumnMeta[];
  data?: Record<string, unknown>[];
  rows?: number;
  statistics?: { elapsed?: number; rows_read?: number };
}

function baseType(type: string): string {
  let t = type.trim();
  for (;;) {
    const m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) return t;
    t = m[1]!;
  }
}

/**
 * Make JSON-format values easy to use: 64-bit integers (which ClickHouse quotes) become numbers when
 * they fit a double exactly, Decimals become numbers. Dates and times stay as ClickHouse prints them.
 */
export function normaliseValue(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const t = baseType(type);
  if (/^U?Int(64|128|256)$/.test(t) && typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (/^Decimal/.test(t) && typeof value === 'string') return Number(value);
  if (/^Array\(/.test(t) && Array.isArray(value)) {
    const inner = t.slice(6, -1);
    return value.map((v) => normaliseValue(inner, v));
  }
  return value;
}

/** Apply {@link normaliseValue} to every cell. */
export function normaliseRows(
  meta: ColumnMeta[],
  rows: Record<string, unknown>[],
): Record<string, unknown>[] {
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const c of meta) out[c.name] = normaliseValue(c.type, r[c.name]);
    return out;
  });
}
