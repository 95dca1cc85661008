/**
 * Cold start: a fresh Node process imports the library and prices its first call, against
 * `@pydantic/genai-prices` doing the same (import + first `calcPrice`) in fresh processes of the
 * same run. The processes alternate (ours, the peer's, ours, …) so that a slow patch of a shared
 * machine lands on both.
 *
 * Each child is plain `node` (no tsx: its loader would be measured too) and times, from its first
 * line: `import('langfuse-cost')`, then the first `calculateCost` (which builds the bundled catalog's
 * index: the default catalog is built on first use), and the sum; the peer's child times its import
 * and its first `calcPrice`. Both are CPU time of the child (all threads: the parser's and GC's
 * helper threads too) and wall clock. Node's own start-up before the first line is left out of both.
 *
 * Run: `npm run bench -- cold-start`, or after `npm run build`:
 * TSX_TSCONFIG_PATH=bench/tsconfig.json node --import tsx bench/cold-start.ts [runs=9]
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fmtSpread, header, spread } from './util.js';

const RUNS = Math.max(3, Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 9));
/** Goal of issue 17: import + first price in a fresh process. */
const TARGET_MS = 20;
const root = fileURLToPath(new URL('..', import.meta.url));

/** The child's timing code around `load` (the import) and `first` (the first price). */
function childCode(load: string, first: string): string {
  return `
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const c0 = cpu(), t0 = performance.now();
const lib = await ${load};
const c1 = cpu(), t1 = performance.now();
const cost = ${first};
const c2 = cpu(), t2 = performance.now();
if (!(cost > 0)) throw new Error('no price: ' + cost);
process.stdout.write(JSON.stringify({ importCpu: c1 - c0, firstCpu: c2 - c1, cpu: c2 - c0, wall: t2 - t0 }));
`;
}

const OURS = childCode(
  "import('langfuse-cost')",
  "lib.calculateCost({ model: 'gpt-4o', provider: 'openai', usage: { input: 1000, output: 300 } }).total",
);
const PEER = childCode(
  "import('@pydantic/genai-prices')",
  "lib.calcPrice({ input_tokens: 1000, output_tokens: 300 }, 'gpt-4o', { providerId: 'openai' }).total_price",
);

interface Cold {
  importCpu: number;
  firstCpu: number;
  cpu: number;
  wall: number;
}

function run(code: string): Cold {
  // cwd is the package: `langfuse-cost` resolves to the built package by self-reference.
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as Cold;
}

header('cold start: import + first price in a fresh process, vs @pydantic/genai-prices');
run(OURS); // the first process of a run also warms the OS file cache for both
run(PEER);
const ours: Cold[] = [];
const peer: Cold[] = [];
for (let i = 0; i < RUNS; i++) {
  ours.push(run(OURS));
  peer.push(run(PEER));
}
const ms = (xs: Cold[], k: keyof Cold) => spread(xs.map((x) => x[k]));
console.log(`  ${RUNS} fresh processes each, alternating; load average ${loadavg()[0]!.toFixed(1)}`);
console.log(
  `  langfuse-cost   import                       ${fmtSpread(ms(ours, 'importCpu'), 'ms', 1)} CPU`,
);
console.log(`                  first price (builds index)   ${fmtSpread(ms(ours, 'firstCpu'), 'ms', 1)} CPU`);
console.log(`                  import + first price         ${fmtSpread(ms(ours, 'cpu'), 'ms', 1)} CPU`);
console.log(`                                               ${fmtSpread(ms(ours, 'wall'), 'ms', 1)} wall`);
console.log(
  `  genai-prices    import                       ${fmtSpread(ms(peer, 'importCpu'), 'ms', 1)} CPU`,
);
console.log(`                  first calcPrice              ${fmtSpread(ms(peer, 'firstCpu'), 'ms', 1)} CPU`);
console.log(`                  import + first price         ${fmtSpread(ms(peer, 'cpu'), 'ms', 1)} CPU`);
console.log(`                                               ${fmtSpread(ms(peer, 'wall'), 'ms', 1)} wall`);
const ratio = spread(ours.map((o, i) => o.cpu / peer[i]!.cpu));
const oursCpu = ms(ours, 'cpu').median;
console.log(
  `  ratio ours / peer (CPU, pairwise): ${ratio.median.toFixed(2)}× (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
);
console.log(
  `  import + first price ${oursCpu.toFixed(1)} ms CPU: goal ≤ ${TARGET_MS} ms ${oursCpu <= TARGET_MS ? 'met' : 'MISSED'}`,
);
