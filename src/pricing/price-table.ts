import {
  BUCKET_OF_PRICE,
  EXACT_FALLBACK_PRICES,
  PRICE_FALLBACK,
  PRICE_KEYS,
  SLOT_SCALE,
  type UsageBucket,
} from '../usage/buckets.js';
import { shiftDecimal } from './money.js';
import type {
  CatalogModel,
  ContextTier,
  PriceKey,
  PriceSet,
  ServiceTier,
  ServiceTierPrices,
} from './types.js';

export { SLOT } from './bucket-costs.generated.js';

const SERVICE_INDEX: Record<ServiceTier, number> = { standard: 0, priority: 1, flex: 2, batch: 3 };

/** Prices compiled to integers: femto-USD per token (token slots) or per unit (fee slots). */
export interface CompiledTable {
  /** Femto-USD per unit, indexed by {@link SLOT}. */
  femto: number[];
  /** Service tier actually applied (may be `standard` when the model has no price for the requested one). */
  service: ServiceTier;
  /** Long-context threshold applied, or null. */
  contextAbove: number | null;
  /** Human label, e.g. `standard`, `>200k`, `batch >272k`. */
  label: string;
  /**
   * Buckets whose price is borrowed from another bucket because the model has none of its own (cache
   * reads at the input price, …): a call with tokens in one of them is an estimate. Empty for most models.
   */
  borrowed: readonly UsageBucket[];
  /** The {@link borrowed} buckets' slots (in the bucket table's order, as `usageToSlots` writes them). */
  borrowedSlots: readonly number[];
}

function kLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

function tierFor(tiers: ContextTier[] | undefined, above: number | null): PriceSet | undefined {
  if (!tiers || above === null) return undefined;
  for (const t of tiers) if (t.above === above) return t.prices;
  return undefined;
}

function toFemto(key: PriceKey, usd: number): number {
  return shiftDecimal(usd, SLOT_SCALE[key].femtoDigits);
}

function scale(femto: number, multiplier: number | undefined): number {
  if (multiplier === undefined || multiplier === 1) return femto;
  // multiplier with up to 6 decimals, applied in integers and rounded half-up at the femto level
  const m = BigInt(shiftDecimal(multiplier, 6));
  const x = BigInt(femto) * m;
  const q = x / 1_000_000n;
  return Number(x % 1_000_000n >= 500_000n ? q + 1n : q);
}

/**
 * @internal Whether any model compiled in this process has a per-GPU-hour price. Until one has (the
 * bundled catalog has none), no call looks for GPU time: `priceCall` skips that lookup. It never
 * goes back to false, which only costs the lookup.
 */
export const GPU_PRICED = { seen: false };

/**
 * A catalog model compiled for fast pricing: tables per (service tier, context tier) are built on first
 * use and cached.
 */
export class CompiledModel {
  readonly model: CatalogModel;
  /** Context thresholds in descending order (union of base and service-tier thresholds). */
  readonly thresholds: number[];
  /** `validFrom` as epoch ms (or -Infinity). */
  readonly from: number;
  /** `validUntil` as epoch ms (or +Infinity). */
  readonly until: number;
  /** True when the model is free: explicitly, or because it has no price at all. */
  readonly free: boolean;
  private readonly tables: (CompiledTable | undefined)[] = [];
  // The table nearly every call uses, kept apart so the hot path skips the slot arithmetic.
  private standard: CompiledTable | undefined = undefined;

  constructor(model: CatalogModel) {
    this.model = model;
    const th = new Set<number>();
    for (const t of model.contextTiers ?? []) th.add(t.above);
    for (const s of Object.values(model.serviceTiers ?? {}))
      for (const t of s?.contextTiers ?? []) th.add(t.above);
    this.thresholds = [...th].sort((a, b) => b - a);
    this.from = model.validFrom ? Date.parse(model.validFrom) : Number.NEGATIVE_INFINITY;
    this.until = model.validUntil ? Date.parse(model.validUntil) : Number.POSITIVE_INFINITY;
    this.free = model.free === true || Object.keys(model.prices ?? {}).length === 0;
    if ((model.prices?.perGpuHour ?? 0) > 0) GPU_PRICED.seen = true;
  }

  /** True when the model has explicit prices or a multiplier for `service`. */
  hasService(service: ServiceTier): boolean {
    return service === 'standard' || this.model.serviceTiers?.[service] !== undefined;
  }

  /** The threshold that applies to a prompt of `prompt` tokens (prompt > threshold), or null. */
  contextFor(prompt: number): number | null {
    for (const t of this.thresholds) if (prompt > t) return t;
    return null;
  }

  /** Compiled prices for a service tier and context threshold. */
  table(service: ServiceTier, contextAbove: number | null): CompiledTable {
    if (service === 'standard' && contextAbove === null) {
      if (this.standard === undefined) this.standard = this.compile('standard', null);
      return this.standard;
    }
    // Array slot per (service, threshold) so the hot path does no string building.
    const slot =
      SERVICE_INDEX[service] * (this.thresholds.length + 1) +
      (contextAbove === null ? 0 : this.thresholds.indexOf(contextAbove) + 1);
    let t = this.tables[slot];
    if (!t) {
      t = this.compile(service, contextAbove);
      this.tables[slot] = t;
    }
    return t;
  }

  private compile(service: ServiceTier, contextAbove: number | null): CompiledTable {
    const base = this.model.prices ?? {};
    const st: ServiceTierPrices | undefined =
      service === 'standard' ? undefined : this.model.serviceTiers?.[service];
    const applied: ServiceTier = st ? service : 'standard';
    const baseCtx = tierFor(this.model.contextTiers, contextAbove);
    const svcCtx = tierFor(st?.contextTiers, contextAbove);
    const mult = st?.multiplier;
    // Precedence per key: service long-context price → base long-context price × multiplier →
    // service price → base price × multiplier.
    const lookup = (k: PriceKey): number | undefined => {
      const a = svcCtx?.[k];
      if (a !== undefined) return toFemto(k, a);
      const b = baseCtx?.[k];
      if (b !== undefined) return scale(toFemto(k, b), mult);
      const c = st?.[k];
      if (c !== undefined) return toFemto(k, c);
      const d = base[k];
      if (d !== undefined) return scale(toFemto(k, d), mult);
      return undefined;
    };
    // Table order is slot order; a bucket without a price takes the one it falls back to.
    const borrowed: UsageBucket[] = [];
    const borrowedSlots: number[] = [];
    const femto = PRICE_KEYS.map((k, slot) => {
      for (let cur: PriceKey | null = k; cur !== null; cur = PRICE_FALLBACK[cur]) {
        const v = lookup(cur);
        if (v !== undefined) {
          if (cur !== k && !EXACT_FALLBACK_PRICES.has(k)) {
            borrowed.push(BUCKET_OF_PRICE[k]);
            borrowedSlots.push(slot);
          }
          return v;
        }
      }
      return 0;
    });
    const parts: string[] = [];
    if (applied !== 'standard') parts.push(applied);
    if (contextAbove !== null) parts.push(`>${kLabel(contextAbove)}`);
    return {
      femto,
      service: applied,
      contextAbove,
      label: parts.join(' ') || 'standard',
      borrowed,
      borrowedSlots,
    };
  }
}

/** A time as epoch ms (`Date`, epoch ms, or a string `Date.parse` reads); NaN when unreadable. */
export function epochMs(at: Date | number | string): number {
  return at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
}

/**
 * The version of a model whose validity window holds `when`. Outside every window: the nearest one
 * (old traces keep the oldest known price, future ones the newest).
 */
export function pickVersion(versions: CompiledModel[], when: number): CompiledModel {
  if (versions.length === 1) return versions[0]!;
  let chosen: CompiledModel | undefined;
  for (const v of versions) if (v.from <= when && when < v.until) chosen = v;
  if (chosen) return chosen;
  return when < versions[0]!.from ? versions[0]! : versions[versions.length - 1]!;
}
