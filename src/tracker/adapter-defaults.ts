/**
 * Where the adapters (the LangChain handler, the span processor) get a catalog and a tracker when
 * the user gives none. The core's own defaults touch no file system, so the adapters run in any
 * runtime; the Node entries install Node's (price files, the synced cache, the environment's budgets
 * and the JSONL ledger) when they load. The adapters themselves never import Node code.
 */

import type { PriceCatalog } from '../pricing/catalog.js';
import { getDefaultCatalog } from '../pricing/default-catalog.js';
import { CostTracker } from './tracker.js';

/** The catalog and tracker used when an adapter is given none. */
export interface AdapterDefaults {
  /** The catalog to price with. */
  catalog(): PriceCatalog;
  /** The tracker to record in. */
  tracker(): CostTracker;
}

let processTracker: CostTracker | null = null;

/** The bundled catalog and one in-memory tracker per process: no file, no environment. */
export const CORE_ADAPTER_DEFAULTS: AdapterDefaults = {
  catalog: getDefaultCatalog,
  tracker: () => {
    processTracker ??= new CostTracker();
    return processTracker;
  },
};

let installed: AdapterDefaults = CORE_ADAPTER_DEFAULTS;

/** @internal Install the defaults of a runtime (the Node entries install Node's when they load). */
export function installAdapterDefaults(defaults: AdapterDefaults): void {
  installed = defaults;
}

/** The defaults in force. */
export function adapterDefaults(): AdapterDefaults {
  return installed;
}
