import { getContextVariable, registerConfigureHook, setContextVariable } from '@langchain/core/context';
import { closedError } from '../errors.js';
import { CostCallbackHandler, type CostCallbackHandlerOptions } from './cost-callback-handler.js';

/** Name of the LangChain context variable holding the process-wide handler. */
export const COST_HANDLER_CONTEXT_VAR = 'langfuse_cost_handler';

// Configure hooks live in LangChain's async context, like the variable; this marker says whether
// the current context already has ours.
const HOOK_MARKER = 'langfuse_cost_handler_hook';

/**
 * Use one {@link CostCallbackHandler} for every LangChain run started from the current async
 * context on (call it once at startup, before any chain runs), without passing `callbacks` to each
 * call. Uses LangChain's configure hooks; a handler also passed per call is not added twice.
 * Returns the handler (a new one built from `handlerOrOptions` when options are given).
 *
 * @example
 * ```ts
 * const handler = registerCostCallbackHandler({ attribution: { environment: 'production' } });
 * await chain.invoke(input); // priced and recorded
 * handler.tracker.stats();
 * ```
 */
export function registerCostCallbackHandler(
  handlerOrOptions: CostCallbackHandler | CostCallbackHandlerOptions = {},
): CostCallbackHandler {
  try {
    return registerCostCallbackHandlerUnchecked(handlerOrOptions);
  } catch (err) {
    throw closedError(err, 'registerCostCallbackHandler');
  }
}

function registerCostCallbackHandlerUnchecked(
  handlerOrOptions: CostCallbackHandler | CostCallbackHandlerOptions = {},
): CostCallbackHandler {
  const handler =
    handlerOrOptions instanceof CostCallbackHandler
      ? handlerOrOptions
      : new CostCallbackHandler(handlerOrOptions);
  if (getContextVariable(HOOK_MARKER) !== true) {
    registerConfigureHook({ contextVar: COST_HANDLER_CONTEXT_VAR, inheritable: true });
    setContextVariable(HOOK_MARKER, true);
  }
  setContextVariable(COST_HANDLER_CONTEXT_VAR, handler);
  return handler;
}

/** Stop using the handler registered with {@link registerCostCallbackHandler} in the current async context. */
export function unregisterCostCallbackHandler(): void {
  try {
    unregisterCostCallbackHandlerUnchecked();
  } catch (err) {
    throw closedError(err, 'unregisterCostCallbackHandler');
  }
}

function unregisterCostCallbackHandlerUnchecked(): void {
  setContextVariable(COST_HANDLER_CONTEXT_VAR, undefined);
}
