import { describe, expect, it } from 'vitest';
import { API_LIMIT_INCREASE, HUBSPOT_TIER_LIMITS, HUBSPOT_TIERS, SEARCH_LIMIT, TEN_SECONDLY_WINDOW_MS } from '../../../config/hubspot-limits.js';
import { parseSettings, TIER_LIMITS as CLIENT_TIER_LIMITS } from '../../../config/settings.js';
import { resolveOptions, TIER_LIMITS as SIM_TIER_LIMITS } from '../../../src/sim/options.js';
import { BURST_LIMITS_BY_TIER } from '../../../src/verify/rate-limit-tiers.js';

/**
 * The tier limits are written once (config/hubspot-limits.ts). The simulator differs from the client in one
 * place on purpose, the daily limit of `api-addon`; everything else must agree.
 */
describe('tier limits: client, verify command and simulator', () => {
  it('the contract table (§1.1) as written', () => {
    expect(HUBSPOT_TIER_LIMITS).toEqual({
      free: { per10s: 100, daily: 250_000 },
      starter: { per10s: 100, daily: 250_000 },
      professional: { per10s: 190, daily: 625_000 },
      enterprise: { per10s: 190, daily: 1_000_000 },
      'api-addon': { per10s: 250, daily: 1_000_000 },
    });
    expect(API_LIMIT_INCREASE).toEqual({ per10s: 250, dailyPerPurchase: 1_000_000, maxPurchases: 2 });
  });

  it('every tier has the same burst in the client, the verify command and the simulator', () => {
    for (const tier of HUBSPOT_TIERS) {
      expect(SIM_TIER_LIMITS[tier].tenSecondly).toBe(CLIENT_TIER_LIMITS[tier].per10s);
      expect(BURST_LIMITS_BY_TIER[tier]).toEqual({ limit: CLIENT_TIER_LIMITS[tier].per10s, windowMs: TEN_SECONDLY_WINDOW_MS });
      expect(parseSettings({ HUBSPOT_TIER: tier }).maxRequestsPer10s).toBe(CLIENT_TIER_LIMITS[tier].per10s);
    }
    expect(resolveOptions({}).rateLimitWindowMs).toBe(TEN_SECONDLY_WINDOW_MS);
  });

  it('every tier but api-addon has the same daily limit in the client and the simulator', () => {
    for (const tier of HUBSPOT_TIERS.filter((t) => t !== 'api-addon')) {
      expect(SIM_TIER_LIMITS[tier].daily).toBe(CLIENT_TIER_LIMITS[tier].daily);
      expect(resolveOptions({ tier }).dailyLimit).toBe(CLIENT_TIER_LIMITS[tier].daily);
    }
  });

  it('api-addon: the simulator is one real add-on account, and the client assumes no more than any such account has', () => {
    const baseDailies = HUBSPOT_TIERS.filter((t) => t !== 'api-addon').map((t) => HUBSPOT_TIER_LIMITS[t].daily);
    const realAccounts = baseDailies.flatMap((base) =>
      Array.from({ length: API_LIMIT_INCREASE.maxPurchases }, (_, i) => base + (i + 1) * API_LIMIT_INCREASE.dailyPerPurchase),
    );
    expect(realAccounts).toContain(SIM_TIER_LIMITS['api-addon'].daily);
    expect(SIM_TIER_LIMITS['api-addon'].daily).toBe(2_000_000);
    expect(CLIENT_TIER_LIMITS['api-addon'].daily).toBeLessThanOrEqual(Math.min(...realAccounts));
    expect(parseSettings({ HUBSPOT_TIER: 'api-addon' }).dailyLimit).toBe(1_000_000);
  });

  it('search has the same per-second limit in the client and the simulator', () => {
    expect(parseSettings({}).searchPerSecond).toBe(SEARCH_LIMIT.perSecond);
    expect(resolveOptions({}).searchPerSecond).toBe(SEARCH_LIMIT.perSecond);
  });
});
