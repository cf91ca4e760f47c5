import { DAILY_WINDOW_MS, HUBSPOT_TIER_LIMITS, SEARCH_LIMIT, TEN_SECONDLY_WINDOW_MS, type HubSpotTier } from '../../../config/hubspot-limits.js';
import type { Clock } from '../../clock.js';
import { CompositeLimiter } from './composite.js';
import { RollingWindowLimiter } from '../rolling-window.js';
import { Semaphore } from './semaphore.js';
import { TokenBucketLimiter } from './token-bucket.js';

/**
 * Seed library (see README.md here): the run builds its limiters in src/run/run-context.ts, not from these.
 *
 * Published limits of some APIs, each as the rolling windows to enforce plus a
 * recommended concurrency. Windows the provider resets at a fixed time (HubSpot's daily limit resets at
 * midnight in the account's time zone) are enforced as rolling windows of the same length, which is
 * stricter: if no 24 h span exceeds N, no calendar day does.
 */

export interface WindowLimit {
  /** Requests allowed in any window. */
  limit: number;
  windowMs: number;
  label: string;
}

export interface RatePreset {
  id: string;
  description: string;
  windows: readonly WindowLimit[];
  /** Requests in flight at once: enough to keep the windows busy at typical latency without piling up. */
  concurrency: number;
  /** Where the numbers come from. */
  source: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = DAILY_WINDOW_MS;

const HUBSPOT_SOURCE = 'HubSpot usage guidelines (privately distributed apps), shared/hubspot-contract.md §1.1';

/** A tier's limits (config/hubspot-limits.ts, the one table of them) as the windows a preset enforces. */
function hubspot(tier: HubSpotTier): RatePreset {
  const { per10s, daily } = HUBSPOT_TIER_LIMITS[tier];
  return {
    id: `hubspot-${tier}`,
    description: `HubSpot ${tier}: ${per10s} per 10 s per app, ${daily.toLocaleString('en-US')} per day per account`,
    windows: [
      { limit: per10s, windowMs: TEN_SECONDLY_WINDOW_MS, label: 'ten-secondly' },
      { limit: daily, windowMs: DAY, label: 'daily' },
    ],
    concurrency: 10,
    source: HUBSPOT_SOURCE,
  };
}

export const PRESETS = {
  'hubspot-free': hubspot('free'),
  'hubspot-starter': hubspot('starter'),
  'hubspot-professional': hubspot('professional'),
  'hubspot-enterprise': hubspot('enterprise'),
  'hubspot-api-addon': hubspot('api-addon'),
  'hubspot-search': {
    id: 'hubspot-search',
    description: `HubSpot CRM search: ${SEARCH_LIMIT.perSecond} requests per second per account, separate from the 10-second burst`,
    windows: [{ limit: SEARCH_LIMIT.perSecond, windowMs: SEARCH_LIMIT.windowMs, label: 'secondly' }],
    concurrency: 3,
    source: 'HubSpot CRM search guide (2026-03-30), shared/hubspot-contract.md §1.3',
  },
  loops: {
    id: 'loops',
    description: 'Loops API: 100 requests per second',
    windows: [{ limit: 100, windowMs: SECOND, label: 'secondly' }],
    concurrency: 20,
    // As given in the project's issue; Loops has also documented a 10/s per-team baseline: check the account's headers.
    source: 'project issue 5 (Loops API rate limiting)',
  },
  notion: {
    id: 'notion',
    description: 'Notion API: an average of 3 requests per second per integration',
    windows: [{ limit: 3, windowMs: SECOND, label: 'secondly' }],
    concurrency: 3,
    source: 'Notion API docs (request limits)',
  },
  'facebook-ads': {
    id: 'facebook-ads',
    description: 'Facebook Marketing API: 200 calls per hour per user',
    windows: [{ limit: 200, windowMs: HOUR, label: 'hourly' }],
    concurrency: 2,
    source: 'Meta Graph API rate limiting (platform rate limits)',
  },
  'google-ads': {
    id: 'google-ads',
    description: 'Google Ads API (basic access): 15,000 operations per day per developer token',
    windows: [{ limit: 15_000, windowMs: DAY, label: 'daily' }],
    concurrency: 5,
    source: 'Google Ads API access levels and quotas',
  },
  'discord-webhook': {
    id: 'discord-webhook',
    description: 'Discord webhooks: 30 messages per minute per webhook',
    windows: [{ limit: 30, windowMs: MINUTE, label: 'per-minute' }],
    // Messages to one webhook should arrive in order.
    concurrency: 1,
    source: 'Discord developer docs (rate limits) and community-documented webhook limit',
  },
} as const satisfies Record<string, RatePreset>;

export function hubspotTierPreset(tier: HubSpotTier): RatePreset {
  return PRESETS[`hubspot-${tier}`];
}

/**
 * Uses `margin` of every window (a fraction in (0, 1], the meaning of HUBSPOT_SAFETY_MARGIN: 1.0 is all of it),
 * rounding down and never below 1, for other apps or a clock skew to keep the rest.
 */
export function applySafetyMargin(preset: RatePreset, margin: number): RatePreset {
  if (!(margin > 0 && margin <= 1)) throw new RangeError(`safety margin must be a fraction in (0, 1], got ${margin}`);
  return {
    ...preset,
    windows: preset.windows.map((w) => ({ ...w, limit: Math.max(1, Math.floor(w.limit * margin)) })),
  };
}

export interface PresetLimiter {
  limiter: CompositeLimiter;
  /** One per preset window, in the preset's order (for server sync: setLimit, reserveExternal). */
  windows: RollingWindowLimiter[];
  concurrency: Semaphore;
  /** Paces the shortest window; undefined when smoothing is off. */
  pacing: TokenBucketLimiter | undefined;
}

export interface BuildPresetOptions {
  /** Defaults to the preset's recommendation. */
  concurrency?: number;
  /** Fraction of every window used, as HUBSPOT_SAFETY_MARGIN (default 1: all of it). */
  safetyMargin?: number;
  /** Prefix for the limiter names; defaults to the preset id. */
  name?: string;
  /**
   * Burst allowed above the average pace of the shortest window, as a fraction of its limit (default 0.1),
   * or false for no pacing. Why pace at all: a slot counts from acquisition until response + window, so
   * every request in flight is a slot the server has already stopped counting. A full-window burst puts
   * all workers in flight at once and the window runs ~15% empty during it; at an even pace only
   * rate × latency slots are in flight and the window stays ~98% full. The rolling window still decides
   * what is allowed; pacing only spreads it out.
   */
  smoothing?: number | false;
}

export const DEFAULT_SMOOTHING = 0.1;

/** Turns a preset into one all-or-none limiter: every window AND the pacing AND the concurrency. */
export function buildPresetLimiter(preset: RatePreset, clock: Clock, options: BuildPresetOptions = {}): PresetLimiter {
  const effective = options.safetyMargin === undefined ? preset : applySafetyMargin(preset, options.safetyMargin);
  const prefix = options.name ?? preset.id;
  const windows = effective.windows.map((w) => new RollingWindowLimiter({ name: `${prefix}:${w.label}`, limit: w.limit, windowMs: w.windowMs }, clock));
  const concurrency = new Semaphore({ name: `${prefix}:concurrency`, limit: options.concurrency ?? preset.concurrency }, clock);
  const smoothing = options.smoothing ?? DEFAULT_SMOOTHING;
  let pacing: TokenBucketLimiter | undefined;
  if (smoothing !== false) {
    const shortest = effective.windows.reduce((a, b) => (b.windowMs < a.windowMs ? b : a));
    pacing = new TokenBucketLimiter(
      {
        name: `${prefix}:pacing`,
        capacity: Math.max(1, Math.ceil(shortest.limit * smoothing)),
        refillPerSecond: (shortest.limit * 1000) / shortest.windowMs,
      },
      clock,
    );
  }
  const parts = pacing ? [...windows, pacing, concurrency] : [...windows, concurrency];
  return { limiter: new CompositeLimiter(parts, clock, prefix), windows, concurrency, pacing };
}
