/**
 * Stand-alone measurement: each variant of a benchmark (the peer without our code, then ours) runs in
 * a fresh child process of its own, one after the other, rotating which goes first in each round.
 * Measured in one process, variants share the garbage collector (one variant's retained objects make
 * every collection slower, whichever variant triggers it) and the JIT's code and inline caches (the
 * peer's code sees the span shapes ours writes): the in-process figures were off by up to +17 %
 * instructions for the peer and ±2 µs per call. A user's service runs one pipeline, as here.
 *
 * A runner prints one JSON line on stdout: {@link RunnerResult}.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmtSpread, type Spread, spread } from '../util.js';

/** What a runner prints (one JSON line): its figures per call, µs. */
export interface RunnerResult {
  /** Process CPU time (user + system, all threads) per call over the measured calls, µs. */
  cpu: number;
  /** Wall-clock time per call over the same calls, µs. */
  wall: number;
  /** Calls measured. */
  calls: number;
}

/** One variant: its label and the runner's arguments. */
export interface Variant {
  name: string;
  args: string[];
}

/** Per variant, one result per round (index as in `variants`). */
export type Rounds = RunnerResult[][];

/**
 * Run `runner` (a path under bench/) once per variant and round, each in a fresh process
 * (`node --import tsx <runner> <args…>`), rotating the order every round; `env` is added to each
 * child's environment (a fresh copy per child from `envFor`).
 */
export function runStandalone(
  runner: string,
  variants: readonly Variant[],
  rounds: number,
  envFor: (variant: Variant, round: number) => NodeJS.ProcessEnv = () => ({}),
): Rounds {
  const script = fileURLToPath(new URL(`../${runner}`, import.meta.url));
  const out: Rounds = variants.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const k = (i + r) % variants.length;
      const v = variants[k]!;
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, ...v.args], {
        encoding: 'utf8',
        env: { ...process.env, ...envFor(v, r) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      if (child.status !== 0) throw new Error(`${runner} ${v.args.join(' ')} exited with ${child.status}`);
      const line = child.stdout.trim().split('\n').pop() ?? '';
      out[k]!.push(JSON.parse(line) as RunnerResult);
    }
  }
  return out;
}

/**
 * The variant a runner was asked for (`process.argv[2]`), one of `variants`; prints the usage and exits
 * with status 2 otherwise.
 */
export function variantArg<const V extends string>(runner: string, variants: readonly V[], more: string): V {
  const v = process.argv[2] as V;
  if (variants.includes(v)) return v;
  process.stderr.write(`usage: ${runner} <${variants.join('|')}> ${more}\n`);
  process.exit(2);
}

/**
 * A runner's measurement: `warmUp` rounds first (V8 compiles meanwhile, in background threads too,
 * which counts as CPU), then `rounds` rounds of `callsPerRound` calls timed as process CPU (every
 * thread) and wall clock; prints the {@link RunnerResult} line.
 */
export async function measureRunner(
  round: () => Promise<void>,
  warmUp: number,
  rounds: number,
  callsPerRound: number,
): Promise<void> {
  for (let i = 0; i < warmUp; i++) await round();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await round();
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  const c = process.cpuUsage(c0);
  const calls = rounds * callsPerRound;
  const result: RunnerResult = { cpu: (c.user + c.system) / calls, wall: wall / calls, calls };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Figures of one variant against the peer of the same rounds: its own, added, and the ratio. */
export interface Compared {
  own: Spread;
  added: Spread;
  ratio: Spread;
}

/** `ours` against `peer`, round by round, on the CPU figure. */
export function compare(ours: RunnerResult[], peer: RunnerResult[]): Compared {
  return {
    own: spread(ours.map((x) => x.cpu)),
    added: spread(ours.map((x, r) => x.cpu - peer[r]!.cpu)),
    ratio: spread(ours.map((x, r) => x.cpu / peer[r]!.cpu)),
  };
}

/** How {@link printCompared} names things: the name column's width, the peer, the goal line. */
export interface ComparedLabels {
  width: number;
  /** The peer after a ratio: `the bare pipeline`. */
  peer: string;
  /** What the last variant's added figure is, on the goal line. */
  goal: string;
  /** The goal, µs added. */
  target: number;
}

/**
 * Print the peer's figure (variant 0), then each variant's own figure, what it adds and the ratio,
 * and whether the last variant's added figure meets the goal.
 */
export function printCompared(variants: readonly Variant[], rounds: Rounds, l: ComparedLabels): void {
  const peer = rounds[0]!;
  console.log(`  ${variants[0]!.name.padEnd(l.width)} ${fmtSpread(spread(peer.map((x) => x.cpu)))}`);
  let added = Number.NaN;
  for (let i = 1; i < variants.length; i++) {
    const c = compare(rounds[i]!, peer);
    console.log(
      `  ${variants[i]!.name.padEnd(l.width)} ${fmtSpread(c.own)}; added ${fmtSpread(c.added)}; ` +
        `${c.ratio.median.toFixed(2)}× ${l.peer} (${c.ratio.min.toFixed(2)}–${c.ratio.max.toFixed(2)})`,
    );
    added = c.added.median;
  }
  console.log(
    `  ${l.goal} ${added.toFixed(2)} µs: goal ≤ ${l.target} µs ${added <= l.target ? 'met' : 'MISSED'}`,
  );
}
