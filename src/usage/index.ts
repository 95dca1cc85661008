export {
  collapseRepeated,
  extractLangChainProvidedCost,
  extractLangChainServedModel,
  extractLangChainUsage,
  extractServiceTier,
  type LangChainExtractOptions,
  type LangChainGenerationLike,
  type LangChainMessageLike,
  type LangChainProviderFamily,
  type LangChainStreamHints,
  type LangChainUsageExtraction,
  type LangChainUsageMetadataLike,
  type LangChainUsageSource,
  type LLMResultLike,
  langChainProviderFamily,
  usageFromUsageMetadata,
} from './extract-langchain.js';
export {
  DEFAULT_IMAGE_QUALITY,
  DEFAULT_IMAGE_SIZE,
  imageCall,
  type MediaCall,
  speechCall,
  transcriptionCall,
} from './extract-media.js';
export {
  extractOtelUsage,
  OTEL_ATTR,
  type OtelEmitter,
  type OtelScopeLike,
  type OtelUsageExtraction,
} from './extract-otel.js';
export * from './token-usage.js';
