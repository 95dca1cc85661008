/**
 * Pricing benchmark: `calculateCost` against `@pydantic/genai-prices`' `calcPrice` on the same ~60 real
 * model names from 10+ providers, measured in the same run; plus first-time resolution and import time.
 * Run: `npm run bench -- pricing` (it builds first; `langfuse-cost` resolves to the built package).
 */
import { execFileSync } from 'node:child_process';
import { calcPrice } from '@pydantic/genai-prices';
import { calculateCost, getDefaultCatalog } from 'langfuse-cost';
import { WORKLOAD } from './shared/pricing-workload.js';
import { fmtNs, header, median, nsPerCallInterleaved, report } from './util.js';

header('pricing: calculateCost vs @pydantic/genai-prices calcPrice');
const usages = Array.from({ length: 64 }, (_, i) => ({
  input: 800 + i * 37,
  cacheRead: i % 3 === 0 ? 256 : 0,
  output: 120 + i * 11,
}));
const catalog = getDefaultCatalog();
const priced = WORKLOAD.filter(
  ([m, p]) => calculateCost({ model: m, provider: p, usage: { input: 1 } }, catalog) !== null,
);
const theirs = WORKLOAD.filter(([m, , p]) => {
  try {
    return calcPrice({ input_tokens: 1 }, m, { providerId: p }) != null;
  } catch {
    return false;
  }
});
console.log(
  `  workload: ${WORKLOAD.length} names, ${new Set(WORKLOAD.map((w) => w[2])).size} providers; priced by us ${priced.length}, by calcPrice ${theirs.length}`,
);
const unpriced = WORKLOAD.filter((w) => !priced.includes(w)).map((w) => w[0]);
if (unpriced.length) console.log(`  not priced by us: ${unpriced.join(', ')}`);

const n = WORKLOAD.length;
// Interleaved batches: both sides see the same machine, so the ratio survives a noisy neighbour.
const [ours, peer] = nsPerCallInterleaved(
  [
    {
      fn: (i) => {
        const w = WORKLOAD[i % n]!;
        calculateCost({ model: w[0], provider: w[1], usage: usages[i & 63]! }, catalog);
      },
      batchSize: 20_000,
    },
    {
      fn: (i) => {
        const w = WORKLOAD[i % n]!;
        const u = usages[i & 63]!;
        try {
          calcPrice(
            { input_tokens: u.input + u.cacheRead, cache_read_tokens: u.cacheRead, output_tokens: u.output },
            w[0],
            { providerId: w[2] },
          );
        } catch {
          /* unknown model */
        }
      },
      batchSize: 500,
    },
  ],
  25,
) as [number, number];
report('calculateCost, repeated names (median per call)', fmtNs(ours), '≤ 500 ns', ours <= 500);
report('genai-prices calcPrice, same inputs (median per call)', fmtNs(peer));
report('ratio calcPrice / calculateCost', `${(peer / ours).toFixed(0)}×`, '≥ 100×', peer / ours >= 100);

// First-time resolution: names this process has not seen (the same workload names with their letters'
// case changed, so the memo misses but resolution walks the same path), in the warmed default catalog.
const firsts: number[] = [];
const variant = (name: string, k: number) =>
  [...name].map((ch, i) => ((i + k) % 3 === 0 ? ch.toUpperCase() : ch.toLowerCase())).join('');
for (let k = 1; k <= 6; k++) {
  for (const [m, p] of WORKLOAD) {
    const name = variant(m, k);
    const t0 = process.hrtime.bigint();
    calculateCost({ model: name, provider: p, usage: { input: 100, output: 10 } }, catalog);
    firsts.push(Number(process.hrtime.bigint() - t0));
  }
}
const first = median(firsts);
report('first-time resolution of a name (median)', fmtNs(first), '≤ 20 µs', first <= 20_000);

// Import of the package plus building the bundled catalog's index, in a fresh process; then the first
// price in that cold process (resolver and calculator code not yet compiled), so no cost hides there.
const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}); const t1 = performance.now(); m.getDefaultCatalog(); const t2 = performance.now(); m.calculateCost({ model: 'claude-3-5-sonnet-20241022', provider: 'anthropic', usage: { input: 1000, output: 100 } }); const t3 = performance.now(); console.log(JSON.stringify({ imp: t1 - t0, index: t2 - t1, first: t3 - t2 }));`;
const runs = Array.from(
  { length: 9 },
  () =>
    JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
    ) as { imp: number; index: number; first: number },
);
const imp = median(runs.map((r) => r.imp));
const idx = median(runs.map((r) => r.index));
const cold = median(runs.map((r) => r.first));
report('import langfuse-cost (median, fresh process)', `${imp.toFixed(1)} ms`);
report('build bundled catalog index (median)', `${idx.toFixed(1)} ms`);
report('import + index', `${(imp + idx).toFixed(1)} ms`, '≤ 50 ms', imp + idx <= 50);
report('then the first price in that cold process', `${cold.toFixed(2)} ms`);
console.log(`  bundled catalog: ${catalog.stats().models} models`);
