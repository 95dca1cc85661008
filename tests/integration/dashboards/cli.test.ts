/** `langfuse-cost dashboards list|show|run|html`, run from source in a child process against a ledger. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { parseCsv } from '../../helpers/csv.js';
import {
  type Dataset,
  FROM,
  generateDataset,
  HOSTILE_MODEL,
  ledgerLines,
  PROJECT,
  seenCalls,
  sumPico,
  TO,
} from '../../helpers/dashboards-dataset.js';

const d: Dataset = generateDataset(19);
const dir = mkdtempSync(join(tmpdir(), 'lc-dash-cli-'));
const ledger = join(dir, 'ledger.jsonl');
const window = [
  '--project-id',
  PROJECT,
  '--from',
  new Date(FROM).toISOString(),
  '--to',
  new Date(TO).toISOString(),
];
const seen = seenCalls(d, { projectId: PROJECT, from: FROM, to: TO });

beforeAll(() => writeFileSync(ledger, `${ledgerLines(d).join('\n')}\n`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('langfuse-cost dashboards', () => {
  it('lists the dashboards with their extra parameters', async () => {
    const r = await runCli(['dashboards', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/days-over-budget\s+Days over budget\s+budget=10 timeZone=UTC/);
    const j = await runCli(['dashboards', 'list', '--format', 'json']);
    const list = JSON.parse(j.stdout) as { name: string; params: { name: string }[] }[];
    expect(list.find((x) => x.name === 'top-requests')!.params.map((p) => p.name)).toEqual([
      'projectId',
      'from',
      'to',
      'limit',
    ]);
  });

  it('shows a dashboard’s SQL, and the SQL a v4 source receives', async () => {
    const r = await runCli(['dashboards', 'show', 'cost-by-model']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-- Title: Total cost by model/);
    expect(r.stdout).toContain('LIMIT 1 BY id, project_id');
    const v4 = await runCli(['dashboards', 'show', 'cost-by-model', '--source', 'clickhouse-v4']);
    expect(v4.stdout).toMatch(/^WITH\nobservations AS \(/);
    expect(v4.stdout).toContain('FROM events_core AS e');
    const missing = await runCli(['dashboards', 'show', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/available: (cost-by-[a-z]+, )*cost-by-model/);
  });

  it('runs a dashboard on the ledger as json, csv and table', async () => {
    const expectedTotal = sumPico(seen);
    const json = await runCli([
      'dashboards',
      'run',
      'kpi-totals',
      '--ledger',
      ledger,
      ...window,
      '--format',
      'json',
    ]);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, number>[];
    expect(BigInt(Math.round(rows[0]!.total_cost_usd! * 1e12))).toBe(expectedTotal);
    expect(rows[0]!.requests).toBe(seen.length);

    const csv = await runCli([
      'dashboards',
      'run',
      'cost-by-model',
      '--ledger',
      ledger,
      ...window,
      '--format',
      'csv',
    ]);
    expect(csv.code).toBe(0);
    const [head, ...body] = parseCsv(csv.stdout);
    expect(head!.slice(0, 3)).toEqual(['model', 'calls', 'unpriced_calls']);
    const hostile = body.find((r) => r[0] === HOSTILE_MODEL)!;
    const cost = hostile[head!.indexOf('cost_usd')]!;
    expect(BigInt(Math.round(Number(cost) * 1e12))).toBe(
      sumPico(seen.filter((s) => s.modelName === HOSTILE_MODEL)),
    );

    const table = await runCli(['dashboards', 'run', 'cost-by-provider', '--ledger', ledger, ...window]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^provider\s+calls\s+unpriced_calls\s+models/);
    expect(table.stderr).toBe(''); // not a TTY: no progress output
  });

  it('binds --param values and --tz, and rejects unknown or malformed ones', async () => {
    const r = await runCli([
      'dashboards',
      'run',
      'top-requests',
      '--ledger',
      ledger,
      ...window,
      '--param',
      'limit=3',
      '--format',
      'json',
    ]);
    expect(JSON.parse(r.stdout)).toHaveLength(3);
    const tz = await runCli([
      'dashboards',
      'run',
      'cost-daily',
      '--ledger',
      ledger,
      ...window,
      '--tz',
      'Asia/Tokyo',
      '--format',
      'json',
    ]);
    const days = (JSON.parse(tz.stdout) as { day: string }[]).map((x) => x.day);
    expect(days).toContain('2026-11-04'); // late on the 3rd UTC is the 4th in Tokyo
    const unknown = await runCli([
      'dashboards',
      'run',
      'cost-by-model',
      '--ledger',
      ledger,
      ...window,
      '--param',
      'limit=3',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no parameter "limit"');
    const bad = await runCli([
      'dashboards',
      'run',
      'top-requests',
      '--ledger',
      ledger,
      ...window,
      '--param',
      "limit=1' OR 1=1",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected an integer');
    const badTime = await runCli([
      'dashboards',
      'run',
      'kpi-totals',
      '--ledger',
      ledger,
      '--from',
      'yesterday-ish',
    ]);
    expect(badTime.code).toBe(2);
    const noLedger = await runCli([
      'dashboards',
      'run',
      'kpi-totals',
      '--ledger',
      join(dir, 'missing.jsonl'),
    ]);
    expect(noLedger.code).toBe(1);
    expect(noLedger.stderr).toContain('ledger not found');
  });

  it('needs a project id for ClickHouse and says so', async () => {
    const r = await runCli([
      'dashboards',
      'run',
      'kpi-totals',
      '--source',
      'clickhouse',
      '--url',
      'http://127.0.0.1:9',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('project id');
    const badSource = await runCli(['dashboards', 'run', 'kpi-totals', '--source', 'postgres']);
    expect(badSource.code).toBe(2);
  });
});
