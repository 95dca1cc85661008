/**
 * `langfuse-cost/langfuse`: Langfuse mapping (cost_details / usage_details), the legacy
 * `langfuse` v3 client adapter and the public-API client.
 * @packageDocumentation
 */
export { toLangfuseCostDetails, toLangfuseUsageDetails, type LangfuseDetailKey } from './cost-details.js';
