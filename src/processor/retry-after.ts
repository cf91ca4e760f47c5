/**
 * How long to wait after a 429. HubSpot's CRM 429s usually carry no Retry-After (contract §1.4), so
 * the body's policyName and the rate-limit headers decide, and Retry-After wins only when present.
 */

/** Parses Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // HTTP dates always name the day or month; bare numbers like "-3" are not dates (Date.parse says year -3).
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY' | 'UNKNOWN';

/** What the X-HubSpot-RateLimit-* headers of one response say (lower-case keys, as node-fetch gives them). */
export interface RateLimitHeaders {
  max?: number;
  remaining?: number;
  intervalMs?: number;
  daily?: number;
  dailyRemaining?: number;
}

export function readRateLimitHeaders(headers: Record<string, string | undefined> | undefined): RateLimitHeaders {
  if (!headers) return {};
  const num = (name: string): number | undefined => {
    const raw = headers[name];
    if (raw === undefined || raw === null || raw === '') return undefined;
    const n = Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  return {
    max: num('x-hubspot-ratelimit-max'),
    remaining: num('x-hubspot-ratelimit-remaining'),
    intervalMs: num('x-hubspot-ratelimit-interval-milliseconds'),
    daily: num('x-hubspot-ratelimit-daily'),
    dailyRemaining: num('x-hubspot-ratelimit-daily-remaining'),
  };
}

/** Reads the policy from a 429 body; the message is the only clue on search 429s (contract §1.4, §4.3). */
export function rateLimitPolicy(body: unknown): RateLimitPolicy {
  if (body && typeof body === 'object') {
    const b = body as { policyName?: unknown; message?: unknown };
    if (b.policyName === 'TEN_SECONDLY_ROLLING' || b.policyName === 'SECONDLY' || b.policyName === 'DAILY') return b.policyName;
    const message = typeof b.message === 'string' ? b.message.toLowerCase() : '';
    if (message.includes('daily limit')) return 'DAILY';
    if (message.includes('secondly limit') && !message.includes('ten_secondly')) return 'SECONDLY';
    if (message.includes('ten_secondly')) return 'TEN_SECONDLY_ROLLING';
  }
  return 'UNKNOWN';
}

/**
 * - `sleep`: wait exactly this long, then retry.
 * - `window`: the server's rolling window is full; occupy what the server counts in our own window
 *   (`serverUsed`, when the headers say) and let the limiter hold the retry until the window frees.
 * - `daily`: the account's daily budget is gone; no retry today.
 */
export type RateLimitWait =
  | { kind: 'sleep'; ms: number; policy: RateLimitPolicy }
  | { kind: 'window'; serverUsed: number | undefined; intervalMs: number | undefined; policy: RateLimitPolicy }
  | { kind: 'daily'; policy: 'DAILY' };

/** Roughly one second for the deprecated per-second limit and for search's 5/s limit. */
export const SECONDLY_WAIT_MS = 1000;

export function rateLimitWait(body: unknown, headers: Record<string, string | undefined> | undefined, nowMs: number): RateLimitWait {
  const policy = rateLimitPolicy(body);
  if (policy === 'DAILY') return { kind: 'daily', policy };
  const retryAfterMs = parseRetryAfter(headers?.['retry-after'], nowMs);
  if (retryAfterMs !== undefined) return { kind: 'sleep', ms: retryAfterMs, policy };
  if (policy === 'SECONDLY') return { kind: 'sleep', ms: SECONDLY_WAIT_MS, policy };
  const rl = readRateLimitHeaders(headers);
  const serverUsed = rl.max !== undefined && rl.remaining !== undefined ? Math.max(0, rl.max - rl.remaining) : undefined;
  return { kind: 'window', serverUsed, intervalMs: rl.intervalMs, policy };
}
