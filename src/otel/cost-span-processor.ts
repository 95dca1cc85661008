import type { AttributeValue, Context } from '@opentelemetry/api';
import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { redactSecrets } from '../ledger/redact.js';
import { getLogger, type Logger, WarnOnce } from '../logger.js';
import type { PriceCatalog } from '../pricing/catalog.js';
import { costDetailsJson } from '../pricing/cost-details-json.generated.js';
import type { CostResult } from '../pricing/cost-result.js';
import { getDefaultCatalog } from '../pricing/default-catalog.js';
import { type CallFacts, priceCall } from '../pricing/price-call.js';
import { adapterDefaults } from '../tracker/adapter-defaults.js';
import { recordOutcome } from '../tracker/record-outcome.js';
import { usageDetailsJson } from '../usage/details-json.generated.js';
import { extractOtelUsage, OTEL_ATTR, type OtelUsageExtraction } from '../usage/extract-otel.js';
import { isLocalEndpoint } from '../usage/providers.js';
import type { ServiceTier } from '../usage/service-tiers.js';
import type { TokenUsage } from '../usage/token-usage.js';
import { OpenSpans, recordContextOf, ServiceNameCache, spanDurationMs } from './attribution.js';
import type { CostRecorder, ProcessorSpan, SpanProcessorLike } from './types.js';

/** Attributes the processor writes. */
export const COST_ATTR = {
  /** Langfuse cost per usage key, JSON string, always with `total`. */
  COST_DETAILS: OTEL_ATTR.LF_COST_DETAILS,
  /** Langfuse usage per key (disjoint, `input` exclusive of cache), JSON string; only when the span had none. */
  USAGE_DETAILS: OTEL_ATTR.LF_USAGE_DETAILS,
  /** Total cost, USD (read by Langfuse, OpenLIT dashboards and others). */
  COST: OTEL_ATTR.COST,
  /** Price source: override, catalog, synced, fallback or free. */
  COST_SOURCE: 'langfuse.observation.metadata.cost_source',
  /** Catalog entry the model resolved to. */
  RESOLVED_MODEL: 'langfuse.observation.metadata.resolved_model',
  /** Tier applied, e.g. `standard`, `>200k`, `batch`. */
  COST_TIER: 'langfuse.observation.metadata.cost_tier',
  /** `"true"` when priced with the fallback price, else `"false"`. */
  COST_ESTIMATED: 'langfuse.observation.metadata.cost_estimated',
  /** Provider of the price entry (read by the dashboards on Langfuse sources). */
  PROVIDER: 'langfuse.observation.metadata.provider',
} as const;

/** Options of {@link CostSpanProcessor}. */
export interface CostSpanProcessorOptions {
  /**
   * Where priced spans are recorded. Default: the process-wide tracker of `langfuse-cost/node`
   * (env budgets, JSONL ledger). `false` records nothing.
   */
  tracker?: CostRecorder | false;
  /** Prices. Default: the Node catalog (user price files, synced cache, bundled prices). */
  catalog?: PriceCatalog;
  /**
   * Replace a cost already on the span (`langfuse.observation.cost_details`, `gen_ai.usage.cost`,
   * `gen_ai.usage.cost.amount`, `llm.cost.total`). Default false: such spans keep their cost and are
   * recorded with it as the provided (actual) cost beside ours; a cost from another vocabulary is also
   * written as `langfuse.observation.cost_details` (`{"total": …}`) so that Langfuse shows it.
   */
  overwrite?: boolean;
  /**
   * A processor to wrap (e.g. `new LangfuseSpanProcessor()` or a `BatchSpanProcessor`). Every call is
   * forwarded to it after the cost is written, so order cannot go wrong; `forceFlush` and `shutdown`
   * pass through.
   */
  next?: SpanProcessorLike;
  /** Logger for warnings. Default: the library logger (`setLogger`). */
  logger?: Logger;
}

/**
 * An OpenTelemetry span processor that prices every LLM span, whoever emitted it (`@langfuse/tracing`,
 * `@langfuse/langchain`, the Vercel AI SDK, OpenLLMetry, OpenInference, OpenLIT, GenAI semconv), and
 * writes the cost onto the span before it is exported:
 * `langfuse.observation.cost_details`, `langfuse.observation.usage_details` (when missing),
 * `gen_ai.usage.cost` and `langfuse.observation.metadata.{cost_source,resolved_model,cost_tier,cost_estimated}`.
 *
 * Only leaf inference spans are priced (chat, completion, generate_content, embeddings, Langfuse
 * generations, AI SDK `doGenerate`/`doStream`/`doEmbed`, OpenInference LLM/EMBEDDING), never agent,
 * chain or wrapper spans that repeat their children's usage (AI SDK `ai.generateText`,
 * `invoke_agent`, OpenInference CHAIN/AGENT, Langfuse span/agent observations, OpenLLMetry
 * workflows), and never an LLM span that contains an LLM span already priced (e.g. a LangChain
 * generation around an instrumented OpenAI call): a trace's cost is counted once.
 *
 * A span that already carries a cost (`langfuse.observation.cost_details`, `gen_ai.usage.cost` > 0,
 * `gen_ai.usage.cost.amount`, `llm.cost.total` > 0) keeps it unless `overwrite: true`; its cost is
 * recorded in the tracker as the provided (actual) cost beside ours, and when it came from another
 * vocabulary it is also written as `langfuse.observation.cost_details` `{"total": …}`, so Langfuse
 * shows the cost the ledger records (it does not read `gen_ai.usage.cost.amount` as a cost). `langfuse.observation.type`
 * is never written: every span priced here is one Langfuse already files as a generation or
 * embedding (by its type, OpenInference kind, GenAI operation, AI SDK operation id or model attribute).
 *
 * On OTel SDK ≥ 2.3 (and 3.x) the cost is written in `onEnding`, which the SDK calls on every
 * processor before any `onEnd`, so the processor's position does not matter. On older SDKs it is
 * written in `onEnd`, which reaches the exporter only when this processor is listed **before** the
 * exporting processor (or wraps it via `next`); a wrong order is detected and warned about. Either
 * way the attributes are assigned on `span.attributes` directly (limits would drop or truncate them).
 *
 * Every method is synchronous and cheap and never throws. Memory is bounded: an index of open spans
 * (for session/user/tags set on an ancestor, and for the wrapper rule), emptied as spans end and
 * capped, and bounded warn-once keys.
 *
 * @example
 * ```ts
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * import { LangfuseSpanProcessor } from '@langfuse/otel';
 * import { CostSpanProcessor } from 'langfuse-cost/otel';
 *
 * const sdk = new NodeSDK({ spanProcessors: [new CostSpanProcessor(), new LangfuseSpanProcessor()] });
 * sdk.start();
 * ```
 */
export class CostSpanProcessor implements SpanProcessorLike {
  private readonly overwrite: boolean;
  private readonly next: SpanProcessorLike | undefined;
  private readonly customLogger: Logger | undefined;
  private readonly trackerOption: CostRecorder | false | undefined;
  private trackerValue: CostRecorder | null | undefined;
  private readonly catalogValue: PriceCatalog;
  private readonly services = new ServiceNameCache();
  private readonly open = new OpenSpans();
  /** Open spans with a priced LLM descendant (weak: entries go with the spans). */
  private readonly wrappers = new WeakSet<object>();
  /**
   * Whether any span was ever put in {@link wrappers}: until then no span can be in it, and the
   * WeakSet lookup (a hash of the span) is skipped. Services whose LLM spans are roots or children of
   * HTTP spans that are not open LLM spans never pay it.
   */
  private wrappersUsed = false;
  /** The last model priced and its one-name list for `priceCall` (read only; one array per model, not per span). */
  private lastModel: string | undefined;
  private lastModels: readonly string[] = [];
  private readonly warnings = new WarnOnce();
  /** The SDK calls onEnding for every span; once seen, onEnd never prices again. */
  private sawOnEnding = false;
  private orderChecked = false;
  private isShutdown = false;
  /** The last endpoint `isLocal` parsed, and its answer. */
  private lastEndpoint: string | undefined;
  private lastEndpointLocal = false;

  constructor(options: CostSpanProcessorOptions = {}) {
    try {
      if (typeof options !== 'object' || options === null)
        throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
      this.overwrite = options.overwrite === true;
      this.next = options.next;
      this.customLogger = options.logger;
      this.trackerOption = options.tracker;
      // Resolved now, not on the first LLM span: the Node catalog reads price files once.
      this.catalogValue = options.catalog ?? this.loadDefaultCatalog();
    } catch (err) {
      throw closedError(err, 'new CostSpanProcessor');
    }
  }

  /** Remembers the open span (for session/user of its descendants), forwards to `next`; checks the processor order once. */
  onStart(span: ProcessorSpan, parentContext: Context): void {
    if (!this.orderChecked) this.checkOrder(span);
    try {
      this.open.add(span);
    } catch {
      // Not a span we can index; it is still forwarded.
    }
    if (this.next) {
      try {
        this.next.onStart(span, parentContext);
      } catch (err) {
        this.warnOnce('next.onStart', `wrapped span processor threw in onStart: ${message(err)}`);
      }
    }
  }

  /** Prices the span while it is still writable (OTel SDK ≥ 2.3), then forwards to `next`. */
  onEnding(span: ProcessorSpan): void {
    this.sawOnEnding = true;
    if (!this.isShutdown) this.process(span);
    if (this.next?.onEnding) {
      try {
        this.next.onEnding(span);
      } catch (err) {
        this.warnOnce('next.onEnding', `wrapped span processor threw in onEnding: ${message(err)}`);
      }
    }
  }

  /** Prices the span by writing its attributes when the SDK has no `onEnding`, then forwards to `next`. */
  onEnd(span: ProcessorSpan): void {
    if (!this.sawOnEnding && !this.isShutdown) this.process(span);
    try {
      this.open.remove(span);
    } catch {
      // Not a span we could index.
    }
    if (this.next) {
      try {
        this.next.onEnd(span);
      } catch (err) {
        this.warnOnce('next.onEnd', `wrapped span processor threw in onEnd: ${message(err)}`);
      }
    }
  }

  /** Flushes `next` and the tracker's sinks. Never rejects. */
  async forceFlush(): Promise<void> {
    await Promise.all([this.settle('forceFlush', () => this.next?.forceFlush()), this.flushTracker()]);
  }

  /** Shuts `next` down and flushes the tracker (the shared default tracker is not closed). Never rejects. */
  async shutdown(): Promise<void> {
    this.isShutdown = true;
    await Promise.all([this.settle('shutdown', () => this.next?.shutdown()), this.flushTracker()]);
  }

  private async settle(what: string, fn: () => Promise<void> | undefined): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.warn(`wrapped span processor ${what} failed: ${message(err)}`);
    }
  }

  private async flushTracker(): Promise<void> {
    const t = this.trackerValue;
    if (!t || typeof t.flush !== 'function') return;
    try {
      await t.flush();
    } catch (err) {
      this.warn(`cost tracker flush failed: ${message(err)}`);
    }
  }

  private process(span: ProcessorSpan): void {
    try {
      const attrs = span.attributes;
      if (!attrs) return;
      const x = extractOtelUsage(attrs, span.instrumentationScope);
      if (!x.billable) return;
      this.price(span, x);
    } catch (err) {
      this.warnOnce(`process:${message(err)}`, `could not price span "${safeName(span)}": ${message(err)}`);
    }
  }

  private price(span: ProcessorSpan, x: OtelUsageExtraction): void {
    if (x.invalid !== undefined) {
      this.warnOnce(
        `invalid:${x.emitter}:${x.invalid}`,
        `span "${safeName(span)}" (${x.emitter}) not priced: ${x.invalid}. No cost written.`,
      );
      return;
    }
    const usage = x.usage;
    if (!usage) return;
    // Ancestors of an LLM span that also carry usage repeat it (a LangChain or Langfuse generation
    // around an instrumented SDK call, a hand-made generation around generateText, …): the
    // innermost call is priced, the wrappers are not. Children end before their parents.
    if (this.open.markAncestors(span, this.wrappers)) this.wrappersUsed = true;
    if (this.wrappersUsed && this.wrappers.has(span)) {
      this.warnOnce(
        `wrapper:${x.emitter}:${safeName(span)}`,
        `span "${safeName(span)}" (${x.emitter}) carries usage but wraps an LLM span that was already priced; not priced again (no double counting)`,
      );
      return;
    }
    const model = x.model;
    if (model === undefined) {
      this.warnOnce(
        `nomodel:${x.emitter}`,
        `an LLM span from ${x.emitter} has token usage but no model name; not priced`,
      );
      return;
    }

    if (model !== this.lastModel) {
      this.lastModel = model;
      this.lastModels = [model];
    }
    const outcome = priceCall(
      new SpanCallFacts(
        this.lastModels,
        x,
        usage,
        // GenAI semconv `server.address` (OpenLLMetry: `gen_ai.openai.api_base`, the client's base
        // URL) on this machine: an unknown model there is self-hosted ($0), not unpriced. Literal
        // keys: a named read (see the `A` enum of extract-otel.ts), not a keyed one.
        this.isLocal(span.attributes['server.address']) ||
          this.isLocal(span.attributes['gen_ai.openai.api_base']),
        span,
      ),
      this.catalogValue,
    );
    if (outcome.status === 'unpriced' && outcome.failed) {
      // The calculator refused the span's numbers (a cost over $9,007, …): no cost is written; the
      // call is still counted, as unpriced.
      this.warnOnce(
        `calc:${model}:${outcome.reason}`,
        `span "${safeName(span)}" (model ${model}) not priced: ${outcome.reason}`,
      );
    }
    const provided = x.providedCost;
    if (outcome.status === 'provided') this.writeProvided(span, x, provided!);
    else if (outcome.status !== 'unpriced') {
      if (provided === undefined || this.overwrite) this.write(span, x, outcome.result);
      else this.writeProvided(span, x, provided);
    }
    const tracker = this.tracker();
    if (!tracker) return;
    if (outcome.status === 'unpriced' && !tracker.recordUnpriced) {
      this.warnOnce(
        `unpriced:${model}`,
        `no price for model "${model}"; its spans carry no cost (add a price to the catalog)`,
      );
      return;
    }
    try {
      recordOutcome(
        tracker,
        outcome,
        { provider: x.provider, usage },
        recordContextOf(
          span,
          this.services.get(span.resource),
          provided,
          this.open,
          this.services.environment(span.resource),
        ),
        // The tracker's "no price" warning goes to this processor's logger when it has one.
        this.customLogger ? { logger: this.customLogger } : undefined,
        false,
      );
    } catch (err) {
      this.warnOnce(
        `tracker.record:${message(err)}`,
        `cost tracker failed to record a span: ${message(err)}`,
      );
    }
  }

  /**
   * A cost read from another vocabulary (`gen_ai.usage.cost.amount`, `gen_ai.usage.cost`,
   * `llm.cost.total`) is recorded as the span's provided cost; Langfuse must show the same one. It reads
   * `langfuse.observation.cost_details` first (then `gen_ai.usage.cost`, then `llm.cost.total`) and
   * stores `gen_ai.usage.cost.amount` as a usage key, not a cost — so the total goes there too. The
   * span's own attributes are left as they are.
   */
  private writeProvided(span: ProcessorSpan, x: OtelUsageExtraction, provided: number): void {
    if (x.providedCostAttribute === OTEL_ATTR.LF_COST_DETAILS) return;
    (span.attributes as Record<string, AttributeValue | undefined>)['langfuse.observation.cost_details'] =
      `{"total":${provided}}`;
  }

  /**
   * Write the cost attributes by assigning `span.attributes`, in onEnding as in onEnd. The SDK's
   * `setAttribute` would apply the attribute count and length limits — dropping the cost on spans
   * that are already at the limit (OpenInference spans that flatten messages often are) or
   * truncating the JSON — and it was the largest part of the processor's per-span cost. The object
   * is a plain mutable one in every SDK version; Langfuse, OpenInference and OpenLLMetry write it
   * the same way. One store per literal key keeps each store site monomorphic.
   */
  private write(span: ProcessorSpan, x: OtelUsageExtraction, result: CostResult): void {
    const a = span.attributes as Record<string, AttributeValue | undefined>;
    a['langfuse.observation.cost_details'] = costDetailsJson(result);
    if (!x.hasUsageDetails) a['langfuse.observation.usage_details'] = usageDetailsJson(result.usage);
    a['gen_ai.usage.cost'] = result.total;
    a['langfuse.observation.metadata.cost_source'] = result.source;
    a['langfuse.observation.metadata.resolved_model'] = result.resolvedModel;
    a['langfuse.observation.metadata.cost_tier'] = result.tier;
    // The dashboards read the provider from metadata on Langfuse sources, as on the ledger.
    a['langfuse.observation.metadata.provider'] = result.provider;
    // Metadata values are strings, as @langfuse/tracing writes them (its exporter warns on others).
    a['langfuse.observation.metadata.cost_estimated'] = result.estimated ? 'true' : 'false';
  }

  /**
   * `isLocalEndpoint` of an endpoint attribute, remembering the last answer: a service talks to the
   * same few hosts, and parsing the text again for every span cost more than pricing the call.
   */
  private isLocal(endpoint: AttributeValue | undefined): boolean {
    if (endpoint === undefined) return false;
    if (endpoint === this.lastEndpoint) return this.lastEndpointLocal;
    const local = isLocalEndpoint(endpoint);
    if (typeof endpoint === 'string') {
      this.lastEndpoint = endpoint;
      this.lastEndpointLocal = local;
    }
    return local;
  }

  private loadDefaultCatalog(): PriceCatalog {
    try {
      return adapterDefaults().catalog();
    } catch (err) {
      this.warn(`price files could not be loaded, using the bundled prices only: ${message(err)}`);
      return getDefaultCatalog();
    }
  }

  private tracker(): CostRecorder | null {
    if (this.trackerValue === undefined) {
      if (this.trackerOption === false) this.trackerValue = null;
      else if (this.trackerOption) this.trackerValue = this.trackerOption;
      else {
        try {
          this.trackerValue = adapterDefaults().tracker();
        } catch (err) {
          this.warnOnce(
            'default-tracker',
            `default cost tracker unavailable, spans are priced but not recorded: ${message(err)}`,
          );
          this.trackerValue = null;
        }
      }
    }
    return this.trackerValue;
  }

  /**
   * Best effort, once: on SDKs without onEnding, a processor listed before this one that exports
   * (Simple/Batch/Langfuse processors) may send spans before the cost is written.
   */
  private checkOrder(span: ProcessorSpan): void {
    this.orderChecked = true;
    try {
      const multi = (
        span as unknown as { _spanProcessor?: { onEnding?: unknown; _spanProcessors?: unknown } }
      )._spanProcessor;
      if (!multi || typeof multi.onEnding === 'function') return;
      const list = multi._spanProcessors;
      if (!Array.isArray(list)) return;
      const me = list.indexOf(this);
      for (let i = 0; i < me; i++) {
        const p = list[i] as Record<string, unknown> | null;
        if (p && looksExporting(p)) {
          this.warn(
            `CostSpanProcessor is registered after ${p.constructor && (p.constructor as { name?: string }).name}; this OTel SDK has no onEnding, so spans that processor exports may leave without cost. List CostSpanProcessor first in spanProcessors, or pass the exporting processor as \`next\`.`,
          );
          return;
        }
      }
    } catch {
      // Internals differ between SDK versions; the check is advisory only.
    }
  }

  private warn(text: string): void {
    try {
      (this.customLogger ?? getLogger()).warn(text);
    } catch {
      // A broken logger must not break the span pipeline.
    }
  }

  private warnOnce(key: string, text: string): void {
    this.warnings.warn(`otel:${key}`, text, this.customLogger);
  }
}

/**
 * What `priceCall` needs to know of one span. The span's duration (GPU time, for a model priced per
 * GPU hour) is worked out only when `priceCall` asks for it: on every span it was about a quarter of
 * the processor's own time, for a figure no bundled model uses.
 */
class SpanCallFacts implements CallFacts {
  readonly models: readonly string[];
  readonly provider: string | undefined;
  readonly serviceTier: ServiceTier | undefined;
  readonly providedCost: number | undefined;

  constructor(
    models: readonly string[],
    x: OtelUsageExtraction,
    readonly usage: TokenUsage,
    readonly selfHosted: boolean,
    private readonly span: ProcessorSpan,
  ) {
    this.models = models;
    this.provider = x.provider;
    this.serviceTier = x.serviceTier;
    this.providedCost = x.providedCost;
  }

  get durationMs(): number | undefined {
    return spanDurationMs(this.span);
  }
}

function looksExporting(p: Record<string, unknown>): boolean {
  if ('_exporter' in p) return true;
  const name = (p.constructor as { name?: string } | undefined)?.name ?? '';
  return name === 'LangfuseSpanProcessor' || name.endsWith('ExportingSpanProcessor');
}

/** An error's message for a warning, with secrets redacted (wrapped exporters' errors may quote keys or URLs). */
function message(err: unknown): string {
  try {
    return redactSecrets(err instanceof Error ? err.message : String(err));
  } catch {
    return 'unprintable error';
  }
}

function safeName(span: ProcessorSpan): string {
  try {
    return String(span.name).slice(0, 120);
  } catch {
    return '?';
  }
}
