/**
 * `langfuse-cost/node`: Node-only pieces — price files, the JSONL ledger, the default tracker.
 * @packageDocumentation
 */
export {};
