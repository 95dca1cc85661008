/** Dashboard file parsing, parameter binding, SQL composition and output formats (no engine needed). */
import { describe, expect, it } from 'vitest';
import {
  bindParams,
  DashboardError,
  formatCsv,
  formatEpochParam,
  formatTable,
  parseDashboard,
  parseTimeValue,
  type QueryResult,
  withSourceCtes,
} from '../../../src/dashboards/index.js';

const header = `-- Title: Test
-- Answers: what the test asks,
--   over two lines.
-- Params:
--   projectId String = local          project
--   from DateTime64(3) = -30d         start
--   to DateTime64(3) = now            end
--   limit UInt32 = 25                 rows
--   budget Decimal64(6) = 10          USD a day
--   label String = "two words"        a quoted default
-- Columns:
--   a       first
--   b       second, described
--           on two lines
`;
const body = `SELECT {limit:UInt32} AS a, {budget:Decimal64(6)} AS b, {label:String} AS c
FROM observations WHERE project_id = {projectId:String}
  AND start_time >= {from:DateTime64(3)} AND start_time < {to:DateTime64(3)};`;

describe('parseDashboard', () => {
  const d = parseDashboard('test', header + body);

  it('reads title, description, parameters with defaults and columns', () => {
    expect(d.title).toBe('Test');
    expect(d.description).toBe('what the test asks, over two lines.');
    expect(d.params.map((p) => [p.name, p.type, p.default])).toEqual([
      ['projectId', 'String', 'local'],
      ['from', 'DateTime64(3)', '-30d'],
      ['to', 'DateTime64(3)', 'now'],
      ['limit', 'UInt32', '25'],
      ['budget', 'Decimal64(6)', '10'],
      ['label', 'String', 'two words'],
    ]);
    expect(d.columns).toEqual([
      { name: 'a', description: 'first' },
      { name: 'b', description: 'second, described on two lines' },
    ]);
    expect(d.sql.startsWith('SELECT')).toBe(true);
    expect(d.sql.endsWith(';')).toBe(false);
  });

  it('refuses undeclared placeholders, type mismatches, two statements and a missing title', () => {
    expect(() => parseDashboard('x', `${header}SELECT {nope:String}`)).toThrow(/not declared/);
    expect(() => parseDashboard('x', `${header}SELECT {limit:UInt64}`)).toThrow(/does not match/);
    expect(() => parseDashboard('x', `${header}SELECT 1; DROP TABLE t`)).toThrow(/one query per file/);
    expect(() => parseDashboard('x', `${header}SELECT ';' AS semicolon_in_a_string`)).not.toThrow();
    expect(() => parseDashboard('x', '-- Answers: x\nSELECT 1')).toThrow(/Title/);
    expect(() => parseDashboard('x', `${header}DROP TABLE observations`)).toThrow(/WITH or SELECT/);
  });
});

describe('parameters', () => {
  const d = parseDashboard('test', header + body);
  const now = Date.parse('2026-11-22T10:30:00.250Z');

  it('parses times as UTC instants and sends them as Unix seconds with milliseconds', () => {
    expect(parseTimeValue('2026-11-01', now)).toBe(Date.parse('2026-11-01T00:00:00Z'));
    expect(parseTimeValue('2026-11-01T08:15', now)).toBe(Date.parse('2026-11-01T08:15:00Z'));
    expect(parseTimeValue('2026-11-01 08:15:30.5', now)).toBe(Date.parse('2026-11-01T08:15:30.500Z'));
    expect(parseTimeValue('2026-11-01T08:15:00+02:00', now)).toBe(Date.parse('2026-11-01T06:15:00Z'));
    expect(parseTimeValue('-30d', now)).toBe(now - 30 * 86_400_000);
    expect(parseTimeValue('-12h', now)).toBe(now - 12 * 3_600_000);
    expect(parseTimeValue('today', now)).toBe(Date.parse('2026-11-22T00:00:00Z'));
    expect(parseTimeValue('1763805600', now)).toBe(1_763_805_600_000);
    expect(parseTimeValue('1763805600123', now)).toBe(1_763_805_600_123);
    expect(() => parseTimeValue('2026-02-31', now)).toThrow(DashboardError);
    expect(() => parseTimeValue("2026-11-01' OR 1=1", now)).toThrow(/cannot read/);
    expect(formatEpochParam(Date.parse('2026-11-22T10:00:00.045Z'))).toBe('1795341600.045');
  });

  it("takes times before 1970, and binds times past ClickHouse's DateTime64 range to its ends", () => {
    expect(parseTimeValue('1959-01-01', now)).toBe(Date.parse('1959-01-01T00:00:00Z'));
    expect(formatEpochParam(Date.parse('1959-01-01T00:00:00Z'))).toBe('-347155200.000');
    // The sign goes before the whole magnitude: -1.5 s is -1.500, not -2.500.
    expect(formatEpochParam(-1500)).toBe('-1.500');
    expect(formatEpochParam(-1)).toBe('-0.001');
    expect(formatEpochParam(0)).toBe('0.000');
    // 1900-01-01 and 9999-12-31 23:59:59.999 (UTC) are the ends.
    expect(formatEpochParam(Date.parse('0000-01-01T00:00:00Z'))).toBe('-2208988800.000');
    expect(formatEpochParam(Date.parse('+010000-01-01T00:00:00Z'))).toBe('253402300799.999');
    expect(formatEpochParam(8.64e15)).toBe('253402300799.999');
    expect(() => formatEpochParam(Number.NaN)).toThrow(/not finite/);
  });

  it('binds defaults and given values by declared type', () => {
    expect(bindParams(d, {}, { now })).toEqual({
      projectId: 'local',
      from: formatEpochParam(now - 30 * 86_400_000),
      to: formatEpochParam(now),
      limit: '25',
      budget: '10',
      label: 'two words',
    });
    const hostile = `x'); DROP TABLE observations; --\\`;
    const b = bindParams(d, { limit: 7, budget: 12.5, label: hostile, projectId: 'p' }, { now });
    expect(b.limit).toBe('7');
    expect(b.budget).toBe('12.5');
    expect(b.label).toBe(hostile); // sent as a bound value, byte for byte
  });

  it('rejects values that do not fit the type, and unknown names when strict', () => {
    expect(() => bindParams(d, { limit: '-1' }, { now })).toThrow(/out of range/);
    expect(() => bindParams(d, { limit: '1 OR 1=1' }, { now })).toThrow(/integer/);
    expect(() => bindParams(d, { limit: '4294967296' }, { now })).toThrow(/out of range/);
    expect(() => bindParams(d, { budget: '1e3' }, { now })).toThrow(/decimal/);
    expect(() => bindParams(d, { budget: '0.1234567' }, { now })).toThrow(/6 decimal places/);
    // A time before 1970 is a time (the ledger may hold such calls), as in report and export.
    expect(bindParams(d, { from: '1969-12-31' }, { now }).from).toBe('-86400.000');
    expect(() => bindParams(d, { from: '1969-12-32' }, { now })).toThrow(/cannot read/);
    expect(() => bindParams(d, { nope: 1 }, { now, strict: true })).toThrow(/no parameter "nope"/);
    expect(() => bindParams(d, { nope: 1 }, { now })).not.toThrow();
  });
});

describe('withSourceCtes', () => {
  const ctes =
    '-- header comment\nobservations AS (SELECT 1 AS id), -- trailing\ntraces AS (SELECT 2 AS id)\n';

  it('puts the source CTEs first and keeps the dashboard text', () => {
    expect(withSourceCtes('WITH\n  obs AS (SELECT * FROM observations)\nSELECT * FROM obs', ctes)).toBe(
      'WITH\nobservations AS (SELECT 1 AS id),\ntraces AS (SELECT 2 AS id),\n  obs AS (SELECT * FROM observations)\nSELECT * FROM obs',
    );
    expect(withSourceCtes('SELECT * FROM traces', ctes)).toBe(
      'WITH\nobservations AS (SELECT 1 AS id),\ntraces AS (SELECT 2 AS id)\nSELECT * FROM traces',
    );
    expect(withSourceCtes('SELECT 1', undefined)).toBe('SELECT 1');
  });
});

describe('formats', () => {
  const r: QueryResult = {
    columns: [
      { name: 'model', type: 'String' },
      { name: 'calls', type: 'UInt64' },
      { name: 'cost_usd', type: 'Decimal(38, 12)' },
      { name: 'models', type: 'Array(String)' },
    ],
    rows: [
      { model: 'a "quoted", name\nwith newline', calls: 1234, cost_usd: 0.000123456789, models: ['x', 'y'] },
      { model: 'b', calls: 5, cost_usd: 1234.5, models: [] },
    ],
    elapsedMs: 1,
  };

  it('writes RFC 4180 CSV with every digit', () => {
    expect(formatCsv(r)).toBe(
      'model,calls,cost_usd,models\r\n"a ""quoted"", name\nwith newline",1234,0.000123456789,"[""x"",""y""]"\r\nb,5,1234.5,[]\r\n',
    );
  });

  it('guards CSV text that a spreadsheet would run as a formula (numbers never), unless asked not to', () => {
    const users: QueryResult = {
      columns: [
        { name: 'user_id', type: 'String' },
        { name: 'delta', type: 'Int64' },
      ],
      rows: [
        { user_id: '=HYPERLINK("http://x","y")', delta: -5 },
        { user_id: '@SUM(1)', delta: 3 },
        { user_id: '-1+2', delta: 0 },
        { user_id: 'alice', delta: -0.5 },
      ],
      elapsedMs: 1,
    };
    expect(formatCsv(users)).toBe(
      'user_id,delta\r\n"\'=HYPERLINK(""http://x"",""y"")",-5\r\n\'@SUM(1),3\r\n\'-1+2,0\r\nalice,-0.5\r\n',
    );
    expect(formatCsv(users, { formulaGuard: false })).toBe(
      'user_id,delta\r\n"=HYPERLINK(""http://x"",""y"")",-5\r\n@SUM(1),3\r\n-1+2,0\r\nalice,-0.5\r\n',
    );
  });

  it('writes CSV numbers without an exponent, every digit kept', () => {
    const tiny: QueryResult = {
      columns: [{ name: 'x', type: 'Float64' }],
      rows: [1e-7, -2.5e-8, 1.2345e-10, 1.5e21, 123.456, 0, -0.5].map((x) => ({ x })),
      elapsedMs: 1,
    };
    expect(formatCsv(tiny).split('\r\n')).toEqual([
      'x',
      '0.0000001',
      '-0.000000025',
      '0.00000000012345',
      '1500000000000000000000',
      '123.456',
      '0',
      '-0.5',
      '',
    ]);
  });

  it('aligns a table, rounds USD for reading, and neutralises control characters', () => {
    const t = formatTable(r).split('\n');
    expect(t[0]).toMatch(/^model\s+calls\s+cost_usd\s+models$/);
    expect(t[2]).toContain('a "quoted", name�with newline');
    expect(t[2]).toContain('1,234');
    expect(t[2]).toContain('0.000123');
    expect(t[3]).toContain('1,234.50');
    expect(formatTable({ ...r, rows: [] })).toContain('(no rows)');
  });
});
