import { type AdapterDefaults, installAdapterDefaults } from '../tracker/adapter-defaults.js';
import { getNodeCatalog } from './default-catalog.js';
import { getDefaultTracker } from './default-tracker.js';

/** Node's adapter defaults: price files and the synced cache, the environment's budgets and ledger. */
export const NODE_ADAPTER_DEFAULTS: AdapterDefaults = {
  catalog: () => getNodeCatalog(),
  tracker: () => getDefaultTracker(),
};

/**
 * Install Node's defaults for the adapters. The Node builds of `langfuse-cost/langchain`,
 * `langfuse-cost/otel` and `langfuse-cost/node` call it when they load (package.json lists them
 * as having side effects, so bundlers keep the call).
 */
export function installNodeAdapterDefaults(): void {
  installAdapterDefaults(NODE_ADAPTER_DEFAULTS);
}
