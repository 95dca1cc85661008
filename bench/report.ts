/**
 * `report` on a one-million-line ledger against the plain loop, time and peak memory.
 *
 * Run: `npm run bench -- report` (it builds first), or
 * `node --import tsx bench/report.ts [--rows 1000000] [--reps 3] [--ledger PATH] [--threads N]`
 *
 * Each measurement is a fresh `node` process running plain JavaScript (so peak RSS is its own:
 * `process.resourceUsage().maxRSS`, which covers every thread of the process, workers included),
 * interleaved: ours, then the peer, `--reps` times. Ours needs the package built (`npm run bench` builds).
 * - ours: `aggregateLedgerParallel(path, { groupBy: 'model' })` from the built package, as the `report`
 *   CLI calls it (the machine's parallelism, at most 4 threads; `--threads` to pin it): every line
 *   checked, totals and per-model groups in integer pico-USD.
 * - peer: a `readline` + `JSON.parse` loop over the same file summing cost per model (pico-USD), with no
 *   checks: the least a script doing the same job would do.
 * Printed: wall time, CPU time (user + system) and peak RSS of each, min / median / max, and the
 * per-round ratios (same machine load) with their median. Goals: ≥ 3× faster, RSS ≤ 1.5× the peer's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { header, median, report } from './util.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** What a child reports. */
interface ChildResult {
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  calls: number;
  totalPico: number;
  threads: number;
}

/** The end of both children: their figures, on one line. */
const REPORT = `const u = process.resourceUsage();
console.log(JSON.stringify({ ms: performance.now() - t0, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000,
  maxRssMb: u.maxRSS / 1024, calls, totalPico, threads }));`;

/**
 * The children, as plain JavaScript files (no TypeScript loader in the measured process: its memory
 * would count on both sides).
 * Ours imports the built package's `langfuse-cost/node` entry, given as an argument.
 */
const CHILDREN: Record<'ours' | 'peer', string> = {
  ours: `const t0 = performance.now();
const { aggregateLedgerParallel } = await import(process.argv[4]);
const wanted = Number(process.argv[3]);
const r = await aggregateLedgerParallel(process.argv[2], { groupBy: 'model', ...(wanted > 0 ? { threads: wanted } : {}) });
const calls = r.totals.requests;
const totalPico = Number(r.totals.totalPico);
const threads = r.threads;
${REPORT}`,
  peer: `const t0 = performance.now();
const { createReadStream } = await import('node:fs');
const { createInterface } = await import('node:readline');
const sums = new Map();
let calls = 0;
const rl = createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity });
for await (const line of rl) {
  if (!line) continue;
  const l = JSON.parse(line);
  calls++;
  if (l.cost_pico !== null) sums.set(l.provided_model_name, (sums.get(l.provided_model_name) ?? 0) + l.cost_pico);
}
let totalPico = 0;
for (const v of sums.values()) totalPico += v;
const threads = 1;
${REPORT}`,
};

/** The built package's Node entry, as a file URL (the children import it). */
const NODE_ENTRY = pathToFileURL(fileURLToPath(new URL('../dist/node.js', import.meta.url))).href;

function runChild(dir: string, kind: 'ours' | 'peer', path: string, threads: string): ChildResult {
  const file = join(dir, `${kind}.mjs`);
  writeFileSync(file, CHILDREN[kind]);
  const r = spawnSync(process.execPath, [file, path, threads, NODE_ENTRY], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${kind} child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

const spread = (xs: number[], digits = 0) =>
  `${Math.min(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)} / ${Math.max(...xs).toFixed(digits)}`;

async function main(): Promise<void> {
  const rows = Number(arg('rows', '1000000'));
  const reps = Number(arg('reps', '3'));
  const threads = arg('threads', '0');
  header('report on a large ledger vs a readline + JSON.parse loop');
  // Imported here, not at the top: a child loads only what it measures (its RSS is the figure).
  const { writeLedger } = await import('./dashboards.js');
  const path = arg('ledger', '') || (await writeLedger(rows));
  console.log(
    `  ledger ${path}: ${(statSync(path).size / 1e6).toFixed(0)} MB; ${cpus().length} CPUs (parallelism ${availableParallelism()}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}); ${reps} interleaved rounds, each a fresh process; figures are min / median / max`,
  );
  const ours: ChildResult[] = [];
  const peer: ChildResult[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'langfuse-cost-bench-report-'));
  for (let r = 0; r < reps; r++) {
    const o = runChild(dir, 'ours', path, threads);
    const p = runChild(dir, 'peer', path, threads);
    if (o.calls !== p.calls || o.totalPico !== p.totalPico) {
      throw new Error(
        `different answers: ours ${o.calls} calls ${o.totalPico} pico, peer ${p.calls} calls ${p.totalPico} pico`,
      );
    }
    ours.push(o);
    peer.push(p);
    console.log(
      `  round ${r + 1}: ours ${o.ms.toFixed(0)} ms, ${o.maxRssMb.toFixed(0)} MB (${o.threads} threads); peer ${p.ms.toFixed(0)} ms, ${p.maxRssMb.toFixed(0)} MB (load average ${loadavg()[0]!.toFixed(1)})`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const speed = ours.map((o, i) => peer[i]!.ms / o.ms);
  const cpu = ours.map((o, i) => peer[i]!.cpuMs / o.cpuMs);
  const mem = ours.map((o, i) => o.maxRssMb / peer[i]!.maxRssMb);
  report(`ours: wall ms (${ours[0]!.threads} threads)`, spread(ours.map((o) => o.ms)));
  report('ours: CPU ms (all threads)', spread(ours.map((o) => o.cpuMs)));
  report('ours: peak RSS MB', spread(ours.map((o) => o.maxRssMb)));
  report('peer: wall ms', spread(peer.map((o) => o.ms)));
  report('peer: CPU ms', spread(peer.map((o) => o.cpuMs)));
  report('peer: peak RSS MB', spread(peer.map((o) => o.maxRssMb)));
  report(
    'speed: peer wall / ours',
    `${median(speed).toFixed(2)}× (per round ${speed.map((x) => x.toFixed(2)).join(', ')})`,
    '≥ 3×',
    median(speed) >= 3,
  );
  report(
    'CPU: peer / ours',
    `${median(cpu).toFixed(2)}× (per round ${cpu.map((x) => x.toFixed(2)).join(', ')})`,
  );
  report(
    'memory: our peak RSS / the peer’s',
    `${median(mem).toFixed(2)}× (per round ${mem.map((x) => x.toFixed(2)).join(', ')})`,
    '≤ 1.5×',
    median(mem) <= 1.5,
  );
}

await main();
