import { closedError } from '../errors.js';
import { addUnitCounts, UNIT_BUCKET_OF_LANGFUSE_KEY, type UnitCounts } from './extract-media.js';
import { canonicalProvider } from './providers.js';
import { type ServiceTier, serviceTierOf } from './service-tiers.js';
import { smallCount } from './token-count.js';
import { emptyUsage, MAX_TOKENS_PER_BUCKET, type TokenUsage } from './token-usage.js';

/**
 * Token usage, model and provider from OpenTelemetry span attributes, whoever emitted the span:
 * the GenAI semantic conventions (old and new names), the Vercel AI SDK, OpenLLMetry (Traceloop),
 * OpenInference, OpenLIT and Langfuse. Pure and allocation-light: every read is a direct property
 * lookup on the attribute object, so a span with no LLM attribute costs a handful of misses.
 *
 * Does the input count include cache tokens? Emitters disagree, so the decision is made per
 * emitter and provider (facts: research/otel-langchain.md §0.4, §2):
 *
 * | emitter / source                                   | provider            | input includes cache? |
 * |----------------------------------------------------|---------------------|-----------------------|
 * | Langfuse `usage_details` (Langfuse keys)           | any                 | no (keys are disjoint) |
 * | Langfuse `usage_details`, OpenAI-shaped object     | any                 | yes                    |
 * | Vercel AI SDK with `inputTokenDetails.noCacheTokens` (ai ≥ 6.0.119) | any | uses noCache as is   |
 * | Vercel AI SDK without it (ai 4, 5, ≤ 6.0.118)      | `anthropic.*`       | no                     |
 * | Vercel AI SDK without it                           | others              | yes                    |
 * | OpenLLMetry `@traceloop/instrumentation-anthropic` ≤ 0.27.x | anthropic  | no                     |
 * | OpenLIT                                            | anthropic           | no                     |
 * | OpenInference                                      | anthropic           | no                     |
 * | everything else (GenAI semconv "SHOULD include")   | any                 | yes                    |
 * | any emitter, when cache_read + cache_write > input |                     | no (certain)           |
 *
 * Reasoning and audio output are treated the same way against the output count (subsets unless
 * they exceed it); AI SDK `outputTokenDetails.textTokens` is used as is when present.
 */

/** Which instrumentation vocabulary a span speaks. */
export type OtelEmitter = 'langfuse' | 'ai-sdk' | 'openinference' | 'openllmetry' | 'openlit' | 'genai';

/** The instrumentation scope of a span (`span.instrumentationScope`). */
export interface OtelScopeLike {
  /** Tracer name, e.g. `ai`, `langfuse-sdk`, `@traceloop/instrumentation-anthropic`. */
  name: string;
  /** Tracer version. */
  version?: string;
}

/** What {@link extractOtelUsage} found on one span. */
export interface OtelUsageExtraction {
  /** Vocabulary the span was read as. */
  emitter: OtelEmitter;
  /**
   * True for a leaf inference span (chat / completion / generate_content / embeddings / generation)
   * that carries usage. False for agent, chain, workflow, tool and wrapper spans, which repeat
   * their children's usage, and for spans without usage.
   */
  billable: boolean;
  /** Why the span is not billable, or why its usage could not be read. */
  reason?: string;
  /** Model to price (response model first, then request model). */
  model?: string;
  /** Provider hint as emitted (resolved by the pricing catalog). */
  provider?: string;
  /** Disjoint usage, when the span carries any. */
  usage?: TokenUsage;
  /** A cost already on the span, USD (first of Langfuse cost_details total, gen_ai.usage.cost.amount, gen_ai.usage.cost, llm.cost.total). */
  providedCost?: number;
  /** The attribute {@link providedCost} came from. */
  providedCostAttribute?: string;
  /** Service tier reported by the span (OpenAI `service_tier`), when it maps to a known tier. */
  serviceTier?: ServiceTier;
  /** The span already has `langfuse.observation.usage_details`. */
  hasUsageDetails: boolean;
  /** Whether the raw input count was read as including cache tokens (undefined when it did not matter). */
  inputIncludedCache?: boolean;
  /** A usage attribute was present but unusable (NaN, negative, fractional, absurd or not a number). */
  invalid?: string;
}

/**
 * Attribute names, grouped by vocabulary (exported as {@link OTEL_ATTR}). A string enum because the
 * build inlines its members: `a[A.INPUT]` compiles to `a['gen_ai.usage.input_tokens']`, a named
 * property read. Read through a table object instead, every read was a keyed one, and with spans of
 * several shapes (attribute sets) V8's megamorphic keyed read searches the object and its prototype
 * for each of the ~50 names an LLM span is checked for; a megamorphic named read is one stub-cache
 * probe (about 3.5k of the processor's 13k instructions a span with five shapes in rotation).
 */
enum A {
  // GenAI semantic conventions
  OPERATION = 'gen_ai.operation.name',
  PROVIDER = 'gen_ai.provider.name',
  SYSTEM = 'gen_ai.system',
  REQUEST_MODEL = 'gen_ai.request.model',
  RESPONSE_MODEL = 'gen_ai.response.model',
  INPUT = 'gen_ai.usage.input_tokens',
  PROMPT = 'gen_ai.usage.prompt_tokens',
  OUTPUT = 'gen_ai.usage.output_tokens',
  COMPLETION = 'gen_ai.usage.completion_tokens',
  CACHE_READ = 'gen_ai.usage.cache_read.input_tokens',
  CACHE_WRITE = 'gen_ai.usage.cache_write.input_tokens',
  CACHE_CREATION = 'gen_ai.usage.cache_creation.input_tokens',
  REASONING = 'gen_ai.usage.reasoning.output_tokens',
  AUDIO_INPUT = 'gen_ai.usage.audio.input_tokens',
  IMAGE_INPUT = 'gen_ai.usage.image.input_tokens',
  AUDIO_OUTPUT = 'gen_ai.usage.audio.output_tokens',
  TOTAL = 'gen_ai.usage.total_tokens',
  COST = 'gen_ai.usage.cost',
  COST_AMOUNT = 'gen_ai.usage.cost.amount',
  // OpenLLMetry / OpenLIT spellings
  CACHE_READ_OLD = 'gen_ai.usage.cache_read_input_tokens',
  CACHE_CREATION_OLD = 'gen_ai.usage.cache_creation_input_tokens',
  CACHE_READ_DETAILS = 'gen_ai.usage.prompt_tokens_details.cache_read',
  CACHE_WRITE_DETAILS = 'gen_ai.usage.prompt_tokens_details.cache_write',
  REASONING_OLD = 'gen_ai.usage.reasoning_tokens',
  REASONING_DETAILS = 'gen_ai.usage.completion_tokens_details.reasoning',
  LLM_TOTAL = 'llm.usage.total_tokens',
  LLM_REQUEST_TYPE = 'llm.request.type',
  TRACELOOP_KIND = 'traceloop.span.kind',
  TELEMETRY_SDK = 'telemetry.sdk.name',
  // Vercel AI SDK
  AI_OPERATION_ID = 'ai.operationId',
  AI_MODEL_ID = 'ai.model.id',
  AI_MODEL_PROVIDER = 'ai.model.provider',
  AI_RESPONSE_MODEL = 'ai.response.model',
  AI_INPUT = 'ai.usage.inputTokens',
  AI_PROMPT = 'ai.usage.promptTokens',
  AI_OUTPUT = 'ai.usage.outputTokens',
  AI_COMPLETION = 'ai.usage.completionTokens',
  AI_NO_CACHE = 'ai.usage.inputTokenDetails.noCacheTokens',
  AI_CACHE_READ = 'ai.usage.inputTokenDetails.cacheReadTokens',
  AI_CACHED_INPUT = 'ai.usage.cachedInputTokens',
  AI_CACHE_WRITE = 'ai.usage.inputTokenDetails.cacheWriteTokens',
  AI_TEXT_OUTPUT = 'ai.usage.outputTokenDetails.textTokens',
  AI_REASONING_DETAILS = 'ai.usage.outputTokenDetails.reasoningTokens',
  AI_REASONING = 'ai.usage.reasoningTokens',
  AI_TOTAL = 'ai.usage.totalTokens',
  AI_TOKENS = 'ai.usage.tokens',
  AI_PROVIDER_METADATA = 'ai.response.providerMetadata',
  // OpenInference
  OI_KIND = 'openinference.span.kind',
  OI_MODEL = 'llm.model_name',
  OI_RESPONSE_MODEL = 'llm.response.model_name',
  OI_REQUEST_MODEL = 'llm.request.model_name',
  OI_EMBEDDING_MODEL = 'embedding.model_name',
  OI_PROVIDER = 'llm.provider',
  OI_SYSTEM = 'llm.system',
  OI_PROMPT = 'llm.token_count.prompt',
  OI_COMPLETION = 'llm.token_count.completion',
  OI_TOTAL = 'llm.token_count.total',
  OI_CACHE_READ = 'llm.token_count.prompt_details.cache_read',
  OI_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write',
  OI_AUDIO_INPUT = 'llm.token_count.prompt_details.audio',
  OI_REASONING = 'llm.token_count.completion_details.reasoning',
  OI_AUDIO_OUTPUT = 'llm.token_count.completion_details.audio',
  OI_COST_TOTAL = 'llm.cost.total',
  LLM_RESPONSE_MODEL = 'llm.response.model',
  // Langfuse
  LF_TYPE = 'langfuse.observation.type',
  LF_MODEL = 'langfuse.observation.model.name',
  LF_USAGE_DETAILS = 'langfuse.observation.usage_details',
  LF_COST_DETAILS = 'langfuse.observation.cost_details',
  // OpenAI service tier
  OPENAI_RESPONSE_TIER = 'openai.response.service_tier',
  OPENAI_REQUEST_TIER = 'openai.request.service_tier',
  OPENAI_RESPONSE_TIER_OLD = 'gen_ai.openai.response.service_tier',
  OPENAI_REQUEST_TIER_OLD = 'gen_ai.openai.request.service_tier',
}

/** Attribute names, grouped by vocabulary. Exported for writers and tests. */
export const OTEL_ATTR: { readonly [K in keyof typeof A]: `${(typeof A)[K]}` } = A;

type Attrs = Readonly<Record<string, unknown>>;

/** GenAI operations that are one model call. */
const BILLABLE_OPERATIONS: ReadonlySet<string> = new Set([
  'chat',
  'text_completion',
  'completion',
  'generate_content',
  'generate',
  'embeddings',
  'embedding',
]);

/** OpenLLMetry `llm.request.type` values that are one model call. */
const BILLABLE_REQUEST_TYPES: ReadonlySet<string> = new Set(['chat', 'completion', 'embedding']);

/** Result for spans that carry nothing for us; shared so non-LLM spans allocate nothing. */
const NOT_LLM: OtelUsageExtraction = Object.freeze({
  emitter: 'genai',
  billable: false,
  reason: 'no LLM attributes',
  hasUsageDetails: false,
}) as OtelUsageExtraction;

/** Raw counts as emitted; -1 means absent. One object per LLM span, monomorphic. */
class RawCounts {
  input = -1;
  output = -1;
  cacheRead = -1;
  cacheWrite = -1;
  cacheWrite1h = -1;
  noCache = -1;
  textOutput = -1;
  reasoning = -1;
  inputAudio = -1;
  inputImage = -1;
  outputAudio = -1;
  total = -1;
  /** Seconds of audio, characters, images (`input_audio_seconds`, … in Langfuse usage details). */
  units: UnitCounts | undefined = undefined;
  /** Input already excludes cache (Langfuse keys). */
  disjoint = false;
  /** Input certainly includes cache (OpenAI-shaped usage). */
  inclusive = false;
  bad: string | undefined = undefined;
  found = false;
  /** Set by {@link toDisjoint}: whether the input count was read as including cache (undefined when it did not matter). */
  inputIncludedCache: boolean | undefined = undefined;

  /** Back to all-absent (one scratch instance is reused: extraction is synchronous and calls out to nothing). */
  reset(): this {
    this.input = -1;
    this.output = -1;
    this.cacheRead = -1;
    this.cacheWrite = -1;
    this.cacheWrite1h = -1;
    this.noCache = -1;
    this.textOutput = -1;
    this.reasoning = -1;
    this.inputAudio = -1;
    this.inputImage = -1;
    this.outputAudio = -1;
    this.total = -1;
    this.units = undefined;
    this.disjoint = false;
    this.inclusive = false;
    this.bad = undefined;
    this.found = false;
    this.inputIncludedCache = undefined;
    return this;
  }

  /**
   * One count from a value the caller loaded (`r.take(a[KEY], KEY)`: the property load stays at the
   * call site, so each has its own inline cache). Absent → -1; unusable → -1 and `bad` set.
   */
  take(v: unknown, key: string): number {
    if (v === undefined || v === null) return -1;
    return this.check(v, key);
  }

  check(v: unknown, key: string): number {
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string' && v.length > 0 && v.length < 16) n = Number(v);
    else {
      this.bad ??= `${key} is not a number (${typeof v})`;
      return -1;
    }
    if (Number.isInteger(n) && n >= 0 && n <= MAX_TOKENS_PER_BUCKET) {
      this.found = true;
      return smallCount(n);
    }
    this.bad ??= `${key} is not a plausible token count (${String(v).slice(0, 40)})`;
    return -1;
  }
}

const SCRATCH = new RawCounts();

/**
 * Read model, provider, disjoint usage, an existing cost and billability from one span's attributes.
 * Never throws; unusable values are reported in `invalid`.
 *
 * @param attributes the span's attributes (`span.attributes`)
 * @param scope the span's instrumentation scope, when known (used to tell emitters and versions apart)
 */
export function extractOtelUsage(attributes: Attrs, scope?: OtelScopeLike): OtelUsageExtraction {
  try {
    return extractOtelUsageUnchecked(attributes, scope);
  } catch (err) {
    throw closedError(err, 'extractOtelUsage');
  }
}

function extractOtelUsageUnchecked(attributes: Attrs, scope?: OtelScopeLike): OtelUsageExtraction {
  const lfType = attributes[A.LF_TYPE];
  const aiOp = attributes[A.AI_OPERATION_ID];
  const oiKind = attributes[A.OI_KIND];
  const genOp = attributes[A.OPERATION];
  const scopeName = scope?.name;

  let emitter: OtelEmitter;
  let billable: boolean | undefined;
  let reason: string | undefined;
  let classified = true;

  if (lfType !== undefined || scopeName === 'langfuse-sdk') {
    emitter = 'langfuse';
    if (lfType === 'generation' || lfType === 'embedding') billable = true;
    else if (lfType !== undefined) {
      billable = false;
      reason = `langfuse observation type ${String(lfType)}`;
    }
  } else if (aiOp !== undefined || scopeName === 'ai') {
    emitter = 'ai-sdk';
    if (typeof aiOp === 'string') {
      // Only the per-call spans; `ai.generateText` etc. repeat the sum of their steps.
      billable = aiOp.endsWith('.doGenerate') || aiOp.endsWith('.doStream') || aiOp.endsWith('.doEmbed');
      if (!billable) reason = `AI SDK wrapper span ${aiOp}`;
    }
  } else if (oiKind !== undefined) {
    emitter = 'openinference';
    billable = oiKind === 'LLM' || oiKind === 'EMBEDDING';
    if (!billable) reason = `OpenInference ${String(oiKind)} span`;
  } else if (attributes[A.TELEMETRY_SDK] === 'openlit') {
    emitter = 'openlit';
  } else {
    const tlKind = attributes[A.TRACELOOP_KIND];
    const reqType = attributes[A.LLM_REQUEST_TYPE];
    if (tlKind !== undefined || reqType !== undefined || (scopeName?.startsWith('@traceloop/') ?? false)) {
      emitter = 'openllmetry';
      if (tlKind !== undefined) {
        billable = false;
        reason = `OpenLLMetry ${String(tlKind)} span`;
      } else if (typeof reqType === 'string') {
        billable = BILLABLE_REQUEST_TYPES.has(reqType);
        if (!billable) reason = `OpenLLMetry request type ${reqType}`;
      }
    } else {
      emitter = 'genai';
    }
  }

  if (billable === undefined && genOp !== undefined) {
    billable = typeof genOp === 'string' && BILLABLE_OPERATIONS.has(genOp);
    if (!billable) reason = `operation ${String(genOp)} is not a model call`;
  }
  if (billable === undefined) {
    classified = false;
    // Unclassified spans count only with a model and usage; most non-LLM spans stop here.
    if (!hasAnyModel(attributes)) return NOT_LLM;
  }

  if (billable === false) {
    return {
      emitter,
      billable: false,
      reason,
      hasUsageDetails: attributes[A.LF_USAGE_DETAILS] !== undefined,
    };
  }

  // Usage.
  const raw = SCRATCH.reset();
  const usageDetails = attributes[A.LF_USAGE_DETAILS];
  const hasUsageDetails = usageDetails !== undefined;
  if (typeof usageDetails === 'string') readLangfuseUsage(usageDetails, raw);
  if (!raw.found) {
    if (emitter === 'ai-sdk') readAiSdk(attributes, raw);
    else if (emitter === 'openinference') readOpenInference(attributes, raw);
    if (!raw.found) readGenAi(attributes, raw);
  }

  if (!classified && !raw.found && raw.bad === undefined) return NOT_LLM;

  const model = readModel(attributes);
  const provider = readProvider(attributes, emitter);

  if (raw.bad !== undefined) {
    return {
      emitter,
      billable: true,
      reason: 'invalid usage attribute',
      model,
      provider,
      hasUsageDetails,
      invalid: raw.bad,
    };
  }
  if (!raw.found) {
    return {
      emitter,
      billable: false,
      reason: 'no token usage',
      model,
      provider,
      hasUsageDetails,
    };
  }

  if (emitter === 'ai-sdk') readAiProviderMetadata(attributes, raw);

  const anyCache = raw.cacheRead > 0 || raw.cacheWrite > 0 || raw.cacheWrite1h > 0;
  const exclusiveByEmitter =
    raw.disjoint || (anyCache && !raw.inclusive && inputExcludesCache(emitter, provider, scope));
  const usage = toDisjoint(raw, exclusiveByEmitter);
  addUnitCounts(usage, raw.units);

  const result: OtelUsageExtraction = {
    emitter,
    billable: true,
    model,
    provider,
    usage,
    hasUsageDetails,
  };
  if (raw.inputIncludedCache !== undefined) result.inputIncludedCache = raw.inputIncludedCache;
  readProvidedCost(attributes, result);
  const tier = readServiceTier(attributes);
  if (tier !== undefined) result.serviceTier = tier;
  return result;
}

/** Emitters that report Anthropic's raw, cache-exclusive `input_tokens` (table above). */
function inputExcludesCache(
  emitter: OtelEmitter,
  provider: string | undefined,
  scope?: OtelScopeLike,
): boolean {
  switch (emitter) {
    case 'openlit':
    case 'openinference':
    case 'ai-sdk': // only reached without inputTokenDetails.*, i.e. ai ≤ 6.0.118 (@ai-sdk/anthropic ≤ 2.x)
      return isAnthropic(provider);
    case 'openllmetry':
      return isAnthropic(provider) && traceloopBefore028(scope?.version);
    default:
      return false;
  }
}

function isAnthropic(provider: string | undefined): boolean {
  return provider !== undefined && canonicalProvider(provider) === 'anthropic';
}

/** OpenLLMetry's Anthropic instrumentation reported raw input_tokens up to and including 0.27.x. */
function traceloopBefore028(version: string | undefined): boolean {
  if (version === undefined) return true;
  const dot = version.indexOf('.');
  const major = Number(dot < 0 ? version : version.slice(0, dot));
  const minor = dot < 0 ? 0 : Number.parseInt(version.slice(dot + 1), 10);
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return true;
  return major === 0 && minor <= 27;
}

/**
 * The disjoint usage of the raw counts; whether the input count was read as including cache goes
 * to `raw.inputIncludedCache` (not a result object of its own: one allocation fewer a span).
 */
function toDisjoint(raw: RawCounts, exclusiveByEmitter: boolean): TokenUsage {
  const u = emptyUsage();
  u.requests = 1;
  const cacheRead = Math.max(raw.cacheRead, 0);
  let cacheWrite = Math.max(raw.cacheWrite, 0);
  const cacheWrite1h = Math.max(raw.cacheWrite1h, 0);
  // A 1-hour breakdown is part of the cache-write count (Anthropic `cache_creation` detail), except
  // in Langfuse keys, where `input_cache_creation` and `input_cache_creation_1h` are disjoint.
  // A breakdown larger than the total is inconsistent; both are then taken as disjoint.
  if (cacheWrite1h > 0 && !raw.disjoint && cacheWrite >= cacheWrite1h) cacheWrite -= cacheWrite1h;
  const audioIn = Math.max(raw.inputAudio, 0);
  const imageIn = Math.max(raw.inputImage, 0);
  const cacheSum = cacheRead + cacheWrite + cacheWrite1h;
  let inputIncludedCache: boolean | undefined;

  let input: number;
  if (raw.noCache >= 0) {
    input = raw.noCache;
  } else if (raw.input >= 0) {
    input = raw.input;
    if (cacheSum > 0) {
      // cache > input can only mean the count is exclusive, whatever the emitter says.
      inputIncludedCache = !exclusiveByEmitter && cacheSum <= input;
      if (inputIncludedCache) input -= cacheSum;
    }
  } else if (raw.total >= 0) {
    // Embedding spans often report only a total; with an output count the rest is prompt.
    const out = Math.max(raw.output, 0);
    input = raw.total > out ? raw.total - out : 0;
    if (cacheSum > 0 && cacheSum <= input && !raw.disjoint) input -= cacheSum;
  } else {
    input = 0;
  }
  if (!raw.disjoint && audioIn + imageIn > 0 && audioIn + imageIn <= input) input -= audioIn + imageIn;

  let output = 0;
  const reasoning = Math.max(raw.reasoning, 0);
  const audioOut = Math.max(raw.outputAudio, 0);
  if (raw.textOutput >= 0) output = raw.textOutput;
  else if (raw.output >= 0) {
    output = raw.output;
    if (!raw.disjoint && reasoning + audioOut > 0 && reasoning + audioOut <= output)
      output -= reasoning + audioOut;
  }

  u.input = input;
  u.cacheRead = cacheRead;
  u.cacheWrite = cacheWrite;
  u.cacheWrite1h = cacheWrite1h;
  u.inputAudio = audioIn;
  u.inputImage = imageIn;
  u.output = output;
  u.reasoning = reasoning;
  u.outputAudio = audioOut;
  raw.inputIncludedCache = inputIncludedCache;
  return u;
}

function readGenAi(a: Attrs, r: RawCounts): void {
  r.input = r.take(a[A.INPUT], A.INPUT);
  if (r.input < 0) r.input = r.take(a[A.PROMPT], A.PROMPT);
  r.output = r.take(a[A.OUTPUT], A.OUTPUT);
  if (r.output < 0) r.output = r.take(a[A.COMPLETION], A.COMPLETION);
  r.cacheRead = r.take(a[A.CACHE_READ], A.CACHE_READ);
  if (r.cacheRead < 0) r.cacheRead = r.take(a[A.CACHE_READ_OLD], A.CACHE_READ_OLD);
  if (r.cacheRead < 0) r.cacheRead = r.take(a[A.CACHE_READ_DETAILS], A.CACHE_READ_DETAILS);
  r.cacheWrite = r.take(a[A.CACHE_WRITE], A.CACHE_WRITE);
  if (r.cacheWrite < 0) r.cacheWrite = r.take(a[A.CACHE_CREATION], A.CACHE_CREATION);
  if (r.cacheWrite < 0) r.cacheWrite = r.take(a[A.CACHE_CREATION_OLD], A.CACHE_CREATION_OLD);
  if (r.cacheWrite < 0) r.cacheWrite = r.take(a[A.CACHE_WRITE_DETAILS], A.CACHE_WRITE_DETAILS);
  r.reasoning = r.take(a[A.REASONING], A.REASONING);
  if (r.reasoning < 0) r.reasoning = r.take(a[A.REASONING_OLD], A.REASONING_OLD);
  if (r.reasoning < 0) r.reasoning = r.take(a[A.REASONING_DETAILS], A.REASONING_DETAILS);
  r.inputAudio = r.take(a[A.AUDIO_INPUT], A.AUDIO_INPUT);
  r.inputImage = r.take(a[A.IMAGE_INPUT], A.IMAGE_INPUT);
  r.outputAudio = r.take(a[A.AUDIO_OUTPUT], A.AUDIO_OUTPUT);
  if (r.input < 0) {
    r.total = r.take(a[A.TOTAL], A.TOTAL);
    if (r.total < 0) r.total = r.take(a[A.LLM_TOTAL], A.LLM_TOTAL);
  }
}

function readAiSdk(a: Attrs, r: RawCounts): void {
  r.input = r.take(a[A.AI_INPUT], A.AI_INPUT);
  if (r.input < 0) r.input = r.take(a[A.AI_PROMPT], A.AI_PROMPT);
  if (r.input < 0) r.input = r.take(a[A.INPUT], A.INPUT);
  if (r.input < 0) r.input = r.take(a[A.PROMPT], A.PROMPT);
  r.noCache = r.take(a[A.AI_NO_CACHE], A.AI_NO_CACHE);
  r.cacheRead = r.take(a[A.AI_CACHE_READ], A.AI_CACHE_READ);
  r.cacheWrite = r.take(a[A.AI_CACHE_WRITE], A.AI_CACHE_WRITE);
  // `inputTokenDetails.*` exists from ai 6.0.119, where inputTokens is the inclusive total.
  if (r.noCache >= 0 || r.cacheRead >= 0 || r.cacheWrite >= 0) r.inclusive = true;
  else r.cacheRead = r.take(a[A.AI_CACHED_INPUT], A.AI_CACHED_INPUT);
  r.output = r.take(a[A.AI_OUTPUT], A.AI_OUTPUT);
  if (r.output < 0) r.output = r.take(a[A.AI_COMPLETION], A.AI_COMPLETION);
  if (r.output < 0) r.output = r.take(a[A.OUTPUT], A.OUTPUT);
  if (r.output < 0) r.output = r.take(a[A.COMPLETION], A.COMPLETION);
  r.textOutput = r.take(a[A.AI_TEXT_OUTPUT], A.AI_TEXT_OUTPUT);
  r.reasoning = r.take(a[A.AI_REASONING_DETAILS], A.AI_REASONING_DETAILS);
  if (r.reasoning < 0) r.reasoning = r.take(a[A.AI_REASONING], A.AI_REASONING);
  if (r.input < 0) {
    r.total = r.take(a[A.AI_TOKENS], A.AI_TOKENS);
    if (r.total < 0) r.total = r.take(a[A.AI_TOTAL], A.AI_TOTAL);
  }
}

function readOpenInference(a: Attrs, r: RawCounts): void {
  r.input = r.take(a[A.OI_PROMPT], A.OI_PROMPT);
  r.output = r.take(a[A.OI_COMPLETION], A.OI_COMPLETION);
  r.cacheRead = r.take(a[A.OI_CACHE_READ], A.OI_CACHE_READ);
  r.cacheWrite = r.take(a[A.OI_CACHE_WRITE], A.OI_CACHE_WRITE);
  r.inputAudio = r.take(a[A.OI_AUDIO_INPUT], A.OI_AUDIO_INPUT);
  r.reasoning = r.take(a[A.OI_REASONING], A.OI_REASONING);
  r.outputAudio = r.take(a[A.OI_AUDIO_OUTPUT], A.OI_AUDIO_OUTPUT);
  if (r.input < 0) r.total = r.take(a[A.OI_TOTAL], A.OI_TOTAL);
}

/**
 * Langfuse `usage_details` JSON. Langfuse keys are disjoint (`input` excludes cache); the
 * `@langfuse/langchain` handler writes `input_cache_read`, `output_reasoning`… (LangChain detail
 * names prefixed) and has already subtracted them. Unknown `input_*` / `output_*` keys were
 * subtracted too, so they are priced at the input / output rate. OpenAI-shaped objects
 * (`prompt_tokens`, `input_tokens`…) are inclusive.
 */
function readLangfuseUsage(json: string, r: RawCounts): void {
  let obj: unknown;
  try {
    obj = JSON.parse(json);
  } catch {
    r.bad = 'langfuse.observation.usage_details is not JSON';
    return;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return;
  const o = obj as Record<string, unknown>;
  if (o.prompt_tokens !== undefined || o.completion_tokens !== undefined) {
    readOpenAiShaped(
      o,
      r,
      'prompt_tokens',
      'completion_tokens',
      'prompt_tokens_details',
      'completion_tokens_details',
    );
    return;
  }
  if (o.input_tokens !== undefined || o.output_tokens !== undefined) {
    readOpenAiShaped(o, r, 'input_tokens', 'output_tokens', 'input_tokens_details', 'output_tokens_details');
    return;
  }
  r.disjoint = true;
  let extraIn = 0;
  let extraOut = 0;
  let writeAll = -1;
  let write5m = -1;
  for (const key in o) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    const path = `langfuse.observation.usage_details.${key}`;
    switch (key) {
      case 'input':
        r.input = r.check(v, path);
        break;
      case 'output':
        r.output = r.check(v, path);
        break;
      case 'total':
        r.total = r.check(v, path);
        break;
      case 'input_cached_tokens':
      case 'input_cache_read':
      case 'input_cache_read_tokens':
        r.cacheRead = add(r.cacheRead, r.check(v, path));
        break;
      case 'input_cache_creation':
      case 'input_cache_write':
        writeAll = add(writeAll, r.check(v, path));
        break;
      case 'input_cache_creation_5m':
        write5m = add(write5m, r.check(v, path));
        break;
      case 'input_cache_creation_1h':
        r.cacheWrite1h = add(r.cacheWrite1h, r.check(v, path));
        break;
      case 'input_audio_tokens':
      case 'input_audio':
        r.inputAudio = add(r.inputAudio, r.check(v, path));
        break;
      case 'input_image_tokens':
      case 'input_image':
        r.inputImage = add(r.inputImage, r.check(v, path));
        break;
      case 'output_reasoning_tokens':
      case 'output_reasoning':
        r.reasoning = add(r.reasoning, r.check(v, path));
        break;
      case 'output_audio_tokens':
      case 'output_audio':
        r.outputAudio = add(r.outputAudio, r.check(v, path));
        break;
      default: {
        const n = r.check(v, path);
        if (n < 0) break;
        const unit = UNIT_BUCKET_OF_LANGFUSE_KEY.get(key);
        if (unit !== undefined) (r.units ??= {})[unit] = n;
        else if (key.startsWith('input')) extraIn += n;
        else if (key.startsWith('output')) extraOut += n;
      }
    }
  }
  // Langfuse keys are disjoint, so `input_cache_creation` beside `_5m`/`_1h` is more 5-minute
  // writes, except when it equals their sum exactly: then it is the total next to its own breakdown
  // (Anthropic's raw usage mapped key by key, as Langfuse stored AI SDK metadata before v3.156), and
  // counting it too would bill every cache write twice.
  if (writeAll >= 0 && write5m >= 0 && r.cacheWrite1h >= 0 && writeAll === write5m + r.cacheWrite1h) {
    r.cacheWrite = write5m;
  } else {
    r.cacheWrite = add(writeAll, write5m);
  }
  if (extraIn > 0) r.input = add(r.input, extraIn);
  if (extraOut > 0) r.output = add(r.output, extraOut);
  // Only a total (e.g. embeddings): the whole total is prompt.
  if (r.input < 0 && r.output < 0 && r.total >= 0) r.input = r.total;
}

function readOpenAiShaped(
  o: Record<string, unknown>,
  r: RawCounts,
  inKey: string,
  outKey: string,
  inDetails: string,
  outDetails: string,
): void {
  r.inclusive = true;
  const p = 'langfuse.observation.usage_details.';
  if (o[inKey] != null) r.input = r.check(o[inKey], p + inKey);
  if (o[outKey] != null) r.output = r.check(o[outKey], p + outKey);
  const id = o[inDetails];
  if (id !== null && typeof id === 'object') {
    const d = id as Record<string, unknown>;
    if (d.cached_tokens != null) r.cacheRead = r.check(d.cached_tokens, `${p + inDetails}.cached_tokens`);
    if (d.audio_tokens != null) r.inputAudio = r.check(d.audio_tokens, `${p + inDetails}.audio_tokens`);
  }
  const od = o[outDetails];
  if (od !== null && typeof od === 'object') {
    const d = od as Record<string, unknown>;
    if (d.reasoning_tokens != null)
      r.reasoning = r.check(d.reasoning_tokens, `${p + outDetails}.reasoning_tokens`);
    if (d.audio_tokens != null) r.outputAudio = r.check(d.audio_tokens, `${p + outDetails}.audio_tokens`);
  }
}

function add(a: number, b: number): number {
  if (b < 0) return a;
  return a < 0 ? b : a + b;
}

/** Key of Anthropic's 1-hour cache-write count in its raw `usage.cache_creation`. */
const EPHEMERAL_1H_KEY = '"ephemeral_1h_input_tokens"';

/**
 * Cache writes from `ai.response.providerMetadata` (a JSON string), where the AI SDK puts the
 * provider's raw usage:
 *
 * - the cache-write count, which AI SDK ≤ 6.0.118 reports only there
 *   (`anthropic.cacheCreationInputTokens`, `bedrock.usage.cacheWriteInputTokens`); taken only when the
 *   span has no `ai.usage.inputTokenDetails.*` (ai ≥ 6.0.119 and 7.x report the count themselves,
 *   and theirs is the one the other buckets were split against);
 * - Anthropic's 1-hour part of it (`anthropic.usage.cache_creation.ephemeral_1h_input_tokens`), which
 *   no AI SDK version reports anywhere else. It refines the count (the rest is 5-minute), never adds
 *   to it (see {@link toDisjoint}).
 *
 * Parsed only when the string can hold something to read: a non-zero 1-hour count, or a cache-write
 * key when the span gave none. Anthropic's raw usage always carries `"ephemeral_1h_input_tokens":0`,
 * so most Anthropic spans stop at the character check.
 */
function readAiProviderMetadata(a: Attrs, r: RawCounts): void {
  const pm = a[A.AI_PROVIDER_METADATA];
  if (typeof pm !== 'string') return;
  const needTotal = r.cacheWrite < 0 && r.noCache < 0;
  const at = pm.indexOf(EPHEMERAL_1H_KEY);
  const oneHourNonZero =
    at >= 0 && isNonZeroDigit(pm.charCodeAt(valueStart(pm, at + EPHEMERAL_1H_KEY.length)));
  if (
    !oneHourNonZero &&
    !(needTotal && (pm.includes('acheCreationInputTokens') || pm.includes('acheWriteInputTokens')))
  ) {
    return;
  }
  let obj: unknown;
  try {
    obj = JSON.parse(pm);
  } catch {
    return;
  }
  if (obj === null || typeof obj !== 'object') return;
  const o = obj as Record<string, Record<string, unknown> | undefined>;
  const anthropic = o.anthropic;
  const bedrock = o.bedrock;
  const path = A.AI_PROVIDER_METADATA;
  let write = -1;
  if (anthropic) {
    if (needTotal && anthropic.cacheCreationInputTokens != null) {
      write = r.check(anthropic.cacheCreationInputTokens, `${path}.anthropic.cacheCreationInputTokens`);
    }
    const usage = anthropic.usage as Record<string, unknown> | undefined;
    const creation = usage?.cache_creation as Record<string, unknown> | undefined;
    if (creation?.ephemeral_1h_input_tokens != null) {
      const oneHour = r.check(
        creation.ephemeral_1h_input_tokens,
        `${path}.anthropic.usage.cache_creation.ephemeral_1h_input_tokens`,
      );
      if (oneHour > 0) r.cacheWrite1h = oneHour;
    }
  } else if (bedrock && needTotal) {
    const usage = bedrock.usage as Record<string, unknown> | undefined;
    const v = usage?.cacheWriteInputTokens;
    if (v != null) write = r.check(v, `${path}.bedrock.usage.cacheWriteInputTokens`);
  }
  if (write >= 0) r.cacheWrite = write;
}

/**
 * Position of the value after a JSON key ending at `i`: past the colon and any whitespace around it
 * (the AI SDK writes compact JSON; a span built by hand may not).
 */
function valueStart(s: string, i: number): number {
  let p = i;
  while (isJsonSpace(s.charCodeAt(p))) p++;
  if (s.charCodeAt(p) === 0x3a) p++;
  while (isJsonSpace(s.charCodeAt(p))) p++;
  return p;
}

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** `1`–`9`: the first digit of a non-zero JSON number. */
function isNonZeroDigit(code: number): boolean {
  return code >= 0x31 && code <= 0x39;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function readModel(a: Attrs): string | undefined {
  return (
    str(a[A.LF_MODEL]) ??
    str(a[A.RESPONSE_MODEL]) ??
    str(a[A.AI_RESPONSE_MODEL]) ??
    str(a[A.OI_RESPONSE_MODEL]) ??
    str(a[A.LLM_RESPONSE_MODEL]) ??
    str(a[A.REQUEST_MODEL]) ??
    str(a[A.AI_MODEL_ID]) ??
    str(a[A.OI_MODEL]) ??
    str(a[A.OI_REQUEST_MODEL]) ??
    str(a[A.OI_EMBEDDING_MODEL]) ??
    str(a.model)
  );
}

/**
 * Model attributes that make Langfuse file an otherwise unclassified span as a generation
 * (its ModelBased type mapper); a cheap pre-check for unclassified spans, and the reason every span
 * priced here is a generation or embedding in Langfuse without writing `langfuse.observation.type`.
 */
function hasAnyModel(a: Attrs): boolean {
  return (
    a[A.REQUEST_MODEL] !== undefined ||
    a[A.RESPONSE_MODEL] !== undefined ||
    a[A.LF_MODEL] !== undefined ||
    a[A.OI_MODEL] !== undefined ||
    a.model !== undefined
  );
}

function readProvider(a: Attrs, emitter: OtelEmitter): string | undefined {
  if (emitter === 'ai-sdk') return str(a[A.AI_MODEL_PROVIDER]) ?? str(a[A.PROVIDER]) ?? str(a[A.SYSTEM]);
  const p = str(a[A.PROVIDER]) ?? str(a[A.SYSTEM]) ?? str(a[A.OI_PROVIDER]) ?? str(a[A.OI_SYSTEM]);
  // OpenLLMetry's LangChain instrumentation names the framework, not the provider.
  return p === 'langchain' ? undefined : p;
}

/** Existing cost, in the precedence Langfuse reads it. A 0 from OpenLIT/OpenInference means "not priced". */
function readProvidedCost(a: Attrs, out: OtelUsageExtraction): void {
  const lf = a[A.LF_COST_DETAILS];
  if (typeof lf === 'string') {
    const total = costDetailsTotal(lf);
    if (total !== undefined) {
      out.providedCost = total;
      out.providedCostAttribute = A.LF_COST_DETAILS;
      return;
    }
  }
  // Most spans carry none of these: an absent attribute is not a call (usd is not inlined here).
  const amountValue = a[A.COST_AMOUNT];
  const amount = amountValue === undefined ? undefined : usd(amountValue);
  if (amount !== undefined) {
    out.providedCost = amount;
    out.providedCostAttribute = A.COST_AMOUNT;
    return;
  }
  const costValue = a[A.COST];
  const cost = costValue === undefined ? undefined : usd(costValue);
  if (cost !== undefined && cost > 0) {
    out.providedCost = cost;
    out.providedCostAttribute = A.COST;
    return;
  }
  const oiValue = a[A.OI_COST_TOTAL];
  const oi = oiValue === undefined ? undefined : usd(oiValue);
  if (oi !== undefined && oi > 0) {
    out.providedCost = oi;
    out.providedCostAttribute = A.OI_COST_TOTAL;
  }
}

function usd(v: unknown): number | undefined {
  const n =
    typeof v === 'number'
      ? v
      : typeof v === 'string' && v.length > 0 && v.length < 32
        ? Number(v)
        : Number.NaN;
  return Number.isFinite(n) && n >= 0 && n < 1e6 ? n : undefined;
}

function costDetailsTotal(json: string): number | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const o = obj as Record<string, unknown>;
  const total = usd(o.total);
  if (total !== undefined) return total;
  let sum = 0;
  let any = false;
  for (const k in o) {
    const v = usd(o[k]);
    if (v !== undefined) {
      sum += v;
      any = true;
    }
  }
  return any ? sum : undefined;
}

function readServiceTier(a: Attrs): ServiceTier | undefined {
  const v =
    a[A.OPENAI_RESPONSE_TIER] ??
    a[A.OPENAI_RESPONSE_TIER_OLD] ??
    a[A.OPENAI_REQUEST_TIER] ??
    a[A.OPENAI_REQUEST_TIER_OLD];
  return serviceTierOf(v);
}
