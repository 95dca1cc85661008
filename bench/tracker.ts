/**
 * Cost of tracking, against the way in-house cost trackers usually log calls: a naive logger that
 * does `fs.appendFileSync(path, JSON.stringify(record) + '\n')` per call and a reader that goes line
 * by line with `readline` + `JSON.parse`, both measured in the same run on the same machine.
 *
 * 1. `tracker.record` with the JSONL ledger sink on: the whole cost, process CPU over the calls of a
 *    fresh process (bench/runners/tracker.ts: the window aggregates, the ledger's encoding and writes,
 *    GC), against the peer's in fresh processes of the same rounds, alternating, and the same with high
 *    key cardinality (20,000 sessions, 2,000 users: the group tables fold keys all the time); then, in this process,
 *    the per-call median and p99 (each call timed with hrtime, timer overhead subtracted).
 * 2. One million records through the ledger sink until the file is written and closed (its own
 *    throughput), and the same million end to end through tracker + ledger.
 * 3. Reading and aggregating that one-million-line ledger as `langfuse-cost report` does
 *    (aggregateLedgerParallel from the built package: worker threads), and on one thread.
 *
 * Calls carry realistic attribution (5 models, 300 sessions, 50 users, 5 tenants, 4 operations,
 * 2 tags), and again in five shapes (calls with and without a user, a session, …: records of five forms);
 * `--high-cardinality` uses 20,000 sessions and 2,000 users instead. The library is measured
 * as it ships: the built package, loaded from dist/ by path (`npm run bench` builds it first);
 * `--source` measures the sources through tsx. Wall times on a shared machine include waiting for the
 * CPU: the CPU time of each phase is printed beside it.
 *
 * Run: `npm run bench -- tracker`, or after `npm run build`:
 * TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/tracker.ts [records=1000000] [--source] [--high-cardinality]
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CostRecord } from '../src/ledger/record.js';
import { importBuilt } from './shared/built.js';
import { runStandalone } from './shared/standalone.js';
import { contexts, naiveLog, RESULTS } from './shared/tracker-calls.js';
import { fmtSpread, header, median, report, spread } from './util.js';

type Lib = {
  CostTracker: typeof import('../src/tracker/index.js').CostTracker;
  JsonlLedgerSink: typeof import('../src/node/ledger/index.js').JsonlLedgerSink;
  aggregateLedger: typeof import('../src/node/ledger/index.js').aggregateLedger;
  scanLedger: typeof import('../src/node/ledger/index.js').scanLedger;
};

const args = process.argv.slice(2);
const fromSource = args.includes('--source');
const highCardinality = args.includes('--high-cardinality');
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
/** Runs of section 1, and calls per run: timed one by one in this process, all in in a fresh one. */
const RUNS = 3;
const CALLS_PER_RUN = Math.min(N, 100_000);
const STANDALONE_CALLS = Math.min(N, 204_800);
/** The peer's calls per run (an append is about 10 µs). */
const NAIVE_CALLS = Math.min(N, 30_720);

async function loadLibrary(): Promise<Lib> {
  if (fromSource) {
    const [tracker, ledger] = await Promise.all([
      import('../src/tracker/index.js'),
      import('../src/node/ledger/index.js'),
    ]);
    return { CostTracker: tracker.CostTracker, ...ledger };
  }
  // The same API as the sources'; its declarations are the built ones, hence the cast.
  const [{ CostTracker }, ledger] = await Promise.all([
    importBuilt<typeof import('langfuse-cost')>('index.js'),
    importBuilt<typeof import('langfuse-cost/node')>('node.js'),
  ]);
  return { CostTracker, ...ledger } as unknown as Lib;
}

const ctx = contexts(highCardinality ? 'high' : 'realistic');

function cpuMs(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function main(): Promise<void> {
  const lib = await loadLibrary();
  const dir = mkdtempSync(join(tmpdir(), 'lc-bench-ledger-'));
  header(
    `tracker + ledger: ${N.toLocaleString('en-US')} records, ${fromSource ? 'sources via tsx' : 'built package'}, ` +
      `${highCardinality ? 'high' : 'realistic'} key cardinality, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  try {
    // Timer overhead, to subtract from single-call timings.
    const empty: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const t0 = process.hrtime.bigint();
      empty.push(Number(process.hrtime.bigint() - t0));
    }
    const timer = median(empty);

    // 1. The whole cost in fresh processes (see bench/shared/standalone.ts): in one process, the
    //    peer's passes left garbage that our passes' collections paid for, and the other way round.
    const flags = [...(highCardinality ? ['high'] : []), ...(fromSource ? ['source'] : [])];
    const variants = [
      { name: 'peer: naive appendFileSync logger', args: ['naive', String(NAIVE_CALLS), ...flags] },
      { name: 'tracker.record + JSONL ledger', args: ['ours', String(STANDALONE_CALLS), ...flags] },
      // Many groups: the session and user tables fold their cheapest keys into (other) all the time.
      ...(highCardinality
        ? []
        : [
            {
              name: 'the same, high cardinality',
              args: ['ours', String(STANDALONE_CALLS), 'high', ...(fromSource ? ['source'] : [])],
            },
            // Calls with and without a user, a session, …: records of five forms.
            {
              name: 'the same, five attribution shapes',
              args: ['ours', String(STANDALONE_CALLS), 'mixed', ...(fromSource ? ['source'] : [])],
            },
          ]),
    ];
    const rounds = runStandalone('runners/tracker.ts', variants, RUNS);
    console.log(
      `\n  1. tracker.record with the ledger sink on, all in: CPU per call over ${STANDALONE_CALLS.toLocaleString('en-US')} calls\n` +
        `     in a fresh process (aggregation, ledger, GC), ${RUNS} rounds; the peer over ${NAIVE_CALLS.toLocaleString('en-US')} calls`,
    );
    const oursCpu = spread(rounds[1]!.map((x) => x.cpu));
    report(
      'all in: CPU per call incl. aggregation, ledger, GC',
      fmtSpread(oursCpu),
      '≤ 2 µs',
      oursCpu.median <= 2,
    );
    report('peer all in: CPU per call', fmtSpread(spread(rounds[0]!.map((x) => x.cpu))));
    // Each variant against the peer of the same round (the peer logs the realistic calls).
    const peerRatio = (i: number) => {
      const r = spread(rounds[i]!.map((x, k) => rounds[0]![k]!.cpu / x.cpu));
      return `${r.median.toFixed(1)}× (${r.min.toFixed(1)}–${r.max.toFixed(1)})`;
    };
    const againstPeer = (i: number) => `, the peer ${peerRatio(i)}`;
    if (rounds[2] !== undefined)
      report(
        'all in, 20,000 sessions, 2,000 users: CPU',
        fmtSpread(spread(rounds[2].map((x) => x.cpu))) + againstPeer(2),
      );
    if (rounds[3] !== undefined)
      report(
        'all in, five attribution shapes: CPU',
        fmtSpread(spread(rounds[3].map((x) => x.cpu))) + againstPeer(3),
      );
    const oursWall = spread(rounds[1]!.map((x) => x.wall));
    report('all in: wall per call', fmtSpread(oursWall));
    report('ratio peer / ours, all in (CPU)', peerRatio(1));
    const naiveWallPer = median(rounds[0]!.map((x) => x.wall)) / 1000; // ms per call, for section 2

    //    The synchronous part, in this process: each call timed, after a warm-up that yields as an
    //    app's calls do (a synchronous burst grows the old generation, which every later pass pays for).
    const latPath = join(dir, 'latency.jsonl');
    const sink = new lib.JsonlLedgerSink({ path: latPath });
    const tracker = new lib.CostTracker({ sinks: [sink], budgets: { daily: 1e9, perUser: 1e6 } });
    for (let i = 0; i < 50_000; i++) {
      tracker.record(RESULTS[i % 1000]!, ctx(i));
      if ((i & 1023) === 0) await new Promise((r) => setImmediate(r));
    }
    await tracker.flush();
    const naivePath = join(dir, 'naive.jsonl');
    for (let i = 0; i < 2000; i++) naiveLog(naivePath, i, ctx);
    const perRunMedian: number[] = [];
    const perRunP99: number[] = [];
    const naiveRunMedian: number[] = [];
    let k = 50_000;
    for (let run = 0; run < RUNS; run++) {
      const per: number[] = [];
      for (let i = 0; i < CALLS_PER_RUN; i++, k++) {
        const t0 = process.hrtime.bigint();
        tracker.record(RESULTS[k % 1000]!, ctx(k));
        per.push(Number(process.hrtime.bigint() - t0) - timer);
        if ((i & 1023) === 0) await new Promise((r) => setImmediate(r));
      }
      await tracker.flush();
      perRunMedian.push(median(per) / 1000);
      perRunP99.push([...per].sort((a, b) => a - b)[Math.floor(per.length * 0.99)]! / 1000);
      const naivePer: number[] = [];
      for (let i = 0; i < NAIVE_CALLS; i++) {
        const t0 = process.hrtime.bigint();
        naiveLog(naivePath, i, ctx);
        naivePer.push(Number(process.hrtime.bigint() - t0) - timer);
      }
      naiveRunMedian.push(median(naivePer) / 1000);
    }
    await tracker.close();
    report('synchronous part: per-call median', fmtSpread(spread(perRunMedian)));
    report('p99 of a call', fmtSpread(spread(perRunP99)));
    report('peer: per-call median', fmtSpread(spread(naiveRunMedian)));

    // 2. One million records through the ledger: the sink's own throughput (encode, write, close), on
    //    records the tracker made (a pool of 4,096 realistic ones, cycled); then the same million
    //    end to end, tracker.record with the ledger on, for the whole cost of tracking.
    const pool: CostRecord[] = [];
    const collector = new lib.CostTracker({ sinks: [{ write: (r: CostRecord) => void pool.push(r) }] });
    for (let i = 0; i < 4096; i++) collector.record(RESULTS[i % 1000]!, ctx(i));
    const sinkPath = join(dir, 'sink-only.jsonl');
    const only = new lib.JsonlLedgerSink({ path: sinkPath });
    const c7 = process.cpuUsage();
    const w7 = performance.now();
    for (let i = 0; i < N; i++) only.write(pool[i & 4095]!);
    await only.close();
    const sinkWall = (performance.now() - w7) / 1000;
    const sinkCpu = cpuMs(c7) / 1000;
    const sinkSize = statSync(sinkPath).size;
    rmSync(sinkPath);

    const bigPath = join(dir, 'ledger.jsonl');
    const bigSink = new lib.JsonlLedgerSink({ path: bigPath });
    const big = new lib.CostTracker({ sinks: [bigSink], budgets: { daily: 1e9, perUser: 1e6 } });
    const c3 = process.cpuUsage();
    const w3 = performance.now();
    for (let i = 0; i < N; i++) big.record(RESULTS[i % 1000]!, ctx(i));
    await big.close();
    const throughWall = (performance.now() - w3) / 1000;
    const throughCpu = cpuMs(c3) / 1000;
    const size = statSync(bigPath).size;
    console.log(
      `\n  2. ${N.toLocaleString('en-US')} records through the ledger (${(sinkSize / 1e6).toFixed(0)} MB, ${(sinkSize / N).toFixed(0)} bytes a line)`,
    );
    report('JsonlLedgerSink write + close: wall', `${sinkWall.toFixed(2)} s`, '≤ 5 s', sinkWall <= 5);
    report('JsonlLedgerSink write + close: cpu', `${sinkCpu.toFixed(2)} s`);
    report(
      'end to end, tracker.record + ledger: wall / cpu',
      `${throughWall.toFixed(2)} / ${throughCpu.toFixed(2)} s`,
    );
    report(
      `peer: naive logger, ${N.toLocaleString('en-US')} × its measured mean`,
      `${((naiveWallPer * N) / 1000).toFixed(2)} s`,
    );
    report('ratio peer / ours end to end (wall)', `${((naiveWallPer * N) / 1000 / throughWall).toFixed(1)}×`);
    console.log(`  (end-to-end ledger: ${(size / 1e6).toFixed(0)} MB)`);

    // 3. Read and aggregate the ledger: `langfuse-cost report` reads it with aggregateLedgerParallel
    //    (worker threads from the built package), the library's aggregateLedger on one thread.
    const { aggregateLedgerParallel } = await import('langfuse-cost/node');
    const c8 = process.cpuUsage();
    const w8 = performance.now();
    const par = await aggregateLedgerParallel(bigPath, { groupBy: 'model' });
    const parWall = (performance.now() - w8) / 1000;
    const parCpu = cpuMs(c8) / 1000;
    const c4 = process.cpuUsage();
    const w4 = performance.now();
    const rep = lib.aggregateLedger(bigPath, { groupBy: 'model' });
    const readWall = (performance.now() - w4) / 1000;
    const readCpu = cpuMs(c4) / 1000;
    if (rep.matched !== N) throw new Error(`read ${rep.matched} of ${N} lines`);
    if (par.totals.totalPico !== rep.totals.totalPico || par.matched !== N)
      throw new Error('the parallel read disagrees with the single-threaded one');
    const c5 = process.cpuUsage();
    const w5 = performance.now();
    let viaJson = 0;
    lib.scanLedger(bigPath, {}, (l) => {
      viaJson += l.cost_pico ?? 0;
    });
    const jsonWall = (performance.now() - w5) / 1000;
    const jsonCpu = cpuMs(c5) / 1000;
    if (BigInt(viaJson) !== rep.totals.totalPico && viaJson <= Number.MAX_SAFE_INTEGER)
      throw new Error('sums differ');
    const c6 = process.cpuUsage();
    const w6 = performance.now();
    const byModel = new Map<string, number>();
    const rl = createInterface({ input: createReadStream(bigPath), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) {
      if (!line) continue;
      const o = JSON.parse(line);
      byModel.set(o.provided_model_name, (byModel.get(o.provided_model_name) ?? 0) + o.total_cost);
    }
    const peerWall = (performance.now() - w6) / 1000;
    const peerCpu = cpuMs(c6) / 1000;
    console.log(
      `\n  3. read + aggregate the ${N.toLocaleString('en-US')}-line ledger (totals, tokens, percentiles, by model)`,
    );
    report(
      `report's read (aggregateLedgerParallel, ${par.threads} thread${par.threads > 1 ? 's' : ''}): wall`,
      `${parWall.toFixed(2)} s`,
      '≤ 3 s',
      parWall <= 3,
    );
    report("report's read: cpu (all threads)", `${parCpu.toFixed(2)} s`);
    report('aggregateLedger, one thread: wall / cpu', `${readWall.toFixed(2)} / ${readCpu.toFixed(2)} s`);
    report(
      'same files through JSON.parse (scanLedger): wall / cpu',
      `${jsonWall.toFixed(2)} / ${jsonCpu.toFixed(2)} s`,
    );
    report(
      'peer: readline + JSON.parse + float sum: wall / cpu',
      `${peerWall.toFixed(2)} / ${peerCpu.toFixed(2)} s`,
    );
    report('ratio peer / ours (wall)', `${(peerWall / parWall).toFixed(1)}×`);
    console.log(
      `  exact total $${rep.totals.exact}; the peer's float sum: $${[...byModel.values()].reduce((a, b) => a + b, 0)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
