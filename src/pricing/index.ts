export { canonicalProvider, isLocalEndpoint, SELF_HOSTED_PROVIDERS } from '../usage/providers.js';
export { type CostQuery, calculateCost, parseServiceTier } from './calculator.js';
export {
  LAYER_ORDER,
  type LayerOptions,
  type ListFilter,
  type ModelGroup,
  PriceCatalog,
  type PriceCatalogOptions,
  type ResolvedPrice,
} from './catalog.js';
export type { CostBreakdown, CostResult, CostSource, ResolutionTrace } from './cost-result.js';
export { getDefaultCatalog, setDefaultCatalog } from './default-catalog.js';
export {
  detectPriceFormat,
  type ImportAnyOptions,
  type ImportOptions,
  type ImportStats,
  importAny,
  importGenaiPrices,
  importLangfuseModels,
  importLiteLLM,
  type PriceFormat,
} from './importers/index.js';
export { MAX_MATCHED_NAME_LENGTH } from './match-rules.js';
export { type DecomposedName, decomposeModelName, type NameCandidate } from './model-name.js';
export {
  type CostSum,
  formatUsd,
  PICO_PER_USD,
  picoToDecimalString,
  picoToUsd,
  sumCosts,
  usdToPico,
} from './money.js';
export {
  compileSafeRegex,
  type RegexRejection,
  regexRejection,
  SafeRegex,
  type SafeRegexResult,
} from './regex/index.js';
export * from './types.js';
export { collectCatalogIssues, MAX_PRICE, validateCatalog } from './validate.js';
