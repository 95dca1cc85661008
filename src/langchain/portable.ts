/**
 * `langfuse-cost/langchain` for any runtime (edge, browser, Bun, Deno): the LangChain.js callback handler.
 * @packageDocumentation
 */
// Loaded first by every entry, so the whole core is one shared chunk (why: tsup.config.ts).
import '../index.js';

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
