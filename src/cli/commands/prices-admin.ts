import { resolve } from 'node:path';
import {
  catalogHealth,
  getNodeCatalog,
  nodePriceFiles,
  skippedLayerMessage,
} from '../../node/default-catalog.js';
import { clearCache, getCacheStats } from '../../node/sync/cache.js';
import type { CatalogDiff, PriceChange } from '../../node/sync/diff.js';
import { PriceSyncError } from '../../node/sync/errors.js';
import type { RawPriceFormat } from '../../node/sync/guards.js';
import { resolveCacheDir, resolveUserPricesPath } from '../../node/sync/paths.js';
import { type SyncResult, syncPrices } from '../../node/sync/sync-prices.js';
import { setUserPrice, unsetUserPrice } from '../../node/sync/user-prices.js';
import { type CatalogModel, PRICE_KEYS, type PriceKey, type PriceSet } from '../../pricing/types.js';
import { PRICE_KEY_OF_FLAG, PRICE_LABEL } from '../../usage/buckets.js';
import { intFlag, type ParsedArgs, parseArgs, strFlag } from '../args.js';
import type { CliIO } from '../command.js';
import { CliError } from '../command.js';

function num(v: number | undefined): string {
  return v === undefined ? '—' : String(Number(v.toPrecision(12)));
}

function pricesLine(p: PriceSet): string {
  return PRICE_KEYS.filter((k) => typeof p[k] === 'number')
    .map((k) => `${PRICE_LABEL[k as PriceKey] ?? k} ${num(p[k])}`)
    .join(', ');
}

function changeText(c: PriceChange): string {
  const path = c.path.replace(/^prices\./, '').replace(/\.prices\./, ' ');
  const pretty = path.replace(
    /(^|\s|\.)([a-zA-Z0-9]+)$/,
    (_m, pre: string, k: string) => `${pre}${PRICE_LABEL[k as PriceKey] ?? k}`,
  );
  return `${pretty} ${num(c.from)} → ${num(c.to)}`;
}

function ago(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m ago`;
  return `${Math.floor(h / 24)}d ${h % 24}h ago`;
}

function listModels(title: string, sign: string, models: CatalogModel[], limit: number): string[] {
  if (models.length === 0) return [];
  const out = [`${title}:`];
  for (const m of models.slice(0, limit))
    out.push(`  ${sign} ${m.provider}/${m.id}  ${pricesLine(m.prices ?? {})}`);
  if (models.length > limit) out.push(`  … and ${models.length - limit} more (--all lists every one)`);
  return out;
}

/** The human-readable preview of a sync diff. */
export function formatDiff(diff: CatalogDiff, limit: number): string[] {
  const out: string[] = [];
  out.push(
    `  ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} no longer listed upstream, ${diff.unchanged} unchanged` +
      '  (prices in USD per 1M tokens; fees in USD)',
  );
  out.push(...listModels('Added', '+', diff.added, limit));
  if (diff.changed.length > 0) {
    out.push('Changed:');
    for (const c of diff.changed.slice(0, limit)) {
      const parts = [...c.changes.map(changeText), ...c.flags];
      out.push(`  ~ ${c.provider}/${c.id}  ${parts.join('; ')}`);
    }
    if (diff.changed.length > limit)
      out.push(`  … and ${diff.changed.length - limit} more (--all lists every one)`);
  }
  out.push(...listModels('No longer listed upstream (kept, marked deprecated)', '-', diff.removed, limit));
  return out;
}

function describeResult(r: SyncResult, limit: number): string {
  const out: string[] = [`Price sync from ${r.source === 'url' ? r.url : `${r.source} (${r.url})`}`];
  switch (r.status) {
    case 'fresh':
      out.push(
        `  The synced prices are fresh (downloaded ${r.fetchedAt ?? '?'}); nothing to do. Use --force to check now.`,
      );
      break;
    case 'not-modified':
      out.push(
        `  The source has not changed since ${r.fetchedAt ?? 'the last download'} (HTTP 304); ${r.models ?? 0} models in force.`,
      );
      break;
    default:
      if (r.diff) out.push(...formatDiff(r.diff, limit));
  }
  for (const w of r.warnings) out.push(`Warning: ${w}`);
  if (r.status === 'preview') out.push('Dry run: nothing was written.');
  if (r.status === 'updated') out.push(`Applied: ${r.models} models in the synced cache (${r.cacheDir}).`);
  if (r.status === 'unchanged') out.push(`No price changed; ${r.models} models in force.`);
  return `${out.join('\n')}\n`;
}

function diffJson(d: CatalogDiff | null) {
  if (!d) return null;
  return {
    added: d.added.map((m) => ({ id: m.id, provider: m.provider, prices: m.prices })),
    changed: d.changed,
    removed: d.removed.map((m) => ({ id: m.id, provider: m.provider })),
    unchanged: d.unchanged,
  };
}

function positiveNumberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = strFlag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`--${name} must be a positive number, got "${v}"`, 2);
  return n;
}

async function runSync(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    booleans: ['dry-run', 'force', 'all', 'json'],
    known: ['from', 'format', 'timeout', 'max-bytes', 'max-shrink'],
  });
  const format = strFlag(args, 'format');
  if (format !== undefined && !['litellm', 'genai-prices', 'langfuse', 'catalog'].includes(format)) {
    throw new CliError(`--format must be litellm, genai-prices, langfuse or catalog, got "${format}"`, 2);
  }
  const maxShrink = positiveNumberFlag(args, 'max-shrink');
  if (maxShrink !== undefined && maxShrink > 1)
    throw new CliError('--max-shrink is a ratio between 0 and 1', 2);
  const from = strFlag(args, 'from') ?? args.positionals[0];
  const timeout = intFlag(args, 'timeout', 0);
  const maxBytes = intFlag(args, 'max-bytes', 0);
  let result: SyncResult;
  try {
    result = await syncPrices({
      ...(from ? { from } : {}),
      ...(format ? { format: format as RawPriceFormat } : {}),
      env: io.env,
      dryRun: args.flags['dry-run'] === true,
      force: args.flags.force === true,
      ...(timeout ? { timeoutMs: timeout } : {}),
      ...(maxBytes ? { maxBytes } : {}),
      ...(maxShrink !== undefined ? { maxShrinkRatio: maxShrink } : {}),
    });
  } catch (err) {
    if (err instanceof PriceSyncError) {
      if (args.flags.json === true)
        io.stdout.write(
          `${JSON.stringify({ status: 'failed', reason: err.reason, message: err.message })}\n`,
        );
      io.stderr.write(`langfuse-cost prices sync: ${err.message}\nThe previous prices stay in force.\n`);
      return 1;
    }
    throw err;
  }
  if (args.flags.json === true) {
    const { catalog: _omit, diff, ...rest } = result;
    io.stdout.write(`${JSON.stringify({ ...rest, diff: diffJson(diff) }, null, 2)}\n`);
  } else {
    io.stdout.write(describeResult(result, args.flags.all === true ? Number.POSITIVE_INFINITY : 50));
  }
  return 0;
}

async function runCache(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], known: [] });
  const sub = args.positionals[0];
  const cacheDir = resolveCacheDir(io.env);
  if (sub === 'clear') {
    const removed = await clearCache({ cacheDir });
    io.stdout.write(
      removed.length > 0
        ? `Removed the synced price cache (${removed.length} file${removed.length === 1 ? '' : 's'} in ${cacheDir}).\n`
        : `No synced price cache in ${cacheDir}.\n`,
    );
    return 0;
  }
  if (sub !== 'stats') throw new CliError('use "prices cache stats" or "prices cache clear"', 2);
  // Never throws for a bad layer: a skipped file is listed below with its reason.
  const catalog = getNodeCatalog({ env: io.env, cwd: io.cwd, onWarning: () => {} });
  const health = catalogHealth(catalog);
  const stats = await getCacheStats({ cacheDir, catalog });
  if (args.flags.json === true) {
    io.stdout.write(
      `${JSON.stringify({ ...stats, layers: catalog.sources(), skippedLayers: health.skipped }, null, 2)}\n`,
    );
    return 0;
  }
  const out: string[] = [`Synced price cache: ${cacheDir}`];
  if (!stats.present) out.push('  empty — run `langfuse-cost prices sync` to fill it');
  else {
    out.push(`  source:     ${stats.source ?? '?'}${stats.url ? ` (${stats.url})` : ''}`);
    out.push(
      `  fetched at: ${stats.fetchedAt ?? '?'}${stats.ageMs !== undefined ? ` (${ago(stats.ageMs)})` : ''}`,
    );
    if (stats.checkedAt && stats.checkedAt !== stats.fetchedAt) out.push(`  checked at: ${stats.checkedAt}`);
    out.push(
      `  models:     ${stats.models ?? 0} (${stats.deprecatedModels ?? 0} deprecated, ${stats.keptModels ?? 0} kept after the source dropped them)`,
    );
    if (stats.bytes !== undefined) out.push(`  size:       ${(stats.bytes / 1024).toFixed(1)} KiB`);
  }
  if (stats.lastError)
    out.push(
      `  last failed refresh: ${stats.lastError.at}: ${stats.lastError.message.replace(/\n\s*/g, ' ').slice(0, 300)}`,
    );
  out.push('Catalog layers in force (highest first):');
  for (const s of catalog.sources())
    out.push(`  ${s.layer.padEnd(8)} ${String(s.models).padStart(6)} models  ${s.source?.name ?? ''}`);
  for (const s of health.skipped) out.push(`  ${skippedLayerMessage(s)}`);
  if (stats.resolver) {
    const r = stats.resolver;
    out.push(
      `Resolver (this process): ${r.hits} hits, ${r.misses} misses, ${r.unknown} unknown names — call getCacheStats({ catalog }) in a long-running process for live counts.`,
    );
  }
  io.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

async function runSet(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { known: [...Object.keys(PRICE_KEY_OF_FLAG), 'provider', 'file'] });
  const model = args.positionals[0];
  if (!model) throw new CliError('give the model name: prices set <model> --input <usd> --output <usd>', 2);
  const prices: PriceSet = {};
  for (const [flag, key] of Object.entries(PRICE_KEY_OF_FLAG)) {
    const v = strFlag(args, flag);
    if (v === undefined) continue;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new CliError(`--${flag} must be a non-negative number, got "${v}"`, 2);
    prices[key] = n;
  }
  if (Object.keys(prices).length === 0)
    throw new CliError('give at least one price, e.g. --input 2.5 --output 10', 2);
  const provider = strFlag(args, 'provider');
  // The user file may not exist yet, so infer the provider from the synced and bundled prices
  // (a bad layer is skipped, never thrown).
  const catalog = provider
    ? undefined
    : getNodeCatalog({ env: { ...io.env, LANGFUSE_COST_PRICES: '' }, cwd: io.cwd, onWarning: () => {} });
  const file = resolve(io.cwd, strFlag(args, 'file') ?? resolveUserPricesPath(io.env));
  const edit = await setUserPrice({
    model,
    prices,
    file,
    ...(provider ? { provider } : {}),
    ...(catalog ? { catalog } : {}),
  });
  const was = edit.previous[0];
  io.stdout.write(
    `${edit.created ? 'Created' : 'Updated'} ${edit.file}\n` +
      `  ${edit.model!.provider}/${edit.model!.id}: ${pricesLine(edit.model!.prices)}` +
      (was ? `  (was: ${pricesLine(was.prices ?? {})})` : '') +
      '\n',
  );
  if (!provider && edit.model!.provider === 'custom') {
    io.stdout.write('  The catalog does not know this model; pass --provider to set its provider.\n');
  }
  // The hint says what getNodeCatalog does with this file, from the same list of files it loads.
  const loaded = nodePriceFiles({ env: io.env, cwd: io.cwd });
  if (loaded.defaultFile === edit.file) {
    io.stdout.write(
      '  Loaded by default wherever LANGFUSE_COST_PRICES is unset (getNodeCatalog, the adapters, the CLI).\n',
    );
  } else if (!loaded.files.includes(edit.file)) {
    io.stdout.write(
      `  Add ${edit.file} to LANGFUSE_COST_PRICES where you price calls so this file is loaded.\n`,
    );
  }
  return 0;
}

async function runUnset(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, { known: ['provider', 'file'] });
  const model = args.positionals[0];
  if (!model) throw new CliError('give the model name: prices unset <model>', 2);
  const provider = strFlag(args, 'provider');
  const file = strFlag(args, 'file') ?? resolveUserPricesPath(io.env);
  const edit = await unsetUserPrice({ model, file, ...(provider ? { provider } : {}) });
  if (edit.previous.length === 0) {
    io.stderr.write(`langfuse-cost prices unset: no manual price for "${model}" in ${edit.file}\n`);
    return 1;
  }
  for (const m of edit.previous)
    io.stdout.write(`Removed ${m.provider}/${m.id} (${pricesLine(m.prices ?? {})}) from ${edit.file}\n`);
  return 0;
}

/** `prices sync|set|unset|cache …`, called by the `prices` command. */
export async function runPricesAdmin(sub: string, argv: string[], io: CliIO): Promise<number> {
  switch (sub) {
    case 'sync':
      return runSync(argv, io);
    case 'cache':
      return runCache(argv, io);
    case 'set':
      return runSet(argv, io);
    case 'unset':
      return runUnset(argv, io);
    default:
      throw new CliError(
        `unknown subcommand "prices ${sub}"; use sync, cache stats, cache clear, set or unset`,
        2,
      );
  }
}
