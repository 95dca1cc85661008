import { closedError, InvalidUsageError } from '../errors.js';

/**
 * Canonical token usage: disjoint buckets whose sum is the billable total.
 *
 * - `input` is uncached text input only (cache reads/writes, audio and image input are separate).
 * - `output` is non-reasoning text output only (reasoning and audio output are separate).
 * Extractors convert provider counts (which are often inclusive) into these buckets.
 */
export interface TokenUsage {
  /** Uncached text input tokens. */
  input: number;
  /** Input tokens read from the prompt cache. */
  cacheRead: number;
  /** Input tokens written to the prompt cache (5-minute or generic TTL). */
  cacheWrite: number;
  /** Input tokens written to the prompt cache with a 1-hour TTL (Anthropic). */
  cacheWrite1h: number;
  /** Audio input tokens. */
  inputAudio: number;
  /** Image input tokens. */
  inputImage: number;
  /** Non-reasoning text output tokens. */
  output: number;
  /** Reasoning / thinking output tokens. */
  reasoning: number;
  /** Audio output tokens. */
  outputAudio: number;
  /** Billable requests (usually 1 per call when a model has a per-request fee). */
  requests: number;
  /** Web searches performed by the provider during the call. */
  webSearches: number;
}

/** Usage as callers pass it: any subset of the buckets; missing buckets are 0. */
export type UsageInput = Partial<TokenUsage>;

/** Token buckets (priced per 1M tokens). */
export const TOKEN_BUCKETS = [
  'input',
  'cacheRead',
  'cacheWrite',
  'cacheWrite1h',
  'inputAudio',
  'inputImage',
  'output',
  'reasoning',
  'outputAudio',
] as const;

/** A token bucket name. */
export type TokenBucket = (typeof TOKEN_BUCKETS)[number];

/** Count buckets (priced per unit). */
export const COUNT_BUCKETS = ['requests', 'webSearches'] as const;

/** A count bucket name. */
export type CountBucket = (typeof COUNT_BUCKETS)[number];

/** Every usage bucket. */
export const USAGE_BUCKETS = [...TOKEN_BUCKETS, ...COUNT_BUCKETS] as const;

/** Any usage bucket name. */
export type UsageBucket = TokenBucket | CountBucket;

/** Buckets that count toward the prompt (used for context tiers and Langfuse `input` keys). */
export const INPUT_BUCKETS: readonly TokenBucket[] = [
  'input',
  'cacheRead',
  'cacheWrite',
  'cacheWrite1h',
  'inputAudio',
  'inputImage',
];

/** Buckets that count toward the completion. */
export const OUTPUT_BUCKETS: readonly TokenBucket[] = ['output', 'reasoning', 'outputAudio'];

/** Largest token count accepted in one bucket of one call; anything above is treated as corrupt input. */
export const MAX_TOKENS_PER_BUCKET = 1_000_000_000;

const BUCKET_SET: ReadonlySet<string> = new Set(USAGE_BUCKETS);

/** A usage with every bucket 0. */
export function emptyUsage(): TokenUsage {
  return {
    input: 0,
    cacheRead: 0,
    cacheWrite: 0,
    cacheWrite1h: 0,
    inputAudio: 0,
    inputImage: 0,
    output: 0,
    reasoning: 0,
    outputAudio: 0,
    requests: 0,
    webSearches: 0,
  };
}

/**
 * Validate a usage and return it with every bucket filled.
 * @throws {InvalidUsageError} for unknown buckets and negative, NaN, fractional or absurd counts.
 */
export function normalizeUsage(usage: UsageInput, path = 'usage'): TokenUsage {
  try {
    return normalizeUsageUnsafe(usage, typeof path === 'string' ? path : 'usage');
  } catch (err) {
    // The closed error contract: a getter or Proxy trap that throws becomes a typed error.
    if (err instanceof InvalidUsageError) throw err;
    throw new InvalidUsageError(typeof path === 'string' ? path : 'usage', 'could not be read', {
      cause: err,
    });
  }
}

function normalizeUsageUnsafe(usage: UsageInput, path: string): TokenUsage {
  if (usage === null || typeof usage !== 'object') {
    throw new InvalidUsageError(
      path,
      `expected an object of token counts, got ${usage === null ? 'null' : typeof usage}`,
    );
  }
  // Hot path: direct property reads (monomorphic) while counting the keys read; the object has an
  // unknown key only when it has more own keys than that (Object.keys is far cheaper than for-in).
  const o = usage as Partial<Record<UsageBucket, unknown>>;
  const out: TokenUsage = {
    input: o.input === undefined ? 0 : count(o.input, 'input', path),
    cacheRead: o.cacheRead === undefined ? 0 : count(o.cacheRead, 'cacheRead', path),
    cacheWrite: o.cacheWrite === undefined ? 0 : count(o.cacheWrite, 'cacheWrite', path),
    cacheWrite1h: o.cacheWrite1h === undefined ? 0 : count(o.cacheWrite1h, 'cacheWrite1h', path),
    inputAudio: o.inputAudio === undefined ? 0 : count(o.inputAudio, 'inputAudio', path),
    inputImage: o.inputImage === undefined ? 0 : count(o.inputImage, 'inputImage', path),
    output: o.output === undefined ? 0 : count(o.output, 'output', path),
    reasoning: o.reasoning === undefined ? 0 : count(o.reasoning, 'reasoning', path),
    outputAudio: o.outputAudio === undefined ? 0 : count(o.outputAudio, 'outputAudio', path),
    requests: o.requests === undefined ? 0 : count(o.requests, 'requests', path),
    webSearches: o.webSearches === undefined ? 0 : count(o.webSearches, 'webSearches', path),
  };
  const seen =
    +(o.input !== undefined) +
    +(o.cacheRead !== undefined) +
    +(o.cacheWrite !== undefined) +
    +(o.cacheWrite1h !== undefined) +
    +(o.inputAudio !== undefined) +
    +(o.inputImage !== undefined) +
    +(o.output !== undefined) +
    +(o.reasoning !== undefined) +
    +(o.outputAudio !== undefined) +
    +(o.requests !== undefined) +
    +(o.webSearches !== undefined);
  if (Object.keys(o).length !== seen) rejectUnknownKeys(o, path);
  return out;
}

function rejectUnknownKeys(o: object, path: string): void {
  for (const key of Object.keys(o)) {
    if (!BUCKET_SET.has(key) && (o as Record<string, unknown>)[key] != null) {
      throw new InvalidUsageError(
        `${path}.${key}`,
        `unknown usage bucket; use one of ${USAGE_BUCKETS.join(', ')}`,
      );
    }
  }
}

function count(v: unknown, key: string, path: string): number {
  if (v === null) return 0;
  if (typeof v === 'number' && v >= 0 && v <= MAX_TOKENS_PER_BUCKET && Number.isInteger(v)) return v;
  return checkCount(v, `${path}.${key}`);
}

function checkCount(value: unknown, path: string): number {
  if (typeof value !== 'number') {
    throw new InvalidUsageError(path, `expected a number of tokens, got ${typeof value}`);
  }
  if (Number.isNaN(value)) throw new InvalidUsageError(path, 'is NaN');
  if (value < 0) throw new InvalidUsageError(path, `is negative (${value}); token counts are >= 0`);
  if (!Number.isInteger(value))
    throw new InvalidUsageError(path, `is fractional (${value}); token counts are integers`);
  if (value > MAX_TOKENS_PER_BUCKET) {
    throw new InvalidUsageError(
      path,
      `is implausibly large (${value} > ${MAX_TOKENS_PER_BUCKET}); check the extractor`,
    );
  }
  return value;
}

/** Sum of prompt-side buckets: what providers compare against long-context thresholds. */
export function promptTokens(u: TokenUsage): number {
  try {
    return u.input + u.cacheRead + u.cacheWrite + u.cacheWrite1h + u.inputAudio + u.inputImage;
  } catch (err) {
    throw closedError(err, 'promptTokens');
  }
}

/** Sum of completion-side buckets. */
export function completionTokens(u: TokenUsage): number {
  try {
    return u.output + u.reasoning + u.outputAudio;
  } catch (err) {
    throw closedError(err, 'completionTokens');
  }
}

/** Total tokens of a usage (prompt + completion). */
export function totalTokens(u: TokenUsage): number {
  try {
    return promptTokens(u) + completionTokens(u);
  } catch (err) {
    throw closedError(err, 'totalTokens');
  }
}

/** Add `b` into `a` in place and return `a`. */
export function addUsageInto(a: TokenUsage, b: TokenUsage): TokenUsage {
  try {
    for (const k of USAGE_BUCKETS) a[k] += b[k];
    return a;
  } catch (err) {
    throw closedError(err, 'addUsageInto');
  }
}
