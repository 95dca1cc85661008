/**
 * The closed error contract, fuzzed at length: the properties of tests/unit/error-contract.test.ts
 * (calculateCost and its helpers, the money helpers, CostTracker call sequences, the LangChain
 * handler, the span processor) with many more cases than `npm test` runs.
 *
 * Usage: `npm run fuzz` (120,000 cases), `npm run fuzz -- --runs 50000` (cases per property),
 * `npm run fuzz -- --seed 42` (reproduce a run). Prints cases and failures per property; exits 1
 * when any case failed.
 */
import { scriptArgs } from '../examples/shared/script-args.js';
import { contractProperties } from '../tests/helpers/error-contract.js';

const USAGE = `Usage: npm run fuzz [-- options]
   or: node --import tsx scripts/fuzz.ts [options]

Fuzzes the closed error contract: every property of tests/unit/error-contract.test.ts with many more
cases. Prints cases and failures per property; exits 1 when any case failed. Writes nothing.

Options:
  --runs N      cases per property (default: 120,000 in all, shared by the properties)
  --seed N      the seed, to reproduce a run (default: a random one, printed)
  -h, --help    print this help
`;

const { values } = scriptArgs({
  name: 'fuzz',
  usage: USAGE,
  options: { runs: { type: 'string' }, seed: { type: 'string' } },
});

/** A non-negative integer option, or undefined when absent; a bad value ends the script (exit 2). */
function arg(name: 'runs' | 'seed'): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(v)) {
    process.stderr.write(`fuzz: --${name} takes a non-negative integer, got "${text}" (see --help)\n`);
    process.exit(2);
  }
  return v;
}

const properties = contractProperties();
const shares = properties.reduce((n, p) => n + (p.scale ?? 1), 0);
const runs = arg('runs') ?? Math.ceil(120_000 / shares);
const seed = arg('seed') ?? (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;

console.log(
  `fuzzing the error contract: ${properties.length} properties, ${runs} cases per share of ${shares}, seed ${seed}`,
);
let cases = 0;
let failures = 0;
const started = performance.now();
for (const p of properties) {
  const t0 = performance.now();
  const r = await p.run({ numRuns: runs * (p.scale ?? 1), seed });
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  cases += r.cases;
  failures += r.failures;
  console.log(
    `${r.failures === 0 ? 'ok  ' : 'FAIL'} ${p.name}: ${r.cases} cases, ${r.failures} failures, ${s} s ` +
      `(calls: ${r.returned} returned, ${r.typedErrors} typed errors)` +
      (r.firstFailure ? `\n     first: ${r.firstFailure}` : ''),
  );
}
const total = ((performance.now() - started) / 1000).toFixed(1);
console.log(`inputs tried: ${cases}; failures: ${failures}; ${total} s (seed ${seed})`);
process.exitCode = failures === 0 ? 0 : 1;
