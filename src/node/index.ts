/**
 * `langfuse-cost/node`: Node-only pieces — price files, the JSONL ledger, the default tracker.
 * Loading it also installs Node's defaults for the adapters (`installNodeAdapterDefaults`).
 * @packageDocumentation
 */
// Every entry loads the root entry first, so that every module of the core is reached from every
// entry: the bundler (esbuild, code splitting) then emits the whole core as ONE shared chunk instead
// of one chunk per set of entries that reach a module, and `import 'langfuse-cost'` loads 2 files
// instead of 12 (a cold start ~5 ms shorter; bench/cold-start.ts). The core stays one instance for
// all entries. tests/package/module-graph.test.ts fails if the root's graph grows again.
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
