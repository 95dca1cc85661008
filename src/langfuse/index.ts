/**
 * `langfuse-cost/langfuse`: Langfuse mapping (cost_details / usage_details), the `@langfuse/langchain`
 * and legacy `langfuse` v3 adapters, and the public-API client.
 * @packageDocumentation
 */
// Loaded first by every entry, so the whole core is one shared chunk (why: tsup.config.ts).
import '../index.js';

export type { LangfuseDetailKey } from '../usage/buckets.js';
export { toLangfuseCostDetails, toLangfuseUsageDetails } from '../usage/details.js';
export {
  LangfuseCostAdapter,
  type LangfuseCostAdapterOptions,
} from './langchain-v5.js';
export {
  attachCostToLegacyLangfuse,
  type LangfuseV3ClientLike,
  type LegacyCostEventLike,
  LegacyLangfuseCostAdapter,
  type LegacyLangfuseCostOptions,
  type LegacyLangfuseHandlerLike,
  legacyGenerationCostFields,
} from './legacy-v3.js';
export {
  type AdaptedDefinition,
  adaptDefinition,
  buildMatchPattern,
  buildPricingTiers,
  capabilitiesFromListing,
  capabilitiesOfVersion,
  compareDefinitions,
  compileMatchPattern,
  type DiffModelDefinitionsOptions,
  diffModelDefinitions,
  excludeNames,
  findMatchingDefinition,
  type LangfuseFlatModelDefinition,
  type LangfuseModel,
  type LangfuseModelCreateBody,
  type LangfuseModelDefinition,
  type LangfusePricingSupport,
  type LangfusePricingTier,
  type LangfuseServerCapabilities,
  type ModelDefinitionDiff,
  type ModelDefinitionOptions,
  PROMPT_USAGE_PATTERN,
  patternConflicts,
  recreateBody,
  remoteDefaultPrices,
  toLangfuseModelDefinition,
  USAGE_KEYS_OF_SLOT,
} from './model-definitions.js';
export {
  type IngestionEvent,
  type IngestionResponse,
  LangfuseApiError,
  type LangfuseCredentials,
  type LangfuseObservation,
  LangfusePublicApi,
  type LangfusePublicApiOptions,
  langfuseCredentialsFromEnv,
  type ObservationQuery,
} from './public-api.js';
export {
  applyLangfuseReprice,
  buildCostUpdateEvents,
  type CostUpdateOptions,
  planLangfuseReprice,
  planReprice,
  type RepriceChange,
  type RepriceOptions,
  type RepriceOutcome,
  type RepricePlan,
  type RepriceSkip,
  repriceObservation,
  usageFromLangfuseDetails,
} from './reprice.js';
