import type { RateLimitPolicy } from './error-bodies.js';

/**
 * HubSpot's limits as the server enforces them (contract §1.1, §1.3, §5.1–5.4), evaluated on request ARRIVAL:
 * - a rolling window per token (TEN_SECONDLY_ROLLING; 10 s and the tier's limit unless overridden);
 * - a daily count per account, reset at UTC midnight (HubSpot uses the account's time zone; UTC stands in);
 * - search: a separate rolling 1 s limit per account (SECONDLY). Search requests are NOT counted in the
 *   10 s window: the spec marks every search operation `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`
 *   and the usage page says the burst limit "excludes the CRM Search API". They do count towards the day.
 * Whether a rejected request occupies a slot is not documented; `rejectedCountsInWindow` decides (default no,
 * so `remaining` falls only with served requests).
 */

export type RequestKind = 'standard' | 'search';

export interface RateLimitConfig {
  enabled: boolean;
  tenSecondLimit: number;
  windowMs: number;
  dailyLimit: number;
  searchPerSecond: number;
  rejectedCountsInWindow: boolean;
}

export interface Admission {
  allowed: boolean;
  policy?: RateLimitPolicy;
  /** Requests in the token's rolling window at arrival, this one included (search: not included). */
  window: number;
  /** Search requests in the rolling second at arrival, this one included (search only). */
  searchWindow?: number;
  /** Rate-limit headers for the reply; empty for search (contract §1.5). */
  headers: Record<string, string>;
}

/** Arrival times inside a rolling window, oldest first, kept as a queue with a moving head. */
export class RollingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(public windowMs: number) {}

  /** Count of arrivals in (now - windowMs, now]. */
  count(now: number): number {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && this.times[this.head] <= cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

const DAY_MS = 86_400_000;

export class RateLimiter {
  private readonly windows = new Map<string, RollingWindow>();
  private readonly search = new RollingWindow(1000);
  private day = -1;
  private dailyUsed = 0;

  constructor(public config: RateLimitConfig) {}

  private windowFor(token: string): RollingWindow {
    let window = this.windows.get(token);
    if (!window) this.windows.set(token, (window = new RollingWindow(this.config.windowMs)));
    window.windowMs = this.config.windowMs;
    return window;
  }

  dailyRemaining(): number {
    return Math.max(0, this.config.dailyLimit - this.dailyUsed);
  }

  /** Requests in the token's rolling window now, without counting one. */
  inWindow(token: string, now: number): number {
    return this.windowFor(token).count(now);
  }

  /**
   * Counts one request on arrival. `oauth`: a public app's call, which has no daily limit: it is not refused or
   * counted for the day and gets no daily headers (contract §1.1, §1.5).
   */
  admit(token: string, kind: RequestKind, now: number, oauth = false): Admission {
    const config = this.config;
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.dailyUsed = 0;
    }
    const window = this.windowFor(token);
    const inWindow = window.count(now);

    let policy: RateLimitPolicy | undefined;
    let searchWindow: number | undefined;
    if (config.enabled && !oauth && this.dailyUsed >= config.dailyLimit) policy = 'DAILY';
    if (kind === 'search') {
      searchWindow = this.search.count(now) + 1;
      if (!policy && config.enabled && searchWindow > config.searchPerSecond) policy = 'SECONDLY';
    } else if (!policy && config.enabled && inWindow + 1 > config.tenSecondLimit) {
      policy = 'TEN_SECONDLY_ROLLING';
    }

    const consumes = policy === undefined || config.rejectedCountsInWindow;
    if (consumes) {
      if (!oauth) this.dailyUsed += 1;
      if (kind === 'search') this.search.add(now);
      else window.add(now);
    }
    const countAfter = kind === 'search' ? inWindow : inWindow + (consumes ? 1 : 0);
    const headers: Record<string, string> =
      kind === 'search'
        ? {}
        : {
            'X-HubSpot-RateLimit-Max': String(config.tenSecondLimit),
            'X-HubSpot-RateLimit-Remaining': String(Math.max(0, config.tenSecondLimit - countAfter)),
            'X-HubSpot-RateLimit-Interval-Milliseconds': String(config.windowMs),
          };
    if (kind !== 'search' && !oauth) {
      headers['X-HubSpot-RateLimit-Daily'] = String(config.dailyLimit);
      headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(this.dailyRemaining());
    }
    return {
      allowed: policy === undefined,
      policy,
      window: kind === 'search' ? inWindow : inWindow + 1,
      searchWindow,
      headers,
    };
  }
}

/** Seconds until the oldest counted arrival leaves its window, for an optional Retry-After header. */
export function retryAfterSeconds(policy: RateLimitPolicy, now: number): number {
  if (policy === 'DAILY') return Math.ceil((DAY_MS - (now % DAY_MS)) / 1000);
  return policy === 'SECONDLY' ? 1 : 10;
}
