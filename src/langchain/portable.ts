/**
 * `langfuse-cost/langchain` for any runtime (edge, browser, Bun, Deno): the LangChain.js callback handler.
 * @packageDocumentation
 */
export {
  attributionFromLangChain,
  attributionFromRunMetadata,
  isLangChainInternalTag,
  type RunMetadata,
  readRunMetadata,
} from './attribution.js';
export {
  CostCallbackHandler,
  type CostCallbackHandlerOptions,
  type CostEvent,
} from './cost-callback-handler.js';
export {
  COST_HANDLER_CONTEXT_VAR,
  registerCostCallbackHandler,
  unregisterCostCallbackHandler,
} from './register.js';
