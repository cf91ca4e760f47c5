import type { Clock } from '../../clock.js';
import { SlotCountLimiter, releaseOnce } from '../queued-limiter.js';
import type { Release } from '../types.js';

export interface SemaphoreOptions {
  name?: string;
  /** Slots that may be held at once. */
  limit: number;
}

/** Concurrency slots: held from acquire until release, then immediately free. */
export class Semaphore extends SlotCountLimiter {
  private held = 0;

  constructor(options: SemaphoreOptions, clock: Clock) {
    super(options.name ?? `concurrency-${options.limit}`, options.limit, clock);
  }

  protected used(): number {
    return this.held;
  }

  protected fits(n: number): boolean {
    return this.held + n <= this.max;
  }

  protected take(n: number): Release {
    this.held += n;
    return releaseOnce(() => {
      this.held -= n;
      this.capacityChanged();
    });
  }

  protected freeAt(): number | undefined {
    return undefined;
  }
}
