import { getNodeCatalog } from '../node/default-catalog.js';
import { getDefaultTracker } from '../node/default-tracker.js';
import type { PriceCatalog } from '../pricing/catalog.js';
import type { CostRecorder } from './types.js';

/** The catalog used when none is given: the Node catalog (user files, synced cache, bundled prices). */
export function defaultCatalog(): PriceCatalog {
  return getNodeCatalog();
}

/** The tracker used when none is given: the process-wide Node tracker (env budgets, JSONL ledger). */
export function defaultTracker(): CostRecorder {
  return getDefaultTracker();
}
