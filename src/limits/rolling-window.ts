import type { Clock } from '../clock.js';
import { SlotCountLimiter, releaseOnce } from './queued-limiter.js';
import type { LimiterStats, Release } from './types.js';

export interface RollingWindowOptions {
  name?: string;
  /** Requests allowed in any window of `windowMs`. */
  limit: number;
  windowMs: number;
  /**
   * Expiry times are rounded up to this many ms so long windows (a day) keep a bounded number of
   * entries; rounding up only ever keeps a slot a little longer, never shorter. Default: windowMs / 10,000, at least 1.
   */
  resolutionMs?: number;
  /** Extra ms each released slot stays counted, to absorb clock skew against the server. Default 0. */
  guardMs?: number;
}

export interface RollingWindowStats extends LimiterStats {
  windowMs: number;
  /** Slots acquired and not yet released. */
  held: number;
  /** Phantom slots reserved for traffic that was not ours. */
  external: number;
}

interface ExternalReservation {
  until: number;
  slots: number;
}

/**
 * An exact rolling window, safe against arrival-time uncertainty: the server counts a request when
 * it arrives, which may be any time between our acquire and its response. So a slot is counted
 * from acquisition until release (the response) + window. At any time t the requests the server
 * counts in (t - window, t] were all acquired by t and released after t - window, so they are all
 * among the slots we count at t, and we never let that count exceed the limit.
 *
 * Released slots expire in release order, so they sit in a ring buffer sorted by construction:
 * pruning, acquiring and releasing are O(1) amortized.
 */
export class RollingWindowLimiter extends SlotCountLimiter {
  readonly windowMs: number;
  private readonly resolutionMs: number;
  private readonly guardMs: number;
  private held = 0;
  // Ring buffer of (expiry time, slots) in ascending expiry order.
  private times: Float64Array;
  private counts: Float64Array;
  private head = 0;
  private length = 0;
  private expiring = 0;
  // Reservations come with arbitrary end times and are rare, so a small sorted array is enough.
  private externals: ExternalReservation[] = [];
  private externalSlots = 0;
  private externalFloor = 0;

  constructor(options: RollingWindowOptions, clock: Clock) {
    super(options.name ?? `rolling-${options.limit}/${options.windowMs}ms`, options.limit, clock);
    if (!(options.windowMs > 0)) throw new RangeError('windowMs must be positive');
    this.windowMs = options.windowMs;
    this.resolutionMs = Math.max(1, options.resolutionMs ?? Math.floor(options.windowMs / 10_000));
    this.guardMs = Math.max(0, options.guardMs ?? 0);
    this.times = new Float64Array(64);
    this.counts = new Float64Array(64);
  }

  /**
   * Occupies `slots` phantom slots until clock time `untilMs`, for requests the server counted that
   * were not ours (another app sharing the window, a previous run). Called when the server reports
   * fewer remaining than our own count explains.
   */
  reserveExternal(slots: number, untilMs: number): void {
    if (!(slots > 0) || !(untilMs > this.clock.now())) return;
    const reservation = { until: untilMs, slots };
    let i = this.externals.length;
    while (i > 0 && this.externals[i - 1].until > untilMs) i--;
    this.externals.splice(i, 0, reservation);
    this.externalSlots += slots;
  }

  /**
   * Keeps at least `slots` phantom slots, with no end time, until set again. Other apps' traffic is a level:
   * their counted requests leave the server's window while new ones arrive. Reservations with an end time
   * lapse all at once, and when no newer report has come (every request of ours waiting on this window, so
   * no responses) that would free slots the server does not have.
   */
  setExternalFloor(slots: number): void {
    const lowered = slots < this.externalFloor;
    this.externalFloor = Math.max(0, Math.min(slots, this.max));
    // Even when timed reservations still hold as much, their lapse now frees more: waiters need new timers.
    if (lowered) this.capacityChanged();
  }

  /**
   * Reconciles with the server's `X-HubSpot-RateLimit-Remaining`: the server has counted `serverMax - remaining`
   * requests in its window, and our own count (held + inside the window + reserved) is an upper bound on how
   * many of those were ours, so any excess came from someone else and is reserved for one window from now.
   * Returns the slots reserved (0 when our count explains the server's).
   */
  reconcileServerRemaining(remaining: number, serverMax: number = this.max): number {
    const now = this.clock.now();
    const unexplained = serverMax - remaining - this.used(now);
    if (!(unexplained > 0)) return 0;
    this.reserveExternal(unexplained, now + this.windowMs);
    return unexplained;
  }

  /** Phantom slots currently reserved for traffic that was not ours. */
  externalInUse(): number {
    this.prune(this.clock.now());
    return this.externalCounted();
  }

  /** What other apps occupy: the timed reservations, or the floor when that is more. */
  private externalCounted(): number {
    return Math.max(this.externalSlots, this.externalFloor);
  }

  /** Slots acquired and not yet released. */
  heldCount(): number {
    return this.held;
  }

  override stats(): RollingWindowStats {
    return { ...super.stats(), windowMs: this.windowMs, held: this.held, external: this.externalInUse() };
  }

  protected used(now: number): number {
    this.prune(now);
    return this.held + this.expiring + this.externalCounted();
  }

  protected fits(n: number, now: number): boolean {
    return this.used(now) + n <= this.max;
  }

  protected take(n: number): Release {
    this.held += n;
    return releaseOnce(() => {
      this.held -= n;
      this.pushExpiry(this.clock.now() + this.windowMs + this.guardMs, n);
      // Nothing frees yet, but a waiter that depended on this release can now get a timer.
      this.capacityChanged();
    });
  }

  protected freeAt(n: number, now: number): number | undefined {
    let excess = this.used(now) + n - this.max;
    if (excess <= 0) return now;
    // Walk both sorted expiry lists in time order until enough has expired.
    let i = 0;
    let j = 0;
    const ext = this.externals;
    // Lapsing reservations free only what they hold above the floor.
    let extLeft = this.externalSlots;
    while (i < this.length || j < ext.length) {
      const ringTime = i < this.length ? this.times[(this.head + i) & (this.times.length - 1)] : Infinity;
      const extTime = j < ext.length ? ext[j].until : Infinity;
      if (ringTime <= extTime) {
        excess -= this.counts[(this.head + i) & (this.times.length - 1)];
        i++;
        if (excess <= 0) return ringTime;
      } else {
        const counted = Math.max(extLeft, this.externalFloor);
        extLeft -= ext[j].slots;
        excess -= counted - Math.max(extLeft, this.externalFloor);
        j++;
        if (excess <= 0) return extTime;
      }
    }
    return undefined;
  }

  private pushExpiry(at: number, n: number): void {
    let expiry = Math.ceil(at / this.resolutionMs) * this.resolutionMs;
    const mask = this.times.length - 1;
    if (this.length > 0) {
      const tail = (this.head + this.length - 1) & mask;
      // A clock that steps back must not make a slot expire earlier than one released before it.
      if (expiry <= this.times[tail]) {
        expiry = this.times[tail];
        this.counts[tail] += n;
        this.expiring += n;
        return;
      }
    }
    if (this.length === this.times.length) this.grow();
    const slot = (this.head + this.length) & (this.times.length - 1);
    this.times[slot] = expiry;
    this.counts[slot] = n;
    this.length++;
    this.expiring += n;
  }

  private grow(): void {
    const size = this.times.length;
    const times = new Float64Array(size * 2);
    const counts = new Float64Array(size * 2);
    for (let i = 0; i < this.length; i++) {
      times[i] = this.times[(this.head + i) & (size - 1)];
      counts[i] = this.counts[(this.head + i) & (size - 1)];
    }
    this.times = times;
    this.counts = counts;
    this.head = 0;
  }

  private prune(now: number): void {
    const mask = this.times.length - 1;
    while (this.length > 0 && this.times[this.head] <= now) {
      this.expiring -= this.counts[this.head];
      this.head = (this.head + 1) & mask;
      this.length--;
    }
    if (this.externals.length > 0 && this.externals[0].until <= now) {
      let k = 0;
      while (k < this.externals.length && this.externals[k].until <= now) this.externalSlots -= this.externals[k++].slots;
      this.externals.splice(0, k);
    }
  }
}
