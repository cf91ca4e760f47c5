import type { Clock } from '../../clock.js';
import { assertLimit, QueuedLimiter } from '../queued-limiter.js';
import type { AdjustableLimiter, Release } from '../types.js';

export interface TokenBucketOptions {
  name?: string;
  /** Bucket size: the largest burst. */
  capacity: number;
  refillPerSecond: number;
  /** Tokens at start; default full. */
  initialTokens?: number;
}

/**
 * A classic token bucket. Cheap and smooth, but it is NOT safe against a server's rolling window on
 * its own: a full bucket plus a window's worth of refill can exceed the window's limit. Use it for
 * per-second smoothing, and a RollingWindowLimiter for the exact window.
 * Released tokens do not come back; release only exists to satisfy the Limiter contract.
 */
export class TokenBucketLimiter extends QueuedLimiter implements AdjustableLimiter {
  private capacity: number;
  private rate: number;
  private tokens: number;
  private refilledAt: number;

  constructor(options: TokenBucketOptions, clock: Clock) {
    super(options.name ?? `bucket-${options.capacity}@${options.refillPerSecond}/s`, clock);
    assertLimit(options.capacity);
    if (!(options.refillPerSecond >= 0)) throw new RangeError('refillPerSecond must be >= 0');
    this.capacity = options.capacity;
    this.rate = options.refillPerSecond;
    this.tokens = Math.min(options.capacity, options.initialTokens ?? options.capacity);
    this.refilledAt = clock.now();
  }

  get limit(): number {
    return this.capacity;
  }

  get refillPerSecond(): number {
    return this.rate;
  }

  setLimit(capacity: number): void {
    assertLimit(capacity);
    this.refill(this.clock.now());
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
    this.rejectUnsatisfiable();
    this.capacityChanged();
  }

  setRefillPerSecond(rate: number): void {
    if (!(rate >= 0)) throw new RangeError('refillPerSecond must be >= 0');
    this.refill(this.clock.now());
    this.rate = rate;
    this.capacityChanged();
  }

  protected used(now: number): number {
    this.refill(now);
    return Math.max(0, Math.ceil(this.capacity - this.tokens - 1e-9));
  }

  protected fits(n: number, now: number): boolean {
    this.refill(now);
    return this.tokens + 1e-9 >= n;
  }

  protected take(n: number): Release {
    this.tokens -= n;
    return () => {};
  }

  protected freeAt(n: number, now: number): number | undefined {
    this.refill(now);
    if (this.tokens >= n) return now;
    if (this.rate <= 0) return undefined;
    return now + Math.ceil(((n - this.tokens) * 1000) / this.rate);
  }

  private refill(now: number): void {
    const elapsed = now - this.refilledAt;
    if (elapsed <= 0) return;
    this.refilledAt = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.rate) / 1000);
  }
}
