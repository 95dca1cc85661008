import { closedError, describeValue, InvalidArgumentError } from '../../errors.js';
import type { CatalogModel, ContextTier, PriceSet } from '../../pricing/types.js';

/** One price that differs between two versions of a model. */
export interface PriceChange {
  /** Where, e.g. `prices.input`, `contextTiers[>200000].prices.output`, `serviceTiers.batch.multiplier`. */
  path: string;
  /** Old value (undefined: not set before). */
  from: number | undefined;
  /** New value (undefined: no longer set). */
  to: number | undefined;
}

/** A model present on both sides whose prices or flags differ. */
export interface ModelChange {
  /** Stable key `provider/id` (plus `@validFrom` for dated versions). */
  key: string;
  /** Model id. */
  id: string;
  /** Provider id. */
  provider: string;
  /** Price changes. */
  changes: PriceChange[];
  /** Flag changes, e.g. `deprecated: false → true`, `free: true → false`. */
  flags: string[];
  /** Largest ratio new/old (or old/new) among changed prices; large values deserve a second look. */
  maxRatio: number;
}

/** What a sync changes, model by model. */
export interface CatalogDiff {
  /** Models new in the incoming data. */
  added: CatalogModel[];
  /** Models whose prices or flags changed. */
  changed: ModelChange[];
  /** Models listed last time but not any more (a sync keeps them, marked deprecated). */
  removed: CatalogModel[];
  /** Models present on both sides with identical prices. */
  unchanged: number;
}

/** Stable identity of a catalog model across syncs. */
export function modelKey(m: Pick<CatalogModel, 'id' | 'provider' | 'validFrom'>): string {
  try {
    return modelKeyUnchecked(m);
  } catch (err) {
    throw closedError(err, 'modelKey');
  }
}

function modelKeyUnchecked(m: Pick<CatalogModel, 'id' | 'provider' | 'validFrom'>): string {
  const base = `${m.provider.trim().toLowerCase()}/${m.id.trim().toLowerCase()}`;
  return m.validFrom ? `${base}@${m.validFrom}` : base;
}

function flattenPriceSet(p: PriceSet | undefined, prefix: string, out: Map<string, number>): void {
  // Only objects are price sets (Object.entries of a long string would walk every character).
  if (typeof p !== 'object' || p === null) return;
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === 'number') out.set(`${prefix}.${k}`, v);
  }
}

function flattenTiers(tiers: ContextTier[] | undefined, prefix: string, out: Map<string, number>): void {
  if (!Array.isArray(tiers)) return;
  for (const t of tiers) flattenPriceSet(t.prices, `${prefix}[>${t.above}].prices`, out);
}

/** Every price of a model as `path → value`. */
export function flattenPrices(m: CatalogModel): Map<string, number> {
  try {
    return flattenPricesUnchecked(m);
  } catch (err) {
    throw closedError(err, 'flattenPrices');
  }
}

function flattenPricesUnchecked(m: CatalogModel): Map<string, number> {
  if (typeof m !== 'object' || m === null)
    throw new InvalidArgumentError('model', `expected a catalog model, got ${describeValue(m)}`);
  const out = new Map<string, number>();
  flattenPriceSet(m.prices, 'prices', out);
  flattenTiers(m.contextTiers, 'contextTiers', out);
  const st = m.serviceTiers;
  for (const [tier, t] of Object.entries(typeof st === 'object' && st !== null ? st : {})) {
    if (typeof t !== 'object' || t === null) continue;
    const { contextTiers, ...rest } = t;
    flattenPriceSet(rest as PriceSet, `serviceTiers.${tier}`, out);
    flattenTiers(contextTiers, `serviceTiers.${tier}.contextTiers`, out);
  }
  return out;
}

/** Compare two versions of one model. Returns null when nothing billable differs. */
export function diffModel(before: CatalogModel, after: CatalogModel): ModelChange | null {
  try {
    return diffModelUnchecked(before, after);
  } catch (err) {
    throw closedError(err, 'diffModel');
  }
}

function diffModelUnchecked(before: CatalogModel, after: CatalogModel): ModelChange | null {
  const a = flattenPrices(before);
  const b = flattenPrices(after);
  const changes: PriceChange[] = [];
  let maxRatio = 1;
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const from = a.get(path);
    const to = b.get(path);
    if (from === to) continue;
    changes.push({ path, from, to });
    if (from !== undefined && to !== undefined && from > 0 && to > 0)
      maxRatio = Math.max(maxRatio, to / from, from / to);
  }
  changes.sort((x, y) => x.path.localeCompare(y.path));
  const flags: string[] = [];
  for (const f of ['free', 'deprecated'] as const) {
    const x = before[f] === true;
    const y = after[f] === true;
    if (x !== y) flags.push(`${f}: ${x} → ${y}`);
  }
  if ((before.validUntil ?? '') !== (after.validUntil ?? '')) {
    flags.push(`validUntil: ${before.validUntil ?? '—'} → ${after.validUntil ?? '—'}`);
  }
  if (changes.length === 0 && flags.length === 0) return null;
  return { key: modelKey(after), id: after.id, provider: after.provider, changes, flags, maxRatio };
}

/**
 * Diff the models listed by the previous sync against the incoming ones.
 * @param previous models that were listed upstream last time (kept-only models excluded)
 * @param incoming models the new download lists
 */
export function diffCatalogs(
  previous: readonly CatalogModel[],
  incoming: readonly CatalogModel[],
): CatalogDiff {
  try {
    return diffCatalogsUnchecked(previous, incoming);
  } catch (err) {
    throw closedError(err, 'diffCatalogs');
  }
}

function diffCatalogsUnchecked(
  previous: readonly CatalogModel[],
  incoming: readonly CatalogModel[],
): CatalogDiff {
  const prev = new Map(previous.map((m) => [modelKey(m), m]));
  const next = new Map(incoming.map((m) => [modelKey(m), m]));
  const diff: CatalogDiff = { added: [], changed: [], removed: [], unchanged: 0 };
  for (const [key, m] of next) {
    const old = prev.get(key);
    if (!old) {
      diff.added.push(m);
      continue;
    }
    const change = diffModel(old, m);
    if (change) diff.changed.push(change);
    else diff.unchanged++;
  }
  for (const [key, m] of prev) if (!next.has(key)) diff.removed.push(m);
  const byKey = (x: CatalogModel, y: CatalogModel) => modelKey(x).localeCompare(modelKey(y));
  diff.added.sort(byKey);
  diff.removed.sort(byKey);
  diff.changed.sort((x, y) => x.key.localeCompare(y.key));
  return diff;
}

/** True when a diff changes nothing. */
export function isEmptyDiff(d: CatalogDiff): boolean {
  try {
    return isEmptyDiffUnchecked(d);
  } catch (err) {
    throw closedError(err, 'isEmptyDiff');
  }
}

function isEmptyDiffUnchecked(d: CatalogDiff): boolean {
  return d.added.length === 0 && d.changed.length === 0 && d.removed.length === 0;
}
