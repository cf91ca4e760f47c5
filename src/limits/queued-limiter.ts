import type { Clock } from '../clock.js';
import { LimitCapacityError, LimitTimeoutError } from './errors.js';
import { StatsRecorder } from './stats.js';
import type { AcquireOptions, AdjustableLimiter, LimiterEvent, LimiterStats, ManagedLimiter, Release } from './types.js';
import { WaitQueue, type QueueNode } from './wait-queue.js';

interface Waiter extends QueueNode {
  n: number;
  enqueuedAt: number;
  resolve: (release: Release) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  timeout: AbortController | undefined;
}

interface Wake {
  at: number;
  controller: AbortController;
}

const noopRelease: Release = () => {};

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/**
 * What every limiter shares: a FIFO wait queue (a large request at the head blocks smaller ones
 * behind it, so nobody starves), abort/timeout handling, one wake-up timer at a time, stats and events.
 *
 * A subclass only describes its capacity: `fits` (could `n` be taken now), `take` (take it and return
 * the release), `freeAt` (when `n` will fit by the passage of time alone) and `used`.
 *
 * Every Release is idempotent: the first call gives the slots back, later calls do nothing, so a
 * `finally { release() }` after an earlier release is harmless and each slot is released exactly once.
 * An aborted waiter rejects with the signal's reason; a timed-out one with LimitTimeoutError.
 *
 * The public `canTakeNow`/`takeNow`/`peerFreeAt`/`onChange` methods are the composition protocol that
 * lets a CompositeLimiter take slots from several limiters in one synchronous step, so it never holds
 * one limit while waiting on another.
 */
export abstract class QueuedLimiter implements ManagedLimiter {
  protected readonly recorder = new StatsRecorder();
  private readonly queue = new WaitQueue<Waiter>();
  private wake: Wake | undefined;
  private readonly changeListeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: LimiterEvent) => void>();
  private pumping = false;
  private pumpAgain = false;

  constructor(
    readonly name: string,
    protected readonly clock: Clock,
  ) {}

  abstract get limit(): number;
  /** Whether `n` slots could be taken at `now`, ignoring the queue. */
  protected abstract fits(n: number, now: number): boolean;
  /** Takes `n` slots (the caller checked `fits`) and returns their release. */
  protected abstract take(n: number, now: number): Release;
  /** When `n` slots will fit with no release or limit change, or undefined if that needs one. */
  protected abstract freeAt(n: number, now: number): number | undefined;
  /** Slots counted at `now`. */
  protected abstract used(now: number): number;

  acquire(n = 1, options: AcquireOptions = {}): Promise<Release> {
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (!(n >= 0) || !Number.isFinite(n)) {
      return Promise.reject(new RangeError(`Limit "${this.name}": cannot acquire ${n} slot(s)`));
    }
    if (n > this.limit) return Promise.reject(new LimitCapacityError(this.name, n, this.limit));
    if (n === 0) return Promise.resolve(noopRelease);
    const now = this.clock.now();
    if (this.queue.size === 0 && this.fits(n, now)) return Promise.resolve(this.grantNow(n, now, 0, false));
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      this.recorder.timeouts++;
      return Promise.reject(new LimitTimeoutError(this.name, n, timeoutMs));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        prev: undefined,
        next: undefined,
        queued: false,
        n,
        enqueuedAt: now,
        resolve,
        reject,
        signal,
        onAbort: undefined,
        timeout: undefined,
        priority: options.priority,
      };
      if (signal) {
        waiter.onAbort = () => this.dropWaiter(waiter, abortReason(signal), 'abort');
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      if (timeoutMs !== undefined) {
        const controller = new AbortController();
        waiter.timeout = controller;
        this.clock.sleep(timeoutMs, controller.signal).then(
          () => this.dropWaiter(waiter, new LimitTimeoutError(this.name, n, timeoutMs), 'timeout'),
          () => {},
        );
      }
      const wasIdle = this.queue.size === 0;
      this.queue.push(waiter);
      if (wasIdle) {
        const head = this.queue.peek()!;
        this.scheduleFor(head, now);
        this.emit({ type: 'waiting', limiter: this.name, requested: n, waiters: 1, readyAt: this.freeAt(n, now) });
      } else if (this.queue.peek() === waiter) {
        // It went ahead of the waiters already queued: the wake-up must suit the new head.
        this.scheduleFor(waiter, now);
      }
    });
  }

  inUse(): number {
    return this.used(this.clock.now());
  }

  available(): number {
    return Math.max(0, this.limit - this.inUse());
  }

  isWaiting(): boolean {
    return this.queue.size > 0;
  }

  readyAt(n = 1): number | undefined {
    const now = this.clock.now();
    return this.fits(n, now) ? now : this.freeAt(n, now);
  }

  stats(): LimiterStats {
    const inUse = this.inUse();
    return this.recorder.snapshot({
      name: this.name,
      limit: this.limit,
      inUse,
      available: Math.max(0, this.limit - inUse),
      waiting: this.queue.size,
    });
  }

  onEvent(listener: (event: LimiterEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  // ---- composition protocol -------------------------------------------------------------

  /** True when `n` could be taken right now by a peer without jumping this limiter's own queue. */
  canTakeNow(n: number, now: number): boolean {
    return this.queue.size === 0 && n <= this.limit && this.fits(n, now);
  }

  /** Takes `n` slots on behalf of a peer that has just checked `canTakeNow`. */
  takeNow(n: number, now: number, waitedMs: number): Release {
    return this.grantNow(n, now, waitedMs, waitedMs > 0);
  }

  /** When a peer could take `n`: undefined while this limiter has its own queue (it will signal a change). */
  peerFreeAt(n: number, now: number): number | undefined {
    if (this.queue.size > 0) return undefined;
    return this.fits(n, now) ? now : this.freeAt(n, now);
  }

  /** Called whenever capacity may have grown or the queue shrank. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  // ---- for subclasses ---------------------------------------------------------------------

  /** Subclasses call this after a release or a limit change. */
  protected capacityChanged(): void {
    this.pump();
    this.notifyChange();
  }

  /** After lowering the limit, callers asking for more than it can ever hold are rejected rather than left to block the queue. */
  protected rejectUnsatisfiable(): void {
    for (const waiter of [...this.queue]) {
      if (waiter.n > this.limit) this.dropWaiter(waiter, new LimitCapacityError(this.name, waiter.n, this.limit), 'capacity');
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private grantNow(n: number, now: number, waitedMs: number, queued: boolean): Release {
    const release = this.take(n, now);
    this.recorder.recordAcquisition(waitedMs, this.used(now), queued);
    return release;
  }

  private dropWaiter(waiter: Waiter, reason: unknown, why: 'abort' | 'timeout' | 'capacity'): void {
    if (!this.queue.remove(waiter)) return;
    this.cleanup(waiter);
    if (why === 'abort') this.recorder.aborts++;
    else if (why === 'timeout') this.recorder.timeouts++;
    waiter.reject(reason);
    // Whoever was behind the dropped waiter may fit now.
    this.pump();
    if (this.queue.size === 0) this.emit({ type: 'ready', limiter: this.name });
    this.notifyChange();
  }

  private cleanup(waiter: Waiter): void {
    if (waiter.onAbort) waiter.signal!.removeEventListener('abort', waiter.onAbort);
    waiter.timeout?.abort();
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.drainQueue();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private drainQueue(): void {
    let head = this.queue.peek();
    if (!head) {
      this.cancelWake();
      return;
    }
    const now = this.clock.now();
    let granted = false;
    while (head && this.fits(head.n, now)) {
      this.queue.shift();
      this.cleanup(head);
      head.resolve(this.grantNow(head.n, now, now - head.enqueuedAt, true));
      granted = true;
      head = this.queue.peek();
    }
    if (head) this.scheduleFor(head, now);
    else {
      this.cancelWake();
      if (granted) this.emit({ type: 'ready', limiter: this.name });
    }
    if (granted) this.notifyChange();
  }

  private scheduleFor(head: Waiter, now: number): void {
    const at = this.freeAt(head.n, now);
    if (at === undefined) {
      this.cancelWake();
      return;
    }
    // Timers may fire a hair early and float maths may land on `now`; never spin.
    const due = Math.max(at, now + 1);
    if (this.wake && this.wake.at <= due) return;
    this.cancelWake();
    const wake: Wake = { at: due, controller: new AbortController() };
    this.wake = wake;
    this.clock.sleep(due - now, wake.controller.signal).then(
      () => {
        if (this.wake !== wake) return;
        this.wake = undefined;
        this.pump();
      },
      () => {},
    );
  }

  private cancelWake(): void {
    if (!this.wake) return;
    this.wake.controller.abort();
    this.wake = undefined;
  }

  private notifyChange(): void {
    if (this.changeListeners.size === 0) return;
    for (const listener of this.changeListeners) listener();
  }

  private emit(event: LimiterEvent): void {
    if (this.eventListeners.size === 0) return;
    for (const listener of this.eventListeners) listener(event);
  }
}

export function assertLimit(limit: number): void {
  if (!(limit >= 0) || !Number.isFinite(limit)) throw new RangeError(`limit must be a finite number >= 0, got ${limit}`);
}

/** A queued limiter whose capacity is a number of slots that can be changed while it runs. */
export abstract class SlotCountLimiter extends QueuedLimiter implements AdjustableLimiter {
  protected max: number;

  constructor(name: string, limit: number, clock: Clock) {
    super(name, clock);
    assertLimit(limit);
    this.max = limit;
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
}

/** Every slot is released exactly once: a second call of the returned function does nothing. */
export function releaseOnce(release: () => void): Release {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    release();
  };
}
