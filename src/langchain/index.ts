/**
 * `langfuse-cost/langchain`: the LangChain.js callback handler.
 * @packageDocumentation
 */
export {};
