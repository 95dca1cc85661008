import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import { BudgetExceededError, closedError, describeValue, InvalidArgumentError } from '../errors.js';
import type { Attribution, CostRecord, RecordContext } from '../ledger/record.js';
import { redactSecrets } from '../ledger/redact.js';
import { type Logger, WarnOnce } from '../logger.js';
import type { PriceCatalog } from '../pricing/catalog.js';
import type { CostResult } from '../pricing/cost-result.js';
import { priceCall } from '../pricing/price-call.js';
import { adapterDefaults } from '../tracker/adapter-defaults.js';
import { recordOutcome } from '../tracker/record-outcome.js';
import type { CostTracker } from '../tracker/tracker.js';
import {
  extractLangChainUsage,
  type LangChainProviderFamily,
  type LangChainUsageMetadataLike,
  type LLMResultLike,
  langChainProviderFamily,
  usageFromUsageMetadata,
} from '../usage/extract-langchain.js';
import { isLocalEndpoint } from '../usage/providers.js';
import { emptyUsage, type TokenUsage } from '../usage/token-usage.js';
import { readRunMetadata, runAttribution } from './attribution.js';
import { RunRegistry } from './run-registry.js';

/** Options of {@link CostCallbackHandler}. */
export interface CostCallbackHandlerOptions {
  /** Where calls are recorded (default: the process-wide tracker of `langfuse-cost/node`). */
  tracker?: CostTracker;
  /** Prices (default: the Node catalog — overrides, price files, synced cache, bundled prices). */
  catalog?: PriceCatalog;
  /** Attribution every call of this handler carries unless its metadata says otherwise. */
  attribution?: Attribution;
  /** Where the handler's warnings go (default: the library logger, see `setLogger`). */
  logger?: Logger;
  /**
   * Called synchronously after each LLM call is recorded (success, cache hit or failure). Used by
   * the Langfuse adapters to put the cost on the same generation. Errors it throws are logged.
   */
  onCost?: (event: CostEvent) => void;
  /** Check the tracker's budgets before each call (throws only when the tracker enforces). Default true. */
  checkBudget?: boolean;
  /**
   * Follow chain, tool and retriever runs to give every LLM call the root run id as its trace id
   * (default true). With false the handler asks LangChain not to send it those events, which saves
   * LangChain's per-event dispatch in long chains; the trace id is then the LLM run's parent run id.
   */
  traceRuns?: boolean;
  /**
   * Most runs kept open at once (default 10,000). Past half of it, the older half is dropped as a
   * block; runs that never end cannot grow memory beyond it.
   */
  maxOpenRuns?: number;
  /** Runs open longer than this are dropped as new ones start, ms (default 1 hour). */
  staleRunMs?: number;
}

/**
 * One recorded LLM call, as passed to {@link CostCallbackHandlerOptions.onCost}. `usage` and
 * `result` are the objects the record holds (the tracker takes the handler's own result without
 * copying it): read them, do not change them.
 */
export interface CostEvent {
  /** LangChain run id of the LLM call (the Langfuse generation id of the LangChain handlers). */
  runId: string;
  /** Root run id of the call's run tree (the trace id). */
  traceId: string;
  /** Parent run id. */
  parentRunId?: string;
  /** `success`, `cached` (LangChain cache hit, cost 0) or `error`. */
  status: 'success' | 'cached' | 'error';
  /** Model priced (the served model when the response names it). */
  model: string;
  /** Provider hint (`ls_provider`). */
  provider?: string;
  /** Disjoint usage. */
  usage: TokenUsage;
  /** The priced result; null when the model has no price or the call billed nothing. */
  result: CostResult | null;
  /** Cost the provider reported, USD, when it did. */
  providedCost?: number;
  /** What the tracker recorded. */
  record: CostRecord;
}

interface OpenRun {
  startedAt: number;
  model: string | undefined;
  provider: string | undefined;
  traceId: string;
  invocationParams: Record<string, unknown> | undefined;
  versions: Record<string, unknown> | undefined;
  attribution: Attribution;
  /** What the token callback watches: 0 nothing, 1 the chunk count (Google), 2 chunk usage (Anthropic). */
  watch: 0 | 1 | 2;
  /** `handleLLMNewToken` calls seen. */
  chunks: number;
  /** Largest output count on one streamed chunk. */
  maxChunkOutput: number | undefined;
  /** The client's base URL is on this machine (an unknown model there is self-hosted: $0). */
  selfHosted: boolean;
}

interface ParentRun {
  startedAt: number;
  root: string;
}

/** State shared by a handler and its LangChain copies (`handler.copy()`). */
interface HandlerCore {
  options: CostCallbackHandlerOptions;
  tracker: CostTracker | undefined;
  catalog: PriceCatalog | undefined;
  runs: RunRegistry<OpenRun>;
  parents: RunRegistry<ParentRun>;
  /** Warnings already given (shared by the handler's copies). */
  warnings: WarnOnce;
  /** The base URL {@link selfHostedAt} was asked about last, and its answer. */
  lastBaseUrl: string | undefined;
  lastSelfHosted: boolean;
  /** The model names {@link modelsOf} was asked about last, and their list. */
  lastServed: string | undefined;
  lastRequested: string | undefined;
  lastModels: readonly (string | undefined)[];
}

const DEFAULT_MAX_RUNS = 10_000;
const NO_ATTRIBUTION: Attribution = {};

// Streams whose merged usage LangChain miscounts need per-chunk facts (see extractLangChainUsage);
// for the others the token callback returns at once — it runs for every streamed token.
const WATCH: Record<LangChainProviderFamily, 0 | 1 | 2> = {
  anthropic: 2,
  google: 1,
  openai: 0,
  bedrock: 0,
  other: 0,
};
const DEFAULT_STALE_MS = 60 * 60 * 1000;

/** Text of any thrown value or id for a warning; never throws (a hostile `toString` is not called). */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    if (v instanceof Error) return `${String(v.name)}: ${String(v.message)}`;
  } catch {
    // a Proxy or a getter that throws
  }
  return describeValue(v);
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Model requested at start: `ls_model_name`, invocation params, then the serialized constructor fields. */
function startModel(
  llm: Serialized | undefined,
  invocationParams: Record<string, unknown> | undefined,
  lsModelName: string | undefined,
): string | undefined {
  if (lsModelName) return lsModelName;
  if (invocationParams) {
    const m =
      str(invocationParams.model) ?? str(invocationParams.model_name) ?? str(invocationParams.modelId);
    if (m) return m;
  }
  const kwargs = isObject(llm) && isObject((llm as any).kwargs) ? (llm as any).kwargs : undefined;
  return kwargs ? (str(kwargs.model) ?? str(kwargs.model_name) ?? str(kwargs.model_id)) : undefined;
}

/**
 * The base URL a serialized model was built with (`ChatOpenAI({ configuration: { baseURL } })`,
 * `baseUrl`/`base_url` of other clients), for telling a local server (LM Studio, vLLM, llama.cpp)
 * from a paid API.
 */
function baseUrlOf(llm: Serialized | undefined): string | undefined {
  const kwargs = isObject(llm) && isObject((llm as any).kwargs) ? (llm as any).kwargs : undefined;
  if (!kwargs) return undefined;
  const conf = isObject(kwargs.configuration) ? kwargs.configuration : undefined;
  return str(conf?.baseURL) ?? str(kwargs.baseUrl) ?? str(kwargs.base_url) ?? str(kwargs.baseURL);
}

/**
 * Whether a client's base URL is on this machine, remembering the last URL asked about: a handler's
 * calls go to the same few endpoints, and parsing a URL (trim, lower case, two regular expressions,
 * splits) costs far more than comparing it with the last one. An absent URL is not asked about.
 */
function selfHostedAt(core: HandlerCore, baseUrl: string | undefined): boolean {
  if (baseUrl === undefined) return false;
  if (baseUrl !== core.lastBaseUrl) {
    core.lastSelfHosted = isLocalEndpoint(baseUrl);
    core.lastBaseUrl = baseUrl;
  }
  return core.lastSelfHosted;
}

/**
 * The names `priceCall` tries for a call (the served model, then the requested one), remembering the
 * last pair: a handler's calls name the same few models, and the list is only read, so one array
 * serves every call with the same two names instead of a new one per call.
 */
function modelsOf(
  core: HandlerCore,
  served: string | undefined,
  requested: string | undefined,
): readonly (string | undefined)[] {
  if (served !== core.lastServed || requested !== core.lastRequested) {
    core.lastServed = served;
    core.lastRequested = requested;
    core.lastModels = [served, requested];
  }
  return core.lastModels;
}

/**
 * LangChain.js callback handler that prices every LLM call and records it in a {@link CostTracker}.
 *
 * Add it to any runnable (`chain.invoke(input, { callbacks: [new CostCallbackHandler()] })`), to a
 * model's constructor `callbacks`, or process-wide with {@link registerCostCallbackHandler}.
 * Usage is read with {@link extractLangChainUsage} (disjoint buckets per provider), priced with the
 * catalog, and recorded with the call's attribution (session, user, tenant, environment from
 * `metadata`; tags; run name → operation; root run id → trace id).
 *
 * It never throws into the chain and never waits on I/O: all work is synchronous, and a pricing or
 * recording failure is a logged warning. The one exception is budget enforcement: when the tracker
 * was created with `enforce: true` and a hard limit is reached, the start callback throws
 * {@link BudgetExceededError} and LangChain aborts the call before any request is sent (the handler
 * sets `raiseError`, so LangChain awaits it and rethrows).
 */
export class CostCallbackHandler extends BaseCallbackHandler {
  /** Handler name (LangChain de-duplicates globally registered handlers by name). */
  name = 'langfuse_cost_handler';
  private readonly core: HandlerCore;

  constructor(options: CostCallbackHandlerOptions | CostCallbackHandler = {}) {
    // raiseError makes LangChain await the handler and rethrow BudgetExceededError; every other
    // path catches its own errors, so nothing else can escape.
    const traceRuns = CostCallbackHandler.traceRunsOf(options);
    super({
      raiseError: true,
      ignoreCustomEvent: true,
      ignoreChain: traceRuns === false,
      ignoreAgent: traceRuns === false,
      ignoreRetriever: traceRuns === false,
    });
    if (options instanceof CostCallbackHandler) {
      this.core = options.core;
      return;
    }
    try {
      this.core = {
        options,
        tracker: options.tracker,
        catalog: options.catalog,
        runs: new RunRegistry<OpenRun>(
          options.maxOpenRuns ?? DEFAULT_MAX_RUNS,
          options.staleRunMs ?? DEFAULT_STALE_MS,
        ),
        parents: new RunRegistry<ParentRun>(
          options.maxOpenRuns ?? DEFAULT_MAX_RUNS,
          options.staleRunMs ?? DEFAULT_STALE_MS,
        ),
        warnings: new WarnOnce(),
        lastBaseUrl: undefined,
        lastSelfHosted: false,
        lastServed: undefined,
        lastRequested: undefined,
        lastModels: [undefined, undefined],
      };
    } catch (err) {
      throw closedError(err, 'new CostCallbackHandler');
    }
  }

  /**
   * `traceRuns` of the options, read before `super()`: the closed error contract at the constructor (an
   * options object that is not one, or whose getters throw, is an `InvalidArgumentError`).
   */
  private static traceRunsOf(options: unknown): boolean | undefined {
    try {
      if (typeof options !== 'object' || options === null)
        throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
      return options instanceof CostCallbackHandler
        ? options.core.options.traceRuns
        : (options as CostCallbackHandlerOptions).traceRuns;
    } catch (err) {
      throw closedError(err, 'new CostCallbackHandler');
    }
  }

  /** The tracker calls are recorded in. */
  get tracker(): CostTracker {
    const core = this.core;
    core.tracker ??= adapterDefaults().tracker();
    return core.tracker;
  }

  /** The catalog calls are priced with. */
  get catalog(): PriceCatalog {
    const core = this.core;
    core.catalog ??= adapterDefaults().catalog();
    return core.catalog;
  }

  /** Number of LLM runs started and not yet ended (for leak checks). */
  get openRuns(): number {
    return this.core.runs.size;
  }

  /** Number of open chain/tool/retriever runs tracked for trace ids. */
  get openParentRuns(): number {
    return this.core.parents.size;
  }

  /** Runs dropped because they never ended (stale or over `maxOpenRuns`). */
  get evictedRuns(): number {
    return this.core.runs.evicted;
  }

  override handleLLMStart(
    llm: Serialized,
    _prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.start(llm, runId, parentRunId, extraParams, tags, metadata, runName);
  }

  override handleChatModelStart(
    llm: Serialized,
    _messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    this.start(llm, runId, parentRunId, extraParams, tags, metadata, runName);
  }

  override handleLLMNewToken(
    _token: string,
    _idx: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: { chunk?: unknown },
  ): void {
    const run = this.core.runs.get(runId);
    if (run === undefined || run.watch === 0) return;
    run.chunks++;
    if (run.watch === 1) return;
    let out: unknown;
    try {
      const chunk = fields?.chunk as
        | { message?: { usage_metadata?: { output_tokens?: unknown } } }
        | undefined;
      out = chunk?.message?.usage_metadata?.output_tokens;
    } catch {
      return; // a chunk whose getters throw carries no usage we can read
    }
    if (typeof out === 'number' && (run.maxChunkOutput === undefined || out > run.maxChunkOutput)) {
      run.maxChunkOutput = out;
    }
  }

  override handleLLMEnd(
    output: LLMResult,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    extraParams?: Record<string, unknown>,
  ): void {
    try {
      this.end(output as unknown as LLMResultLike, runId, parentRunId, extraParams?.cached === true);
    } catch (err) {
      this.warn('end', `could not record the cost of LLM run ${textOf(runId)}: ${textOf(err)}`);
    }
  }

  override handleLLMError(
    err: unknown,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _extraParams?: Record<string, unknown>,
  ): void {
    try {
      this.fail(err, runId, parentRunId);
    } catch (e) {
      this.warn('error', `could not record the failure of LLM run ${textOf(runId)}: ${textOf(e)}`);
    }
  }

  // Chain, tool and retriever runs are tracked only to find each LLM call's root run (trace id).
  // LangChain calls handleChainStart(chain, inputs, runId, parentRunId, tags, metadata, runType, runName),
  // whatever its type declaration names the fourth parameter.

  override handleChainStart(_chain: Serialized, _inputs: unknown, runId: string, parentRunId?: string): void {
    this.openParent(runId, parentRunId);
  }

  override handleChainEnd(_outputs: unknown, runId: string): void {
    this.core.parents.delete(runId);
  }

  override handleChainError(_err: unknown, runId: string): void {
    this.core.parents.delete(runId);
  }

  override handleToolStart(_tool: Serialized, _input: string, runId: string, parentRunId?: string): void {
    this.openParent(runId, parentRunId);
  }

  override handleToolEnd(_output: unknown, runId: string): void {
    this.core.parents.delete(runId);
  }

  override handleToolError(_err: unknown, runId: string): void {
    this.core.parents.delete(runId);
  }

  override handleRetrieverStart(
    _retriever: Serialized,
    _query: string,
    runId: string,
    parentRunId?: string,
  ): void {
    this.openParent(runId, parentRunId);
  }

  override handleRetrieverEnd(_documents: unknown, runId: string): void {
    this.core.parents.delete(runId);
  }

  override handleRetrieverError(_err: unknown, runId: string): void {
    this.core.parents.delete(runId);
  }

  private openParent(runId: string, parentRunId: string | undefined): void {
    const parents = this.core.parents;
    const root = typeof parentRunId === 'string' ? (parents.get(parentRunId)?.root ?? parentRunId) : runId;
    parents.set(runId, { startedAt: Date.now(), root });
  }

  private start(
    llm: Serialized,
    runId: string,
    parentRunId: string | undefined,
    extraParams: Record<string, unknown> | undefined,
    tags: string[] | undefined,
    metadata: Record<string, unknown> | undefined,
    runName: string | undefined,
  ): void {
    const core = this.core;
    let attribution: Attribution | undefined;
    try {
      const invocationParams = isObject(extraParams?.invocation_params)
        ? (extraParams.invocation_params as Record<string, unknown>)
        : undefined;
      const meta = readRunMetadata(metadata);
      attribution = runAttribution(core.options.attribution, meta, tags, runName);
      const traceId =
        typeof parentRunId === 'string' ? (core.parents.get(parentRunId)?.root ?? parentRunId) : runId;
      core.runs.set(runId, {
        startedAt: Date.now(),
        model: startModel(llm, invocationParams, meta.modelName),
        provider: meta.provider,
        traceId,
        invocationParams,
        versions: meta.versions,
        attribution,
        watch: WATCH[langChainProviderFamily(meta.provider)],
        chunks: 0,
        maxChunkOutput: undefined,
        selfHosted: selfHostedAt(core, baseUrlOf(llm)),
      });
    } catch (err) {
      this.warn('start', `could not open LLM run ${textOf(runId)}: ${textOf(err)}`);
    }
    if (core.options.checkBudget === false) return;
    try {
      this.tracker.checkBudget(attribution);
    } catch (err) {
      if (err instanceof BudgetExceededError) {
        // The call will not happen: LangChain sends neither end nor error for it.
        core.runs.delete(runId);
        throw err;
      }
      this.warn('budget', `budget check failed: ${textOf(err)}`);
    }
  }

  /** The record context of a run, built as one fixed-shape literal (this runs on every call). */
  private context(
    run: OpenRun | undefined,
    runId: string,
    parentRunId: string | undefined,
    now: number,
  ): RecordContext {
    const a = run ? run.attribution : (this.core.options.attribution ?? NO_ATTRIBUTION);
    const traceId =
      run?.traceId ?? (parentRunId ? (this.core.parents.get(parentRunId)?.root ?? parentRunId) : runId);
    return {
      traceId,
      spanId: runId,
      parentId: parentRunId,
      sessionId: a.sessionId,
      userId: a.userId,
      tenantId: a.tenantId,
      operation: a.operation,
      service: a.service,
      tags: a.tags,
      environment: a.environment,
      fallback: a.fallback,
      metadata: a.metadata,
      startTime: run?.startedAt,
      endTime: now,
      durationMs: run ? now - run.startedAt : undefined,
      cached: undefined,
      providedCost: undefined,
    };
  }

  private end(output: LLMResultLike, runId: string, parentRunId: string | undefined, cached: boolean): void {
    const core = this.core;
    const run = core.runs.take(runId);
    const now = Date.now();
    const x = extractLangChainUsage(output, {
      provider: run?.provider,
      invocationParams: run?.invocationParams,
      stream:
        run && run.chunks > 0 ? { chunks: run.chunks, maxChunkOutputTokens: run.maxChunkOutput } : undefined,
      versions: run?.versions,
    });
    const provider = run?.provider;
    const ctx = this.context(run, runId, parentRunId, now);
    if (x.providedCost !== undefined) ctx.providedCost = x.providedCost;
    if (cached) ctx.cached = true;
    // A cached response costs nothing: it is priced at zero usage, without the response's cost.
    const usage = cached ? emptyUsage() : x.usage;
    const models = modelsOf(core, x.servedModel, run?.model);
    const outcome = priceCall(
      cached
        ? { models, provider, usage, serviceTier: x.serviceTier }
        : {
            models,
            provider,
            usage,
            serviceTier: x.serviceTier,
            providedCost: x.providedCost,
            usageMissing: x.source === 'none',
            usageEstimated: x.estimated,
            warnings: x.warnings,
            selfHosted: run?.selfHosted,
            // GPU time, for a model priced per GPU hour (unused for any other).
            durationMs: ctx.durationMs,
          },
      this.catalog,
    );
    const model = outcome.model;
    if (outcome.status === 'unpriced' && outcome.failed)
      this.warn(`price:${model}`, `could not price ${model}: ${outcome.reason}`);
    if (!cached && x.source === 'none' && (outcome.status === 'priced' || outcome.status === 'free')) {
      this.warn(
        `no-usage:${provider ?? ''}:${model}`,
        `LangChain reported no token usage for ${model}${provider ? ` (${provider})` : ''}; its cost is recorded as 0 and flagged estimated. ` +
          'Enable usage in streams (OpenAI-compatible servers: stream_options.include_usage) to price it.',
      );
    }
    const result = outcome.status === 'unpriced' ? null : outcome.result;
    const onCost = this.core.options.onCost;
    // The record is made for the hook only (the tracker hands its sinks its own form).
    const record = recordOutcome(
      this.tracker,
      outcome,
      { provider, usage },
      ctx,
      this.unpricedOptions(),
      Boolean(onCost),
    ) as CostRecord;
    if (!onCost) return; // no event object made for no hook
    this.emit({
      runId,
      traceId: ctx.traceId as string,
      parentRunId,
      status: cached ? 'cached' : 'success',
      model,
      provider,
      usage,
      result: cached ? null : result,
      providedCost: x.providedCost,
      record,
    });
  }

  private fail(err: unknown, runId: string, parentRunId: string | undefined): void {
    const run = this.core.runs.take(runId);
    const now = Date.now();
    const model = run?.model ?? 'unknown';
    const provider = run?.provider;
    const ctx = this.context(run, runId, parentRunId, now);
    // An aborted stream keeps what it received; the provider may have billed those tokens.
    const partial = isObject(err) && isObject(err.partialMessage) ? err.partialMessage : undefined;
    const um =
      partial && isObject(partial.usage_metadata)
        ? (partial.usage_metadata as LangChainUsageMetadataLike)
        : undefined;
    let usage: TokenUsage | undefined;
    let result: CostResult | null = null;
    if (um) {
      usage = usageFromUsageMetadata(um, langChainProviderFamily(provider));
      const outcome = priceCall({ models: [model], provider, usage }, this.catalog);
      if (outcome.status === 'unpriced') {
        if (outcome.failed) this.warn(`price:${model}`, `could not price ${model}: ${outcome.reason}`);
      } else result = outcome.result;
    }
    const record = this.tracker.recordFailure(
      { model, provider, error: err, usage, ...(result ? { result } : {}) },
      ctx,
      this.unpricedOptions(),
    );
    if (!this.core.options.onCost) return;
    this.emit({
      runId,
      traceId: ctx.traceId as string,
      parentRunId,
      status: 'error',
      model,
      provider,
      usage: usage ?? emptyUsage(),
      result,
      record,
    });
  }

  /** The "no price" warning of the tracker goes to this handler's `logger` when it has one. */
  private unpricedOptions(): { logger: Logger } | undefined {
    const logger = this.core.options.logger;
    return logger ? { logger } : undefined;
  }

  private emit(event: CostEvent): void {
    const hook = this.core.options.onCost;
    if (!hook) return;
    try {
      hook(event);
    } catch (err) {
      this.warn('onCost', `onCost hook failed: ${textOf(err)}`);
    }
  }

  /** Warn once per key. Warnings quote errors of hooks and sinks: secrets in them are redacted. */
  private warn(key: string, text: string): void {
    this.core.warnings.warn(`langchain:${key}`, redactSecrets(text), this.core.options.logger);
  }
}
