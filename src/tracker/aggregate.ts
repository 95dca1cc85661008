import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import { picoToDecimalString, picoToUsd } from '../pricing/money.js';
import { TOKEN_BUCKETS, type TokenUsage, USAGE_BUCKETS, type UsageBucket } from '../usage/token-usage.js';
import { histogramBucket, LogHistogram } from './histogram.js';
import { usageToSample } from './record-fields.generated.js';

const NB = USAGE_BUCKETS.length;
// Token buckets come first in the table (tests/unit/usage/buckets.test.ts holds it): slots below
// TOKEN_COUNT are tokens.
const TOKEN_COUNT = TOKEN_BUCKETS.length;
/** Spill the float part of a pico sum into the BigInt part past this (well inside 2^53). */
const SPILL = 2 ** 52;

/** Call status codes used by {@link CallSample}. */
export const STATUS_SUCCESS = 0;
/** @see STATUS_SUCCESS */
export const STATUS_ERROR = 1;
/** @see STATUS_SUCCESS */
export const STATUS_CACHED = 2;

/**
 * One call reduced to what aggregates need. One instance is reused for every call (no per-call
 * allocation); fill it with {@link CallSample.set} or field by field.
 */
export class CallSample {
  /** Cost in integer pico-USD (0 when unpriced). */
  pico = 0;
  /** Histogram bucket of `pico`. */
  bucket = 0;
  /** {@link STATUS_SUCCESS}, {@link STATUS_ERROR} or {@link STATUS_CACHED}. */
  status = STATUS_SUCCESS;
  /** False when the call has no price. */
  priced = true;
  /** True for fallback (estimated) prices. */
  estimated = false;
  /** Provider-reported cost in pico-USD, or -1 when none was reported. */
  providedPico = -1;
  /** Usage per bucket, in {@link USAGE_BUCKETS} order. */
  readonly usage = new Float64Array(NB);
  /** Indexes of the non-zero usage buckets (the first `nonZero` entries are valid). */
  readonly nz = new Uint8Array(NB);
  /** Number of non-zero usage buckets. */
  nonZero = 0;
  /** Token total (token buckets only). */
  tokens = 0;

  /** Fill from a record's facts. */
  set(
    pico: number,
    status: number,
    priced: boolean,
    estimated: boolean,
    providedPico: number,
    usage: TokenUsage,
  ): this {
    this.pico = pico;
    this.bucket = histogramBucket(pico);
    this.status = status;
    this.priced = priced;
    this.estimated = estimated;
    this.providedPico = providedPico;
    this.setUsage(usage);
    return this;
  }

  /** Copy a TokenUsage into the sample (generated straight-line reads: a keyed loop is several times slower). */
  setUsage(u: TokenUsage): void {
    const a = this.usage;
    const nz = this.nz;
    const n = usageToSample(u, a, nz);
    let tokens = 0;
    for (let i = 0; i < n; i++) {
      const b = nz[i]!;
      if (b < TOKEN_COUNT) tokens += a[b]!;
    }
    this.nonZero = n;
    this.tokens = tokens;
  }

  /** Clear usage before filling buckets one by one with {@link CallSample.addUsage}. */
  clearUsage(): void {
    for (let i = 0; i < this.nonZero; i++) this.usage[this.nz[i]!] = 0;
    this.nonZero = 0;
    this.tokens = 0;
  }

  /** Add `n` to usage bucket index `i` (after {@link CallSample.clearUsage}). */
  addUsage(i: number, n: number): void {
    if (!(n > 0)) return;
    if (this.usage[i] === 0) this.nz[this.nonZero++] = i;
    this.usage[i] = this.usage[i]! + n;
    if (i < TOKEN_COUNT) this.tokens += n;
  }
}

/**
 * Totals of a set of calls, exact in money: request counts, tokens per bucket, an exact pico-USD
 * sum (a float part kept below 2^52 that spills into a BigInt), provider-reported cost, and a
 * {@link LogHistogram} of cost per priced call for percentiles. The aggregate *is* its histogram
 * (one object instead of two: group tables create many aggregates).
 */
export class CostAggregate extends LogHistogram {
  /** Calls recorded (success, error and cached). */
  requests = 0;
  /** Failed calls. */
  errors = 0;
  /** Calls answered from a cache. */
  cached = 0;
  /** Calls without a price (unknown model, or a failure that billed tokens we could not price). */
  unpriced = 0;
  /** Calls priced with a fallback (estimated) price. */
  estimated = 0;
  /** Calls where the provider reported its own cost. */
  provided = 0;
  /** Tokens of priced calls (denominator of cost per 1k tokens). */
  pricedTokens = 0;
  /**
   * Cost of priced calls with no tokens (transcriptions, speech, images: priced by other units), in
   * pico-USD, kept out of cost per 1k tokens.
   */
  tokenlessPico = 0;
  private picoLo = 0;
  private picoHi = 0n;
  private providedLo = 0;
  private providedHi = 0n;
  /** Usage per bucket, in {@link USAGE_BUCKETS} order (a plain array: cheap to allocate). */
  readonly usage: number[] = zeroSlots();

  /** Cost per priced call (this aggregate's own histogram). */
  get hist(): LogHistogram {
    return this;
  }

  /**
   * Add one call (a sample the tracker filled).
   * @throws {InvalidArgumentError} for anything but a `CallSample`.
   */
  add(s: CallSample): void {
    try {
      if (!(s instanceof CallSample))
        throw new InvalidArgumentError('sample', `expected a CallSample, got ${describeValue(s)}`);
    } catch (err) {
      throw closedError(err, 'CostAggregate.add');
    }
    this.addSample(s);
  }

  /**
   * @internal {@link add} without the type check, for the tracker's own samples: the window
   * aggregates add each call to about ten aggregates, and the check was repeated for each.
   */
  addSample(s: CallSample): void {
    this.requests++;
    if (s.status === STATUS_ERROR) this.errors++;
    else if (s.status === STATUS_CACHED) this.cached++;
    for (let i = 0; i < s.nonZero; i++) {
      const b = s.nz[i]!;
      this.usage[b] = this.usage[b]! + s.usage[b]!;
    }
    if (!s.priced) {
      this.unpriced++;
      return;
    }
    if (s.estimated) this.estimated++;
    this.pricedTokens += s.tokens;
    if (s.tokens === 0) this.tokenlessPico += s.pico;
    const lo = this.picoLo + s.pico;
    if (lo < SPILL) this.picoLo = lo;
    else {
      this.picoHi += BigInt(this.picoLo) + BigInt(s.pico);
      this.picoLo = 0;
    }
    this.addKnown(s.pico, s.bucket);
    if (s.providedPico >= 0) {
      this.provided++;
      const plo = this.providedLo + s.providedPico;
      if (plo < SPILL) this.providedLo = plo;
      else {
        this.providedHi += BigInt(this.providedLo) + BigInt(s.providedPico);
        this.providedLo = 0;
      }
    }
  }

  /** Add every call of another aggregate. */
  merge(o: CostAggregate): void {
    try {
      if (!(o instanceof CostAggregate))
        throw new InvalidArgumentError('other', `expected a CostAggregate, got ${describeValue(o)}`);
    } catch (err) {
      throw closedError(err, 'CostAggregate.merge');
    }
    this.mergeAggregate(o);
  }

  /**
   * @internal {@link merge} without the type check, for the window code's own aggregates: the open
   * second merges each key tuple's aggregate into every group the tuple belongs to.
   */
  mergeAggregate(o: CostAggregate): void {
    this.requests += o.requests;
    this.errors += o.errors;
    this.cached += o.cached;
    this.unpriced += o.unpriced;
    this.estimated += o.estimated;
    this.provided += o.provided;
    this.pricedTokens += o.pricedTokens;
    this.tokenlessPico += o.tokenlessPico;
    const lo = this.picoLo + o.picoLo;
    if (lo < SPILL) this.picoLo = lo;
    else {
      this.picoHi += BigInt(this.picoLo) + BigInt(o.picoLo);
      this.picoLo = 0;
    }
    if (o.picoHi !== 0n) this.picoHi += o.picoHi;
    const plo = this.providedLo + o.providedLo;
    if (plo < SPILL) this.providedLo = plo;
    else {
      this.providedHi += BigInt(this.providedLo) + BigInt(o.providedLo);
      this.providedLo = 0;
    }
    if (o.providedHi !== 0n) this.providedHi += o.providedHi;
    for (let i = 0; i < NB; i++) this.usage[i] = this.usage[i]! + o.usage[i]!;
    this.mergeKnown(o);
  }

  /** Exact total cost in pico-USD. */
  totalPico(): bigint {
    return this.picoHi + BigInt(this.picoLo);
  }

  /** Total cost in pico-USD as a number (for ranking groups; exact below 2^53). */
  approxPico(): number {
    return this.picoHi === 0n ? this.picoLo : Number(this.picoHi) + this.picoLo;
  }

  /** Public summary of this aggregate. */
  summary(): CostSummary {
    const totalPico = this.totalPico();
    const totalCost = picoToUsd(totalPico);
    const usage = {} as TokenUsage;
    let totalTokens = 0;
    for (let i = 0; i < NB; i++) {
      const v = this.usage[i]!;
      usage[USAGE_BUCKETS[i] as UsageBucket] = v;
      if (i < TOKEN_COUNT) totalTokens += v;
    }
    const priced = this.requests - this.unpriced;
    const [p50, p90, p99] = this.quantiles([0.5, 0.9, 0.99]).map(picoUsd) as [number, number, number];
    return {
      requests: this.requests,
      errors: this.errors,
      cached: this.cached,
      unpriced: this.unpriced,
      estimated: this.estimated,
      totalCost,
      totalPico,
      exact: picoToDecimalString(totalPico),
      providedCost: picoToUsd(this.providedHi + BigInt(this.providedLo)),
      providedRequests: this.provided,
      tokens: usage,
      totalTokens,
      avgCostPerRequest: priced > 0 ? totalCost / priced : 0,
      costPer1kTokens:
        this.pricedTokens > 0
          ? (picoToUsd(totalPico - BigInt(this.tokenlessPico)) * 1000) / this.pricedTokens
          : 0,
      p50,
      p90,
      p99,
      maxCost: this.count > 0 ? picoUsd(this.max) : 0,
    };
  }
}

/**
 * One zero per usage bucket, as a packed array of small integers. Sized from the bucket table: a
 * literal of zeros silently left new buckets out (undefined, then NaN once merged).
 */
function zeroSlots(): number[] {
  const a: number[] = [];
  for (let i = 0; i < NB; i++) a.push(0);
  return a;
}

function picoUsd(v: number): number {
  return Math.round(v) / 1e12;
}

/**
 * Totals of a set of calls. Money fields are USD numbers except `totalPico` (exact) and `exact`
 * (the exact decimal string with 12 decimals). Averages and percentiles cover priced calls only.
 */
export interface CostSummary {
  /** Calls recorded: successes, failures and cache hits, priced or not. */
  requests: number;
  /** Failed calls. */
  errors: number;
  /** Calls answered from a cache (cost 0). */
  cached: number;
  /** Calls without a price: they count in `requests` and `tokens`, not in cost. */
  unpriced: number;
  /** Calls priced with a fallback (estimated) price. */
  estimated: number;
  /** Total cost, USD (nearest double to `totalPico / 1e12`). */
  totalCost: number;
  /** Exact total cost in pico-USD (1e-12 USD). A BigInt: convert before `JSON.stringify`. */
  totalPico: bigint;
  /** Exact total cost as a decimal string with 12 decimals, e.g. `"12.345678901234"`. */
  exact: string;
  /** Sum of provider-reported costs, USD (compare with `totalCost` over `providedRequests`). */
  providedCost: number;
  /** Calls that carried a provider-reported cost. */
  providedRequests: number;
  /** Usage per bucket, summed. */
  tokens: TokenUsage;
  /** Sum of the token buckets (requests and web searches excluded). */
  totalTokens: number;
  /** `totalCost` / priced calls. */
  avgCostPerRequest: number;
  /**
   * Cost per 1,000 tokens over the priced calls that have tokens: calls priced only by other units
   * (audio seconds, characters, images) are left out of both sides.
   */
  costPer1kTokens: number;
  /** Median cost per priced call, USD (within ~1 % relative; see `HISTOGRAM_RELATIVE_ERROR`). */
  p50: number;
  /** 90th percentile cost per priced call, USD. */
  p90: number;
  /** 99th percentile cost per priced call, USD. */
  p99: number;
  /** Most expensive priced call, USD (exact). */
  maxCost: number;
}
