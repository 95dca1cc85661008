/**
 * What Langfuse computes from one exported OTel span (legacy/dual path of `OtelIngestionProcessor`,
 * then the ingestion schema and `calculateUsageCosts`): which cost attribute wins, the usage keys it
 * stores, and the cost it shows — provided (nothing inferred) or inferred from a model definition.
 * Only the generic vocabulary (Langfuse, GenAI semconv, OpenInference) is modelled; see ./SOURCES.md.
 */
import {
  type ApiModel,
  type CostOutcome,
  computeCost,
  filterCostDetails,
  filterUsageDetails,
  findModel,
  matchTier,
} from './rules.js';

type Attrs = Record<string, unknown>;

/** `parseJsonObjectAttribute`: absent/empty → null; non-string or non-object JSON → {}; bad JSON → null. */
function jsonObjectAttribute(attrs: Attrs, key: string): Record<string, unknown> | null {
  const raw = attrs[key];
  if (!raw) return null;
  if (typeof raw !== 'string') return {};
  try {
    const v = JSON.parse(raw);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return null;
  }
}

/** `extractCostDetails`: `langfuse.observation.cost_details`, then `gen_ai.usage.cost`, then `llm.cost.total`. */
export function extractCostDetails(attrs: Attrs): { from: string | null; value: Record<string, unknown> } {
  const lf = jsonObjectAttribute(attrs, 'langfuse.observation.cost_details');
  if (lf !== null) return { from: 'langfuse.observation.cost_details', value: lf };
  const g = attrs['gen_ai.usage.cost'];
  if (g != null && g !== '') return { from: 'gen_ai.usage.cost', value: { total: g } };
  const oi = attrs['llm.cost.total'];
  if (oi != null && oi !== '') return { from: 'llm.cost.total', value: { total: oi } };
  return { from: null, value: {} };
}

/** `extractUsageDetails` for spans outside the scope-specific paths (Langfuse JSON, else generic gen_ai/OpenInference). */
export function extractUsageDetails(attrs: Attrs): Record<string, unknown> {
  const lf = jsonObjectAttribute(attrs, 'langfuse.observation.usage_details');
  if (lf !== null) return lf;
  const raw: Record<string, number> = {};
  for (const key of Object.keys(attrs)) {
    if (
      !(
        (key.startsWith('gen_ai.usage.') && key !== 'gen_ai.usage.cost') ||
        key.startsWith('llm.token_count.')
      )
    )
      continue;
    const n = Number(attrs[key]);
    if (!Number.isNaN(n)) raw[key.replace('gen_ai.usage.', '').replace('llm.token_count.', '')] = n;
  }
  if (Object.keys(raw).length === 0) return {};
  const input = raw.prompt_tokens ?? raw.input_tokens ?? raw.prompt;
  const output = raw.completion_tokens ?? raw.output_tokens ?? raw.completion;
  const total = raw.total_tokens ?? raw.total;
  const cacheRead =
    raw['cache_read.input_tokens'] ??
    raw.cache_read_input_tokens ??
    raw.cache_read_tokens ??
    raw['details.cache_read_tokens'] ??
    raw['details.cache_read_input_tokens'] ??
    raw['prompt_details.cache_read'] ??
    raw.input_cached_tokens;
  const cacheWrite =
    raw['cache_creation.input_tokens'] ??
    raw.cache_creation_input_tokens ??
    raw.cache_write_tokens ??
    raw['details.cache_write_tokens'] ??
    raw['details.cache_creation_input_tokens'] ??
    raw['prompt_details.cache_write'] ??
    raw.input_cache_creation;
  const reasoning = raw['reasoning.output_tokens'] ?? raw['completion_details.reasoning'];
  const audioOut = raw['completion_details.audio'];
  const consumed = new Set([
    'prompt_tokens',
    'input_tokens',
    'prompt',
    'completion_tokens',
    'output_tokens',
    'completion',
    'total_tokens',
    'total',
    'cache_read.input_tokens',
    'cache_read_input_tokens',
    'cache_read_tokens',
    'details.cache_read_tokens',
    'details.cache_read_input_tokens',
    'prompt_details.cache_read',
    'input_cached_tokens',
    'cache_creation.input_tokens',
    'cache_creation_input_tokens',
    'cache_write_tokens',
    'details.cache_write_tokens',
    'details.cache_creation_input_tokens',
    'prompt_details.cache_write',
    'input_cache_creation',
    'reasoning.output_tokens',
    'completion_details.reasoning',
    'completion_details.audio',
  ]);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) if (!consumed.has(k)) out[k.replace(/^details\./, '')] = v;
  if (input !== undefined) out.input = Math.max(input - (cacheRead ?? 0) - (cacheWrite ?? 0), 0);
  if (output !== undefined) out.output = Math.max(output - (reasoning ?? 0) - (audioOut ?? 0), 0);
  if (total !== undefined) out.total = total;
  if (cacheRead !== undefined) out.input_cached_tokens = cacheRead;
  if (cacheWrite !== undefined) out.input_cache_creation = cacheWrite;
  if (reasoning !== undefined) out.output_reasoning_tokens = reasoning;
  if (audioOut !== undefined) out.output_audio_tokens = audioOut;
  return out;
}

/** `extractModelName`: the first truthy of these attributes. */
export function extractModelName(attrs: Attrs): string | null {
  for (const k of [
    'langfuse.observation.model.name',
    'gen_ai.response.model',
    'ai.model.id',
    'gen_ai.request.model',
    'llm.response.model',
    'llm.model_name',
    'model',
  ])
    if (attrs[k]) return String(attrs[k]);
  return null;
}

/** What Langfuse stores and shows for a generation span. */
export interface LangfuseView extends CostOutcome {
  /** The attribute the provided cost was read from, if any. */
  costFrom: string | null;
  usageDetails: Record<string, number>;
  model: string | null;
}

/** Langfuse's cost for one exported span, given the project's model definitions. */
export function langfuseViewOfSpan(attrs: Attrs, models: readonly ApiModel[] = []): LangfuseView {
  const cost = extractCostDetails(attrs);
  const provided = filterCostDetails(cost.value) ?? {};
  const usage = { ...(filterUsageDetails(extractUsageDetails(attrs)) ?? {}) };
  if (Object.keys(usage).length > 0 && !('total' in usage))
    usage.total = Object.values(usage).reduce((s, v) => s + v, 0);
  const model = extractModelName(attrs);
  const def = model ? findModel(models, model) : null;
  let params: Record<string, unknown> | null = null;
  try {
    params = JSON.parse(String(attrs['langfuse.observation.model.parameters'] ?? 'null'));
  } catch {
    params = null;
  }
  const tier = def ? matchTier(def, usage, { modelParameters: params }) : null;
  return {
    ...computeCost(provided, usage, tier?.prices ?? null, tier?.name ?? null),
    costFrom: Object.keys(provided).length > 0 ? cost.from : null,
    usageDetails: usage,
    model,
  };
}
