import { HUBSPOT_TIERS, HUBSPOT_TIER_LIMITS, TEN_SECONDLY_WINDOW_MS, type HubSpotTier } from '../../config/hubspot-limits.js';

/**
 * HubSpot burst limits per app for privately distributed apps (see shared/hubspot-contract.md §1.1).
 * The verify script only needs the burst window; daily budgets are not checked from a request log.
 */
export interface BurstLimit {
  limit: number;
  windowMs: number;
}

export type Tier = HubSpotTier;

export const BURST_LIMITS_BY_TIER = Object.fromEntries(
  HUBSPOT_TIERS.map((tier) => [tier, { limit: HUBSPOT_TIER_LIMITS[tier].per10s, windowMs: TEN_SECONDLY_WINDOW_MS }]),
) as Record<Tier, BurstLimit>;

export const DEFAULT_TIER: Tier = 'professional';

export const TIERS = Object.keys(BURST_LIMITS_BY_TIER) as Tier[];

export function isTier(name: string): name is Tier {
  return Object.prototype.hasOwnProperty.call(BURST_LIMITS_BY_TIER, name);
}
