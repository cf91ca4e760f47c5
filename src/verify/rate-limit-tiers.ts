/**
 * HubSpot burst limits per app for privately distributed apps (see shared/hubspot-contract.md §1.1).
 * The verify script only needs the burst window; daily budgets are not checked from a request log.
 */
export interface BurstLimit {
  limit: number;
  windowMs: number;
}

export const BURST_LIMITS_BY_TIER = {
  free: { limit: 100, windowMs: 10_000 },
  starter: { limit: 100, windowMs: 10_000 },
  professional: { limit: 190, windowMs: 10_000 },
  enterprise: { limit: 190, windowMs: 10_000 },
  'api-addon': { limit: 250, windowMs: 10_000 },
} as const satisfies Record<string, BurstLimit>;

export type Tier = keyof typeof BURST_LIMITS_BY_TIER;

export const DEFAULT_TIER: Tier = 'professional';

export const TIERS = Object.keys(BURST_LIMITS_BY_TIER) as Tier[];

export function isTier(name: string): name is Tier {
  return Object.prototype.hasOwnProperty.call(BURST_LIMITS_BY_TIER, name);
}
