/**
 * Service tiers: the one table of the names providers and SDKs give a call's tier (OpenAI
 * `service_tier`, Bedrock `on_demand`, …) and the tier each is priced as. The calculator, the
 * LangChain and OTel extractors and the ledger readers all read names through it.
 */
import { describeValue, UnknownServiceTierError } from '../errors.js';

/** A service tier of the call. `standard` is the default. */
export type ServiceTier = 'standard' | 'priority' | 'flex' | 'batch';

/** Every service tier, `standard` first. */
export const SERVICE_TIERS: readonly ServiceTier[] = ['standard', 'priority', 'flex', 'batch'];

/**
 * Name (lower case) → tier. A Map, not an object literal: `toString` or `__proto__` must not
 * resolve to a tier.
 */
export const SERVICE_TIER_NAMES: ReadonlyMap<string, ServiceTier> = new Map<string, ServiceTier>([
  ['standard', 'standard'],
  ['default', 'standard'],
  ['auto', 'standard'],
  ['on_demand', 'standard'],
  ['standard_only', 'standard'],
  // OpenAI's Scale Tier is prepaid capacity; its tokens are reported at standard rates.
  ['scale', 'standard'],
  ['priority', 'priority'],
  ['fast', 'priority'],
  ['on_demand_priority', 'priority'],
  ['flex', 'flex'],
  ['batch', 'batch'],
]);

/** The tier a name means (any case), or undefined for anything else: what extractors read. */
export function serviceTierOf(name: unknown): ServiceTier | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  return SERVICE_TIER_NAMES.get(name) ?? SERVICE_TIER_NAMES.get(name.toLowerCase());
}

/**
 * Parse a service tier name (empty or absent: `standard`).
 * @throws {UnknownServiceTierError} for an unknown name, or anything that is not a string.
 */
export function parseServiceTier(tier: string | undefined | null): ServiceTier {
  if (tier === undefined || tier === null || tier === '') return 'standard';
  if (typeof tier !== 'string') throw new UnknownServiceTierError(describeValue(tier));
  const t = serviceTierOf(tier);
  if (!t) throw new UnknownServiceTierError(tier.length > 64 ? `${tier.slice(0, 64)}…` : tier);
  return t;
}
