/**
 * HubSpot's published rate limits for privately distributed apps (shared/hubspot-contract.md §1.1, §1.3),
 * written once. The settings, the verify command, the seed library's presets and the simulator derive
 * theirs from here. It imports nothing, so every layer may read it.
 */

export const HUBSPOT_TIERS = ['free', 'starter', 'professional', 'enterprise', 'api-addon'] as const;
export type HubSpotTier = (typeof HUBSPOT_TIERS)[number];

/** The burst window: a rolling ten seconds, per app. */
export const TEN_SECONDLY_WINDOW_MS = 10_000;
/** The daily limit resets at the account's midnight; a rolling day of the same length is stricter. */
export const DAILY_WINDOW_MS = 86_400_000;

/** CRM search has its own limit, per account, outside the ten-second burst (contract §1.3). */
export const SEARCH_LIMIT = { perSecond: 5, windowMs: 1000 } as const;

export interface TierLimits {
  /** Requests per ten seconds, per app. */
  per10s: number;
  /** Requests per day, per account (shared by every app of the account). */
  daily: number;
}

/** Without the API Limit Increase add-on. */
const BASE_TIERS = {
  free: { per10s: 100, daily: 250_000 },
  starter: { per10s: 100, daily: 250_000 },
  // The 2024 changelog said 650,000; the current usage page says 625,000 (contract §1.1, "Conflict").
  professional: { per10s: 190, daily: 625_000 },
  enterprise: { per10s: 190, daily: 1_000_000 },
} as const satisfies Record<Exclude<HubSpotTier, 'api-addon'>, TierLimits>;

/** The API Limit Increase add-on: the burst becomes 250 (purchases do not stack), each purchase adds a daily 1,000,000. */
export const API_LIMIT_INCREASE = { per10s: 250, dailyPerPurchase: 1_000_000, maxPurchases: 2 } as const;

/**
 * The limits the client assumes for each tier (HUBSPOT_TIER). `api-addon` names an account with the add-on but
 * neither its base tier nor how many purchases it made: its daily limit is the base tier's plus 1,000,000 per
 * purchase, so at least 1,250,000. The client assumes only the add-on's own 1,000,000, less than any such
 * account has: a run may stop (resumably) before the account's real limit, never spend the share of other apps.
 * HUBSPOT_DAILY_LIMIT sets the real figure. The simulator models one such account (see src/sim/options.ts).
 */
export const HUBSPOT_TIER_LIMITS: Readonly<Record<HubSpotTier, TierLimits>> = {
  ...BASE_TIERS,
  'api-addon': { per10s: API_LIMIT_INCREASE.per10s, daily: API_LIMIT_INCREASE.dailyPerPurchase },
};
