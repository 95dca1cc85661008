import { closedError, describeValue, InvalidArgumentError } from '../errors.js';
import {
  canonicalProvider,
  isModelMaker,
  knownProvider,
  providerRank,
  RESELLER_RANK,
  SELF_HOSTED_PROVIDERS,
} from '../usage/providers.js';
import type { ResolutionTrace } from './cost-result.js';
import { type ExactGroups, exactGroupsOf, type IndexPlan, layerEntries, planIndex } from './index-plan.js';
import { MAX_MATCHED_NAME_LENGTH } from './match-rules.js';
import { decomposeModelName } from './model-name.js';
import { CompiledModel, epochMs, pickVersion } from './price-table.js';
import { NAME_WORK_BUDGET, nameBudget, type WorkBudget } from './regex/index.js';
import { RuleList, SCAN_MEMO_MAX_NAME_LENGTH, ScanMemo, type ScanRecord } from './rule-index.js';
import type {
  CatalogData,
  CatalogModel,
  CatalogSource,
  DeploymentTarget,
  PriceLayer,
  PriceSet,
} from './types.js';
import { validateCatalog } from './validate.js';

/** Layers, highest priority first. */
export const LAYER_ORDER: readonly Exclude<PriceLayer, 'fallback'>[] = [
  'override',
  'user',
  'synced',
  'bundled',
];

/** One priced model (all its dated versions) as found by the resolver. */
export interface ModelGroup {
  /** Canonical id. */
  id: string;
  /** Canonical provider id. */
  provider: string;
  /** Versions by validity, oldest first. */
  versions: CompiledModel[];
  /** Layer the group lives in. */
  layer: Exclude<PriceLayer, 'fallback'>;
}

/** The result of resolving a model name. */
export interface ResolvedPrice {
  /** The catalog model in force at the requested time. */
  model: CatalogModel;
  /** All versions of that model, oldest first. */
  group: ModelGroup;
  /** Layer the price came from. */
  layer: Exclude<PriceLayer, 'fallback'>;
  /** The model is free (marked free, or an OpenRouter `:free` variant). */
  free: boolean;
  /** Rule that matched, e.g. `exact`, `dated snapshot (-YYYYMMDD)`. */
  rule: string;
  /** The provider of the entry differs from the hint (priced with another provider's price). */
  crossProvider: boolean;
  /**
   * The provider was guessed: nothing (no hint, no route prefix, no id shape) said where the call ran
   * and several providers price this name, or the provider that was named has no price for it and
   * another provider's price was used. {@link reason} says which.
   */
  guessed: boolean;
  /** Why the provider was guessed, when it was. */
  reason?: string;
  /**
   * The provider the call is attributed to: the one the hint or the name's route named (where the
   * call ran), else the entry's provider. It differs from `group.provider` when the named provider is
   * priced with another's price (Azure with OpenAI's, or a guess).
   */
  provider: string;
}

/** Internal memoised resolution. */
export interface Resolution {
  /** See {@link ResolvedPrice.provider}. */
  provider: string;
  group: ModelGroup;
  free: boolean;
  rule: string;
  crossProvider: boolean;
  /** See {@link ResolvedPrice.guessed}. */
  guessed: boolean;
  /** See {@link ResolvedPrice.reason}. */
  reason?: string;
}

/** What the name and the hint said, carried through one resolution. */
interface Said {
  /** The provider the caller's hint or the name's route named (undefined: nothing did). */
  provider: string | undefined;
  /** Providers whose prices count as the named provider's (its fallbacks). */
  fallbacks: readonly string[];
  /** The base of a fine-tuned model: only `ft:` entries (or the exact name) may price it. */
  fineTuned: string | undefined;
}

/** One memoised (model, provider hint) → resolution; entries for one model name form a list. */
interface MemoEntry {
  provider: string;
  resolution: Resolution | null;
  next: MemoEntry | undefined;
}

/**
 * A layer's lookups, made from its {@link IndexPlan} as they are first needed: a fresh process pricing
 * its first call builds only the groups it touches.
 */
interface LayerIndex {
  layer: Exclude<PriceLayer, 'fallback'>;
  datasets: CatalogData[];
  plan: IndexPlan;
  /**
   * Entry `k` of the datasets, numbered as in the plan. The bundled catalog's are parsed one by one
   * as they are reached (see `bundled/index.ts`); other layers' come from their parsed documents.
   */
  entry: (k: number) => CatalogModel;
  /**
   * The group (or groups, in index order) an exact lower-cased name stands for: the plan's `exact`
   * table, or for the bundled catalog a lookup that parses the table part by part.
   */
  named: (name: string) => ExactGroups | undefined;
  /** Groups made so far, by group number. */
  made: (ModelGroup | undefined)[];
  /** Groups by provider, then lower-cased id (made on first use). */
  byProvider: Map<string, Map<string, ModelGroup>> | undefined;
  /** Provider ids of the layer (made on first use). */
  providerIds: Set<string> | undefined;
  /** Every match rule of the layer, indexed (made on first use, compiled rule by rule). */
  rules: RuleList<ModelGroup> | undefined;
  /** Rules by provider, so a provider hint scans only that provider's rules first. */
  rulesByProvider: Map<string, RuleList<ModelGroup>>;
  /** Scans of candidate names against the lists above, remembered (bounded). */
  scans: ScanMemo<ModelGroup>;
}

/** Options of a {@link PriceCatalog}. */
export interface PriceCatalogOptions {
  /** Initial layers. */
  layers?: { layer: Exclude<PriceLayer, 'fallback'>; data: CatalogData }[];
  /** Price for unknown models; results priced with it are flagged estimated. */
  fallback?: PriceSet | null;
  /**
   * Providers whose models cost nothing (local inference) unless a user or override layer prices the
   * model. Default: the self-hosted column of `usage/providers.ts` (`ollama`, `vllm`, `lmstudio`, …).
   */
  freeProviders?: string[];
  /** Largest number of memoised names (default 50,000); the memo is cleared past it. */
  memoLimit?: number;
}

/** Filter of {@link PriceCatalog.list}. */
export interface ListFilter {
  /** Only this provider (any alias accepted). */
  provider?: string;
  /** Case-insensitive substring of id, name or alias. */
  search?: string;
  /** Include deprecated models (default true). */
  deprecated?: boolean;
}

/** Options of {@link PriceCatalog.addLayer} and {@link PriceCatalog.fromData}. */
export interface LayerOptions {
  /** Skip validation: data validated elsewhere (the bundled catalog, when generated and by its tests). */
  trusted?: boolean;
  /** @internal The layer's index, precomputed (the bundled catalog's; trusted data only). */
  plan?: IndexPlan;
  /**
   * @internal With `plan`: entry `k` of `data.models`, read without reading `data.models` (the
   * bundled catalog parses an entry when it is first reached).
   */
  entry?: (k: number) => CatalogModel;
  /** @internal With `plan`: the plan's `exact` lookup, for a plan that leaves its table out. */
  named?: (name: string) => ExactGroups | undefined;
}

const MISS = null;
/** Bedrock's global cross-region inference profile prefix, and the bundled ids of regional prices. */
const GLOBAL_PROFILE = 'global.';
const REGIONAL_ENTRY = 'regional.';

/**
 * The pricing table: layered catalogs (override → user → synced → bundled → fallback), a memoised
 * model-name resolver, deployment maps and free marks.
 *
 * @example
 * ```ts
 * const catalog = PriceCatalog.fromData({ version: 1, models: [{ id: 'my-model', provider: 'acme', prices: { input: 1, output: 2 } }] });
 * catalog.resolve('my-model')?.model.prices.input; // 1
 * ```
 */
export class PriceCatalog {
  private readonly layers = new Map<Exclude<PriceLayer, 'fallback'>, LayerIndex>();
  private fallbackModel: CompiledModel | null = null;
  private readonly deployments = new Map<string, { model: string; provider?: string }>();
  private readonly freeNames = new Set<string>();
  private readonly freeProviders: Set<string>;
  private readonly providerAliases = new Map<string, string>();
  private readonly providerFallbacks = new Map<string, string[]>();
  // Memo keyed by model name; each entry chains the provider hints seen with that name, so a hit is
  // one map lookup and one string compare, and the hot path never builds a key string.
  private memo = new Map<string, MemoEntry>();
  private memoSize = 0;
  private readonly memoLimit: number;
  private _version = 0;
  /**
   * Resolver counters, for `prices cache stats`. `overBudget`: first-sight names whose matching work
   * ran out (see {@link NAME_WORK_BUDGET}) so that some match rules were not tried.
   */
  readonly counters = { hits: 0, misses: 0, unknown: 0, overBudget: 0 };

  /** @throws {LangfuseCostError} `INVALID_ARGUMENT` for options of the wrong type, `INVALID_CATALOG` for bad layer data. */
  constructor(options: PriceCatalogOptions = {}) {
    try {
      if (typeof options !== 'object' || options === null)
        throw new InvalidArgumentError('options', `expected an object, got ${describeValue(options)}`);
      const { memoLimit = 50_000, freeProviders = SELF_HOSTED_PROVIDERS, layers = [], fallback } = options;
      if (typeof memoLimit !== 'number' || !(memoLimit >= 0))
        throw new InvalidArgumentError(
          'options.memoLimit',
          `expected a number ≥ 0, got ${describeValue(memoLimit)}`,
        );
      if (!Array.isArray(freeProviders) || !freeProviders.every((p) => typeof p === 'string'))
        throw new InvalidArgumentError('options.freeProviders', 'expected an array of provider names');
      if (!Array.isArray(layers))
        throw new InvalidArgumentError('options.layers', `expected an array, got ${describeValue(layers)}`);
      this.memoLimit = memoLimit;
      this.freeProviders = new Set(freeProviders.map((p) => canonicalProvider(p) ?? p));
      for (const l of layers) this.addLayer(l.layer, l.data);
      if (fallback) this.setFallback(fallback);
    } catch (err) {
      throw closedError(err, 'new PriceCatalog');
    }
  }

  /** A catalog with one layer (validated). */
  static fromData(
    data: CatalogData,
    layer: Exclude<PriceLayer, 'fallback'> = 'bundled',
    origin?: string,
    options: LayerOptions = {},
  ): PriceCatalog {
    const c = new PriceCatalog();
    c.addLayer(layer, data, origin, options);
    return c;
  }

  /**
   * The closed error contract of the methods that change layers: the layer name and the origin are
   * checked with `typeof`; the data is validated; anything else thrown (a Proxy that passed
   * validation and changed its answers) becomes an `InvalidArgumentError` naming the method.
   */
  private guarded<T>(fn: string, layer: unknown, origin: unknown, body: () => T): T {
    try {
      if (layer !== undefined && !(LAYER_ORDER as readonly unknown[]).includes(layer))
        throw new InvalidArgumentError(
          'layer',
          `expected one of ${LAYER_ORDER.join(', ')}, got ${describeValue(layer)}`,
        );
      if (origin !== undefined && typeof origin !== 'string')
        throw new InvalidArgumentError('origin', `expected a string, got ${describeValue(origin)}`);
      return body();
    } catch (err) {
      throw closedError(err, `PriceCatalog.${fn}`);
    }
  }

  /** Increments on every change; caches keyed on a catalog should include it. */
  get version(): number {
    return this._version;
  }

  private changed(): void {
    this._version++;
    this.memo = new Map();
    this.memoSize = 0;
  }

  /**
   * Add a catalog document to a layer (validated). Within a layer, data added later wins.
   * Validation includes the `regex` rules: see docs/pricing.md, "Match rules and regex safety".
   * With `trusted: true` nothing is checked; a regex rule the linear-time engine does not accept
   * then simply never matches.
   * @throws {CatalogValidationError} listing every bad field, e.g. a regex with a backreference.
   */
  addLayer(
    layer: Exclude<PriceLayer, 'fallback'>,
    data: CatalogData,
    origin?: string,
    options: LayerOptions = {},
  ): this {
    return this.guarded('addLayer', layer ?? null, origin, () => {
      const trusted = typeof options === 'object' && options !== null && options.trusted === true;
      // The bundled catalog is validated when generated and in the test suite; skipping it here keeps import fast.
      if (!trusted) validateCatalog(data, origin);
      const datasets: CatalogData[] = [...(this.layers.get(layer)?.datasets ?? []), data];
      // A precomputed plan (the bundled catalog's) stands for `data` alone, as the layer's only document.
      const plan = trusted && datasets.length === 1 ? options.plan : undefined;
      this.layers.set(layer, this.buildIndex(layer, datasets, plan, plan !== undefined ? options : {}));
      this.absorbMeta(data);
      this.changed();
      return this;
    });
  }

  /** Replace a layer's data entirely (e.g. a fresh synced cache); `null` removes the layer. */
  setLayer(
    layer: Exclude<PriceLayer, 'fallback'>,
    data: CatalogData | CatalogData[] | null,
    origin?: string,
  ): this {
    return this.guarded('setLayer', layer ?? null, origin, () => {
      if (data === null) {
        this.layers.delete(layer);
      } else {
        const list = Array.isArray(data) ? [...data] : [data];
        for (const d of list) validateCatalog(d, origin);
        this.layers.set(layer, this.buildIndex(layer, list));
        for (const d of list) this.absorbMeta(d);
      }
      this.changed();
      return this;
    });
  }

  /** Add models (or a whole document) to the `override` layer: they win over every other layer. */
  override(models: CatalogModel | CatalogModel[] | CatalogData): this {
    return this.guarded('override', undefined, undefined, () => {
      if (typeof models !== 'object' || models === null)
        throw new InvalidArgumentError(
          'models',
          `expected a model, an array of models or a catalog, got ${describeValue(models)}`,
        );
      const data: CatalogData =
        'version' in models && 'models' in models
          ? (models as CatalogData)
          : { version: 1, models: Array.isArray(models) ? models : [models as CatalogModel] };
      return this.addLayer('override', data, 'override');
    });
  }

  /** Merge another catalog's layers into this one (its layers are added to the same layers here). */
  merge(other: PriceCatalog): this {
    return this.guarded('merge', undefined, undefined, () => {
      if (!(other instanceof PriceCatalog))
        throw new InvalidArgumentError('other', `expected a PriceCatalog, got ${describeValue(other)}`);
      for (const [layer, idx] of other.layers)
        for (const d of idx.datasets) this.addLayer(layer, d, undefined, { trusted: true });
      for (const [k, v] of other.deployments) this.deployments.set(k, v);
      for (const n of other.freeNames) this.freeNames.add(n);
      if (other.fallbackModel) this.fallbackModel = other.fallbackModel;
      this.changed();
      return this;
    });
  }

  /** Set (or clear with null) the price used for unknown models. Results priced with it are `estimated`. */
  setFallback(prices: PriceSet | null): this {
    return this.guarded('setFallback', undefined, undefined, () => {
      if (prices === null) this.fallbackModel = null;
      else {
        validateCatalog(
          { version: 1, models: [{ id: 'fallback', provider: 'fallback', prices }] },
          'fallback price',
        );
        this.fallbackModel = new CompiledModel({ id: 'fallback', provider: 'fallback', prices });
      }
      this.changed();
      return this;
    });
  }

  /** The compiled fallback price, if set. */
  get fallback(): CompiledModel | null {
    return this.fallbackModel;
  }

  /** Map a deployment name (e.g. an Azure deployment) to the model it runs. */
  mapDeployment(name: string, model: string, provider?: string): this {
    names({ name, model }, provider);
    this.deployments.set(name.trim().toLowerCase(), provider ? { model, provider } : { model });
    this.changed();
    return this;
  }

  /** Mark a model (any name that resolves to it, or this exact name) as free: cost 0, tokens counted. */
  markFree(model: string, provider?: string): this {
    names({ model }, provider);
    const p = canonicalProvider(provider, this.providerAliases);
    this.freeNames.add(p ? `${p}\u0001${model.trim().toLowerCase()}` : model.trim().toLowerCase());
    this.changed();
    return this;
  }

  /** Mark every model of a provider as free (local inference, e.g. Ollama). */
  markProviderFree(provider: string): this {
    names({ provider });
    this.freeProviders.add(canonicalProvider(provider, this.providerAliases) ?? provider);
    this.changed();
    return this;
  }

  /**
   * Provenance of each layer's data: one row per document, and one per other source its entries
   * name (`CatalogModel.source`, e.g. models.dev entries merged into the bundled catalog).
   */
  sources(): { layer: PriceLayer; source?: CatalogSource; models: number }[] {
    const out: { layer: PriceLayer; source?: CatalogSource; models: number }[] = [];
    for (const layer of LAYER_ORDER) {
      const idx = this.layers.get(layer);
      if (!idx) continue;
      for (const d of idx.datasets) {
        // Entries that name another source (`"source": "models.dev"`) are counted under it.
        const bySource = new Map<string, number>();
        for (const m of d.models) if (m.source) bySource.set(m.source, (bySource.get(m.source) ?? 0) + 1);
        let own = d.models.length;
        for (const n of bySource.values()) own -= n;
        out.push({ layer, ...(d.source ? { source: d.source } : {}), models: own });
        for (const [key, n] of bySource)
          out.push({ layer, source: d.sources?.[key] ?? { name: key }, models: n });
      }
    }
    return out;
  }

  /** Number of memoised names and resolver counters. */
  stats(): {
    models: number;
    memoised: number;
    hits: number;
    misses: number;
    unknown: number;
    overBudget: number;
  } {
    let models = 0;
    for (const idx of this.layers.values()) models += idx.plan.provider.length;
    return { models, memoised: this.memoSize, ...this.counters };
  }

  /**
   * @internal How much the resolver's memos hold: `names`, the memoised (name, provider) resolutions
   * (at most `memoLimit`); `scans`, per layer, the candidate names whose rule scans are remembered (at
   * most twice `SCAN_MEMO_LIMIT`, see `./rule-index.ts`). For tests proving the bounds.
   */
  memoSizes(): { names: number; scans: number[] } {
    return { names: this.memoSize, scans: [...this.layers.values()].map((idx) => idx.scans.size) };
  }

  /** Canonical provider id for any provider name (uses the catalog's provider aliases too). */
  canonicalProvider(provider: string | undefined): string | undefined {
    return canonicalProvider(provider, this.providerAliases);
  }

  private absorbMeta(data: CatalogData): void {
    for (const [id, p] of Object.entries(data.providers ?? {})) {
      const canon = id.toLowerCase();
      for (const a of p.aliases ?? []) this.providerAliases.set(a.toLowerCase(), canon);
      if (p.fallbackProviders) {
        // Merge, never replace: a user file declaring fallbacks must not drop the bundled ones.
        const merged = [...(this.providerFallbacks.get(canon) ?? [])];
        for (const f of p.fallbackProviders)
          if (!merged.includes(f.toLowerCase())) merged.push(f.toLowerCase());
        this.providerFallbacks.set(canon, merged);
      }
    }
    for (const [name, t] of Object.entries(data.deployments ?? {})) {
      this.deployments.set(name.trim().toLowerCase(), normalizeTarget(t));
    }
  }

  private buildIndex(
    layer: Exclude<PriceLayer, 'fallback'>,
    datasets: CatalogData[],
    precomputed?: IndexPlan,
    lazy: Pick<LayerOptions, 'entry' | 'named'> = {},
  ): LayerIndex {
    const plan = precomputed ?? planIndex(datasets);
    const idx: LayerIndex = {
      layer,
      datasets,
      plan,
      entry: lazy.entry ?? entryOf(layerEntries(datasets)),
      named: lazy.named ?? namedIn(plan.exact),
      made: [],
      byProvider: undefined,
      providerIds: undefined,
      rules: undefined,
      rulesByProvider: new Map(),
      scans: new ScanMemo(),
    };
    // A layer loaded at run time (a price file, a sync, an override) may hold thousands of rules:
    // index them now, with the validation, not in the first call that prices a name. The bundled
    // catalog's (precomputed plan) are indexed on first use, off the import path.
    if (precomputed === undefined) {
      rulesOf(idx).prepare();
      for (const list of idx.rulesByProvider.values()) list.prepare();
    }
    return idx;
  }

  /**
   * Resolve a model name (as it appears in a response) to a priced catalog model.
   * Memoised: a name seen before is a map lookup.
   */
  resolve(model: string, provider?: string, at?: Date | number | string): ResolvedPrice | null {
    try {
      return this.resolveUnchecked(model, provider, at);
    } catch (err) {
      throw closedError(err, 'PriceCatalog.resolve');
    }
  }

  private resolveUnchecked(
    model: string,
    provider?: string,
    at?: Date | number | string,
  ): ResolvedPrice | null {
    names({ model }, provider);
    if (at !== undefined && typeof at !== 'number' && typeof at !== 'string' && !(at instanceof Date)) {
      throw new InvalidArgumentError(
        'at',
        `expected a Date, epoch ms or an ISO string, got ${describeValue(at)}`,
      );
    }
    const r = this.resolveMemo(model, provider);
    return r ? toResolved(r, at === undefined ? Date.now() : epochMs(at)) : null;
  }

  /** @internal Memoised resolution used by the calculator. */
  resolveMemo(model: string, provider?: string): Resolution | null {
    const p = provider ?? '';
    const head = this.memo.get(model);
    for (let e = head; e !== undefined; e = e.next) {
      if (e.provider === p) {
        this.counters.hits++;
        return e.resolution;
      }
    }
    this.counters.misses++;
    // A miss: the first sight of this name, so the typeof checks cost nothing that matters.
    names({ model }, provider);
    const budget = nameBudget();
    const r = this.resolveUncached(model, provider, null, budget);
    if (budget.left <= 0) this.counters.overBudget++;
    // A name too long for rules and decomposition resolves by map lookups alone; memoising it would
    // only let huge strings pile up in the memo.
    if (model.length > MAX_MATCHED_NAME_LENGTH) {
      if (!r) this.counters.unknown++;
      return r;
    }
    if (this.memoSize >= this.memoLimit) {
      this.memo = new Map();
      this.memoSize = 0;
    }
    this.memo.set(model, { provider: p, resolution: r, next: this.memo.get(model) });
    this.memoSize++;
    if (!r) this.counters.unknown++;
    return r;
  }

  /** Every step the resolver takes for a name, and where it ends. */
  explain(model: string, provider?: string): ResolutionTrace & { resolved: ResolvedPrice | null } {
    names({ model }, provider);
    const steps: ResolutionTrace['steps'] = [];
    const budget = nameBudget();
    const r = this.resolveUncached(model, provider, steps, budget);
    if (budget.left <= 0) {
      steps.push({
        rule: 'work budget',
        candidate: model.length > 40 ? `${model.slice(0, 40)}…` : model,
        matched: false,
        detail: `matching work for this name ran past ${NAME_WORK_BUDGET} units: the remaining match rules were not tried`,
      });
    }
    const resolved = r ? toResolved(r, Date.now()) : null;
    return { model, ...(provider ? { provider } : {}), steps, resolved };
  }

  private resolveUncached(
    model: string,
    provider: string | undefined,
    trace: ResolutionTrace['steps'] | null,
    budget: WorkBudget,
    depth = 0,
  ): Resolution | null {
    const hint = canonicalProvider(provider, this.providerAliases);
    const lower = model.trim().toLowerCase();
    const dep = this.deployments.get(lower);
    if (dep && depth < 3) {
      trace?.push({
        rule: 'deployment map',
        candidate: lower,
        matched: true,
        detail: `→ ${dep.model}${dep.provider ? ` (${dep.provider})` : ''}`,
      });
      const r = this.resolveUncached(dep.model, dep.provider ?? provider, trace, budget, depth + 1);
      return r ? { ...r, rule: `deployment → ${r.rule}` } : null;
    }
    const decomposed = decomposeModelName(model, this.isProvider);
    const { candidates, free: freeSuffix, platform, route, fineTuned } = decomposed;
    const mapped = decomposed.mapKey ? this.deployments.get(decomposed.mapKey) : undefined;
    if (mapped && depth < 3) {
      trace?.push({
        rule: 'deployment map',
        candidate: decomposed.mapKey!,
        matched: true,
        detail: `→ ${mapped.model}${mapped.provider ? ` (${mapped.provider})` : ''}`,
      });
      const r = this.resolveUncached(
        mapped.model,
        mapped.provider ?? route ?? provider,
        trace,
        budget,
        depth + 1,
      );
      return r ? { ...r, rule: `deployment → ${r.rule}` } : null;
    }
    if (decomposed.needsMap) {
      trace?.push({
        rule: 'deployment map',
        candidate: decomposed.mapKey ?? lower,
        matched: false,
        detail: `unpriced: ${decomposed.needsMap}; map it to the model it runs (catalog.mapDeployment, or "deployments" in a price file)`,
      });
      return MISS;
    }
    if (trace && lower.length > MAX_MATCHED_NAME_LENGTH) {
      trace.push({
        rule: 'name length',
        candidate: `${lower.slice(0, 40)}…`,
        matched: false,
        detail: `${lower.length} characters, over ${MAX_MATCHED_NAME_LENGTH}: exact names only, no decomposition or regex rules`,
      });
    }
    // The provider to prefer: the caller's hint, else the platform the name's shape implies
    // (a Bedrock id means AWS prices, a Vertex `@` id means Google's).
    const prefer = hint ?? route ?? canonicalProvider(platform, this.providerAliases);
    const preferred = prefer ? [prefer, ...(this.providerFallbacks.get(prefer) ?? [])] : [];
    const namedProvider = hint ?? route;
    const said: Said = {
      provider: namedProvider,
      fallbacks: namedProvider ? (this.providerFallbacks.get(namedProvider) ?? []) : [],
      fineTuned,
    };
    for (const layer of LAYER_ORDER) {
      const idx = this.layers.get(layer);
      if (!idx) continue;
      // The exact name as given wins when the caller gave no provider ("prefer the exact dated entry").
      if (!hint) {
        const first = candidates[0]!;
        const groups = groupsNamed(idx, first.name);
        const chosen = groups ? this.choose(groups, prefer ?? first.providerHint, false, said, true) : null;
        // …unless the name's route named another provider: then that provider's own entries go first.
        const ownOrUnnamed =
          chosen !== null &&
          (namedProvider === undefined ||
            chosen.provider === namedProvider ||
            said.fallbacks.includes(chosen.provider));
        if (chosen && ownOrUnnamed) {
          trace?.push({
            rule: first.rule,
            candidate: first.name,
            matched: true,
            detail: `${layer}: exact → ${chosen.provider}/${chosen.id}`,
          });
          return this.finish(chosen, said, first.rule, freeSuffix, lower, groups, trace);
        }
      }
      // Pass 1: the preferred provider (and its fallbacks) only — exact names, then its match rules.
      if (preferred.length > 0) {
        for (const c of candidates) {
          const groups = groupsNamed(idx, c.name);
          const chosen = groups ? this.pick(groups, preferred, said, c.rule === 'exact') : null;
          trace?.push({
            rule: c.rule,
            candidate: c.name,
            matched: chosen !== null,
            detail: `${layer}: exact, ${prefer}${chosen ? ` → ${chosen.provider}/${chosen.id}` : ''}`,
          });
          if (chosen) return this.finish(chosen, said, c.rule, freeSuffix, lower, undefined, trace);
        }
        for (const c of candidates) {
          let chosen: ModelGroup | null = null;
          for (const p of preferred) {
            rulesOf(idx);
            const list = idx.rulesByProvider.get(p);
            if (list === undefined) continue;
            // The first usable match, charged as a scan stopping there would be; none: the whole scan.
            const scan = scanOf(idx, list, c.name, budget, c.name !== model);
            let charge = scan.total;
            for (let k = 0; k < scan.groups.length; k++) {
              if (this.usable(scan.groups[k]!, said, false)) {
                chosen = scan.groups[k]!;
                charge = scan.through[k]!;
                break;
              }
            }
            budget.left -= charge;
            if (budget.left <= 0) {
              chosen = null; // spent before that rule matched: the remaining rules are not tried
              break;
            }
            if (chosen) break;
          }
          // A spent budget ends the search: a lower-priority match found later could name another
          // provider's model, and an unknown model is better than a wrong price.
          if (!chosen && budget.left <= 0) return MISS;
          trace?.push({
            rule: `${c.rule}, match rule`,
            candidate: c.name,
            matched: chosen !== null,
            detail: `${layer}: rules, ${prefer}${chosen ? ` → ${chosen.provider}/${chosen.id}` : ''}`,
          });
          if (chosen)
            return this.finish(chosen, said, `${c.rule}, match rule`, freeSuffix, lower, undefined, trace);
        }
      }
      // Pass 2 and 3: any home provider (exact names, then match rules); pass 4 and 5 accept resellers
      // (OpenRouter, Azure, Together, …) too, so a bare name prefers the model maker's own price.
      let scanned: Map<string, ModelGroup[]> | undefined;
      for (const resellers of [false, true]) {
        const tag = resellers ? ', resellers' : '';
        for (const c of candidates) {
          const groups = groupsNamed(idx, c.name);
          const chosen = groups
            ? this.choose(groups, c.providerHint, resellers, said, c.rule === 'exact')
            : null;
          trace?.push({
            rule: c.rule,
            candidate: c.name,
            matched: chosen !== null,
            detail: `${layer}: exact${tag}${chosen ? ` → ${chosen.provider}/${chosen.id}` : ''}`,
          });
          if (chosen) return this.finish(chosen, said, c.rule, freeSuffix, lower, groups, trace);
        }
        for (const c of candidates) {
          // One scan of the rules per candidate and layer, shared by the home and reseller passes.
          let matches = scanned?.get(c.name);
          if (matches === undefined) {
            const scan = scanOf(idx, rulesOf(idx), c.name, budget, c.name !== model);
            budget.left -= scan.total;
            if (budget.left <= 0) return MISS; // a partial scan could choose another provider's model
            matches = scan.groups;
            (scanned ??= new Map()).set(c.name, matches);
          }
          const chosen =
            matches.length > 0 ? this.choose(matches, c.providerHint, resellers, said, false) : null;
          trace?.push({
            rule: `${c.rule}, match rule`,
            candidate: c.name,
            matched: chosen !== null,
            detail: `${layer}: rules${tag}${chosen ? ` → ${chosen.provider}/${chosen.id}` : ''}`,
          });
          if (chosen)
            return this.finish(chosen, said, `${c.rule}, match rule`, freeSuffix, lower, matches, trace);
        }
      }
    }
    if (this.freeNames.has(lower) || (hint !== undefined && this.freeNames.has(`${hint}\u0001${lower}`))) {
      trace?.push({ rule: 'marked free', candidate: lower, matched: true, detail: 'markFree()' });
      return this.freeGroup(model, hint ?? 'unknown');
    }
    if (hint && this.freeProviders.has(hint)) {
      trace?.push({
        rule: 'free provider',
        candidate: lower,
        matched: true,
        detail: `${hint} models are free`,
      });
      return { ...this.freeGroup(model, hint), rule: 'free provider' };
    }
    if (fineTuned !== undefined) {
      trace?.push({
        rule: 'fine-tuned',
        candidate: lower,
        matched: false,
        detail: `unpriced, fine-tuned model of ${fineTuned}: no fine-tuned price is known (the base model's price is not used); add "ft:${fineTuned}" to a price file`,
      });
    }
    return MISS;
  }

  /**
   * A Bedrock `global.` profile that matched a regional entry (`regional.anthropic.…`, reached through
   * a shortened candidate) is priced by the global entry of the same model when the layer has one:
   * global cross-region inference is about 10% cheaper than regional where AWS publishes both.
   */
  private globalSibling(group: ModelGroup, lower: string): ModelGroup {
    if (!lower.startsWith(GLOBAL_PROFILE)) return group;
    const id = group.id.toLowerCase();
    if (!id.startsWith(REGIONAL_ENTRY)) return group;
    const idx = this.layers.get(group.layer);
    const sibling = idx
      ? groupsByProvider(idx)
          .get(group.provider)
          ?.get(`${GLOBAL_PROFILE}${id.slice(REGIONAL_ENTRY.length)}`)
      : undefined;
    return sibling ?? group;
  }

  /** Whether a `/` segment of a model name names a provider or router (alias table, catalog ids). */
  private readonly isProvider = (segment: string): string | undefined => {
    const known = knownProvider(segment);
    if (known) return known;
    const s = segment.trim().toLowerCase();
    const aliased = this.providerAliases.get(s);
    if (aliased) return aliased;
    for (const idx of this.layers.values()) {
      idx.providerIds ??= new Set(idx.plan.providers);
      if (idx.providerIds.has(s)) return s;
    }
    return undefined;
  };

  /**
   * Whether a group may price a name: a fine-tuned model only by a fine-tuned entry (or its exact
   * name). When a provider was named (hint or route) and this group is another's, only the model
   * maker's own paid price may stand in: never another reseller's price (resellers' prices differ
   * several-fold) and never a free tier (a paid reseller's Gemma is not Google's free Gemma).
   */
  private usable(g: ModelGroup, said: Said, exactName: boolean): boolean {
    if (said.fineTuned !== undefined && !exactName && !g.id.toLowerCase().startsWith('ft:')) return false;
    if (said.provider === undefined || g.provider === said.provider || said.fallbacks.includes(g.provider))
      return true;
    if (this.freeProviders.has(said.provider)) return true;
    if (!isModelMaker(g.provider)) return false;
    const versions = g.versions;
    return !versions[versions.length - 1]!.free;
  }

  private finish(
    matched: ModelGroup,
    said: Said,
    rule: string,
    freeSuffix: boolean,
    lower: string,
    among: ModelGroup[] | undefined,
    trace: ResolutionTrace['steps'] | null,
  ): Resolution {
    const hint = said.provider;
    const group = this.globalSibling(matched, lower);
    const free =
      freeSuffix ||
      // A self-hosted provider is free unless you priced the model yourself (your compute rate).
      (this.freeProviders.has(hint ?? group.provider) &&
        group.layer !== 'user' &&
        group.layer !== 'override') ||
      this.freeNames.has(lower) ||
      this.freeNames.has(group.id.toLowerCase()) ||
      this.freeNames.has(`${group.provider}\u0001${lower}`) ||
      this.freeNames.has(`${group.provider}\u0001${group.id.toLowerCase()}`);
    const crossProvider =
      hint !== undefined && group.provider !== hint && !said.fallbacks.includes(group.provider);
    let reason: string | undefined;
    if (crossProvider) reason = `${hint} has no price for this name; priced with ${group.provider}'s price`;
    else if (hint === undefined && among !== undefined && among.some((g) => g.provider !== group.provider)) {
      const others = [...new Set(among.map((g) => g.provider))].filter((p) => p !== group.provider);
      reason = `no provider was named and ${others.join(', ')} also price${others.length === 1 ? 's' : ''} this name; priced with ${group.provider}'s price`;
    }
    if (reason) trace?.push({ rule: 'provider guessed', candidate: lower, matched: true, detail: reason });
    const provider = hint ?? group.provider;
    return reason
      ? { provider, group, free, rule, crossProvider, guessed: true, reason }
      : { provider, group, free, rule, crossProvider, guessed: false };
  }

  /** A synthetic free entry for a name the catalog does not price (marked free, or a free provider). */
  private freeGroup(model: string, provider: string): Resolution {
    const group: ModelGroup = {
      id: model,
      provider,
      versions: [new CompiledModel({ id: model, provider, prices: {}, free: true })],
      layer: 'override',
    };
    return { provider, group, free: true, rule: 'marked free', crossProvider: false, guessed: false };
  }

  /** The first usable group whose provider is in `providers`, in that order of preference. */
  private pick(groups: ModelGroup[], providers: string[], said: Said, exactName: boolean): ModelGroup | null {
    for (const p of providers)
      for (const g of groups) if (g.provider === p && this.usable(g, said, exactName)) return g;
    return null;
  }

  /** Pick among groups with the same name: the hinted provider, then its fallbacks, then the home provider. */
  private choose(
    groups: ModelGroup[],
    hint: string | undefined,
    resellers: boolean,
    said: Said,
    exactName: boolean,
  ): ModelGroup | null {
    if (hint) {
      for (const g of groups) if (g.provider === hint && this.usable(g, said, exactName)) return g;
      for (const fb of this.providerFallbacks.get(hint) ?? [])
        for (const g of groups) if (g.provider === fb && this.usable(g, said, exactName)) return g;
    }
    let best: ModelGroup | null = null;
    let bestRank = Number.POSITIVE_INFINITY;
    for (const g of groups) {
      if (!this.usable(g, said, exactName)) continue;
      const r = providerRank(g.provider);
      if (!resellers && r >= RESELLER_RANK) continue;
      if (r < bestRank) {
        best = g;
        bestRank = r;
      }
    }
    // A guess (nothing named a provider) never lands on a $0 entry (a free tier such as NVIDIA's or
    // GitHub Models') while another provider has a paid price for the same name: the call did not run
    // there for free. A named provider, a route or a `:free` id still gets its free entry.
    if (best !== null && hint === undefined && said.provider === undefined && costsNothing(best)) {
      let paid: ModelGroup | null = null;
      let paidRank = Number.POSITIVE_INFINITY;
      for (const g of groups) {
        if (costsNothing(g) || !this.usable(g, said, exactName)) continue;
        const r = providerRank(g.provider);
        if (r < paidRank) {
          paid = g;
          paidRank = r;
        }
      }
      if (paid !== null) return paid;
    }
    return best;
  }

  /** List models (highest layer wins for the same provider/id), sorted by provider then id. */
  list(filter: ListFilter = {}): (CatalogModel & { layer: PriceLayer })[] {
    try {
      return this.listUnchecked(filter);
    } catch (err) {
      throw closedError(err, 'PriceCatalog.list');
    }
  }

  private listUnchecked(filter: ListFilter): (CatalogModel & { layer: PriceLayer })[] {
    if (filter === null || typeof filter !== 'object') {
      throw new InvalidArgumentError('filter', `expected an object, got ${describeValue(filter)}`);
    }
    names({}, filter.provider);
    if (filter.search !== undefined && typeof filter.search !== 'string') {
      throw new InvalidArgumentError(
        'filter.search',
        `expected a string, got ${describeValue(filter.search)}`,
      );
    }
    const want = filter.provider ? canonicalProvider(filter.provider, this.providerAliases) : undefined;
    const q = filter.search?.toLowerCase();
    const seen = new Set<string>();
    const out: (CatalogModel & { layer: PriceLayer })[] = [];
    for (const layer of LAYER_ORDER) {
      const idx = this.layers.get(layer);
      if (!idx) continue;
      for (const g of groupsOf(idx)) {
        const key = `${g.provider}/${g.id.toLowerCase()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (want && g.provider !== want) continue;
        const m = g.versions[g.versions.length - 1]!.model;
        if (filter.deprecated === false && m.deprecated) continue;
        if (q) {
          const hay = [m.id, m.name ?? '', ...(m.aliases ?? [])].join(' ').toLowerCase();
          if (!hay.includes(q)) continue;
        }
        out.push({ ...m, provider: g.provider, layer });
      }
    }
    return out.sort((a, b) =>
      a.provider === b.provider ? a.id.localeCompare(b.id) : a.provider.localeCompare(b.provider),
    );
  }
}

/**
 * The closed error contract for the catalog's public lookups: names must be non-empty strings (an
 * empty name crashed the resolver), a provider a string or absent (`typeof` tests only; resolution itself is not slowed).
 * @throws {InvalidArgumentError}
 */
function names(required: Record<string, unknown>, provider?: unknown): void {
  for (const key in required) {
    const v = required[key];
    if (typeof v !== 'string' || v.trim() === '') {
      throw new InvalidArgumentError(key, `expected a non-empty name, got ${describeValue(v)}`);
    }
  }
  if (provider !== undefined && provider !== null && typeof provider !== 'string') {
    throw new InvalidArgumentError('provider', `expected a provider name, got ${describeValue(provider)}`);
  }
}

/**
 * The scan of a candidate name against a rule list: remembered when complete, so it is charged to
 * `budget` by the caller from the record (the same charge every time) and run once. A candidate that
 * is the name exactly as given is not remembered (`remember` false): the name memo already answers
 * that name again, and a stream of distinct names would only fill the scan memo with records that
 * live just long enough to be costly for the garbage collector.
 */
function scanOf(
  idx: LayerIndex,
  list: RuleList<ModelGroup>,
  name: string,
  budget: WorkBudget,
  remember: boolean,
): ScanRecord<ModelGroup> {
  let scan = idx.scans.get(name, list.id);
  if (scan === undefined) {
    scan = list.scan(name, budget);
    if (remember && scan.complete && name.length <= SCAN_MEMO_MAX_NAME_LENGTH)
      idx.scans.set(name, list.id, scan);
  }
  return scan;
}

/** Whether a group's current entry costs nothing: marked free, or every price it has is 0. */
function costsNothing(g: ModelGroup): boolean {
  const latest = g.versions[g.versions.length - 1]!;
  if (latest.free) return true;
  const prices = latest.model.prices;
  for (const k in prices) if (prices[k as keyof typeof prices] !== 0) return false;
  return true;
}

/** The groups an exact (lower-cased) name stands for in a layer. */
function groupsNamed(idx: LayerIndex, name: string): ModelGroup[] | undefined {
  const g = idx.named(name);
  if (g === undefined) return undefined;
  return Array.isArray(g) ? g.map((k) => groupAt(idx, k)) : [groupAt(idx, g)];
}

/** Group number `g` of a layer, made on first use. */
function groupAt(idx: LayerIndex, g: number): ModelGroup {
  let group = idx.made[g];
  if (group === undefined) {
    const { plan, entry } = idx;
    const list: CatalogModel[] = [];
    for (let k = plan.off[g]!; k < plan.off[g + 1]!; k++) list.push(entry(plan.entries[k]!));
    group = new LazyGroup(list[0]!.id, plan.providers[plan.provider[g]!]!, list, idx.layer);
    idx.made[g] = group;
  }
  return group;
}

/** Entry `k` of a layer's parsed entries. */
function entryOf(entries: CatalogModel[]): (k: number) => CatalogModel {
  return (k) => entries[k]!;
}

/** The lookup of a plan's exact-name table. */
function namedIn(exact: IndexPlan['exact']): (name: string) => ExactGroups | undefined {
  return (name) => exactGroupsOf(exact, name);
}

/** Every group of a layer, in index order. */
function* groupsOf(idx: LayerIndex): Iterable<ModelGroup> {
  for (let g = 0; g < idx.plan.provider.length; g++) yield groupAt(idx, g);
}

/** A layer's groups by provider, then lower-cased id (made on first use). */
function groupsByProvider(idx: LayerIndex): Map<string, Map<string, ModelGroup>> {
  if (idx.byProvider === undefined) {
    const byProvider = new Map<string, Map<string, ModelGroup>>();
    for (const group of groupsOf(idx)) {
      let byId = byProvider.get(group.provider);
      if (byId === undefined) {
        byId = new Map();
        byProvider.set(group.provider, byId);
      }
      byId.set(group.id.toLowerCase(), group);
    }
    idx.byProvider = byProvider;
  }
  return idx.byProvider;
}

/** A layer's match rules; made on first use, with `idx.rulesByProvider`. */
function rulesOf(idx: LayerIndex): RuleList<ModelGroup> {
  if (idx.rules === undefined) {
    const all = new RuleList<ModelGroup>(0);
    for (const g of idx.plan.rules) {
      const group = groupAt(idx, g);
      const entry = { rule: idx.entry(idx.plan.entries[idx.plan.off[g]!]!).match!, group };
      all.add(entry);
      let list = idx.rulesByProvider.get(group.provider);
      if (list === undefined) {
        list = new RuleList(idx.rulesByProvider.size + 1);
        idx.rulesByProvider.set(group.provider, list);
      }
      list.add(entry);
    }
    idx.rules = all;
  }
  return idx.rules;
}

/** A model group whose prices are compiled on first use: indexing 1,700 models stays cheap. */
class LazyGroup implements ModelGroup {
  private compiled: CompiledModel[] | null = null;
  constructor(
    readonly id: string,
    readonly provider: string,
    private readonly models: CatalogModel[],
    readonly layer: Exclude<PriceLayer, 'fallback'>,
  ) {}
  get versions(): CompiledModel[] {
    if (this.compiled === null) {
      this.compiled = this.models.map((m) => new CompiledModel(m)).sort((a, b) => a.from - b.from);
    }
    return this.compiled;
  }
}

function toResolved(r: Resolution, when: number): ResolvedPrice {
  const version = pickVersion(r.group.versions, when);
  return {
    model: version.model,
    group: r.group,
    layer: r.group.layer,
    free: r.free || version.free,
    rule: r.rule,
    crossProvider: r.crossProvider,
    provider: r.provider,
    guessed: r.guessed,
    ...(r.reason ? { reason: r.reason } : {}),
  };
}

function normalizeTarget(t: DeploymentTarget): { model: string; provider?: string } {
  return typeof t === 'string'
    ? { model: t }
    : t.provider
      ? { model: t.model, provider: t.provider }
      : { model: t.model };
}
