import { closedError } from '../../errors.js';
import type { CatalogData, CatalogModel } from '../../pricing/types.js';
import { modelKey } from './diff.js';

/** Result of {@link mergeKeepingRemoved}. */
export interface MergeResult {
  /** The catalog to store: every incoming model plus every earlier model the source no longer lists. */
  data: CatalogData;
  /** Keys of the models kept although the source no longer lists them. */
  kept: string[];
}

/**
 * Merge, never delete: models the source stopped listing stay in the synced catalog, marked
 * `deprecated`, because past calls (and traces being re-priced) still need their prices.
 * A kept model that the source lists again is replaced by the source's version.
 */
export function mergeKeepingRemoved(previous: CatalogData | null, incoming: CatalogData): MergeResult {
  try {
    return mergeKeepingRemovedUnchecked(previous, incoming);
  } catch (err) {
    throw closedError(err, 'mergeKeepingRemoved');
  }
}

function mergeKeepingRemovedUnchecked(previous: CatalogData | null, incoming: CatalogData): MergeResult {
  const incomingKeys = new Set(incoming.models.map(modelKey));
  const keptModels: CatalogModel[] = [];
  for (const m of previous?.models ?? []) {
    const key = modelKey(m);
    if (incomingKeys.has(key)) continue;
    keptModels.push(m.deprecated ? m : { ...m, deprecated: true });
  }
  const data: CatalogData = {
    ...incoming,
    models: [...incoming.models, ...keptModels],
  };
  return { data, kept: keptModels.map(modelKey) };
}
