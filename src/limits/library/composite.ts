import type { Clock } from '../../clock.js';
import { QueuedLimiter, releaseOnce } from '../queued-limiter.js';
import type { AcquireOptions, LimiterStats, ManagedLimiter, Release } from '../types.js';

/** A release that also carries one release per part, in the order the parts were given. */
export interface CompositeRelease extends Release {
  readonly parts: readonly Release[];
}

export interface CompositeStats extends LimiterStats {
  parts: LimiterStats[];
}

/**
 * All-or-none acquisition over several limiters (e.g. 190 / 10 s AND 625,000 / day AND 10 concurrent).
 * It never holds one part while waiting on another: it waits, in its own FIFO queue, until every
 * part can grant `n` right now, then takes them all in one synchronous step. Parts wake it when
 * they release or change, and its timer is set for the latest of the parts' time-based free times.
 * Since nothing is held while waiting there is no lock order and no deadlock, even when parts are
 * shared between composites or used directly.
 */
export class CompositeLimiter extends QueuedLimiter implements ManagedLimiter {
  readonly parts: readonly QueuedLimiter[];
  private held = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(parts: readonly QueuedLimiter[], clock: Clock, name?: string) {
    super(name ?? parts.map((p) => p.name).join(' & '), clock);
    if (parts.length === 0) throw new RangeError('a composite limiter needs at least one part');
    this.parts = [...parts];
    this.unsubscribe = this.parts.map((part) => part.onChange(() => this.capacityChanged()));
  }

  /** The largest request that can ever be granted: the smallest part's limit. */
  get limit(): number {
    let min = Infinity;
    for (const part of this.parts) min = Math.min(min, part.limit);
    return min;
  }

  /** Like acquire, but hands back each part's release so parts can be given back separately. */
  async acquireEach(n = 1, options: AcquireOptions = {}): Promise<readonly Release[]> {
    const release = (await this.acquire(n, options)) as Partial<CompositeRelease>;
    return release.parts ?? this.parts.map(() => () => {});
  }

  override stats(): CompositeStats {
    return { ...super.stats(), parts: this.parts.map((p) => p.stats()) };
  }

  /** Stops listening to the parts; call when a short-lived composite over long-lived parts is dropped. */
  dispose(): void {
    for (const off of this.unsubscribe) off();
  }

  /** Slots acquired through this composite and not yet fully released. */
  protected used(): number {
    return this.held;
  }

  protected fits(n: number, now: number): boolean {
    for (const part of this.parts) if (!part.canTakeNow(n, now)) return false;
    return true;
  }

  protected take(n: number, now: number): Release {
    const partReleases = this.parts.map((part) => part.takeNow(n, now, 0));
    this.held += n;
    let outstanding = partReleases.length;
    const onPartReleased = () => {
      if (--outstanding === 0) this.held -= n;
    };
    const parts = partReleases.map((releasePart) => {
      return releaseOnce(() => {
        onPartReleased();
        releasePart();
      });
    });
    const release = (() => {
      for (const part of parts) part();
    }) as CompositeRelease;
    (release as { parts: readonly Release[] }).parts = parts;
    return release;
  }

  protected freeAt(n: number, now: number): number | undefined {
    let latest = now;
    for (const part of this.parts) {
      const at = part.peerFreeAt(n, now);
      if (at === undefined) return undefined;
      if (at > latest) latest = at;
    }
    return latest;
  }
}
