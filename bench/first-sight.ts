/**
 * First-sight pricing: 10,000 distinct model names, each priced once (every one a memo miss, so each
 * walks the decomposition and the match-rule scans), in the bundled catalog and in the bundled catalog
 * with Langfuse's model definitions (all regex rules) layered on top. Prints the median and p99 per name.
 * Run: `node --import tsx bench/first-sight.ts` (from the sources; no build needed).
 */
import { readFileSync } from 'node:fs';
import { bundledCatalog } from '../src/pricing/bundled/index.js';
import { PriceCatalog } from '../src/pricing/catalog.js';
import { importLangfuseModels } from '../src/pricing/importers/index.js';

const BASES: [string, string | undefined][] = [
  ['gpt-4o-2024-08-06', 'openai'],
  ['claude-3-5-sonnet-20241022', 'anthropic'],
  ['gemini-2.5-pro-preview-05-06', 'google'],
  ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'aws.bedrock'],
  ['openai/gpt-4o', 'openrouter'],
  ['grok-4.5-20260101', undefined],
  ['gpt-5.6-luna-2026-01-01', undefined],
  ['mistral-large-latest', 'mistral'],
  ['my-finetune-model', undefined],
  ['accounts/fireworks/models/deepseek-v3', 'fireworks'],
];

function names(n: number): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (let i = 0; out.length < n; i++) {
    const [m, p] = BASES[i % BASES.length]!;
    // Distinct names of three kinds: unknown (full rule scan), a known name with a decoration, a case variant.
    const k = Math.floor(i / BASES.length);
    const name =
      i % 3 === 0
        ? `${m}-x${k}`
        : i % 3 === 1
          ? `${m}-${String(k).padStart(4, '0')}`
          : `${m}${'-'.repeat(k % 5)}v${k}`;
    out.push([name, p]);
  }
  return out;
}

function run(label: string, make: () => PriceCatalog): void {
  const list = names(10_000);
  const catalog = make();
  catalog.resolve('warm-up', undefined);
  const times: number[] = [];
  const t0 = performance.now();
  for (const [m, p] of list) {
    const s = process.hrtime.bigint();
    catalog.resolve(m, p);
    times.push(Number(process.hrtime.bigint() - s));
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  const q = (f: number) => (times[Math.floor(f * (times.length - 1))]! / 1000).toFixed(1);
  console.log(
    `${label}: 10k distinct names in ${total.toFixed(0)} ms; per name median ${q(0.5)} µs, p99 ${q(0.99)} µs, max ${q(1)} µs`,
  );
}

const langfuse = importLangfuseModels(
  JSON.parse(
    readFileSync(
      new URL('../tests/fixtures/prices/langfuse-default-model-prices.json', import.meta.url),
      'utf8',
    ),
  ),
);
for (let round = 0; round < 2; round++) {
  run('bundled', () => PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled', { trusted: true }));
  run('bundled + langfuse definitions (synced)', () =>
    PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled', { trusted: true }).addLayer(
      'synced',
      langfuse,
      'langfuse',
    ),
  );
}
