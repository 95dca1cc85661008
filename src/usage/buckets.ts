/**
 * The price buckets: one row each, and everything else derives from this table — token usage and
 * its validation, price keys and their fallbacks, the calculator, cost breakdowns, aggregates,
 * exports, the Langfuse details written on spans and ledger lines, the ledger reader, importers and
 * CLI flags. Hot paths that must not loop over keys (a keyed loop costs 10× an unrolled one) are
 * generated from it by `scripts/generate-bucket-code.ts` into `*.generated.ts` files; a test fails
 * when they are stale.
 *
 * To add a bucket: add a row here, run `npm run generate`, and teach an extractor to fill it.
 */

/** One price bucket. */
export interface BucketRow {
  /** Key in `TokenUsage` and `CostBreakdown` (camelCase). */
  readonly key: string;
  /**
   * `token`: tokens, summed into the call's token totals; `count`: any other unit (requests,
   * searches, seconds of audio, characters, images, GPU milliseconds), kept out of token totals.
   */
  readonly kind: 'token' | 'count';
  /**
   * Prompt side or completion side (token buckets), or `fee`: a count outside the token sums (it
   * still has an `input_`/`output_` Langfuse key).
   */
  readonly side: 'input' | 'output' | 'fee';
  /**
   * How many units one price is for: 1,000,000 (tokens, characters), 1 (a request, a search, an
   * image), 3600 (seconds of audio, priced per hour: exact for every published per-hour, per-minute
   * and per-second rate, where a per-second price such as Groq's $0.04 an hour is not a finite decimal)
   * or 3,600,000 (milliseconds of GPU time, priced per GPU hour as GPUs are rented: a call lasts
   * milliseconds, so whole seconds would round short calls to $0).
   */
  readonly per: number;
  /** Key in a catalog `PriceSet` (prices per 1M tokens, or USD per unit). */
  readonly price: string;
  /** Price key whose price applies when this bucket has none (`null`: 0). */
  readonly fallback: string | null;
  /**
   * Whether that fallback is how providers bill the bucket (reasoning tokens are output tokens on
   * every invoice), so a call priced through it is exact, not an estimate.
   */
  readonly fallbackExact: boolean;
  /**
   * Langfuse usage/cost detail key. It is also the ledger's `usage_details`/`cost_details` key, the
   * CSV column and the key of the JSON written to span attributes. Every key holds `input` or
   * `output`, so Langfuse's input/output split works.
   */
  readonly langfuse: string;
  /**
   * Other usage keys that mean this bucket in Langfuse (the SDKs', `@langfuse/langchain`'s, the
   * server's OTel and AI SDK mappings, Anthropic-style names): read back from Langfuse and priced in
   * pushed model definitions, beside `langfuse`.
   */
  readonly langfuseAliases: readonly string[];
  /** Whether the bucket has a usage detail (fees have a cost detail only). */
  readonly usageDetail: boolean;
  /** Written even when 0 (`input` and `output`, as Langfuse expects). */
  readonly alwaysWritten: boolean;
  /** Units billed per call at least, when the bucket has a price (a per-request fee: 1). */
  readonly minPerCall: 0 | 1;
  /** `langfuse-cost price` flag (`--cache-read 2000`). */
  readonly flag: string;
  /** `langfuse-cost prices set` flag for its price (`--cache-read 1.25`, `--per-request 0.01`). */
  readonly priceFlag: string;
  /** Short label of its price in tables (`cache read`, `audio in`, `per request`). */
  readonly priceLabel: string;
  /** What the bucket counts, for docs and `--help`. */
  readonly doc: string;
  /** What one price is for: `1M tokens`, `request`, … (`PriceSet` docs). */
  readonly unit: string;
}

/** The buckets, in the order they are written everywhere. */
export const BUCKETS = [
  {
    key: 'input',
    kind: 'token',
    side: 'input',
    per: 1_000_000,
    price: 'input',
    fallback: null,
    fallbackExact: false,
    langfuse: 'input',
    langfuseAliases: [],
    usageDetail: true,
    alwaysWritten: true,
    minPerCall: 0,
    flag: 'input',
    priceFlag: 'input',
    priceLabel: 'input',
    doc: 'Uncached text input tokens.',
    unit: '1M tokens',
  },
  {
    key: 'cacheRead',
    kind: 'token',
    side: 'input',
    per: 1_000_000,
    price: 'cacheRead',
    fallback: 'input',
    fallbackExact: false,
    langfuse: 'input_cached_tokens',
    langfuseAliases: ['input_cache_read', 'cache_read_input_tokens'],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'cache-read',
    priceFlag: 'cache-read',
    priceLabel: 'cache read',
    doc: 'Input tokens read from the prompt cache.',
    unit: '1M tokens',
  },
  {
    key: 'cacheWrite',
    kind: 'token',
    side: 'input',
    per: 1_000_000,
    price: 'cacheWrite',
    fallback: 'input',
    fallbackExact: false,
    langfuse: 'input_cache_creation',
    langfuseAliases: ['input_cache_creation_5m', 'input_cache_write', 'cache_creation_input_tokens'],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'cache-write',
    priceFlag: 'cache-write',
    priceLabel: 'cache write',
    doc: 'Input tokens written to the prompt cache (5-minute or generic TTL).',
    unit: '1M tokens',
  },
  {
    key: 'cacheWrite1h',
    kind: 'token',
    side: 'input',
    per: 1_000_000,
    price: 'cacheWrite1h',
    fallback: 'cacheWrite',
    fallbackExact: false,
    langfuse: 'input_cache_creation_1h',
    langfuseAliases: [],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'cache-write-1h',
    priceFlag: 'cache-write-1h',
    priceLabel: 'cache write 1h',
    doc: 'Input tokens written to the prompt cache with a 1-hour TTL (Anthropic).',
    unit: '1M tokens',
  },
  {
    key: 'inputAudio',
    kind: 'token',
    side: 'input',
    per: 1_000_000,
    price: 'inputAudio',
    fallback: 'input',
    fallbackExact: false,
    langfuse: 'input_audio_tokens',
    langfuseAliases: ['input_audio'],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'input-audio',
    priceFlag: 'input-audio',
    priceLabel: 'audio in',
    doc: 'Audio input tokens.',
    unit: '1M tokens',
  },
  {
    key: 'inputImage',
    kind: 'token',
    side: 'input',
    per: 1_000_000,
    price: 'inputImage',
    fallback: 'input',
    fallbackExact: true,
    langfuse: 'input_image_tokens',
    langfuseAliases: ['input_image'],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'input-image',
    priceFlag: 'input-image',
    priceLabel: 'image in',
    doc: 'Image input tokens.',
    unit: '1M tokens',
  },
  {
    key: 'output',
    kind: 'token',
    side: 'output',
    per: 1_000_000,
    price: 'output',
    fallback: null,
    fallbackExact: false,
    langfuse: 'output',
    langfuseAliases: [],
    usageDetail: true,
    alwaysWritten: true,
    minPerCall: 0,
    flag: 'output',
    priceFlag: 'output',
    priceLabel: 'output',
    doc: 'Non-reasoning text output tokens.',
    unit: '1M tokens',
  },
  {
    key: 'reasoning',
    kind: 'token',
    side: 'output',
    per: 1_000_000,
    price: 'reasoning',
    fallback: 'output',
    fallbackExact: true,
    langfuse: 'output_reasoning_tokens',
    langfuseAliases: ['output_reasoning'],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'reasoning',
    priceFlag: 'reasoning',
    priceLabel: 'reasoning',
    doc: 'Reasoning / thinking output tokens.',
    unit: '1M tokens',
  },
  {
    key: 'outputAudio',
    kind: 'token',
    side: 'output',
    per: 1_000_000,
    price: 'outputAudio',
    fallback: 'output',
    fallbackExact: false,
    langfuse: 'output_audio_tokens',
    langfuseAliases: ['output_audio'],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'output-audio',
    priceFlag: 'output-audio',
    priceLabel: 'audio out',
    doc: 'Audio output tokens.',
    unit: '1M tokens',
  },
  {
    key: 'requests',
    kind: 'count',
    side: 'fee',
    per: 1,
    price: 'perRequest',
    fallback: null,
    fallbackExact: false,
    langfuse: 'input_requests',
    langfuseAliases: [],
    usageDetail: false,
    alwaysWritten: false,
    minPerCall: 1,
    flag: 'requests',
    priceFlag: 'per-request',
    priceLabel: 'per request',
    doc: 'Billable requests (a model with a per-request fee is charged once per call at least).',
    unit: 'request',
  },
  {
    key: 'webSearches',
    kind: 'count',
    side: 'fee',
    per: 1,
    price: 'perWebSearch',
    fallback: null,
    fallbackExact: false,
    langfuse: 'input_web_searches',
    langfuseAliases: [],
    usageDetail: false,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'web-searches',
    priceFlag: 'per-web-search',
    priceLabel: 'per search',
    doc: 'Web searches performed by the provider during the call.',
    unit: 'web search',
  },
  {
    key: 'audioSeconds',
    kind: 'count',
    side: 'fee',
    per: 3600,
    price: 'perAudioHour',
    fallback: null,
    fallbackExact: false,
    langfuse: 'input_audio_seconds',
    langfuseAliases: [],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'audio-seconds',
    priceFlag: 'per-audio-hour',
    priceLabel: 'per audio hour',
    doc: 'Seconds of audio billed by duration (transcription, translation), rounded as the provider bills them.',
    unit: 'hour of audio',
  },
  {
    key: 'characters',
    kind: 'count',
    side: 'fee',
    per: 1_000_000,
    price: 'characters',
    fallback: null,
    fallbackExact: false,
    langfuse: 'input_characters',
    langfuseAliases: [],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'characters',
    priceFlag: 'characters',
    priceLabel: 'characters',
    doc: 'Input characters billed by count (text to speech).',
    unit: '1M characters',
  },
  {
    key: 'images',
    kind: 'count',
    side: 'fee',
    per: 1,
    price: 'perImage',
    fallback: null,
    fallbackExact: false,
    langfuse: 'output_images',
    langfuseAliases: [],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'images',
    priceFlag: 'per-image',
    priceLabel: 'per image',
    doc: 'Images generated, billed per image (a size or quality priced apart is a model of its own, `dall-e-3/1024x1792/hd`).',
    unit: 'image',
  },
  {
    key: 'gpuMilliseconds',
    kind: 'count',
    side: 'fee',
    per: 3_600_000,
    price: 'perGpuHour',
    fallback: null,
    fallbackExact: false,
    langfuse: 'input_gpu_milliseconds',
    langfuseAliases: [],
    usageDetail: true,
    alwaysWritten: false,
    minPerCall: 0,
    flag: 'gpu-milliseconds',
    priceFlag: 'per-gpu-hour',
    priceLabel: 'per GPU hour',
    doc: 'GPU time a self-hosted or dedicated model held for the call: its duration in milliseconds times the GPUs serving it, filled only for a model priced per GPU hour.',
    unit: 'GPU hour',
  },
] as const satisfies readonly BucketRow[];

type Row = (typeof BUCKETS)[number];

/** Any usage bucket name. */
export type UsageBucket = Row['key'];
/** A token bucket name (priced per 1M tokens). */
export type TokenBucket = Extract<Row, { kind: 'token' }>['key'];
/** A count bucket name (priced per unit). */
export type CountBucket = Extract<Row, { kind: 'count' }>['key'];
/** A key of a catalog `PriceSet`. */
export type PriceKey = Row['price'];
/** The price key of a bucket with a Langfuse usage detail (tokens and the media units; fees have cost details only). */
export type UsageDetailPriceKey = Extract<Row, { usageDetail: true }>['price'];
/** Cost per bucket in USD (every token bucket and every fee). */
export type CostBreakdown = Record<UsageBucket, number>;
/** A Langfuse usage/cost detail key of a bucket. */
export type LangfuseDetailKey = Row['langfuse'];

const keysWhere = <K extends UsageBucket>(test: (r: BucketRow) => boolean): readonly K[] =>
  Object.freeze(BUCKETS.filter(test).map((r) => r.key as K));

/** Every usage bucket, in table order. */
export const USAGE_BUCKETS: readonly UsageBucket[] = keysWhere(() => true);
/** Token buckets (priced per 1M tokens). */
export const TOKEN_BUCKETS: readonly TokenBucket[] = keysWhere((r) => r.kind === 'token');
/** Count buckets (priced per unit). */
export const COUNT_BUCKETS: readonly CountBucket[] = keysWhere((r) => r.kind === 'count');
/** Buckets that count toward the prompt (context tiers, Langfuse `input` keys). */
export const INPUT_BUCKETS: readonly TokenBucket[] = keysWhere((r) => r.side === 'input');
/** Buckets that count toward the completion. */
export const OUTPUT_BUCKETS: readonly TokenBucket[] = keysWhere((r) => r.side === 'output');
/** Keys of a catalog `PriceSet`, in table order. */
export const PRICE_KEYS: readonly PriceKey[] = Object.freeze(BUCKETS.map((r) => r.price));

/** A frozen lookup from entries whose keys cover `K` (the table has a row for each). */
function lookup<K extends string, V>(entries: Iterable<readonly [string, V]>): Readonly<Record<K, V>> {
  return Object.freeze(Object.fromEntries(entries) as Record<K, V>);
}

/** The row of each bucket. */
export const BUCKET_ROW: Readonly<Record<UsageBucket, BucketRow>> = lookup<UsageBucket, BucketRow>(
  BUCKETS.map((r) => [r.key, r]),
);
/** Bucket of each price key. */
export const BUCKET_OF_PRICE: Readonly<Record<PriceKey, UsageBucket>> = lookup<PriceKey, UsageBucket>(
  BUCKETS.map((r) => [r.price, r.key]),
);
/** Price key a bucket falls back to when it has no price of its own (null: none). */
export const PRICE_FALLBACK: Readonly<Record<PriceKey, PriceKey | null>> = lookup<PriceKey, PriceKey | null>(
  BUCKETS.map((r) => [r.price, r.fallback]),
);
/** Price keys whose fallback is how providers bill them: priced through it, a call is still exact. */
export const EXACT_FALLBACK_PRICES: ReadonlySet<PriceKey> = new Set<PriceKey>(
  BUCKETS.filter((r) => r.fallbackExact).map((r) => r.price as PriceKey),
);
/** Langfuse usage/cost key of each bucket. */
export const LANGFUSE_KEY_OF_BUCKET: Readonly<Record<UsageBucket, LangfuseDetailKey>> = lookup<
  UsageBucket,
  LangfuseDetailKey
>(BUCKETS.map((r) => [r.key, r.langfuse]));
/** Bucket of each Langfuse usage/cost key (the inverse of {@link LANGFUSE_KEY_OF_BUCKET}). */
export const BUCKET_OF_LANGFUSE_KEY: Readonly<Record<string, UsageBucket>> = lookup<string, UsageBucket>(
  BUCKETS.map((r) => [r.langfuse, r.key]),
);
/** Every Langfuse usage key of each bucket: its own, then its aliases. */
export const LANGFUSE_KEYS_OF_BUCKET: Readonly<Record<UsageBucket, readonly string[]>> = lookup<
  UsageBucket,
  readonly string[]
>(BUCKETS.map((r: BucketRow) => [r.key, [r.langfuse, ...r.langfuseAliases]]));
/** Langfuse keys with a usage detail, in the order they are written. */
export const LANGFUSE_USAGE_KEYS: readonly LangfuseDetailKey[] = Object.freeze(
  BUCKETS.filter((r: BucketRow) => r.usageDetail).map((r) => r.langfuse),
);
/** Langfuse keys with a cost detail (every bucket), in the order they are written. */
export const LANGFUSE_COST_KEYS: readonly LangfuseDetailKey[] = Object.freeze(BUCKETS.map((r) => r.langfuse));
/** `langfuse-cost prices set` flag → price key. */
export const PRICE_KEY_OF_FLAG: Readonly<Record<string, PriceKey>> = lookup<string, PriceKey>(
  BUCKETS.map((r) => [r.priceFlag, r.price]),
);
/** Short label of each price key in tables. */
export const PRICE_LABEL: Readonly<Record<PriceKey, string>> = lookup<PriceKey, string>(
  BUCKETS.map((r) => [r.price, r.priceLabel]),
);
/** `langfuse-cost price` flag → bucket. */
export const BUCKET_OF_FLAG: Readonly<Record<string, UsageBucket>> = lookup<string, UsageBucket>(
  BUCKETS.map((r) => [r.flag, r.key]),
);

/**
 * How a bucket's price becomes the integer in its compiled slot. When `per` is a power of ten the slot
 * is femto-USD per unit (`per` 1M: price × 10^9; `per` 1: price × 10^15) and `block` is 1; otherwise
 * (`per` 3600, audio priced per hour) the slot is femto-USD per `per` units and `block` is `per`, so
 * a cost is `units × slot / block`, rounded once: an hourly rate stays exact.
 */
export interface SlotScale {
  /** Decimal places a price in the row's unit is shifted by to reach its slot (9 or 15). */
  readonly femtoDigits: number;
  /** Units one slot value is for (1 unless `per` is not a power of ten). */
  readonly block: number;
}

/** The slot scale of each price key. */
export const SLOT_SCALE: Readonly<Record<PriceKey, SlotScale>> = lookup<PriceKey, SlotScale>(
  BUCKETS.map((r: BucketRow) => {
    const d = Math.log10(r.per);
    const pow10 = Number.isInteger(d);
    return [r.price, Object.freeze({ femtoDigits: pow10 ? 15 - d : 15, block: pow10 ? 1 : r.per })];
  }),
);
