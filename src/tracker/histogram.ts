/**
 * Fixed log-bucket histogram for cost percentiles with bounded memory.
 *
 * Values are non-negative integers (pico-USD). Bucket 0 holds exact zeros; bucket `i ≥ 1`
 * holds values in `[γ^(i-1), γ^i)` with γ = {@link HISTOGRAM_GAMMA}. A quantile is answered
 * with the bucket's representative `2·γ^i / (1 + γ)`, clamped to the exact min and max seen,
 * so it is within a relative error of {@link HISTOGRAM_RELATIVE_ERROR} (≈ 0.99 %) of the true
 * nearest-rank order statistic. Memory is one slot per distinct bucket used (at most ~2,100 for
 * values from 1 pico-USD to $1,000,000); costs of one workload typically touch a few dozen.
 */

/** Ratio between consecutive bucket bounds. */
export const HISTOGRAM_GAMMA = 1.02;

/**
 * Largest relative error of a quantile estimate versus the exact nearest-rank value:
 * `(γ − 1) / (γ + 1)` ≈ 0.0099.
 */
export const HISTOGRAM_RELATIVE_ERROR = (HISTOGRAM_GAMMA - 1) / (HISTOGRAM_GAMMA + 1);

import { closedError, describeValue, InvalidArgumentError } from '../errors.js';

const LOG_GAMMA = Math.log(HISTOGRAM_GAMMA);
const REP_FACTOR = 2 / (1 + HISTOGRAM_GAMMA);
const EMPTY = -1;

/** Bucket index of a non-negative value (0 for values below 1, i.e. exact zeros of integer input). */
export function histogramBucket(value: number): number {
  return value < 1 ? 0 : 1 + Math.floor(Math.log(value) / LOG_GAMMA);
}

/** Representative value of a bucket. */
export function bucketValue(index: number): number {
  return index === 0 ? 0 : REP_FACTOR * HISTOGRAM_GAMMA ** index;
}

/**
 * Sparse log histogram: one (bucket, count) pair kept inline, then an open-addressing table of pairs
 * in a plain array (on the JS heap: cheap to allocate, unlike small typed arrays), grown by doubling.
 * Adding is a comparison or a hash probe, no allocation.
 */
export class LogHistogram {
  /** The only bucket while there is one (−1 when empty or when `slots` is in use). */
  private oneBucket = EMPTY;
  private oneCount = 0;
  private slots: number[] | null = null;
  private mask = 0;
  private used = 0;
  /** Number of values added. */
  count = 0;
  /** Smallest value added (Infinity when empty). */
  min = Number.POSITIVE_INFINITY;
  /** Largest value added (-Infinity when empty). */
  max = Number.NEGATIVE_INFINITY;

  /**
   * Add one value (a non-negative finite number); `bucket` may be passed when the caller computed it
   * already ({@link histogramBucket} of the value).
   * @throws {InvalidArgumentError} for a value or bucket of the wrong type or range.
   */
  addValue(value: number, bucket?: number): void {
    if (typeof value !== 'number' || !(value >= 0 && value < Number.POSITIVE_INFINITY))
      throw new InvalidArgumentError(
        'value',
        `expected a non-negative finite number, got ${describeValue(value)}`,
      );
    const b = histogramBucket(value);
    if (bucket !== undefined && bucket !== b)
      throw new InvalidArgumentError(
        'bucket',
        `expected ${b} (the bucket of ${value}), got ${describeValue(bucket)}`,
      );
    this.addKnown(value, b);
  }

  /** @internal {@link addValue} without checks, for values and buckets the library computed. */
  protected addKnown(value: number, bucket: number): void {
    this.count++;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.bump(bucket, 1);
  }

  /** Merge another histogram into this one. */
  mergeHistogram(other: LogHistogram): void {
    try {
      if (!(other instanceof LogHistogram))
        throw new InvalidArgumentError('other', `expected a LogHistogram, got ${describeValue(other)}`);
    } catch (err) {
      throw closedError(err, 'LogHistogram.mergeHistogram');
    }
    this.mergeKnown(other);
  }

  /** @internal {@link mergeHistogram} without the type check, for histograms the library made. */
  protected mergeKnown(other: LogHistogram): void {
    if (other.count === 0) return;
    this.count += other.count;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (other.slots === null) {
      this.bump(other.oneBucket, other.oneCount);
      return;
    }
    const s = other.slots;
    for (let i = 0; i < s.length; i += 2) {
      const k = s[i]!;
      if (k !== EMPTY) this.bump(k, s[i + 1]!);
    }
  }

  /** Nearest-rank quantile estimate (`q` in [0, 1]); 0 when empty. */
  quantile(q: number): number {
    return this.quantiles([q])[0]!;
  }

  /**
   * Several quantiles with one sort of the buckets.
   * @throws {InvalidArgumentError} unless `qs` is an array of numbers in [0, 1].
   */
  quantiles(qs: readonly number[]): number[] {
    try {
      if (!Array.isArray(qs))
        throw new InvalidArgumentError('qs', `expected an array, got ${describeValue(qs)}`);
      qs = [...qs];
      for (const q of qs)
        if (typeof q !== 'number' || !(q >= 0 && q <= 1))
          throw new InvalidArgumentError('q', `expected a number in [0, 1], got ${describeValue(q)}`);
    } catch (err) {
      throw closedError(err, 'LogHistogram.quantiles');
    }
    if (this.count === 0) return qs.map(() => 0);
    const pairs: [number, number][] = [];
    if (this.slots === null) pairs.push([this.oneBucket, this.oneCount]);
    else {
      const s = this.slots;
      for (let i = 0; i < s.length; i += 2) if (s[i] !== EMPTY) pairs.push([s[i]!, s[i + 1]!]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    return qs.map((q) => {
      const rank = Math.max(1, Math.ceil(q * this.count));
      let seen = 0;
      for (const [bucket, n] of pairs) {
        seen += n;
        if (seen >= rank) return this.clamp(bucketValue(bucket));
      }
      return this.max;
    });
  }

  /** Distinct buckets in use (memory is proportional to this). */
  get buckets(): number {
    return this.slots === null ? (this.oneBucket === EMPTY ? 0 : 1) : this.used;
  }

  private clamp(v: number): number {
    return Math.min(Math.max(v, this.min), this.max);
  }

  private bump(bucket: number, n: number): void {
    if (this.slots === null) {
      if (this.oneBucket === bucket) {
        this.oneCount += n;
        return;
      }
      if (this.oneBucket === EMPTY) {
        this.oneBucket = bucket;
        this.oneCount = n;
        return;
      }
      // A second bucket: move to the table.
      this.slots = newSlots(4);
      this.mask = 3;
      this.used = 0;
      const b = this.oneBucket;
      const c = this.oneCount;
      this.oneBucket = EMPTY;
      this.oneCount = 0;
      this.put(b, c);
    }
    this.put(bucket, n);
  }

  private put(bucket: number, n: number): void {
    const s = this.slots!;
    let i = (Math.imul(bucket, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const at = i * 2;
      const k = s[at]!;
      if (k === bucket) {
        s[at + 1] = s[at + 1]! + n;
        return;
      }
      if (k === EMPTY) {
        s[at] = bucket;
        s[at + 1] = n;
        if (++this.used * 2 > this.mask + 1) this.grow();
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots!;
    const capacity = (this.mask + 1) * 2;
    this.slots = newSlots(capacity);
    this.mask = capacity - 1;
    this.used = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i]!;
      if (k !== EMPTY) this.put(k, old[i + 1]!);
    }
  }
}

/** An empty table of each power-of-two capacity, by `Math.clz32(capacity)`; copied, never handed out. */
const EMPTY_TABLES: number[][] = [];

/**
 * An empty table of `capacity` (a power of two) pairs: a copy of a kept empty one, made in one step at
 * its size. Pushing the pairs one by one regrew the array's store at each doubling: tables are made
 * and regrown every second by the open second's aggregates, which made about 700 instructions a
 * call at 1,000 calls a second (callgrind).
 */
function newSlots(capacity: number): number[] {
  const i = Math.clz32(capacity);
  let t = EMPTY_TABLES[i];
  if (t === undefined) {
    t = [];
    for (let k = 0; k < capacity; k++) t.push(EMPTY, 0);
    EMPTY_TABLES[i] = t;
  }
  return t.slice();
}
