import { describe, expect, it } from 'vitest';
import {
  CostTracker,
  CSV_COLUMNS,
  csvField,
  formatExport,
  toLedgerLine,
  usdText,
} from '../../../src/tracker/index.js';
import { parseCsv } from '../../helpers/csv.js';
import { clock, handResult, PRICES, priced } from '../../helpers/tracker-fixtures.js';

describe('CSV', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180), and guards formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField('-2', false)).toBe('-2');
  });

  it('prints exact decimals, never scientific notation', () => {
    expect(usdText(0.0000001)).toBe('0.0000001');
    expect(usdText(1e-12)).toBe('0.000000000001');
    expect(usdText(12.5)).toBe('12.5');
    expect(usdText(0)).toBe('0');
    expect(usdText(null)).toBe('');
  });

  it('round-trips awkward records through CSV', () => {
    const t = new CostTracker({ now: () => Date.UTC(2026, 10, 22, 10) });
    t.record(priced('gpt-4o', { input: 1000, output: 100 }), {
      userId: 'smith, "jr"',
      sessionId: 'multi\nline',
      tags: ['a', 'b,c'],
      metadata: { note: 'x"y' },
    });
    t.recordFailure({ model: 'mini', error: new Error('bad, "worse"\r\nworst') }, { userId: '=cmd()' });
    t.recordUnpriced('mystery', 'acme', { input: 5 });
    const rows = parseCsv(t.export({ format: 'csv' }));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(4);
    const col = (r: string[], name: string) => r[CSV_COLUMNS.indexOf(name)]!;
    const [a, b, c] = rows.slice(1) as [string[], string[], string[]];
    expect(col(a, 'user_id')).toBe('smith, "jr"');
    expect(col(a, 'session_id')).toBe('multi\nline');
    expect(col(a, 'tags')).toBe('a;b,c');
    expect(JSON.parse(col(a, 'metadata'))).toEqual({ note: 'x"y' });
    const cost = (1000 * PRICES['gpt-4o'].input + 100 * PRICES['gpt-4o'].output) / 1e6;
    expect(col(a, 'total_cost')).toBe(String(cost));
    expect(col(a, 'cost_pico')).toBe(String(Math.round(cost * 1e12)));
    expect(col(a, 'usage_input')).toBe('1000');
    expect(col(b, 'status_message')).toBe('bad, "worse"\r\nworst');
    expect(col(b, 'user_id')).toBe("'=cmd()");
    expect(col(b, 'status')).toBe('error');
    expect(col(c, 'total_cost')).toBe('');
    expect(col(c, 'cost_input')).toBe('');
    expect(col(c, 'source')).toBe('none');
  });
});

describe('tracker.export', () => {
  it('exports recent records as JSON, JSON Lines or CSV, filtered by start time', () => {
    const c = clock(Date.UTC(2026, 10, 22, 10));
    const t = new CostTracker({ now: c.now });
    const ids = ['a', 'b', 'c'].map((id) => {
      const r = t.record(handResult(1000), { spanId: id });
      c.advance(60_000);
      return r;
    });
    const json = JSON.parse(t.export({ format: 'json' }));
    expect(json).toEqual(ids.map((r) => toLedgerLine(r)));
    const jsonl = t
      .export({ format: 'jsonl', from: Date.UTC(2026, 10, 22, 10, 1), to: '2026-11-22T10:02:00.000Z' })
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).id);
    expect(jsonl).toEqual(['b']);
    expect(t.export({ format: 'csv', from: new Date(Date.UTC(2026, 10, 23)) })).toBe(
      `${CSV_COLUMNS.join(',')}\r\n`,
    );
    expect(formatExport([], 'json')).toBe('[]\n');
  });
});
