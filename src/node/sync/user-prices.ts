import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LangfuseCostError } from '../../errors.js';
import type { PriceCatalog } from '../../pricing/catalog.js';
import type { CatalogData, CatalogModel, PriceSet } from '../../pricing/types.js';
import { validateCatalog } from '../../pricing/validate.js';
import { writeFileAtomic } from './atomic-write.js';
import { type Env, resolveUserPricesPath } from './paths.js';

type YamlModule = { parse(text: string): unknown; stringify(value: unknown): string };

const isYaml = (path: string) => ['.yaml', '.yml'].includes(extname(path).toLowerCase());

async function loadYaml(path: string): Promise<YamlModule> {
  try {
    return (await import('yaml')) as unknown as YamlModule;
  } catch {
    throw new LangfuseCostError(
      'YAML_UNAVAILABLE',
      `${path} is YAML; install the "yaml" package to edit it, or use a .json file`,
    );
  }
}

/** Read the user's price file in our catalog format; an absent file is an empty catalog. */
async function readUserFile(path: string): Promise<{ data: CatalogData; exists: boolean }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { data: { version: 1, source: { name: 'user' }, models: [] }, exists: false };
    }
    throw new LangfuseCostError('PRICE_FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let raw: unknown;
  try {
    raw = isYaml(path) ? (await loadYaml(path)).parse(text) : JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new LangfuseCostError('PRICE_FILE_PARSE', `cannot parse ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const o = raw as Partial<CatalogData> | null;
  if (!o || typeof o !== 'object' || o.version !== 1 || !Array.isArray(o.models)) {
    throw new LangfuseCostError(
      'PRICE_FILE_FORMAT',
      `${path} is not in the langfuse-cost catalog format ({"version": 1, "models": [...]}); ` +
        'prices set/unset only edit files in that format. Point LANGFUSE_COST_PRICES at such a file first.',
    );
  }
  return { data: validateCatalog(o, path), exists: true };
}

async function writeUserFile(path: string, data: CatalogData): Promise<void> {
  validateCatalog(data, path);
  const text = isYaml(path) ? (await loadYaml(path)).stringify(data) : `${JSON.stringify(data, null, 2)}\n`;
  await writeFileAtomic(path, text);
}

const sameId = (m: CatalogModel, id: string, provider?: string) =>
  m.id.toLowerCase() === id.toLowerCase() &&
  (provider === undefined || m.provider.toLowerCase() === provider.toLowerCase());

/** Options of {@link setUserPrice}. */
export interface SetUserPriceOptions {
  /** Model name as it appears in calls (it becomes the entry's id; dated and prefixed variants resolve to it). */
  model: string;
  /** Provider id; default: the provider the catalog resolves the name to, else `custom`. */
  provider?: string;
  /** Prices in USD per 1M tokens (fees in USD per unit). They replace the entry's prices as a whole. */
  prices: PriceSet;
  /** The file to edit (default {@link resolveUserPricesPath}). */
  file?: string;
  /** Environment used to find the file. */
  env?: Env;
  /** Catalog used to infer the provider. */
  catalog?: PriceCatalog;
}

/** What {@link setUserPrice} / {@link unsetUserPrice} changed. */
export interface UserPriceEdit {
  /** The file edited. */
  file: string;
  /** The file did not exist before. */
  created: boolean;
  /** Entries before the edit (replaced or removed). */
  previous: CatalogModel[];
  /** The entry written (set only). */
  model?: CatalogModel;
}

/**
 * Add or replace a manual price in the user's price file (written atomically). User files are the
 * `user` layer of the catalog, so these prices win over synced and bundled ones.
 */
export async function setUserPrice(options: SetUserPriceOptions): Promise<UserPriceEdit> {
  const file = options.file ?? resolveUserPricesPath(options.env ?? process.env);
  const id = options.model.trim();
  if (id === '') throw new LangfuseCostError('INVALID_ARGUMENT', 'give the model name to price');
  if (Object.keys(options.prices).length === 0) {
    throw new LangfuseCostError('INVALID_ARGUMENT', 'give at least one price, e.g. --input 2.5 --output 10');
  }
  const resolved = options.provider ? undefined : options.catalog?.resolve(id);
  const provider = options.provider ?? resolved?.group.provider ?? 'custom';
  const { data, exists } = await readUserFile(file);
  const previous = data.models.filter((m) => sameId(m, id, provider));
  const model: CatalogModel = { id, provider, prices: { ...options.prices } };
  const models = data.models.filter((m) => !sameId(m, id, provider));
  models.push(model);
  await writeUserFile(file, { ...data, models });
  return { file, created: !exists, previous, model };
}

/** Remove manual prices of a model (all providers unless `provider` is given) from the user's price file. */
export async function unsetUserPrice(options: {
  model: string;
  provider?: string;
  file?: string;
  env?: Env;
}): Promise<UserPriceEdit> {
  const file = options.file ?? resolveUserPricesPath(options.env ?? process.env);
  const { data } = await readUserFile(file);
  const id = options.model.trim();
  const previous = data.models.filter((m) => sameId(m, id, options.provider));
  if (previous.length > 0) {
    await writeUserFile(file, {
      ...data,
      models: data.models.filter((m) => !sameId(m, id, options.provider)),
    });
  }
  return { file, created: false, previous };
}
