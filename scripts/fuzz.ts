/**
 * The closed error contract, fuzzed at length: the properties of tests/unit/error-contract.test.ts
 * (calculateCost and its helpers, the money helpers, CostTracker call sequences, the LangChain
 * handler, the span processor) with many more cases than `npm test` runs.
 *
 * Usage: `npm run fuzz` (120,000 cases), `npm run fuzz -- --runs 50000` (cases per property),
 * `npm run fuzz -- --seed 42` (reproduce a run). Prints cases and failures per property; exits 1
 * when any case failed.
 */
import { contractProperties } from '../tests/helpers/error-contract.js';

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`--${name} takes a non-negative integer`);
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
  const r = p.run({ numRuns: runs * (p.scale ?? 1), seed });
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
