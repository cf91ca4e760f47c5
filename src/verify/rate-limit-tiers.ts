import { HUBSPOT_TIERS, hubspotTierPreset, type HubSpotTier } from '../../config/presets.js';

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
  HUBSPOT_TIERS.map((tier) => {
    const [tenSecondly] = hubspotTierPreset(tier).windows;
    return [tier, { limit: tenSecondly.limit, windowMs: tenSecondly.windowMs }];
  }),
) as Record<Tier, BurstLimit>;

export const DEFAULT_TIER: Tier = 'professional';

export const TIERS = Object.keys(BURST_LIMITS_BY_TIER) as Tier[];

export function isTier(name: string): name is Tier {
  return Object.prototype.hasOwnProperty.call(BURST_LIMITS_BY_TIER, name);
}
