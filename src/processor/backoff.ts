import type { Random } from '../clock.js';

export interface BackoffOptions {
  /** Cap of the first retry's delay. */
  baseMs: number;
  /** No delay cap grows past this. */
  maxMs: number;
  random: Random;
}

export const DEFAULT_BACKOFF: Omit<BackoffOptions, 'random'> = { baseMs: 250, maxMs: 20_000 };

/**
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): a uniform delay in
 * [0, min(max, base * 2^(retry-1))). Spreading retries over the whole range is what keeps many
 * workers that failed together from retrying together. `retry` counts from 1.
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const cap = backoffCap(retry, options);
  return Math.floor(options.random() * cap);
}

/** The upper bound of the delay before retry number `retry` (1-based). */
export function backoffCap(retry: number, options: Pick<BackoffOptions, 'baseMs' | 'maxMs'>): number {
  if (!(retry >= 1)) throw new RangeError(`retry must be >= 1, got ${retry}`);
  // 2^exponent overflows to Infinity long after it passes maxMs; min() takes care of that.
  return Math.min(options.maxMs, options.baseMs * 2 ** (retry - 1));
}

/** The delays before retries 1..count, for tests and for logging a plan. */
export function backoffSequence(count: number, options: BackoffOptions): number[] {
  const out: number[] = [];
  for (let retry = 1; retry <= count; retry++) out.push(backoffDelay(retry, options));
  return out;
}
