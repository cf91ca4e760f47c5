import type { Clock } from '../../clock.js';
import { SlotCountLimiter, releaseOnce } from '../queued-limiter.js';
import type { Release } from '../types.js';

export interface DecayingRateLimitOptions {
  name?: string;
  limit: number;
  /** Occupied slots drain at this rate; 0 makes it a plain concurrency pool. */
  slotDecayPerSecond: number;
}

/** Float slack so a slot that has decayed "exactly" on a wake-up is seen as free. */
const EPSILON = 1e-9;

/**
 * A leaky bucket of slots in the style of workflow engines' global concurrency limits with
 * `slot_decay_per_second`: taking slots occupies them, and occupied slots drain continuously.
 * As a rate limit the caller never releases (the slots decay); as a concurrency limit it releases
 * when done, which removes up to `n` still-occupied slots (never below zero, since decay may
 * already have drained some of them).
 */
export class DecayingRateLimiter extends SlotCountLimiter {
  private decay: number;
  private occupied = 0;
  private decayedAt: number;

  constructor(options: DecayingRateLimitOptions, clock: Clock) {
    super(options.name ?? `decaying-${options.limit}@${options.slotDecayPerSecond}/s`, options.limit, clock);
    if (!(options.slotDecayPerSecond >= 0)) throw new RangeError('slotDecayPerSecond must be >= 0');
    this.decay = options.slotDecayPerSecond;
    this.decayedAt = clock.now();
  }

  get slotDecayPerSecond(): number {
    return this.decay;
  }

  setSlotDecayPerSecond(rate: number): void {
    if (!(rate >= 0)) throw new RangeError('slotDecayPerSecond must be >= 0');
    this.settle(this.clock.now());
    this.decay = rate;
    this.capacityChanged();
  }

  /** Occupied slots right now, fractional while decaying. */
  occupiedSlots(): number {
    this.settle(this.clock.now());
    return this.occupied;
  }

  protected used(now: number): number {
    this.settle(now);
    return Math.max(0, Math.ceil(this.occupied - EPSILON));
  }

  protected fits(n: number, now: number): boolean {
    this.settle(now);
    return this.occupied + n <= this.max + EPSILON;
  }

  protected take(n: number): Release {
    this.occupied += n;
    return releaseOnce(() => {
      this.settle(this.clock.now());
      this.occupied = Math.max(0, this.occupied - n);
      this.capacityChanged();
    });
  }

  protected freeAt(n: number, now: number): number | undefined {
    this.settle(now);
    const excess = this.occupied + n - this.max;
    if (excess <= EPSILON) return now;
    if (this.decay <= 0) return undefined;
    return now + Math.ceil((excess * 1000) / this.decay);
  }

  private settle(now: number): void {
    const elapsed = now - this.decayedAt;
    if (elapsed <= 0) return;
    this.decayedAt = now;
    if (this.occupied > 0) this.occupied = Math.max(0, this.occupied - (elapsed * this.decay) / 1000);
  }
}
