/**
 * The dashboards' columnar cache of the ledger: built on the first run, reused while the file is
 * unchanged, extended when it grows, rebuilt when it changes; a corrupt or incomplete cache file is
 * ignored with one warning; concurrent runs are safe. Every case is checked against a run without the
 * cache, which parses the ledger afresh: the cache may change the speed, never a figure.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardSource, openLocalSource, runDashboard } from '../../../src/dashboards/index.js';
import { writeScaleLedger } from '../../helpers/dashboards-scale.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-dash-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const params = { from: '2026-10-01', to: '2026-11-01' };
const DASHBOARDS = ['kpi-totals', 'cost-by-model', 'cost-by-user', 'top-sessions'];

interface Run {
  rows: Record<string, unknown>;
  warnings: string[];
  cached: boolean;
}

/** Open the ledger (with the cache in `cacheDir`, or none) and run a few dashboards. */
async function run(ledger: string, cacheDir: string | false): Promise<Run> {
  const warnings: string[] = [];
  const progress: string[] = [];
  const source: DashboardSource = await openLocalSource({
    ledger,
    cacheDir,
    onWarning: (m) => warnings.push(m),
    onProgress: (m) => progress.push(m),
  });
  const rows: Record<string, unknown> = {};
  try {
    for (const name of DASHBOARDS) rows[name] = (await runDashboard(source, name, { params })).rows;
  } finally {
    await source.close();
  }
  return { rows, warnings, cached: progress.some((p) => p.endsWith('(cached)')) };
}

/** The cache's part files of one table. */
const parts = (cacheDir: string) => readdirSync(cacheDir).filter((f) => f.endsWith('.observations.native'));
/** The part files of that table the cache's (one) manifest names. */
const listed = (cacheDir: string): string[] => {
  const [manifest] = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  const m = JSON.parse(readFileSync(join(cacheDir, manifest!), 'utf8')) as {
    parts: { observations: string }[];
  };
  return m.parts.map((p) => p.observations);
};

describe('dashboards cache', () => {
  const ledger = join(dir, 'ledger.jsonl');
  const cacheDir = join(dir, 'cache');
  let first: Run;

  beforeAll(async () => {
    await writeScaleLedger(ledger, 3000);
    first = await run(ledger, cacheDir);
  });

  it('is built on the first run and gives what a fresh parse gives', async () => {
    expect(first.cached).toBe(false);
    expect(parts(cacheDir)).toHaveLength(1);
    const fresh = await run(ledger, false);
    expect(first.rows).toEqual(fresh.rows);
    expect((first.rows['kpi-totals'] as { requests: number }[])[0]!.requests).toBe(3000);
  });

  it('is reused while the file is unchanged', async () => {
    const again = await run(ledger, cacheDir);
    expect(again.cached).toBe(true);
    expect(again.warnings).toEqual([]);
    expect(again.rows).toEqual(first.rows);
    expect(parts(cacheDir)).toHaveLength(1);
  });

  it('adds a part for the lines a growing file gains, and merges traces across parts', async () => {
    const lines = readFileSync(ledger, 'utf8').trimEnd().split('\n');
    // New calls, one of them in a trace (t-0) whose first calls are in the cached part.
    const grown = lines
      .slice(0, 30)
      .map((l, i) =>
        l
          .replace(/"id":"c-\d+"/, `"id":"grown-${i}"`)
          .replace(/"trace_id":"t-\d+"/, i === 0 ? '"trace_id":"t-0"' : `"trace_id":"grown-t-${i}"`),
      );
    appendFileSync(ledger, `${grown.join('\n')}\n`);
    const after = await run(ledger, cacheDir);
    expect(after.cached).toBe(true);
    expect(parts(cacheDir)).toHaveLength(2);
    const fresh = await run(ledger, false);
    expect(after.rows).toEqual(fresh.rows);
    expect((after.rows['kpi-totals'] as { requests: number }[])[0]!.requests).toBe(3030);
  });

  it('is rebuilt when the file is rewritten', async () => {
    const text = readFileSync(ledger, 'utf8');
    // Same size, other users: every user id changes one letter.
    const rewritten = text.replaceAll('"user_id":"user-', '"user_id":"usex-');
    expect(rewritten.length).toBe(text.length);
    writeFileSync(ledger, rewritten);
    const after = await run(ledger, cacheDir);
    expect(after.cached).toBe(false);
    const fresh = await run(ledger, false);
    expect(after.rows).toEqual(fresh.rows);
    expect(after.rows).not.toEqual(first.rows);
  });

  it('ignores a corrupt cache file with one warning', async () => {
    await run(ledger, cacheDir);
    const [part] = listed(cacheDir);
    expect(part).toBeDefined();
    const path = join(cacheDir, part!);
    const size = readFileSync(path).length;
    writeFileSync(path, Buffer.alloc(size, 0xab));
    const fresh = await run(ledger, false);
    const after = await run(ledger, cacheDir);
    expect(after.rows).toEqual(fresh.rows);
    expect(after.warnings).toHaveLength(1);
    expect(after.warnings[0]).toMatch(/dashboards cache: the entry of .* cannot be read/);
    // Rebuilt: the next run reads it without a word.
    const next = await run(ledger, cacheDir);
    expect([next.cached, next.warnings]).toEqual([true, []]);
  });

  it('ignores an incomplete cache file, and a manifest that is not one, with one warning each', async () => {
    const fresh = await run(ledger, false);
    const [part] = listed(cacheDir);
    truncateSync(join(cacheDir, part!), 100);
    const truncated = await run(ledger, cacheDir);
    expect(truncated.rows).toEqual(fresh.rows);
    expect(truncated.warnings).toEqual([expect.stringMatching(/is incomplete; reading .* again/)]);
    const [manifest] = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
    writeFileSync(join(cacheDir, manifest!), '{"format":1,"par');
    const garbled = await run(ledger, cacheDir);
    expect(garbled.rows).toEqual(fresh.rows);
    expect(garbled.warnings).toEqual([expect.stringMatching(/is not a cache manifest/)]);
  });

  it('keeps the torn last line out, and reads the record a writer puts after it', async () => {
    const torn = join(dir, 'torn.jsonl');
    const tornCache = join(dir, 'torn-cache');
    const lines = readFileSync(ledger, 'utf8').trimEnd().split('\n').slice(0, 200);
    writeFileSync(torn, `${lines.slice(0, 100).join('\n')}\n${lines[100]!.slice(0, 40)}`);
    const a = await run(torn, tornCache);
    const aFresh = await run(torn, false);
    expect([a.rows, a.warnings]).toEqual([aFresh.rows, aFresh.warnings]);
    expect(a.warnings).toEqual([expect.stringMatching(/torn last line/)]);
    appendFileSync(torn, `\n${lines.slice(101).join('\n')}\n`);
    const b = await run(torn, tornCache);
    const bFresh = await run(torn, false);
    expect(b.cached).toBe(true);
    expect([b.rows, b.warnings]).toEqual([bFresh.rows, bFresh.warnings]);
    expect((b.rows['kpi-totals'] as { requests: number }[])[0]!.requests).toBe(199);
  });

  it('is safe when several runs build and read it at once', async () => {
    const shared = join(dir, 'shared-cache');
    const child = () =>
      new Promise<string>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          ['--import', 'tsx', 'tests/helpers/dashboards-cache-child.ts', ledger, shared],
          {
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        );
        let out = '';
        p.stdout.on('data', (b: Buffer) => {
          out += b.toString();
        });
        p.once('error', reject);
        p.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
      });
    const outs = (await Promise.all([child(), child(), child()])).map((o) => JSON.parse(o));
    const fresh = await run(ledger, false);
    for (const o of outs) {
      expect(o.warnings).toEqual([]);
      for (const name of ['kpi-totals', 'cost-by-model', 'cost-by-user'])
        expect(o[name]).toEqual(fresh.rows[name]);
    }
    const after = await run(ledger, shared);
    expect([after.cached, after.warnings]).toEqual([true, []]);
    expect(after.rows).toEqual(fresh.rows);
  }, 120_000);

  describe('a ledger that grows while the first run loads it', () => {
    // Calls of 1,000,003 pico-USD each (a written fact): 200 = 0.0002000006 USD, 210 = 0.00021000063 USD.
    const call = (i: number) =>
      `{"id":"g-${i}","trace_id":"gt-${i}","start_time":"2026-10-0${1 + (i % 9)}T10:00:00.000Z","provided_model_name":"gpt-4o","cost_pico":1000003,"status":"success"}`;
    const calls = (from: number, to: number) =>
      `${Array.from({ length: to - from }, (_, k) => call(from + k)).join('\n')}\n`;
    const totals = async (source: DashboardSource) =>
      (await source.query('SELECT count() AS n, toString(sum(total_cost)) AS usd FROM observations', {}))
        .rows[0];

    /** Open `ledger` with the cache in `cacheDir`; `append` is written just after the loader's stat. */
    async function openWhileWriting(ledger: string, cacheDir: string, append: string) {
      let done = false;
      return openLocalSource({
        ledger,
        cacheDir,
        onWarning: () => {},
        onProgress: (m) => {
          if (done || !m.startsWith('loading')) return;
          done = true;
          appendFileSync(ledger, append);
        },
      });
    }

    it('reads the lines written meanwhile on the next run, once', async () => {
      const ledger = join(dir, 'growing.jsonl');
      const cacheDir = join(dir, 'cache-growing');
      writeFileSync(ledger, calls(0, 200));
      const first = await openWhileWriting(ledger, cacheDir, calls(200, 210));
      try {
        expect(await totals(first)).toEqual({ n: 200, usd: '0.0002000006' });
      } finally {
        await first.close();
      }
      const next = await openLocalSource({ ledger, cacheDir, onWarning: () => {} });
      try {
        expect(await totals(next)).toEqual({ n: 210, usd: '0.00021000063' });
      } finally {
        await next.close();
      }
    });

    it('is not failed by a half-written line at the end', async () => {
      const ledger = join(dir, 'growing-torn.jsonl');
      const cacheDir = join(dir, 'cache-growing-torn');
      writeFileSync(ledger, calls(0, 200));
      const half = call(200).slice(0, 40);
      const first = await openWhileWriting(ledger, cacheDir, half);
      try {
        expect(await totals(first)).toEqual({ n: 200, usd: '0.0002000006' });
      } finally {
        await first.close();
      }
      appendFileSync(ledger, `${call(200).slice(40)}\n${calls(201, 210)}`);
      const next = await openLocalSource({ ledger, cacheDir, onWarning: () => {} });
      try {
        expect(await totals(next)).toEqual({ n: 210, usd: '0.00021000063' });
      } finally {
        await next.close();
      }
    });
  });
});
