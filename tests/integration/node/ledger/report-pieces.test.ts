/**
 * `aggregateLedgerParallel` cuts the ledger's files into pieces that its threads claim one at a time, in
 * whatever order they get to them: the merged report must be exactly the single-threaded
 * `aggregateLedger`'s, byte for byte (key and group order included), with skipped lines in several
 * pieces of several files (numbered from their file's start, at most 1,000 listed per file), blank
 * lines, a torn fragment, an empty file and a torn last line, for every grouping.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rotatedPath } from '../../../../src/node/ledger/files.js';
import { cutLedger, wholeLedger } from '../../../../src/node/ledger/read.js';
import {
  aggregateLedger,
  aggregateLedgerParallel,
  aggregatePieces,
  aggregateSegments,
  type LedgerReportOptions,
  mergeThreadParts,
  type ParallelReportOptions,
} from '../../../../src/node/ledger/report.js';

const dir = mkdtempSync(join(tmpdir(), 'lc-report-pieces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ledger = join(dir, 'ledger.jsonl');

const MODELS = ['gpt-4o', 'claude-sonnet-4-5', 'o3', 'gpt-4o-mini'];
// Stored prompt text makes the lines long, so a few thousand lines fill several 1 MiB pieces; one line in
// ten is longer than the reads that look for a line's end (a cut may land in it).
const PAD = 'x'.repeat(1500);
const LONG_PAD = 'y'.repeat(9000);

/** A valid ledger line in the writer's column order; cost the same on every line (ties in the groups). */
function line(i: number, day: number): string {
  const t = `2026-11-${String(day).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00.000Z`;
  return (
    `{"id":"c-${i}","trace_id":"tr-${i}","parent_observation_id":null,"project_id":"local","type":"GENERATION",` +
    `"name":"op-${i % 3}","environment":"production","start_time":"${t}","end_time":"${t}","level":"DEFAULT",` +
    `"status_message":null,"provided_model_name":"${MODELS[(i * 7) % MODELS.length]}","internal_model_id":"m",` +
    `"usage_details":{"input":${100 + (i % 50)},"output":20,"total":${120 + (i % 50)}},"cost_details":{},` +
    `"provided_cost_details":{},"total_cost":0.000001,"cost_pico":1000000,"metadata":{},"session_id":"s-${i % 700}",` +
    `"user_id":null,"tenant_id":null,"tags":${i % 2 ? '["a"]' : '["a","b"]'},"provider":"openai",` +
    `"resolved_model":"m","source":"catalog","estimated":false,"tier":"standard","fallback":false,` +
    `"service":null,"duration_ms":400,"status":"${i % 11 === 0 ? 'error' : 'success'}","input":"${i % 10 === 3 ? LONG_PAD : PAD}"}`
  );
}

/** `n` lines from `first`, with a bad one (not JSON, or breaking a rule) or a blank one where `bad(i)` says. */
function lines(first: number, n: number, day: number, bad: (i: number) => string | null): string {
  const out: string[] = [];
  for (let i = first; i < first + n; i++) out.push(bad(i) ?? line(i, day));
  return `${out.join('\n')}\n`;
}

const badEvery =
  (every: number) =>
  (i: number): string | null =>
    i % every !== 0
      ? null
      : i % (3 * every) === 0
        ? ''
        : i % (2 * every) === 0
          ? line(i, 1).replace('"cost_pico":1000000', '"cost_pico":-5')
          : `{"id":"torn-${i}","start_ti`;

// Rotated files: a large one with bad lines all through it, a small one (one piece), an empty one.
writeFileSync(rotatedPath(ledger, '2026-11-01', 1), lines(0, 2400, 1, badEvery(97)));
writeFileSync(
  rotatedPath(ledger, '2026-11-02', 1),
  lines(2400, 10, 2, (i) => (i === 2405 ? `{"id":"x","sta${line(i, 2)}` : null)),
);
writeFileSync(rotatedPath(ledger, '2026-11-03', 1), '');
// The active file: more than 1,000 bad lines (only the first 1,000 are listed), over several pieces.
writeFileSync(
  ledger,
  lines(3000, 2800, 4, (i) => (i < 5400 && i % 2 === 0 ? 'not json' : null)),
);
appendFileSync(ledger, '{"id":"cut-off","start_time":"2026-'); // a torn last line

/** JSON of a report, bigints as text: compared as a string, so every key and group order counts. */
const text = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : x));

const distNode = new URL('../../../../dist/node.js', import.meta.url).href;

describe('a report read in claimed pieces', () => {
  it('cuts the ledger into pieces with skipped lines in several of them, in several files', () => {
    const pieces = cutLedger(ledger, {}, 3, 0)!;
    expect(pieces.length).toBeGreaterThanOrEqual(8);
    const withSkips = new Map<string, number>();
    for (const p of pieces) {
      if (p.end < 0 && p.start === 0) continue;
      const body = readFileSync(p.path)
        .subarray(p.start, p.end < 0 ? undefined : p.end)
        .toString('latin1');
      if (/not json|start_ti"?$|cost_pico":-5|\n\n/m.test(body))
        withSkips.set(p.path, (withSkips.get(p.path) ?? 0) + 1);
    }
    expect([...withSkips.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(2);
  });

  it('the earliest and latest start are those of the valid lines, whichever line they are on', () => {
    const starts = (text: string) =>
      text.split('\n').flatMap((l) => l.match(/"start_time":"([^"]+)"/)?.[1] ?? []);
    // Lines of a day go round the clock (hour = line % 24), so neither is the first or last line.
    const r = aggregateLedger(ledger, { onWarning: () => {} });
    expect([r.firstStart, r.lastStart]).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-04T23:00:00.000Z']);
    const all = starts(readFileSync(ledger, 'latin1'));
    expect(all[0]).not.toBe(r.lastStart);
    expect(all.at(-1)).not.toBe(r.lastStart);
  });

  const cases: [string, Omit<ParallelReportOptions, 'threads' | 'minBytes' | 'onWarning'>][] = [
    ['no grouping', {}],
    ['by model (tied groups)', { groupBy: 'model' }],
    ['by session', { groupBy: 'session' }],
    ['by tag', { groupBy: 'tag', top: 1 }],
    ['by day in a zone', { groupBy: 'day', timeZone: 'America/New_York' }],
    [
      'by operation in a time range',
      { groupBy: 'operation', from: '2026-11-01T05:00:00Z', to: '2026-11-04' },
    ],
    ['by session, groups folded into (other)', { groupBy: 'session', maxGroups: 100 }],
  ];

  it.each(cases)(
    '%s: the same report as one thread, on worker threads and without them',
    async (_, options) => {
      const refWarnings: string[] = [];
      const ref = aggregateLedger(ledger, { ...options, onWarning: (m) => refWarnings.push(m) });
      expect(ref.skippedLines.length).toBeGreaterThan(1000);
      const built = (await import(distNode)) as { aggregateLedgerParallel: typeof aggregateLedgerParallel };
      // dist/ has the worker script: real workers claim pieces. The sources have only report-worker.ts, so
      // there every worker fails to start and this thread reads the pieces kept for them.
      for (const [run, workers] of [
        [built.aggregateLedgerParallel, true],
        [aggregateLedgerParallel, false],
      ] as const) {
        const warnings: string[] = [];
        const { threads, ...par } = await run(ledger, {
          ...options,
          threads: 3,
          minBytes: 0,
          onWarning: (m) => warnings.push(m),
        });
        expect(text(par)).toBe(text(ref));
        expect(warnings).toEqual(refWarnings);
        // Folded groups are read again on one thread (which groups fold depends on the lines' order).
        expect(threads).toBe(workers && options.maxGroups === undefined ? 3 : 1);
      }
    },
  );
});

describe('the parts of pieces claimed in any order', () => {
  /** A claim that hands out `order`, then nothing. */
  const handing = (order: number[]) => {
    let next = 0;
    return () => (next < order.length ? order[next++]! : -1);
  };

  it.each<[string, LedgerReportOptions]>([
    ['by session', { groupBy: 'session' }],
    ['by tag', { groupBy: 'tag' }],
    ['by model, a time range', { groupBy: 'model', from: '2026-11-02' }],
  ])('%s: merge into the single read, whichever thread read which piece when', (_, options) => {
    const pieces = cutLedger(ledger, options, 3, 0)!;
    const all = pieces.map((__, i) => i);
    const ref = aggregateSegments(wholeLedger(ledger, options), options);
    // Three threads, each claiming in increasing order (as they do), and which gets which unevenly.
    const thread = [0, 2, 2, 1, 0, 0, 1, 2, 1, 1, 0, 2, 2, 0, 1];
    const parts = [0, 1, 2].map((t) =>
      aggregatePieces(pieces, handing(all.filter((i) => thread[i % thread.length] === t)), options, null),
    );
    const merged = mergeThreadParts(pieces, parts.reverse(), options)!;
    // The part's own fields in the single read's order (only their order differs between the two builds).
    expect(text(Object.fromEntries(Object.keys(ref).map((k) => [k, merged[k as keyof typeof ref]])))).toBe(
      text(ref),
    );
  });

  it('gives null when the single read would fold groups that no thread folded', () => {
    const pieces = cutLedger(ledger, {}, 3, 0)!;
    // Day keys: files of days 1, 2 and 4; each thread reads the pieces of one file (one key), the
    // single read meets three keys, past twice `maxGroups: 1`.
    const options = { groupBy: 'day', maxGroups: 1 } as const;
    const files = [...new Set(pieces.map((p) => p.path))];
    const parts = files.map((f) =>
      aggregatePieces(pieces, handing(pieces.flatMap((p, i) => (p.path === f ? [i] : []))), options, null),
    );
    expect(parts.some((p) => p.folded)).toBe(false);
    expect(mergeThreadParts(pieces, parts, options)).toBeNull();
    expect(mergeThreadParts(pieces, parts, { groupBy: 'day', maxGroups: 2 })).not.toBeNull();
  });
});
