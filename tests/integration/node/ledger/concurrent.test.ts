import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listLedgerFiles, scanLedger } from '../../../../src/node/ledger/index.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lc-concurrent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writer(opts: object): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tests/helpers/ledger-writer-child.ts', JSON.stringify(opts)],
      { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

async function race(path: string, perWriter: number, extra: object): Promise<void> {
  const go = join(dir, `go-${Math.random()}`);
  const runs = ['A', 'B', 'C', 'D'].map((prefix, i) =>
    // Different batch sizes, so flushes of different lengths overlap.
    writer({ path, prefix, count: perWriter, batch: [37, 250, 1000, 4000][i], startFile: go, ...extra }),
  );
  await new Promise((r) => setTimeout(r, 1500)); // let every writer load and wait for the start file
  writeFileSync(go, '');
  for (const r of await Promise.all(runs)) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
}

function check(path: string, perWriter: number): void {
  const seen: Record<string, number[]> = { A: [], B: [], C: [], D: [] };
  const r = scanLedger(path, { onWarning: (m) => expect.fail(m) }, (l) => {
    const [p, i] = l.id.split('-');
    seen[p!]!.push(Number(i));
  });
  expect(r.skipped).toBe(0);
  expect(r.lines).toBe(4 * perWriter);
  for (const p of Object.keys(seen)) {
    // Each writer's records are all there, once, in its own order.
    expect(seen[p]).toEqual(Array.from({ length: perWriter }, (_, i) => i));
  }
}

describe('concurrent writers', () => {
  it('four processes appending to one ledger never tear or interleave lines', async () => {
    const path = join(dir, 'shared.jsonl');
    await race(path, 20_000, {});
    check(path, 20_000);
    // Every physical line is one whole JSON object. An empty line may appear: a writer that opens the
    // file while another's large write is still landing can take the unfinished end for a torn line
    // and start on a fresh one (src/node/ledger/jsonl-sink.ts, endsTorn). That is neither torn nor
    // mixed, and readers skip it; one per writer at most.
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    const empty = lines.filter((line) => line === '').length;
    expect(empty).toBeLessThanOrEqual(4);
    for (const line of lines)
      if (line !== '')
        expect(line.startsWith('{"id":"') && line.endsWith('"}'), line.slice(0, 80)).toBe(true);
  }, 60_000);

  it('and with size rotation racing between them, every record is in exactly one file', async () => {
    const path = join(dir, 'rotating.jsonl');
    await race(path, 8_000, { rotateBytes: 512 * 1024 });
    expect(listLedgerFiles(path).length).toBeGreaterThan(3);
    check(path, 8_000);
  }, 60_000);
});
