/**
 * Why the bucket table's hot paths are generated as straight-line code (scripts/generate-bucket-code.ts)
 * instead of looping over the table at run time: each generated path against the loop it replaces,
 * on the same usages, in the same run, interleaved. Both produce the same values (checked below).
 * Run: `npm run bench -- buckets` (from the sources: these are internal functions).
 */
import { emptyCosts, priceBuckets } from '../src/pricing/bucket-costs.generated.js';
import { femtoTimesToPico, PICO_PER_USD } from '../src/pricing/money.js';
import { checkUsageFields } from '../src/tracker/record-fields.generated.js';
import { BUCKETS, type BucketRow } from '../src/usage/buckets.js';
import { emptyUsage, type TokenUsage } from '../src/usage/token-usage.generated.js';
import { fmtNs, header, nsPerCallInterleaved, report } from './util.js';

const ROWS: readonly BucketRow[] = BUCKETS;
const KEYS = ROWS.map((r) => r.key);
const F = ROWS.map((_, i) => 2_500_000 + i * 1_000); // femto-USD per token, one per bucket

/** 1,000 realistic usages: input and output always, cache reads and reasoning on some. */
const USAGES: TokenUsage[] = Array.from({ length: 1000 }, (_, i) => {
  const u = emptyUsage();
  u.input = 1000 + i;
  u.output = 200 + (i % 50);
  if (i % 3 === 0) u.cacheRead = 4000;
  if (i % 4 === 0) u.reasoning = 300;
  return u;
});

/** The loop the generated `priceBuckets` replaces. */
function priceBucketsLoop(
  u: TokenUsage,
  f: readonly number[],
): { totalPico: number; costs: Record<string, number> } {
  const costs: Record<string, number> = {};
  let totalPico = 0;
  const x = u as unknown as Record<string, number>;
  for (let i = 0; i < ROWS.length; i++) {
    const r = ROWS[i]!;
    const n = x[r.key]!;
    const units = n === 0 && r.minPerCall > 0 && f[i]! > 0 ? r.minPerCall : n;
    const p = units === 0 ? 0 : femtoTimesToPico(units, f[i]!);
    totalPico += p;
    costs[r.key] = p / PICO_PER_USD;
  }
  return { totalPico, costs };
}

/** The loop the generated `checkUsageFields` replaces. */
function checkUsageLoop(o: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of KEYS) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1e9 && Math.floor(v) === v))
      throw new Error(`bad ${k}`);
    out[k] = (v as number | undefined) ?? 0;
  }
  return out;
}

// Same values before timing anything.
for (const u of USAGES.slice(0, 50)) {
  const costs = emptyCosts();
  const totalPico = priceBuckets(u, F, costs);
  const b = priceBucketsLoop(u, F);
  if (totalPico !== b.totalPico || JSON.stringify(costs) !== JSON.stringify(b.costs))
    throw new Error('the loop and the generated code disagree');
}

header('bucket table hot paths: generated straight-line code vs a loop over the table');
let sink = 0;
const cases = [
  {
    label: 'price every bucket',
    gen: (u: TokenUsage) => priceBuckets(u, F, emptyCosts()),
    loop: (u: TokenUsage) => priceBucketsLoop(u, F).totalPico,
  },
  {
    label: 'check a recorded usage',
    gen: (u: TokenUsage) => checkUsageFields(u as unknown as Record<string, unknown>, 'usage').input,
    loop: (u: TokenUsage) => checkUsageLoop(u as unknown as Record<string, unknown>).input!,
  },
];
for (const c of cases) {
  for (let run = 1; run <= 3; run++) {
    const [gen, loop] = nsPerCallInterleaved(
      [
        { fn: (i) => (sink += c.gen(USAGES[i % 1000]!)), batchSize: 20_000 },
        { fn: (i) => (sink += c.loop(USAGES[i % 1000]!)), batchSize: 20_000 },
      ],
      15,
    );
    report(`${c.label}, run ${run}: generated`, fmtNs(gen!));
    report(`${c.label}, run ${run}: loop over the table (the alternative)`, fmtNs(loop!));
    report(`${c.label}, run ${run}: loop / generated`, `${(loop! / gen!).toFixed(1)}×`);
  }
}
if (sink === 0) console.log('(unreachable)');
