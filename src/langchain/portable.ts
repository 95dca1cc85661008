/**
 * `langfuse-cost/langchain` for any runtime (edge, browser, Bun, Deno): the LangChain.js callback handler.
 * @packageDocumentation
 */
// Every entry loads the root entry first, so that every module of the core is reached from every
// entry: the bundler (esbuild, code splitting) then emits the whole core as ONE shared chunk instead
// of one chunk per set of entries that reach a module, and `import 'langfuse-cost'` loads 2 files
// instead of 12 (a cold start ~5 ms shorter; bench/cold-start.ts). The core stays one instance for
// all entries. tests/package/module-graph.test.ts fails if the root's graph grows again.
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
