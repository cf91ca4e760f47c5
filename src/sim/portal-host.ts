import { seededRandom, type Random } from '../clock.js';
import { FaultInjector } from './faults.js';
import { hashSeed } from './ids.js';
import { customPropertyCounts, type SimulatorOptions } from './options.js';
import { PageDrift } from './page-drift.js';
import { Portal } from './portal.js';
import { RateLimiter, type RateLimitConfig } from './rate-limits.js';

/**
 * One simulated portal behind the server (issue 16: `--portals N` serves N on one port). Each has its own seed,
 * private-app token, data, rate-limit windows and daily count, faults, drift and latency draws, so portals never
 * see each other's traffic. The portal itself is generated on first use (a request, the manifest, a mutation):
 * a fleet of 100 portals starts at once and holds only the ones a test touches.
 */

export function limiterConfig(options: SimulatorOptions): RateLimitConfig {
  return {
    enabled: options.rateLimit,
    tenSecondLimit: options.tenSecondLimit,
    windowMs: options.rateLimitWindowMs,
    dailyLimit: options.dailyLimit,
    searchPerSecond: options.searchPerSecond,
    rejectedCountsInWindow: options.rejectedCountsInWindow,
  };
}

/** Portal k's private-app token: the configured token alone for one portal, `${token}-${k}` in a fleet. */
export function portalToken(options: Pick<SimulatorOptions, 'token' | 'portals'>, index: number): string {
  return options.portals > 1 ? `${options.token}-${index}` : options.token;
}

/** Portal k's seed: `seed + k - 1`, so portal k of a fleet is the portal `--seed <seed+k-1>` serves alone. */
export function portalSeed(options: Pick<SimulatorOptions, 'seed'>, index: number): number {
  return options.seed + index - 1;
}

export class PortalHost {
  readonly seed: number;
  readonly token: string;
  readonly limiter: RateLimiter;
  readonly faults: FaultInjector;
  readonly drift: PageDrift;
  readonly latencyRandom: Random;
  /** Requests authenticated with the private token, for `tokenExpiresAfter`. */
  authenticated = 0;
  private generated?: Portal;

  constructor(
    readonly index: number,
    private readonly options: () => SimulatorOptions,
  ) {
    const current = options();
    this.seed = portalSeed(current, index);
    this.token = portalToken(current, index);
    this.limiter = new RateLimiter(limiterConfig(current));
    this.faults = new FaultInjector(seededRandom(hashSeed(this.seed, 'faults')));
    this.drift = new PageDrift(seededRandom(hashSeed(this.seed, 'page-drift')));
    this.latencyRandom = seededRandom(hashSeed(this.seed, 'latency'));
  }

  get portal(): Portal {
    if (!this.generated) {
      const options = this.options();
      this.generated = new Portal({
        seed: this.seed,
        size: options.size,
        sameMsBatch: options.sameMsBatch,
        catalog: options.catalog,
        customProperties: customPropertyCounts(options),
        without: options.without,
      });
      this.generated.searchLagMs = options.searchLagMs;
    }
    return this.generated;
  }

  /** Whether the portal has been generated yet (nothing has used it otherwise). */
  get isGenerated(): boolean {
    return this.generated !== undefined;
  }

  /** Options changed at run time: the limiter's limits and the search lag. */
  configure(options: SimulatorOptions): void {
    this.limiter.config = limiterConfig(options);
    if (this.generated) this.generated.searchLagMs = options.searchLagMs;
  }
}
