import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlLedgerSink } from '../../../src/node/ledger/jsonl-sink.js';
import { CostTracker } from '../../../src/tracker/index.js';
import { runCli } from '../../helpers/cli.js';
import { clock, priced } from '../../helpers/tracker-fixtures.js';

// `langfuse-cost … | head -1`: the reader closes the pipe after one line and the rest of the output
// meets EPIPE. Every output below is far larger than a pipe's buffer (64 KiB), so the CLI does write
// into the closed pipe; it must stop at once with status 0 and say nothing.

const dist = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lc-pipe-'));
const ledger = join(dir, 'ledger.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  // 4,000 calls: about 1.5 MB of CSV, 4,000 sessions for `report --by session --top 0`.
  const c = clock(Date.UTC(2025, 0, 1));
  const t = new CostTracker({ now: c.now, sinks: [new JsonlLedgerSink({ path: ledger })] });
  for (let i = 0; i < 4000; i++) {
    c.set(Date.UTC(2025, 0, 1) + i * 60_000);
    t.record(priced('gpt-4o', { input: 1000 + i, output: 100 }), { sessionId: `s${i}`, userId: `u${i % 7}` });
  }
  await t.close();
});

describe('a reader that closes standard output early (| head -1)', () => {
  it('prices list --json exits 0 with nothing on stderr', async () => {
    const r = await runCli(['prices', 'list', '--json'], { closeAfterFirstLine: true });
    expect(r.stdout).toBe('[\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('the built CLI (dist/cli.js, made by npm test) does the same', async () => {
    expect(existsSync(dist), 'dist/cli.js is missing: npm run build').toBe(true);
    const r = await runCli(['prices', 'list', '--json'], { entry: dist, closeAfterFirstLine: true });
    expect(r.stdout).toBe('[\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('export and report over a large ledger exit 0 with nothing on stderr', async () => {
    const csv = await runCli(['export', '--ledger', ledger], { closeAfterFirstLine: true });
    expect(csv.stdout).toMatch(/^id,/);
    expect(csv.stderr).toBe('');
    expect(csv.code).toBe(0);
    const report = await runCli(['report', '--ledger', ledger, '--by', 'session', '--top', '0', '--json'], {
      closeAfterFirstLine: true,
    });
    expect(report.stdout).toBe('{\n');
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
  });
});
