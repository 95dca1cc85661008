import type {
  Attributes,
  Histogram,
  MeterProvider,
  ObservableCounter,
  ObservableResult,
} from '@opentelemetry/api';
import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import type { CostRecord } from '../ledger/record.js';
import { getLogger, type Logger } from '../logger.js';
import { picoToUsd } from '../pricing/money.js';
import { completionTokens, promptTokens } from '../usage/token-usage.js';

/** The GenAI semantic-conventions token histogram (unit `{token}`, attribute `gen_ai.token.type`). */
export const TOKEN_USAGE_METRIC = 'gen_ai.client.token.usage';

/**
 * The cost counter, USD. Not a `gen_ai.*` name: the semantic conventions have no cost metric yet
 * (semantic-conventions PR #443 proposes `gen_ai.usage.cost.amount`/`.currency`/`.source` as
 * attributes, issue #287), and names under `gen_ai.` are reserved for the conventions. Ours lives in
 * the library's own namespace and mirrors the proposal's shape (`usage.cost`), so moving to the
 * official name when it lands is a rename. Prometheus shows it as `langfuse_cost_usage_cost_total`.
 */
export const COST_METRIC = 'langfuse_cost.usage.cost';

/** Calls recorded without a price (their cost is unknown, so not in the cost counter). */
export const UNPRICED_METRIC = 'langfuse_cost.usage.unpriced_calls';

/** Bucket boundaries the conventions advise for `gen_ai.client.token.usage` (powers of 4). */
export const TOKEN_USAGE_BUCKETS: readonly number[] = Object.freeze([
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** Attribute names written. */
export const METRIC_ATTR = {
  TOKEN_TYPE: 'gen_ai.token.type',
  OPERATION: 'gen_ai.operation.name',
  PROVIDER: 'gen_ai.provider.name',
  REQUEST_MODEL: 'gen_ai.request.model',
  RESPONSE_MODEL: 'gen_ai.response.model',
  /** Opt-in (`attributes.user`). */
  USER: 'user.id',
  /** Opt-in (`attributes.session`). */
  SESSION: 'session.id',
  /** Opt-in (`attributes.tenant`); no convention names tenants. */
  TENANT: 'langfuse_cost.tenant.id',
  /** Opt-in (`attributes.environment`). */
  ENVIRONMENT: 'deployment.environment.name',
  /** The one series that takes calls past `maxSeries` (the SDK's own overflow attribute). */
  OVERFLOW: 'otel.metric.overflow',
} as const;

/**
 * Our provider ids → the `gen_ai.provider.name` values of the conventions, where they differ.
 * Others are written as they are.
 */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  aws: 'aws.bedrock',
  azure: 'azure.ai.openai',
  google: 'gcp.gen_ai',
  mistral: 'mistral_ai',
  'x-ai': 'x_ai',
};

/** Options of {@link CostMetrics}. */
export interface CostMetricsOptions {
  /** The app's `MeterProvider` (e.g. `metrics.getMeterProvider()` of `@opentelemetry/api`, or an SDK one). */
  meterProvider: MeterProvider;
  /** Meter (instrumentation scope) name, default `langfuse-cost`. */
  meterName?: string;
  /**
   * High-cardinality attributes, each off by default: `user` (`user.id`), `session` (`session.id`),
   * `tenant` (`langfuse_cost.tenant.id`), `environment` (`deployment.environment.name`).
   */
  attributes?: { user?: boolean; session?: boolean; tenant?: boolean; environment?: boolean };
  /**
   * Most attribute sets (series) kept (default 1,000). Calls past it are counted in one series
   * with `otel.metric.overflow: true`, so totals stay right and memory stays bounded.
   */
  maxSeries?: number;
  /** Where a failure to record is reported, once (default: the library logger). */
  logger?: Logger;
}

/** What {@link CostMetrics} listens to: a `CostTracker` (its public `on('record', …)`). */
export interface CostRecordSource {
  /** Add a `record` listener; returns a function that removes it. */
  on(event: 'record', listener: (record: CostRecord) => void): () => void;
}

/** One attribute set: its attributes (with each token type) and its exact running cost. */
interface Series {
  attrs: Attributes;
  input: Attributes;
  output: Attributes;
  pico: bigint;
  priced: boolean;
  unpriced: number;
}

/**
 * OpenTelemetry metrics of the calls a tracker records, through your `MeterProvider`:
 *
 * - `gen_ai.client.token.usage` — histogram, `{token}`, one point per call and token type:
 *   `input` (every prompt-side bucket, cache reads and writes included, as the conventions count
 *   input tokens) and `output` (output, reasoning and audio output); a side with 0 tokens is skipped;
 * - `langfuse_cost.usage.cost` — monotonic counter, `USD`, the exact running total of each series
 *   kept in integer picodollars and converted once when read (a float sum would drift);
 * - `langfuse_cost.usage.unpriced_calls` — counter of calls without a price.
 *
 * Attributes: `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model` and
 * `gen_ai.response.model` (both the record's model: the served model when the response named it,
 * else the requested one), and only when asked `user.id`, `session.id`, tenant and environment.
 * Records are only queued on the host's call path; the instruments are updated right after it
 * (a microtask) and before any collection. Nothing is thrown into the host.
 */
export class CostMetrics {
  private readonly tokens: Histogram;
  private readonly cost: ObservableCounter;
  private readonly unpriced: ObservableCounter;
  private readonly series = new Map<string, Series>();
  private readonly maxSeries: number;
  private readonly opt: { user: boolean; session: boolean; tenant: boolean; environment: boolean };
  private readonly logger: Logger | undefined;
  private pending: CostRecord[] = [];
  private queued = false;
  private failed = false;
  private readonly detachers: (() => void)[] = [];
  private readonly observeCost = (r: ObservableResult) => this.observe(r, false);
  private readonly observeUnpriced = (r: ObservableResult) => this.observe(r, true);
  private readonly drainSoon = () => {
    this.queued = false;
    this.drain();
  };

  /** @throws {InvalidArgumentError} without a meter provider. */
  constructor(options: CostMetricsOptions) {
    try {
      const mp = options?.meterProvider;
      if (mp === null || typeof mp !== 'object' || typeof mp.getMeter !== 'function')
        throw new InvalidArgumentError(
          'CostMetrics(options.meterProvider)',
          `expected a MeterProvider, got ${describeValue(mp)}`,
        );
      const max = options.maxSeries ?? 1_000;
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1)
        throw new InvalidArgumentError(
          'CostMetrics(options.maxSeries)',
          `expected a whole number ≥ 1, got ${describeValue(max)}`,
        );
      this.maxSeries = max;
      const a = options.attributes ?? {};
      this.opt = { user: !!a.user, session: !!a.session, tenant: !!a.tenant, environment: !!a.environment };
      this.logger = options.logger;
      const meter = mp.getMeter(options.meterName ?? 'langfuse-cost');
      this.tokens = meter.createHistogram(TOKEN_USAGE_METRIC, {
        description: 'Number of input and output tokens used.',
        unit: '{token}',
        advice: { explicitBucketBoundaries: [...TOKEN_USAGE_BUCKETS] },
      });
      this.cost = meter.createObservableCounter(COST_METRIC, {
        description: 'Cost of LLM calls, USD (exact running total, from picodollars).',
        unit: 'USD',
      });
      this.unpriced = meter.createObservableCounter(UNPRICED_METRIC, {
        description: 'LLM calls recorded without a price (their cost is not in the cost counter).',
        unit: '{call}',
      });
      this.cost.addCallback(this.observeCost);
      this.unpriced.addCallback(this.observeUnpriced);
    } catch (err) {
      throw closedError(err, 'CostMetrics');
    }
  }

  /** Record the calls of a tracker. Returns a function that stops listening. */
  attach(source: CostRecordSource): () => void {
    try {
      const off = source.on('record', (rec) => this.record(rec));
      this.detachers.push(off);
      return off;
    } catch (err) {
      throw closedError(err, 'CostMetrics.attach');
    }
  }

  /** Queue one record (the instruments are updated right after the caller's code). Never throws. */
  record(rec: CostRecord): void {
    try {
      this.pending.push(rec);
      if (!this.queued) {
        this.queued = true;
        queueMicrotask(this.drainSoon);
      }
    } catch {
      // never into the host
    }
  }

  /** Stop listening and remove the counters' callbacks (the series stop being reported). */
  shutdown(): void {
    this.drain();
    for (const off of this.detachers.splice(0)) {
      try {
        off();
      } catch {
        // nothing more to do
      }
    }
    this.cost.removeCallback(this.observeCost);
    this.unpriced.removeCallback(this.observeUnpriced);
  }

  /** Series held (attribute sets), the overflow series included. */
  get seriesCount(): number {
    return this.series.size;
  }

  private drain(): void {
    const recs = this.pending;
    if (recs.length === 0) return;
    this.pending = [];
    for (const rec of recs) {
      try {
        this.add(rec);
      } catch (err) {
        if (!this.failed) {
          this.failed = true;
          try {
            (this.logger ?? getLogger()).warn(
              `cost metrics could not record a call of "${String(rec?.model)}": ${err instanceof Error ? err.message : describeValue(err)}`,
            );
          } catch {
            // a logger that throws
          }
        }
      }
    }
  }

  private add(rec: CostRecord): void {
    const s = this.seriesOf(rec);
    const input = promptTokens(rec.usage);
    const output = completionTokens(rec.usage);
    if (input > 0) this.tokens.record(input, s.input);
    if (output > 0) this.tokens.record(output, s.output);
    if (rec.unpriced === true) s.unpriced++;
    else {
      s.priced = true;
      s.pico += BigInt(rec.totalPico);
    }
  }

  private seriesOf(rec: CostRecord): Series {
    const o = this.opt;
    const op = rec.operation;
    const provider = rec.provider ? (PROVIDER_NAMES[rec.provider] ?? rec.provider) : undefined;
    const model = rec.model || undefined;
    const user = o.user ? rec.userId : undefined;
    const session = o.session ? rec.sessionId : undefined;
    const tenant = o.tenant ? rec.tenantId : undefined;
    const env = o.environment ? rec.environment : undefined;
    // JSON of the values: unambiguous whatever characters they hold.
    const key = JSON.stringify([op, provider, model, user, session, tenant, env]);
    let s = this.series.get(key);
    if (s !== undefined) return s;
    if (this.series.size >= this.maxSeries - 1) {
      // The last slot is the overflow series.
      const k = 'overflow';
      s = this.series.get(k);
      if (s === undefined) {
        s = makeSeries({ [METRIC_ATTR.OVERFLOW]: true });
        this.series.set(k, s);
      }
      return s;
    }
    const attrs: Attributes = {};
    if (op !== undefined) attrs[METRIC_ATTR.OPERATION] = op;
    if (provider !== undefined) attrs[METRIC_ATTR.PROVIDER] = provider;
    if (model !== undefined) {
      attrs[METRIC_ATTR.REQUEST_MODEL] = model;
      attrs[METRIC_ATTR.RESPONSE_MODEL] = model;
    }
    if (user !== undefined) attrs[METRIC_ATTR.USER] = user;
    if (session !== undefined) attrs[METRIC_ATTR.SESSION] = session;
    if (tenant !== undefined) attrs[METRIC_ATTR.TENANT] = tenant;
    if (env !== undefined) attrs[METRIC_ATTR.ENVIRONMENT] = env;
    s = makeSeries(attrs);
    this.series.set(key, s);
    return s;
  }

  private observe(r: ObservableResult, unpriced: boolean): void {
    try {
      this.drain();
      for (const s of this.series.values()) {
        if (unpriced) {
          if (s.unpriced > 0) r.observe(s.unpriced, s.attrs);
        } else if (s.priced) r.observe(picoToUsd(s.pico), s.attrs);
      }
    } catch {
      // a collection must not fail because of us
    }
  }
}

function makeSeries(attrs: Attributes): Series {
  return {
    attrs,
    input: { ...attrs, [METRIC_ATTR.TOKEN_TYPE]: 'input' },
    output: { ...attrs, [METRIC_ATTR.TOKEN_TYPE]: 'output' },
    pico: 0n,
    priced: false,
    unpriced: 0,
  };
}

/**
 * Record a tracker's calls as OpenTelemetry metrics: `attachCostMetrics(tracker, { meterProvider })`.
 * See {@link CostMetrics}.
 * @throws {InvalidArgumentError} without a meter provider.
 */
export function attachCostMetrics(source: CostRecordSource, options: CostMetricsOptions): CostMetrics {
  try {
    const m = new CostMetrics(options);
    m.attach(source);
    return m;
  } catch (err) {
    throw closedError(err, 'attachCostMetrics');
  }
}
