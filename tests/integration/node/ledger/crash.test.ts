import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { scanLedger } from '../../../../src/node/ledger/index.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lc-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start a writer that records and flushes until killed; resolves once `minFlushed` records are on disk. */
function startWriter(
  path: string,
  batch: number,
): { child: ChildProcess; flushed: () => number; ready: Promise<void> } {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'tests/helpers/ledger-writer-child.ts',
      // Big batches split into 256 KiB writes: a kill is likely to land inside a flush.
      JSON.stringify({ path, prefix: 'k', count: -1, batch, maxWriteBytes: 256 * 1024 }),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let last = 0;
  let buf = '';
  let resolveReady: () => void;
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  child.stdout!.on('data', (d) => {
    buf += d;
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      const m = /^flushed (\d+)$/.exec(l);
      if (m) last = Number(m[1]);
      if (last >= batch * 3) resolveReady();
    }
  });
  return { child, flushed: () => last, ready };
}

describe('crash safety', () => {
  it('a writer killed with SIGKILL mid-write leaves a readable ledger with every flushed record', async () => {
    for (let round = 0; round < 3; round++) {
      const path = join(dir, `crash-${round}.jsonl`);
      const w = startWriter(path, 4000);
      await w.ready;
      // Kill at a random moment of the next flushes.
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
      const exited = new Promise((r) => w.child.once('exit', r));
      w.child.kill('SIGKILL');
      await exited;
      // Every record whose flush was reported (stdout is written after the write returned) is there.
      const reported = w.flushed();
      const ids = new Set<string>();
      const warnings: string[] = [];
      const r = scanLedger(path, { onWarning: (m) => warnings.push(m) }, (l) => ids.add(l.id));
      for (let i = 0; i < reported; i++) expect(ids.has(`k-${i}`)).toBe(true);
      // Lines before the tail are all whole: the only thing that may be lost is a torn last line.
      expect(r.skipped).toBeLessThanOrEqual(1);
      const text = readFileSync(path, 'utf8');
      if (r.skipped === 1) {
        expect(text.endsWith('\n')).toBe(false);
        expect(warnings.join('\n')).toMatch(/torn last line/);
      }
      // Records are in order and none is duplicated: k-0 … k-(n-1).
      expect(ids.size).toBe(r.matched);
      for (let i = 0; i < ids.size; i++) expect(ids.has(`k-${i}`)).toBe(true);
    }
  }, 60_000);
});
