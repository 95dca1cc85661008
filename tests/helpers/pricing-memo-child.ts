// Child process for tests/unit/pricing/rule-index.test.ts: run with `node --expose-gc --import tsx`.
// Prices N distinct model names (first sights: every one walks decomposition and the rule index) in
// one catalog and prints, as JSON, the largest memo sizes seen and the heap growth after the first
// and the last third (measured after gc).
import { bundledCatalog } from '../../src/pricing/bundled/index.js';
import { PriceCatalog } from '../../src/pricing/catalog.js';

const N = Number(process.argv[2] ?? 300_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};
const SHAPES = [
  (k: number) => `gpt-4o-2024-08-06-x${k}`,
  (k: number) => `claude-3-5-sonnet-${k}`,
  (k: number) => `us.anthropic.claude-3-7-sonnet-${k}-v1:0`,
  (k: number) => `openai/gpt-4o-${k}-2025-01-01`,
  (k: number) => `unknown-model-${k}`,
  (k: number) => `mistral-large-${k}-latest`,
];
const HINTS = ['openai', undefined, 'aws.bedrock', 'openrouter', undefined, 'mistral'];
const catalog = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled catalog', { trusted: true });
const maxSizes = { names: 0, scans: 0 };
let afterFirstThird = 0;
const before = heap();
for (let i = 0; i < N; i++) {
  const s = i % SHAPES.length;
  catalog.resolve(SHAPES[s]!(i), HINTS[s]);
  if (i % 1000 === 0 || i === N - 1) {
    const sizes = catalog.memoSizes();
    maxSizes.names = Math.max(maxSizes.names, sizes.names);
    maxSizes.scans = Math.max(maxSizes.scans, ...sizes.scans);
  }
  if (i === Math.floor(N / 3)) afterFirstThird = heap();
}
const end = heap();
process.stdout.write(
  JSON.stringify({
    priced: N,
    maxSizes,
    firstThird: afterFirstThird - before,
    lastTwoThirds: end - afterFirstThird,
  }),
);
