/**
 * Our catalog models as Langfuse model definitions (`POST /api/public/models`), and the comparison
 * with the definitions a Langfuse project has.
 *
 * Facts this module relies on (Langfuse server, `fern/apis/server/definition/models.yml` and the
 * generated `@langfuse/core` 5.11 types `CreateModelRequest`, `Model`, `PricingTierInput`):
 * - a definition has `modelName`, `matchPattern` (a Postgres regex matched against the observation's
 *   model name; Langfuse's own definitions are anchored and start with `(?i)`), `unit`, and either flat
 *   prices or `pricingTiers`; prices are USD **per unit** (per token) keyed by **usage-detail key**, and
 *   Langfuse multiplies each usage key by the price of exactly the same key (no aliases, no fallback);
 * - exactly one default tier (`isDefault: true, priority: 0, conditions: []`); other tiers are tried
 *   by ascending priority and the first whose conditions all hold wins; a usage condition sums every
 *   usage key matching `usageDetailPattern` (a regex, unanchored unless anchored) and compares it with
 *   `value`; an attribute condition matches a top-level key of `model_parameters` or `metadata`;
 * - project definitions win over Langfuse-managed ones; among project definitions the newest
 *   `startDate` wins (`ORDER BY project_id ASC, start_date DESC NULLS LAST`, no filter on the date:
 *   `packages/shared/src/server/ingestion/modelMatch.ts` `findModelInPostgres`);
 * - what a server accepts depends on its version (`web/src/features/public-api/types/models.ts`,
 *   `packages/shared/src/features/model-pricing/validation.ts`): before v3.135.0 only flat
 *   `inputPrice`/`outputPrice`/`totalPrice` (a `pricingTiers` key is silently dropped); from v3.135.0
 *   pricing tiers with usage conditions, and one project definition per `modelName`; from v4.13.0 also
 *   conditions on `model_parameters`/`metadata`. A usage pattern is at most 200 characters and must
 *   pass `safe-regex2` (no nested quantifiers).
 */
import { closedError } from '../errors.js';
import type { PriceCatalog } from '../pricing/catalog.js';
import { CompiledModel, type CompiledTable, SLOT } from '../pricing/price-table.js';
import { compileSafeRegex, type SafeRegex } from '../pricing/regex/index.js';
import type { CatalogModel, MatchRule, ServiceTier } from '../pricing/types.js';
import {
  BUCKETS,
  type BucketRow,
  LANGFUSE_KEYS_OF_BUCKET,
  SLOT_SCALE,
  type UsageDetailPriceKey,
} from '../usage/buckets.js';

/** A pricing-tier condition on usage (`usageDetailPattern` summed, compared with `value`). */
export interface LangfuseUsageCondition {
  usageDetailPattern: string;
  operator: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
  value: number;
  caseSensitive?: boolean;
}

/** A pricing-tier condition on a model parameter or metadata key. */
export interface LangfuseAttributeCondition {
  source: 'model_parameters' | 'metadata';
  key: string;
  operator: 'in';
  values: string[];
}

/** One pricing tier as sent to / returned by Langfuse. */
export interface LangfusePricingTier {
  /** Present on tiers returned by the API. */
  id?: string;
  name: string;
  isDefault: boolean;
  priority: number;
  conditions: (LangfuseUsageCondition | LangfuseAttributeCondition)[];
  /** USD per unit, by usage-detail key. */
  prices: Record<string, number>;
}

/** Body of `POST /api/public/models` with pricing tiers (Langfuse ≥ 3.135). */
export interface LangfuseModelDefinition {
  modelName: string;
  matchPattern: string;
  startDate?: string | null;
  unit: 'TOKENS';
  pricingTiers: LangfusePricingTier[];
  tokenizerId?: null;
}

/** Body of `POST /api/public/models` with flat prices (what Langfuse < 3.135 accepts). */
export interface LangfuseFlatModelDefinition {
  modelName: string;
  matchPattern: string;
  startDate?: string | null;
  unit: 'TOKENS';
  inputPrice?: number;
  outputPrice?: number;
  totalPrice?: number;
}

/** A create body of either shape. */
export type LangfuseModelCreateBody = LangfuseModelDefinition | LangfuseFlatModelDefinition;

/** A model definition as `GET /api/public/models` returns it. */
export interface LangfuseModel {
  id: string;
  modelName: string;
  matchPattern: string;
  startDate?: string | null;
  unit?: string | null;
  inputPrice?: number | null;
  outputPrice?: number | null;
  totalPrice?: number | null;
  tokenizerId?: string | null;
  isLangfuseManaged: boolean;
  createdAt?: string;
  /** Default-tier prices (servers with pricing tiers). */
  prices?: Record<string, { price: number }>;
  /** All tiers (servers with pricing tiers; empty on older servers, which use the flat prices). */
  pricingTiers?: LangfusePricingTier[];
}

/**
 * Usage-detail keys priced for each of our price slots. Langfuse prices a usage key only when a price
 * with exactly that key exists, so every key emitters actually send is listed: ours and the Langfuse
 * SDKs' (`src/usage/details.ts`), the server's OTel normalisation (`input_cached_tokens`,
 * `input_cache_creation`, `output_reasoning_tokens`, …), `@langfuse/langchain` (`input_cache_read`,
 * `input_cache_creation`, `input_audio`, `output_reasoning`, `output_audio`), the server's AI SDK
 * provider-metadata mapping (`input_cache_read`, Bedrock `input_cache_write`, Anthropic
 * `input_cache_creation_5m`/`_1h`) and Anthropic-style names (`cache_read_input_tokens`,
 * `cache_creation_input_tokens`). Deliberately absent: `reasoning_tokens` and OpenAI's
 * `accepted_prediction_tokens`/`rejected_prediction_tokens` — the server keeps them beside an `output`
 * that already includes them, so pricing them would bill twice; and `total`, whose price makes
 * Langfuse ignore every other key.
 */
export const USAGE_KEYS_OF_SLOT = Object.fromEntries(
  BUCKETS.filter((r: BucketRow) => r.usageDetail).map((r) => [r.price, LANGFUSE_KEYS_OF_BUCKET[r.key]]),
) as Readonly<Record<UsageDetailPriceKey, readonly string[]>>;

/**
 * Usage keys summed for a long-context condition: every prompt key of {@link USAGE_KEYS_OF_SLOT}
 * (uncached input, cache reads and writes under all their names, audio and image input), anchored so
 * `output_*` and `total` never count. Our threshold is on the whole prompt. Written compactly because
 * Langfuse refuses usage patterns over 200 characters, and without a quantifier inside a quantified
 * group, which its `safe-regex2` check refuses.
 */
export const PROMPT_USAGE_PATTERN =
  '^(input(|_cached_tokens|_cache_read|_cache_creation(_5m|_1h)?|_cache_write|_audio(_tokens)?|_image(_tokens)?)|cache_(read|creation)_input_tokens)$';

/** `model_parameters.service_tier` values that select each of our service tiers (as Langfuse's own tiers do). */
const SERVICE_TIER_VALUES: Record<Exclude<ServiceTier, 'standard'>, string[]> = {
  priority: ['priority', 'fast'],
  flex: ['flex'],
  batch: ['batch'],
};

const PREFIXES_OF_PROVIDER: Record<string, string[]> = {
  openai: ['openai/'],
  azure: ['azure/', 'openai/'],
  anthropic: ['anthropic/'],
  google: ['google/', 'googleai/', 'gemini/', 'models/', 'vertex_ai/', 'publishers/google/models/'],
  mistral: ['mistral/', 'mistralai/'],
  'x-ai': ['x-ai/', 'xai/'],
  groq: ['groq/'],
  deepseek: ['deepseek/'],
  cohere: ['cohere/'],
  aws: ['bedrock/', 'aws/', 'amazon-bedrock/'],
};

const BEDROCK_REGION = '(us|eu|apac|au|jp|ca|sa|me|af|global|us-gov)\\.';
/** Snapshot decorations our resolver strips (`model-name.ts`), as one optional repeated group. */
const SNAPSHOT_SUFFIX =
  '(-[0-9]{4}-[0-9]{2}-[0-9]{2}|-[0-9]{8}|-[0-9]{2}-[0-9]{2}|-[0-9]{4}|-[0-9]{3}|-latest|-v[0-9]+(:[0-9]+)?)*';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, (c) => (c === '-' || c === '/' ? c : `\\${c}`));
}

/** Exact names and simple rule fragments of a model, lower-cased, as regex alternatives. */
function nameAlternatives(model: CatalogModel, includeRules: boolean): string[] {
  const names = new Set<string>([model.id.toLowerCase()]);
  for (const a of model.aliases ?? []) names.add(a.toLowerCase());
  const out = [...names].map(escapeRe);
  const walk = (r: MatchRule): void => {
    if ('equals' in r) out.push(escapeRe(r.equals.toLowerCase()));
    else if ('or' in r) r.or.forEach(walk);
    else if (!includeRules) return;
    else if ('startsWith' in r) out.push(`${escapeRe(r.startsWith.toLowerCase())}[^/]*`);
    else if ('contains' in r) out.push(`[^/]*${escapeRe(r.contains.toLowerCase())}[^/]*`);
    else if ('endsWith' in r) out.push(`[^/]*${escapeRe(r.endsWith.toLowerCase())}`);
    // regex and `and` rules use features Postgres and JS disagree on; they stay out of the pattern.
  };
  const rules = model.match === undefined ? [] : Array.isArray(model.match) ? model.match : [model.match];
  rules.forEach(walk);
  return [...new Set(out)];
}

/**
 * Build an anchored, case-insensitive Langfuse `matchPattern` for a catalog model, mirroring our
 * resolver: the model's id, aliases and `equals` names (plus `startsWith`/`contains` rules when
 * `includeRules`), an optional provider prefix (`openai/`, `models/`, `accounts/…/models/`, …), Bedrock
 * region and vendor prefixes for AWS models, Vertex `@date` for dated Anthropic ids, and the snapshot
 * suffixes the resolver strips (`-2024-08-06`, `-20240620`, `-latest`, `-v2:0`) when `suffixes`.
 * Only plain groups and classes are used, so the pattern means the same in Postgres and JavaScript.
 */
export function buildMatchPattern(
  model: CatalogModel,
  opts: { suffixes?: boolean; includeRules?: boolean } = {},
): string {
  try {
    return buildMatchPatternUnchecked(model, opts);
  } catch (err) {
    throw closedError(err, 'buildMatchPattern');
  }
}

function buildMatchPatternUnchecked(
  model: CatalogModel,
  opts: { suffixes?: boolean; includeRules?: boolean } = {},
): string {
  const provider = model.provider.toLowerCase();
  const alts = nameAlternatives(model, opts.includeRules ?? true);
  const dated = /^(.*)-(\d{8})$/.exec(model.id.toLowerCase());
  if (dated && (provider === 'anthropic' || provider === 'google'))
    alts.push(`${escapeRe(dated[1]!)}@${dated[2]}`);
  const prefixes = [...(PREFIXES_OF_PROVIDER[provider] ?? [`${provider}/`])].map(escapeRe);
  prefixes.push('accounts/[^/]+/models/');
  let core = `(${alts.join('|')})`;
  if (opts.suffixes ?? true) core += SNAPSHOT_SUFFIX;
  // Bedrock inference profiles put a region before the vendor: `us.anthropic.claude-…-v2:0`.
  const region = provider === 'aws' ? `(${BEDROCK_REGION})?` : '';
  return `(?i)^(${prefixes.join('|')})?${region}${core}$`;
}

/**
 * Compile a Langfuse match pattern for local testing (leading `(?i)` becomes the `i` flag) on the
 * linear-time engine, so a hostile definition from a Langfuse project cannot hang the caller.
 * Null if the pattern is invalid or outside that engine's subset (backreferences, lookbehinds,
 * lookaheads other than right after the leading `^`).
 */
export function compileMatchPattern(pattern: string): SafeRegex | null {
  try {
    return compileMatchPatternUnchecked(pattern);
  } catch (err) {
    throw closedError(err, 'compileMatchPattern');
  }
}

function compileMatchPatternUnchecked(pattern: string): SafeRegex | null {
  if (typeof pattern !== 'string') return null;
  const ci = pattern.startsWith('(?i)');
  const r = compileSafeRegex(ci ? pattern.slice(4) : pattern, ci ? 'i' : '');
  return r.ok ? r.regex : null;
}

/** USD per token, exactly, from femto-USD per token. */
function femtoToUsd(femto: number): number {
  return femto === 0 ? 0 : Number(`${femto}e-15`);
}

function tierPrices(table: CompiledTable): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [slot, keys] of Object.entries(USAGE_KEYS_OF_SLOT)) {
    // Langfuse prices per single unit: a slot for a block of units (an hour of audio) is divided.
    const block = SLOT_SCALE[slot as keyof typeof USAGE_KEYS_OF_SLOT].block;
    const femto = table.femto[SLOT[slot as keyof typeof USAGE_KEYS_OF_SLOT]]!;
    const usd = block === 1 ? femtoToUsd(femto) : femtoToUsd(femto) / block;
    for (const k of keys) out[k] = usd;
  }
  return out;
}

function kLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n % 1000 === 0) return `${n / 1000}K`;
  return String(n);
}

/**
 * The pricing tiers of a model: the standard prices as the default tier, then one tier per long-context
 * threshold, per service tier (selected by `model_parameters.service_tier`), and per service tier ×
 * threshold, ordered most specific first. Prices come from the same compiled tables the calculator uses,
 * so Langfuse's inferred cost equals ours for the same usage keys.
 */
export function buildPricingTiers(model: CatalogModel): LangfusePricingTier[] {
  try {
    return buildPricingTiersUnchecked(model);
  } catch (err) {
    throw closedError(err, 'buildPricingTiers');
  }
}

function buildPricingTiersUnchecked(model: CatalogModel): LangfusePricingTier[] {
  const compiled = new CompiledModel(model);
  const tiers: LangfusePricingTier[] = [
    {
      name: 'Standard',
      isDefault: true,
      priority: 0,
      conditions: [],
      prices: tierPrices(compiled.table('standard', null)),
    },
  ];
  const conditional: Omit<LangfusePricingTier, 'priority'>[] = [];
  const context = (above: number): LangfuseUsageCondition => ({
    usageDetailPattern: PROMPT_USAGE_PATTERN,
    operator: 'gt',
    value: above,
    caseSensitive: false,
  });
  const services = (['priority', 'flex', 'batch'] as const).filter((s) => compiled.hasService(s));
  for (const s of services) {
    const attr: LangfuseAttributeCondition = {
      source: 'model_parameters',
      key: 'service_tier',
      operator: 'in',
      values: SERVICE_TIER_VALUES[s],
    };
    for (const above of compiled.thresholds) {
      conditional.push({
        name: `${s[0]!.toUpperCase()}${s.slice(1)}, prompt >${kLabel(above)}`,
        isDefault: false,
        conditions: [attr, context(above)],
        prices: tierPrices(compiled.table(s, above)),
      });
    }
  }
  for (const s of services) {
    conditional.push({
      name: `${s[0]!.toUpperCase()}${s.slice(1)}`,
      isDefault: false,
      conditions: [
        { source: 'model_parameters', key: 'service_tier', operator: 'in', values: SERVICE_TIER_VALUES[s] },
      ],
      prices: tierPrices(compiled.table(s, null)),
    });
  }
  for (const above of compiled.thresholds) {
    conditional.push({
      name: `Prompt >${kLabel(above)}`,
      isDefault: false,
      conditions: [context(above)],
      prices: tierPrices(compiled.table('standard', above)),
    });
  }
  conditional.forEach((t, i) => tiers.push({ ...t, priority: i + 1 }));
  return tiers;
}

const MAX_EXCLUSIONS = 40;

/** Add a negative lookahead for exact names to an anchored `(?i)^…$` pattern. */
export function excludeNames(pattern: string, names: readonly string[]): string {
  try {
    return excludeNamesUnchecked(pattern, names);
  } catch (err) {
    throw closedError(err, 'excludeNames');
  }
}

function excludeNamesUnchecked(pattern: string, names: readonly string[]): string {
  if (names.length === 0) return pattern;
  const head = pattern.startsWith('(?i)^') ? '(?i)^' : pattern.startsWith('^') ? '^' : '';
  return `${head}(?!(${names.map(escapeRe).join('|')})$)${pattern.slice(head.length)}`;
}

/** Options of {@link toLangfuseModelDefinition}. */
export interface ModelDefinitionOptions {
  /**
   * The catalog the model comes from. When given, the pattern is checked against every name the catalog
   * knows; names it would capture that our resolver prices with another model are excluded (and with
   * very many such names the pattern is narrowed to the model's exact names first).
   */
  catalog?: PriceCatalog;
  /** Override the match pattern. */
  matchPattern?: string;
}

/**
 * Names the catalog knows that `pattern` captures (and `baseline`, if given, does not) but that our
 * resolver prices with a different model. Names are resolved without a provider hint, as Langfuse
 * sees them (it has no provider dimension).
 */
export function patternConflicts(
  pattern: string,
  model: CatalogModel,
  catalog: PriceCatalog,
  baseline?: string,
): string[] {
  try {
    return patternConflictsUnchecked(pattern, model, catalog, baseline);
  } catch (err) {
    throw closedError(err, 'patternConflicts');
  }
}

function patternConflictsUnchecked(
  pattern: string,
  model: CatalogModel,
  catalog: PriceCatalog,
  baseline?: string,
): string[] {
  const re = compileMatchPattern(pattern);
  if (!re) return ['<invalid pattern>'];
  const base = baseline ? compileMatchPattern(baseline) : null;
  const self = `${model.provider.toLowerCase()}/${model.id.toLowerCase()}`;
  const conflicts = new Set<string>();
  for (const m of catalog.list()) {
    for (const name of [m.id, ...(m.aliases ?? [])]) {
      const lower = name.toLowerCase();
      if (!re.test(lower) || base?.test(lower)) continue;
      const r = catalog.resolve(lower);
      if (r && `${r.group.provider.toLowerCase()}/${r.group.id.toLowerCase()}` !== self) conflicts.add(lower);
    }
  }
  return [...conflicts].sort();
}

/**
 * Our catalog model as a Langfuse model definition (the body of `POST /api/public/models`).
 *
 * @example
 * ```ts
 * const def = toLangfuseModelDefinition({ id: 'gpt-4o-2024-08-06', provider: 'openai', aliases: ['gpt-4o'],
 *   prices: { input: 2.5, cacheRead: 1.25, output: 10 } });
 * def.pricingTiers[0].prices.input; // 0.0000025 (USD per token)
 * ```
 */
export function toLangfuseModelDefinition(
  model: CatalogModel,
  options: ModelDefinitionOptions = {},
): LangfuseModelDefinition {
  try {
    return toLangfuseModelDefinitionUnchecked(model, options);
  } catch (err) {
    throw closedError(err, 'toLangfuseModelDefinition');
  }
}

function toLangfuseModelDefinitionUnchecked(
  model: CatalogModel,
  options: ModelDefinitionOptions = {},
): LangfuseModelDefinition {
  let matchPattern = options.matchPattern;
  if (!matchPattern) {
    matchPattern = buildMatchPattern(model);
    if (options.catalog) {
      // Names our resolver gives to another model are excluded with a negative lookahead (Postgres AREs
      // and JavaScript both support it), so two pushed definitions never compete for one name.
      let conflicts = patternConflicts(matchPattern, model, options.catalog);
      if (conflicts.length > MAX_EXCLUSIONS) {
        matchPattern = buildMatchPattern(model, { suffixes: false, includeRules: false });
        conflicts = patternConflicts(matchPattern, model, options.catalog);
      }
      if (conflicts.length > 0) matchPattern = excludeNames(matchPattern, conflicts.slice(0, MAX_EXCLUSIONS));
    }
  }
  return { modelName: model.id, matchPattern, unit: 'TOKENS', pricingTiers: buildPricingTiers(model) };
}

// ---------------------------------------------------------------------------------------------
// What a server accepts, by version.

/**
 * How a Langfuse server takes prices in a model definition:
 * - `flat`: `inputPrice`/`outputPrice`/`totalPrice` only (before v3.135.0; a `pricingTiers` key is
 *   dropped without an error, leaving an unpriced definition);
 * - `usage-tiers`: pricing tiers whose conditions are on usage only (v3.135.0 – v4.12.x);
 * - `model-parameter-tiers`: also conditions on `model_parameters` / `metadata` (v4.13.0 and later).
 */
export type LangfusePricingSupport = 'flat' | 'usage-tiers' | 'model-parameter-tiers';

/** What the Langfuse server behind a base URL accepts. */
export interface LangfuseServerCapabilities {
  /** The version the server reported (`GET /api/public/health`) or was given; null when inferred. */
  version: string | null;
  /** How prices can be sent. */
  pricing: LangfusePricingSupport;
  /**
   * The server refuses a second project definition with the same `modelName` (v3.135.0 and later), so
   * replacing one means deleting it first.
   */
  uniqueModelNames: boolean;
}

function versionParts(v: string): [number, number, number] | null {
  const m = /^\s*v?(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function atLeast(v: [number, number, number], major: number, minor: number): boolean {
  return v[0] !== major ? v[0] > major : v[1] >= minor;
}

/**
 * The capabilities of a Langfuse version (`3.134.0`, `v4.13.1`, …), or null if `version` is not one.
 *
 * @example
 * ```ts
 * capabilitiesOfVersion('4.12.0'); // { version: '4.12.0', pricing: 'usage-tiers', uniqueModelNames: true }
 * ```
 */
export function capabilitiesOfVersion(version: string): LangfuseServerCapabilities | null {
  try {
    const v = typeof version === 'string' ? versionParts(version) : null;
    if (!v) return null;
    const text = `${v[0]}.${v[1]}.${v[2]}`;
    if (!atLeast(v, 3, 135)) return { version: text, pricing: 'flat', uniqueModelNames: false };
    const pricing = atLeast(v, 4, 13) ? 'model-parameter-tiers' : 'usage-tiers';
    return { version: text, pricing, uniqueModelNames: true };
  } catch (err) {
    throw closedError(err, 'capabilitiesOfVersion');
  }
}

/**
 * Capabilities read from the shape of `GET /api/public/models` when the server does not say its version:
 * definitions carry `pricingTiers` from v3.135.0 on, and a tier conditioned on a model parameter exists
 * only on servers that accept such conditions. Null when the listing shows nothing either way (empty).
 */
export function capabilitiesFromListing(remote: readonly LangfuseModel[]): LangfuseServerCapabilities | null {
  try {
    if (remote.length === 0) return null;
    if (!remote.some((m) => Array.isArray(m.pricingTiers)))
      return { version: null, pricing: 'flat', uniqueModelNames: false };
    const attr = remote.some((m) => m.pricingTiers?.some((t) => t.conditions?.some((c) => 'source' in c)));
    return { version: null, pricing: attr ? 'model-parameter-tiers' : 'usage-tiers', uniqueModelNames: true };
  } catch (err) {
    throw closedError(err, 'capabilitiesFromListing');
  }
}

/** A definition reduced to what a server accepts. */
export interface AdaptedDefinition {
  /** The body to `POST /api/public/models`. */
  body: LangfuseModelCreateBody;
  /** The same prices in the tier shape, for comparing with what the server returns. */
  comparable: LangfuseModelDefinition;
  /** What could not be sent, one phrase each (empty when nothing was left out). */
  dropped: string[];
}

/**
 * Reduce a full definition (from {@link toLangfuseModelDefinition}) to what a server accepts: flat
 * input/output prices before v3.135, usage-only tiers before v4.13 (tiers conditioned on
 * `model_parameters` are left out and the remaining priorities renumbered), everything after.
 */
export function adaptDefinition(
  def: LangfuseModelDefinition,
  capabilities: Pick<LangfuseServerCapabilities, 'pricing'>,
): AdaptedDefinition {
  try {
    return adaptDefinitionUnchecked(def, capabilities);
  } catch (err) {
    throw closedError(err, 'adaptDefinition');
  }
}

function adaptDefinitionUnchecked(
  def: LangfuseModelDefinition,
  capabilities: Pick<LangfuseServerCapabilities, 'pricing'>,
): AdaptedDefinition {
  if (capabilities.pricing === 'model-parameter-tiers') return { body: def, comparable: def, dropped: [] };
  const standard = def.pricingTiers.find((t) => t.isDefault)!;
  if (capabilities.pricing === 'flat') {
    const prices = { input: standard.prices.input ?? 0, output: standard.prices.output ?? 0 };
    const body: LangfuseFlatModelDefinition = {
      modelName: def.modelName,
      matchPattern: def.matchPattern,
      ...(def.startDate !== undefined ? { startDate: def.startDate } : {}),
      unit: def.unit,
      inputPrice: prices.input,
      outputPrice: prices.output,
    };
    const lost = Object.keys(standard.prices).filter((k) => k !== 'input' && k !== 'output');
    const dropped = [
      ...(lost.length > 0 ? [`prices of ${lost.join(', ')}`] : []),
      ...(def.pricingTiers.length > 1 ? [`tiers ${tierNames(def.pricingTiers)}`] : []),
    ];
    const comparable: LangfuseModelDefinition = {
      ...def,
      pricingTiers: [{ ...standard, prices }],
    };
    return {
      body,
      comparable,
      dropped: dropped.length > 0 ? [`${dropped.join('; ')} (flat prices only before Langfuse 3.135)`] : [],
    };
  }
  const kept = def.pricingTiers.filter((t) => t.isDefault || t.conditions.every((c) => !('source' in c)));
  const left = def.pricingTiers.filter((t) => !kept.includes(t));
  let priority = 0;
  const pricingTiers = kept.map((t) => (t.isDefault ? t : { ...t, priority: ++priority }));
  const body: LangfuseModelDefinition = { ...def, pricingTiers };
  return {
    body,
    comparable: body,
    dropped:
      left.length > 0 ? [`tiers ${tierNames(left)} (model-parameter conditions need Langfuse 4.13)`] : [],
  };
}

function tierNames(tiers: readonly LangfusePricingTier[]): string {
  return tiers
    .filter((t) => !t.isDefault)
    .map((t) => t.name)
    .join(', ');
}

/**
 * The create body that puts a definition returned by `GET /api/public/models` back as it was (its
 * name, pattern, start date, unit, tokenizer and tiers or flat prices), e.g. from a backup file.
 */
export function recreateBody(m: LangfuseModel): Record<string, unknown> {
  try {
    const out: Record<string, unknown> = {
      modelName: m.modelName,
      matchPattern: m.matchPattern,
      startDate: m.startDate ?? null,
      unit: m.unit ?? 'TOKENS',
    };
    if (m.tokenizerId === 'openai' || m.tokenizerId === 'claude') out.tokenizerId = m.tokenizerId;
    const config = (m as { tokenizerConfig?: unknown }).tokenizerConfig;
    if (config !== undefined && config !== null) out.tokenizerConfig = config;
    if (m.pricingTiers && m.pricingTiers.length > 0) {
      out.pricingTiers = m.pricingTiers.map((t) => ({
        name: t.name,
        isDefault: t.isDefault,
        priority: t.priority,
        conditions: t.conditions,
        prices: t.prices,
      }));
    } else {
      if (m.inputPrice != null) out.inputPrice = Number(m.inputPrice);
      if (m.outputPrice != null) out.outputPrice = Number(m.outputPrice);
      if (m.totalPrice != null && m.inputPrice == null && m.outputPrice == null)
        out.totalPrice = Number(m.totalPrice);
    }
    return out;
  } catch (err) {
    throw closedError(err, 'recreateBody');
  }
}

// ---------------------------------------------------------------------------------------------
// Comparison with the definitions in a Langfuse project.

/** Default-tier prices of a remote definition, whichever shape the server returned. */
export function remoteDefaultPrices(m: LangfuseModel): Record<string, number> {
  try {
    return remoteDefaultPricesUnchecked(m);
  } catch (err) {
    throw closedError(err, 'remoteDefaultPrices');
  }
}

function remoteDefaultPricesUnchecked(m: LangfuseModel): Record<string, number> {
  const def = m.pricingTiers?.find((t) => t.isDefault);
  if (def) return { ...def.prices };
  if (m.prices && Object.keys(m.prices).length > 0) {
    return Object.fromEntries(Object.entries(m.prices).map(([k, v]) => [k, Number(v.price)]));
  }
  const out: Record<string, number> = {};
  if (m.inputPrice != null) out.input = Number(m.inputPrice);
  if (m.outputPrice != null) out.output = Number(m.outputPrice);
  if (m.totalPrice != null) out.total = Number(m.totalPrice);
  return out;
}

/**
 * The remote definition Langfuse would use for an observation with this model name, as its matcher
 * picks it (`findModelInPostgres`: `ORDER BY project_id ASC, start_date DESC NULLS LAST LIMIT 1`):
 * project definitions before Langfuse-managed ones, then the newest `startDate`, a future one included
 * (Langfuse does not filter on it), definitions without a date last; ties keep the listing order.
 * JavaScript regex semantics; Langfuse evaluates the same patterns in Postgres.
 *
 * @param at Ignored (kept for compatibility): Langfuse does not compare `startDate` with the time.
 */
export function findMatchingDefinition(
  name: string,
  remote: readonly LangfuseModel[],
  at?: number,
): LangfuseModel | null {
  void at;
  try {
    return findMatchingDefinitionUnchecked(name, remote);
  } catch (err) {
    throw closedError(err, 'findMatchingDefinition');
  }
}

function startMillis(m: LangfuseModel): number | null {
  if (!m.startDate) return null;
  const t = Date.parse(m.startDate);
  return Number.isNaN(t) ? null : t;
}

function findMatchingDefinitionUnchecked(
  name: string,
  remote: readonly LangfuseModel[],
): LangfuseModel | null {
  const candidates = remote.filter((m) => compileMatchPattern(m.matchPattern)?.test(name) ?? false);
  candidates.sort((a, b) => {
    if (a.isLangfuseManaged !== b.isLangfuseManaged) return a.isLangfuseManaged ? 1 : -1;
    const sa = startMillis(a);
    const sb = startMillis(b);
    if (sa === sb) return 0;
    if (sa === null) return 1;
    if (sb === null) return -1;
    return sb - sa;
  });
  return candidates[0] ?? null;
}

function samePrice(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

function perMillion(usdPerToken: number | undefined): string {
  if (usdPerToken === undefined) return 'unpriced';
  return `$${Number((usdPerToken * 1e6).toPrecision(12))}/1M`;
}

function conditionKey(c: LangfuseUsageCondition | LangfuseAttributeCondition): string {
  if ('source' in c) return `${c.source}.${c.key} in ${[...c.values].sort().join(',')}`;
  return `usage>${c.operator}:${c.value}`;
}

/** Human-readable differences between the definition we want and the one Langfuse has (empty: same). */
export function compareDefinitions(
  desired: LangfuseModelDefinition,
  current: LangfuseModel,
  model?: CatalogModel,
): string[] {
  try {
    return compareDefinitionsUnchecked(desired, current, model);
  } catch (err) {
    throw closedError(err, 'compareDefinitions');
  }
}

function compareDefinitionsUnchecked(
  desired: LangfuseModelDefinition,
  current: LangfuseModel,
  model?: CatalogModel,
): string[] {
  const out: string[] = [];
  const want = desired.pricingTiers.find((t) => t.isDefault)!.prices;
  const have = remoteDefaultPrices(current);
  if (have.total !== undefined)
    out.push(`prices "total" at ${perMillion(have.total)} (Langfuse then ignores every other key)`);
  // Compare input and output always; other buckets when our model prices them explicitly or the
  // remote definition prices any of their keys (otherwise every definition would "differ" on
  // audio or image keys nobody sends). A bucket is reported once, by its first differing key.
  const explicit = new Set(Object.keys(model?.prices ?? {}));
  for (const [slot, slotKeys] of Object.entries(USAGE_KEYS_OF_SLOT)) {
    // Only keys the desired definition can carry (flat definitions: input and output).
    const keys = slotKeys.filter((k) => want[k] !== undefined);
    if (keys.length === 0) continue;
    const relevant =
      slot === 'input' || slot === 'output' || explicit.has(slot) || keys.some((k) => have[k] !== undefined);
    if (!relevant) continue;
    const diffs = keys.filter((k) => !samePrice(want[k], have[k]));
    if (diffs.length === 0) continue;
    const k = diffs[0]!;
    const more = diffs.length > 1 ? ` (and ${diffs.slice(1).join(', ')})` : '';
    out.push(`${k}: ${perMillion(have[k])} → ${perMillion(want[k])}${more}`);
  }
  const remoteTiers = current.pricingTiers ?? [];
  for (const t of desired.pricingTiers) {
    if (t.isDefault) continue;
    const key = t.conditions.map(conditionKey).sort().join(' & ');
    const match = remoteTiers.find(
      (r) => !r.isDefault && r.conditions.map(conditionKey).sort().join(' & ') === key,
    );
    if (!match) {
      out.push(`tier "${t.name}" missing`);
      continue;
    }
    const bad = Object.keys(t.prices).filter((k) => !samePrice(t.prices[k], match.prices[k]));
    if (bad.length > 0)
      out.push(
        `tier "${t.name}": ${bad[0]} ${perMillion(match.prices[bad[0]!])} → ${perMillion(t.prices[bad[0]!])}`,
      );
  }
  return out;
}

/** How one of our models stands in a Langfuse project. */
export interface ModelDefinitionDiff {
  /** Our catalog model. */
  model: CatalogModel;
  /** The model names (as used in calls) that resolve to it. */
  names: string[];
  /** The definition we would create on a server that accepts everything. */
  desired: LangfuseModelDefinition;
  /** What is sent to this server: {@link desired} reduced to its capabilities ({@link adaptDefinition}). */
  body: LangfuseModelCreateBody;
  /** What the server cannot hold of {@link desired} (empty when nothing). */
  dropped: string[];
  /**
   * - `missing`: no Langfuse definition matches these names, so Langfuse infers no cost for them;
   * - `different`: the definition Langfuse uses prices them differently (or does not match every name);
   * - `same`: Langfuse already prices them as we do.
   */
  status: 'missing' | 'different' | 'same';
  /** The Langfuse definition currently used for the first name, if any. */
  current: LangfuseModel | null;
  /** What differs, one line each. */
  differences: string[];
  /** Project (not Langfuse-managed) definitions with our `modelName`, replaced by a push. */
  replaces: LangfuseModel[];
}

/** Options of {@link diffModelDefinitions}. */
export interface DiffModelDefinitionsOptions extends ModelDefinitionOptions {
  /** Ignored (kept for compatibility): Langfuse does not compare `startDate` with the time. */
  at?: number;
  /** What the server accepts (default: everything, as Langfuse ≥ 4.13); the comparison uses only that. */
  capabilities?: Pick<LangfuseServerCapabilities, 'pricing'>;
}

/**
 * Compare the definitions we would push for `used` (catalog model → names seen in calls) with the
 * definitions the project has, as far as the server can hold them (`capabilities`).
 */
export function diffModelDefinitions(
  used: readonly { model: CatalogModel; names: string[] }[],
  remote: readonly LangfuseModel[],
  options: DiffModelDefinitionsOptions = {},
): ModelDefinitionDiff[] {
  try {
    return diffModelDefinitionsUnchecked(used, remote, options);
  } catch (err) {
    throw closedError(err, 'diffModelDefinitions');
  }
}

function diffModelDefinitionsUnchecked(
  used: readonly { model: CatalogModel; names: string[] }[],
  remote: readonly LangfuseModel[],
  options: DiffModelDefinitionsOptions = {},
): ModelDefinitionDiff[] {
  const capabilities = options.capabilities ?? { pricing: 'model-parameter-tiers' as const };
  return used.map(({ model, names }) => {
    const desired = toLangfuseModelDefinition(model, options);
    const { body, comparable, dropped } = adaptDefinition(desired, capabilities);
    const replaces = remote.filter((r) => !r.isLangfuseManaged && r.modelName === desired.modelName);
    const matches = names.map((n) => ({ name: n, def: findMatchingDefinition(n, remote) }));
    const current = matches.find((m) => m.def)?.def ?? null;
    const differences: string[] = [];
    if (!current) {
      return {
        model,
        names,
        desired,
        body,
        dropped,
        status: 'missing' as const,
        current,
        differences: ['no Langfuse model definition matches'],
        replaces,
      };
    }
    for (const m of matches) {
      if (!m.def) differences.push(`"${m.name}" is matched by no definition`);
      else if (m.def.id !== current.id)
        differences.push(`"${m.name}" is matched by another definition (${m.def.modelName})`);
    }
    differences.push(...compareDefinitions(comparable, current, model));
    return {
      model,
      names,
      desired,
      body,
      dropped,
      status: differences.length > 0 ? ('different' as const) : ('same' as const),
      current,
      differences,
      replaces,
    };
  });
}
