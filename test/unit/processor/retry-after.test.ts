import { describe, expect, it } from 'vitest';
import { parseRetryAfter, rateLimitPolicy, rateLimitWait, readRateLimitHeaders } from '../../../src/processor/retry-after.js';

const NOW = Date.parse('2026-03-30T12:00:00Z');
const TEN_SECONDLY = {
  status: 'error',
  message: 'You have reached your ten_secondly_rolling limit.',
  errorType: 'RATE_LIMIT',
  policyName: 'TEN_SECONDLY_ROLLING',
};

describe('parseRetryAfter', () => {
  it('reads delta-seconds, including fractions', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('1.5', NOW)).toBe(1500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Mon, 30 Mar 2026 12:00:07 GMT', NOW)).toBe(7000);
    expect(parseRetryAfter('Mon, 30 Mar 2026 11:59:00 GMT', NOW)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter('-3', NOW)).toBeUndefined();
  });
});

describe('rateLimitWait', () => {
  it('honours Retry-After when present', () => {
    expect(rateLimitWait(TEN_SECONDLY, { 'retry-after': '3' }, NOW)).toEqual({ kind: 'sleep', ms: 3000, policy: 'TEN_SECONDLY_ROLLING' });
  });

  it('without Retry-After, a TEN_SECONDLY_ROLLING 429 waits for the window, using the headers', () => {
    const headers = { 'x-hubspot-ratelimit-max': '190', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '10000' };
    expect(rateLimitWait(TEN_SECONDLY, headers, NOW)).toEqual({ kind: 'window', serverUsed: 190, intervalMs: 10000, policy: 'TEN_SECONDLY_ROLLING' });
  });

  it('without any headers the window wait has no server count', () => {
    expect(rateLimitWait(TEN_SECONDLY, {}, NOW)).toEqual({ kind: 'window', serverUsed: undefined, intervalMs: undefined, policy: 'TEN_SECONDLY_ROLLING' });
  });

  it('SECONDLY waits about a second; the search 429 message alone implies it', () => {
    expect(rateLimitWait({ policyName: 'SECONDLY' }, undefined, NOW)).toEqual({ kind: 'sleep', ms: 1000, policy: 'SECONDLY' });
    expect(rateLimitPolicy({ message: 'You have reached your secondly limit.' })).toBe('SECONDLY');
  });

  it('DAILY is fatal for the run, whatever Retry-After says', () => {
    expect(rateLimitWait({ policyName: 'DAILY', message: 'You have reached your daily limit.' }, { 'retry-after': '1' }, NOW)).toEqual({
      kind: 'daily',
      policy: 'DAILY',
    });
    expect(rateLimitPolicy({ message: 'You have reached your daily limit.' })).toBe('DAILY');
  });

  it('an empty or non-JSON body is an unknown policy and waits for the window', () => {
    expect(rateLimitWait('', undefined, NOW).kind).toBe('window');
    expect(rateLimitPolicy(undefined)).toBe('UNKNOWN');
  });
});

describe('readRateLimitHeaders', () => {
  it('reads the lower-case X-HubSpot-RateLimit-* headers as numbers', () => {
    expect(
      readRateLimitHeaders({
        'x-hubspot-ratelimit-max': '100',
        'x-hubspot-ratelimit-remaining': '99',
        'x-hubspot-ratelimit-interval-milliseconds': '10000',
        'x-hubspot-ratelimit-daily': '250000',
        'x-hubspot-ratelimit-daily-remaining': '249999',
      }),
    ).toEqual({ max: 100, remaining: 99, intervalMs: 10000, daily: 250000, dailyRemaining: 249999 });
    expect(readRateLimitHeaders({ 'x-hubspot-ratelimit-max': 'x' })).toEqual({
      max: undefined,
      remaining: undefined,
      intervalMs: undefined,
      daily: undefined,
      dailyRemaining: undefined,
    });
  });
});
