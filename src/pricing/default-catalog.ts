import { describeValue, InvalidArgumentError } from '../errors.js';
import { bundledCatalog, bundledLayerOptions } from './bundled/index.js';
import { PriceCatalog } from './catalog.js';

let current: PriceCatalog | null = null;

/**
 * The process-wide default catalog: the bundled prices only (no file or network access, so it works
 * in every runtime). Node users get user files and the synced cache on top with `getNodeCatalog()`
 * from `langfuse-cost/node`. Built on first use.
 */
export function getDefaultCatalog(): PriceCatalog {
  if (!current)
    current = PriceCatalog.fromData(bundledCatalog, 'bundled', 'bundled catalog', bundledLayerOptions());
  return current;
}

/**
 * Replace the process-wide default catalog (e.g. with one that has your overrides).
 * @throws {InvalidArgumentError} when `catalog` is not a `PriceCatalog`.
 */
export function setDefaultCatalog(catalog: PriceCatalog): void {
  let ok = false;
  try {
    ok = catalog instanceof PriceCatalog;
  } catch {
    // a Proxy whose getPrototypeOf trap throws
  }
  if (!ok)
    throw new InvalidArgumentError('catalog', `expected a PriceCatalog, got ${describeValue(catalog)}`);
  current = catalog;
}
