/**
 * `langfuse-cost/node`: Node-only pieces — price files, the JSONL ledger, the default tracker.
 * Loading it also installs Node's defaults for the adapters (`installNodeAdapterDefaults`).
 * @packageDocumentation
 */
// Loaded first by every entry, so the whole core is one shared chunk (why: tsup.config.ts).
import '../index.js';
import { installNodeAdapterDefaults } from './adapter-defaults.js';

installNodeAdapterDefaults();

export { installNodeAdapterDefaults, NODE_ADAPTER_DEFAULTS } from './adapter-defaults.js';
export {
  type CatalogHealth,
  catalogHealth,
  FALLBACK_PRICE_ENV,
  getNodeCatalog,
  type NodeCatalogOptions,
  type PriceLayerStatus,
  parseFallbackPrice,
  resetNodeCatalog,
} from './default-catalog.js';
export { createTrackerFromEnv, getDefaultTracker, setDefaultTracker } from './default-tracker.js';
export {
  type EnvConfigOptions,
  type EnvTrackerConfig,
  parseBytes,
  parseThreshold,
  parseUsd,
  TRACKER_ENV_VARS,
  trackerConfigFromEnv,
} from './env-config.js';
export * from './ledger/index.js';
export {
  type LoadedPriceFile,
  type LoadPriceFileOptions,
  loadPriceFile,
  loadPriceFileSync,
  loadPriceFilesFromEnv,
  loadPriceFilesFromEnvSync,
  PRICES_ENV,
  PriceFileError,
  splitPriceFileList,
} from './price-files.js';
export * from './sync/index.js';
