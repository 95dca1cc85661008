/**
 * `langfuse-cost/dashboards`: run the SQL dashboards on the ledger (chDB) or Langfuse's ClickHouse.
 * @packageDocumentation
 */
export {};
