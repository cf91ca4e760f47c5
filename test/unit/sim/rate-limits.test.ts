import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateLimiter, RollingWindow, type RateLimitConfig } from '../../../src/sim/rate-limits.js';

const config = (over: Partial<RateLimitConfig> = {}): RateLimitConfig => ({
  enabled: true,
  tenSecondLimit: 190,
  windowMs: 10_000,
  dailyLimit: 625_000,
  searchPerSecond: 5,
  rejectedCountsInWindow: false,
  ...over,
});

describe('RollingWindow', () => {
  it('counts arrivals in (now - window, now]', () => {
    const window = new RollingWindow(1000);
    window.add(0);
    window.add(500);
    expect(window.count(999)).toBe(2);
    expect(window.count(1000)).toBe(1);
    expect(window.count(1500)).toBe(0);
  });
});

describe('RateLimiter', () => {
  it('rejects the 191st request inside 10 s on a Professional token with TEN_SECONDLY_ROLLING', () => {
    const limiter = new RateLimiter(config());
    const results = Array.from({ length: 191 }, (_, i) => limiter.admit('t', 'standard', 1000 + i));
    expect(results.filter((r) => !r.allowed)).toHaveLength(1);
    const last = results[190];
    expect(last.policy).toBe('TEN_SECONDLY_ROLLING');
    expect(last.window).toBe(191);
    expect(last.headers['X-HubSpot-RateLimit-Remaining']).toBe('0');
    expect(results[0].headers['X-HubSpot-RateLimit-Remaining']).toBe('189');
  });

  it('frees a slot once the oldest arrival leaves the window', () => {
    const limiter = new RateLimiter(config({ tenSecondLimit: 2 }));
    expect(limiter.admit('t', 'standard', 0).allowed).toBe(true);
    expect(limiter.admit('t', 'standard', 5000).allowed).toBe(true);
    expect(limiter.admit('t', 'standard', 9999).allowed).toBe(false);
    expect(limiter.admit('t', 'standard', 10_000).allowed).toBe(true);
  });

  it('keeps search out of the 10 s window and limits it to 5 per second with SECONDLY and no headers', () => {
    const limiter = new RateLimiter(config({ tenSecondLimit: 1 }));
    const searches = Array.from({ length: 6 }, (_, i) => limiter.admit('t', 'search', 100 + i));
    expect(searches.map((s) => s.allowed)).toEqual([true, true, true, true, true, false]);
    expect(searches[5].policy).toBe('SECONDLY');
    expect(searches.every((s) => Object.keys(s.headers).length === 0)).toBe(true);
    expect(limiter.admit('t', 'standard', 200).allowed).toBe(true);
    expect(limiter.admit('t', 'search', 1100).allowed).toBe(true);
  });

  it('counts rejected requests only when configured to', () => {
    const lenient = new RateLimiter(config({ tenSecondLimit: 2 }));
    const strict = new RateLimiter(config({ tenSecondLimit: 2, rejectedCountsInWindow: true }));
    for (const limiter of [lenient, strict]) {
      limiter.admit('t', 'standard', 0);
      limiter.admit('t', 'standard', 6000);
      limiter.admit('t', 'standard', 7000);
    }
    // At 10,000 the arrival at 0 has left; only the strict limiter still holds the rejected one at 7,000.
    expect(lenient.admit('t', 'standard', 10_000).allowed).toBe(true);
    expect(strict.admit('t', 'standard', 10_000).allowed).toBe(false);
  });

  it('enforces the daily limit with DAILY and resets at UTC midnight', () => {
    const limiter = new RateLimiter(config({ dailyLimit: 2 }));
    const day = 86_400_000;
    expect(limiter.admit('t', 'standard', day + 1).allowed).toBe(true);
    expect(limiter.admit('t', 'search', day + 2).allowed).toBe(true);
    const third = limiter.admit('t', 'standard', day + 20_000);
    expect(third.policy).toBe('DAILY');
    expect(third.headers['X-HubSpot-RateLimit-Daily-Remaining']).toBe('0');
    expect(limiter.admit('t', 'standard', 2 * day).allowed).toBe(true);
  });

  it('never lets more than the limit through in any rolling window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 10, max: 2000 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 300 }),
        (limit, windowMs, gaps) => {
          const limiter = new RateLimiter(config({ tenSecondLimit: limit, windowMs }));
          let now = 0;
          const served: number[] = [];
          for (const gap of gaps) {
            now += gap;
            if (limiter.admit('t', 'standard', now).allowed) served.push(now);
          }
          for (let i = 0; i < served.length; i++) {
            const inWindow = served.filter((t) => t > served[i] - windowMs && t <= served[i]).length;
            if (inWindow > limit) return false;
          }
          return true;
        },
      ),
    );
  });

  it('serves everything but still counts when disabled', () => {
    const limiter = new RateLimiter(config({ enabled: false, tenSecondLimit: 1 }));
    const results = Array.from({ length: 5 }, (_, i) => limiter.admit('t', 'standard', i));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(results[4].window).toBe(5);
  });
});
