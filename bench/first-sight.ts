/**
 * First-sight pricing: model names this process has never seen, each priced once, by us and by
 * `@pydantic/genai-prices`' `calcPrice` on the SAME names in the same run. Every round draws 10,000
 * names no earlier round had (so each is a miss of our name memo and walks decomposition, exact
 * lookups and the match-rule index); ours and the peer's batches alternate, who goes first swapping
 * each round, so a slow patch of the shared machine lands on both. The peer keeps no memo: every call
 * is a first sight for it.
 *
 * Printed per side, over the rounds: the median per name (each call timed alone, wall clock) and the
 * CPU time per name (the process's CPU time over the round, every thread, divided by its names: it
 * includes garbage collection and the timer, and not the time a loaded machine keeps the process
 * waiting), with the spread, both ratios pairwise per round, and the share of wall time spent in GC.
 * A second line prices the same kind of names with Langfuse's model definitions (all regex rules)
 * layered on the bundled catalog (ours only: the peer has no such layer).
 *
 * Run: `npm run bench -- first-sight`, or `node --import tsx bench/first-sight.ts [rounds=5]`.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { calcPrice } from '@pydantic/genai-prices';
import { bundledCatalog } from '../src/pricing/bundled/index.js';
import { PriceCatalog } from '../src/pricing/catalog.js';
import { importLangfuseModels } from '../src/pricing/importers/index.js';
import { WORKLOAD } from './shared/pricing-workload.js';
import { fmtSpread, header, spread } from './util.js';

const ROUNDS = Math.max(3, Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5));
/** Distinct names per round and side. */
const NAMES = 10_000;
/** Letters a workload name needs for its case variants to stay distinct over every round. */
const MIN_LETTERS = 16;
/** Goal of issue 17: first-sight resolution faster than genai-prices on the same names. */
const GOAL_RATIO = 1;

// [model as it arrives, our provider hint, genai-prices' providerId]
const BASES: [string, string | undefined, string | undefined][] = [
  ['gpt-4o-2024-08-06', 'openai', 'openai'],
  ['claude-3-5-sonnet-20241022', 'anthropic', 'anthropic'],
  ['gemini-2.5-pro-preview-05-06', 'google', 'google'],
  ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'aws.bedrock', 'aws'],
  ['openai/gpt-4o', 'openrouter', 'openrouter'],
  ['grok-4.5-20260101', undefined, undefined],
  ['gpt-5.6-luna-2026-01-01', undefined, undefined],
  ['mistral-large-latest', 'mistral', 'mistral'],
  ['my-finetune-model', undefined, undefined],
  ['accounts/fireworks/models/deepseek-v3', 'fireworks', 'fireworks'],
];

type Name = [model: string, hint: string | undefined, providerId: string | undefined];

/**
 * `n` distinct real ids from `start` on: the names of `bench/pricing.ts`' workload with the case of
 * their letters varied (the bits of a counter say which letters are upper case). Both sides lower-case
 * names, so these resolve as the real names do, yet each is a first sight.
 */
function realIds(start: number, n: number): Name[] {
  const bases = WORKLOAD.filter(([m]) => m.replace(/[^a-z]/gi, '').length >= MIN_LETTERS);
  const out: Name[] = [];
  for (let i = start; out.length < n; i++) {
    const [m, p, g] = bases[i % bases.length]!;
    let k = Math.floor(i / bases.length) + 1;
    let name = '';
    for (const ch of m) {
      if (/[a-z]/i.test(ch)) {
        name += k & 1 ? ch.toUpperCase() : ch.toLowerCase();
        k >>= 1;
      } else name += ch;
    }
    out.push([name, p, g]);
  }
  return out;
}

/** `n` distinct synthetic names from `start` on: unknown ones (full scans), decorated known ones. */
function synthetic(start: number, n: number): Name[] {
  const out: Name[] = [];
  for (let i = start; out.length < n; i++) {
    const [m, p, g] = BASES[i % BASES.length]!;
    const k = Math.floor(i / BASES.length);
    const name =
      i % 3 === 0
        ? `${m}-x${k}`
        : i % 3 === 1
          ? `${m}-${String(k).padStart(4, '0')}`
          : `${m}${'-'.repeat(k % 5)}v${k}`;
    out.push([name, p, g]);
  }
  return out;
}

// GC pauses, attributed to the side whose batch was running when they started.
const gcs: { start: number; duration: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, duration: e.duration });
});
observer.observe({ entryTypes: ['gc'] });

interface Batch {
  medianUs: number;
  /** CPU time of the process over the batch, per name (GC and its helper threads included). */
  cpuUs: number;
  from: number;
  to: number;
}

function batch(list: Name[], price: (n: Name) => void): Batch {
  const times = new Float64Array(list.length);
  const c0 = process.cpuUsage();
  const from = performance.now();
  for (let i = 0; i < list.length; i++) {
    const s = performance.now();
    price(list[i]!);
    times[i] = performance.now() - s;
  }
  const to = performance.now();
  const c = process.cpuUsage(c0);
  times.sort();
  return { medianUs: times[times.length >> 1]! * 1000, cpuUs: (c.user + c.system) / list.length, from, to };
}

const ours = (c: PriceCatalog) => (n: Name) => {
  c.resolve(n[0], n[1]);
};
const peer = (n: Name) => {
  try {
    calcPrice({ input_tokens: 1000, output_tokens: 300 }, n[0], n[2] ? { providerId: n[2] } : undefined);
  } catch {
    /* unknown model or provider */
  }
};
// The peer without provider ids (it then matches the name against every provider): faster for it.
const peerNoHint = (n: Name) => {
  try {
    calcPrice({ input_tokens: 1000, output_tokens: 300 }, n[0]);
  } catch {
    /* unknown model */
  }
};

const gcShare = (bs: Batch[]) => {
  let gc = 0;
  let all = 0;
  for (const b of bs) {
    all += b.to - b.from;
    for (const g of gcs) if (g.start >= b.from && g.start < b.to) gc += g.duration;
  }
  return `${((100 * gc) / all).toFixed(0)}%`;
};
const line = (label: string, bs: Batch[]) => {
  console.log(`  ${label} median per name ${fmtSpread(spread(bs.map((b) => b.medianUs)))}`);
  console.log(
    `  ${' '.repeat(label.length)} CPU per name    ${fmtSpread(spread(bs.map((b) => b.cpuUs)))}; GC ${gcShare(bs)} of the wall time`,
  );
};

header('first-sight pricing: names never seen before, vs @pydantic/genai-prices calcPrice');
const catalog = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled', { trusted: true });
// Warm-up: both sides' code compiled, our rule index built (names no round uses).
const warm = [...realIds(1_000_000, 1_000), ...synthetic(10_000_000, 1_000)];
batch(warm, ours(catalog));
batch(warm, peer);
batch(warm, peerNoHint);

const ratio = (label: string, mine: Batch[], peerBatches: Batch[]) => {
  const mean = spread(mine.map((m, i) => m.cpuUs / peerBatches[i]!.cpuUs));
  const median = spread(mine.map((m, i) => m.medianUs / peerBatches[i]!.medianUs));
  console.log(
    `  ratio ours / ${label}, pairwise per round: CPU ${mean.median.toFixed(2)}× (${mean.min.toFixed(2)}–${mean.max.toFixed(2)}), median ${median.median.toFixed(2)}× (${median.min.toFixed(2)}–${median.max.toFixed(2)})`,
  );
  return Math.max(mean.median, median.median);
};

/** Rounds of one kind of names, all three sides on the same names, rotating who goes first. */
async function compare(title: string, make: (start: number, n: number) => Name[]): Promise<number> {
  const mine: Batch[] = [];
  const theirs: Batch[] = [];
  const theirsNoHint: Batch[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const list = make(r * NAMES, NAMES);
    const sides: [Batch[], (n: Name) => void][] = [
      [mine, ours(catalog)],
      [theirs, peer],
      [theirsNoHint, peerNoHint],
    ];
    for (let k = 0; k < sides.length; k++) {
      const [out, price] = sides[(r + k) % sides.length]!;
      out.push(batch(list, price));
    }
  }
  // Let the observer deliver the last GC entries.
  await new Promise((resolve) => setTimeout(resolve, 50));
  console.log(`\n  ${title}`);
  line('langfuse-cost resolve   ', mine);
  line('genai-prices calcPrice  ', theirs);
  line('… without providerId    ', theirsNoHint);
  return Math.max(ratio('peer', mine, theirs), ratio('peer without providerId', mine, theirsNoHint));
}

console.log(
  `  ${ROUNDS} rounds of ${NAMES.toLocaleString('en-US')} distinct names per kind, the same names for every side, rotating who goes first; load average ${loadavg()[0]!.toFixed(1)}`,
);
const worst = Math.max(
  await compare(
    `real ids: case variants of ${WORKLOAD.length} workload names with ≥ ${MIN_LETTERS} letters (bench/shared/pricing-workload.ts)`,
    realIds,
  ),
  await compare('synthetic: decorated or unknown ids (a third unknown to both: full scans)', synthetic),
);
console.log(
  `\n  goal: faster than the peer, both kinds, with or without its providerId (ratios < ${GOAL_RATIO}): ${worst < GOAL_RATIO ? 'met' : 'MISSED'}`,
);
const stats = catalog.stats();
console.log(`  our name memo after the rounds: ${stats.memoised.toLocaleString('en-US')} names (bounded)`);

// Langfuse's model definitions (regex rules only) on top of the bundled catalog: ours only.
const langfuse = importLangfuseModels(
  JSON.parse(
    readFileSync(
      new URL('../tests/fixtures/prices/langfuse-default-model-prices.json', import.meta.url),
      'utf8',
    ),
  ),
);
const layered = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled', { trusted: true }).addLayer(
  'synced',
  langfuse,
  'langfuse',
);
batch(warm, ours(layered));
const withLangfuse: Batch[] = [];
for (let r = 0; r < ROUNDS; r++) withLangfuse.push(batch(synthetic(r * NAMES, NAMES), ours(layered)));
console.log("\n  synthetic ids, with Langfuse's model definitions layered on (ours only)");
line('langfuse-cost resolve   ', withLangfuse);
observer.disconnect();
