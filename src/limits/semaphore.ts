import type { Clock } from './clock.js';
import { QueuedLimiter } from './queued-limiter.js';
import { assertLimit } from './rolling-window.js';
import type { AdjustableLimiter, Release } from './types.js';

export interface SemaphoreOptions {
  name?: string;
  /** Slots that may be held at once. */
  limit: number;
}

/** Concurrency slots: held from acquire until release, then immediately free. */
export class Semaphore extends QueuedLimiter implements AdjustableLimiter {
  private max: number;
  private held = 0;

  constructor(options: SemaphoreOptions, clock: Clock) {
    super(options.name ?? `concurrency-${options.limit}`, clock);
    assertLimit(options.limit);
    this.max = options.limit;
  }

  get limit(): number {
    return this.max;
  }

  setLimit(limit: number): void {
    assertLimit(limit);
    this.max = limit;
    this.rejectUnsatisfiable();
    this.capacityChanged();
  }

  protected used(): number {
    return this.held;
  }

  protected fits(n: number): boolean {
    return this.held + n <= this.max;
  }

  protected take(n: number): Release {
    this.held += n;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= n;
      this.capacityChanged();
    };
  }

  protected freeAt(): number | undefined {
    return undefined;
  }
}
