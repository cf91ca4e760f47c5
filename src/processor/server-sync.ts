import type { Clock } from '../clock.js';
import type { DailyBudget } from './daily-budget.js';
import type { EngineEvents } from './events.js';
import type { LatencyEstimator } from './pool-size.js';
import { readRateLimitHeaders, type RateLimitWait } from './retry-after.js';

/** The server-sync side of the portal's rolling window (RollingWindowLimiter implements it). */
export interface WindowSync {
  readonly limit: number;
  readonly windowMs: number;
  inUse(): number;
  /** Phantom slots currently held for other apps' traffic. */
  externalInUse(): number;
  reserveExternal(slots: number, untilMs: number): void;
  /** Phantom slots held with no end time until set again. */
  setExternalFloor(slots: number): void;
  setLimit(limit: number): void;
}

/** Longest the run waits for its first response before the others may go. */
const FIRST_RESPONSE_WAIT_MS = 2000;

export interface ServerSyncOptions {
  /** The in-process window to keep in step with the server; without one only the daily budget is synced. */
  window?: WindowSync;
  clock: Clock;
  events: EngineEvents;
  /** Per-attempt HTTP latency: sizes the guard for other apps' requests in flight. */
  latency: LatencyEstimator;
  dailyBudget?: DailyBudget;
  /** The per-attempt timeout: the first-response gate never waits longer. */
  timeoutMs: number;
}

/**
 * Keeps our limits in step with what the server says it counted (the `X-HubSpot-RateLimit-*` headers and
 * 429s): the daily budget, the window's limit, and other apps' traffic held in our window as timed
 * phantom reservations plus a floor at the last reported level. Also holds the run's first windowed request
 * alone until it answers, so its headers are known before the run bursts into a window others may be using.
 */
export class ServerSync {
  private readonly phantoms: { slots: number; until: number }[] = [];
  private reservedTotal = 0;
  private firstSent = false;
  private firstDone = false;
  private firstGate: Promise<void> | undefined;
  private openFirstGate: (() => void) | undefined;

  constructor(private readonly options: ServerSyncOptions) {}

  /** Phantom slots reserved so far, in all. */
  externalReserved(): number {
    return this.reservedTotal;
  }

  /**
   * The run's first windowed request goes alone: its headers say how much of the window other apps
   * (or a run that just ended) already use, before we burst into it. Resolves true for that request,
   * which must call `onFirstResponse` when it ends.
   */
  async awaitFirstResponse(search: boolean): Promise<boolean> {
    if (this.firstDone || search || !this.options.window) return false;
    if (!this.firstSent) {
      this.firstSent = true;
      return true;
    }
    if (!this.firstGate) {
      this.firstGate = new Promise<void>((resolve) => {
        this.openFirstGate = resolve;
      });
      // A first request that hangs must not hold the whole run for a full timeout.
      void this.options.clock.sleep(Math.min(this.options.timeoutMs, FIRST_RESPONSE_WAIT_MS)).then(() => this.onFirstResponse());
    }
    await this.firstGate;
    return false;
  }

  onFirstResponse(): void {
    this.firstDone = true;
    this.openFirstGate?.();
  }

  /**
   * The server counts every app's requests in our window. Its `max - remaining` at this request's
   * arrival, minus what we held when we sent it, is someone else's traffic; we keep that many phantom
   * slots for one interval, so we slow down instead of drawing 429s. (Comparing with what we hold
   * now instead would hide other apps behind our own requests sent since.)
   */
  onResponse(headers: Record<string, string> | undefined, search: boolean, ownAtSend: number, now: number): void {
    if (!headers) return;
    const rl = readRateLimitHeaders(headers);
    const budget = this.options.dailyBudget;
    if (budget && budget.sync(rl.daily, rl.dailyRemaining)) {
      this.options.events.emit({ type: 'daily-budget', t: now, remaining: budget.remaining(), floor: budget.floor() });
    }
    const window = this.options.window;
    if (search || !window || rl.max === undefined || rl.remaining === undefined) return;
    if (rl.max > 0 && rl.max < window.limit) window.setLimit(rl.max);
    this.reserveExternal(window, Math.max(0, rl.max - rl.remaining) - ownAtSend, rl.intervalMs, now);
  }

  /**
   * After a 429 that asks for no fixed sleep: the server's window is full, so whatever of it is not ours is
   * someone else's (all of it, without headers), and the limiter holds the retry until the window frees.
   * Returns false when there is no window to hold it (the caller then backs off instead).
   */
  onWindowFull(wait: Extract<RateLimitWait, { kind: 'window' }>, now: number): boolean {
    const window = this.options.window;
    if (!window) return false;
    const own = window.inUse() - window.externalInUse();
    this.reserveExternal(window, (wait.serverUsed ?? window.limit) - own, wait.intervalMs, now);
    return true;
  }

  /**
   * Makes the phantom slots cover `external` requests of other apps, plus a guard for their requests
   * that reach the server before we next hear from it (about two latencies at their observed rate).
   *
   * Other apps' usage is treated as a level to keep covered, not as one-off events: a reservation
   * that would lapse within the horizon is renewed now. Otherwise a block reserved at the first sync
   * lapses all at once a window later while their traffic is still there, and our queued requests
   * rush into slots that are not free on the server.
   */
  private reserveExternal(window: WindowSync, external: number, intervalMs: number | undefined, now: number): number {
    if (external <= 0) {
      window.setExternalFloor(0);
      return 0;
    }
    const periodMs = intervalMs ?? window.windowMs;
    const latencyMs = this.options.latency.estimateMs();
    const guard = Math.ceil((external * 2 * latencyMs) / periodMs) + 1;
    const level = Math.min(external + guard, window.limit);
    // The newest report stands until the next one: while every request of ours waits on the window no
    // response comes to renew the timed reservations below, and their lapse would free slots that are not free.
    // It leaves one slot, so a request can always go, once ours expire, to fetch that next report.
    window.setExternalFloor(Math.min(level, window.limit - 1));
    // A tenth of the window covers event-loop stalls (no responses processed) of that length too.
    const horizonMs = Math.min(periodMs / 4, Math.max(2 * latencyMs, periodMs / 10));
    const deficit = level - this.phantomsHeldAfter(now + horizonMs, now);
    if (deficit <= 0) return 0;
    window.reserveExternal(deficit, now + periodMs);
    this.phantoms.push({ slots: deficit, until: now + periodMs });
    this.reservedTotal += deficit;
    this.options.events.emit({ type: 'server-sync', t: now, external, guard, reserved: deficit, limit: window.limit });
    return deficit;
  }

  /** Our phantom slots still held at time `at` (reservations are appended in expiry order). */
  private phantomsHeldAfter(at: number, now: number): number {
    let expired = 0;
    while (expired < this.phantoms.length && this.phantoms[expired].until <= now) expired++;
    if (expired > 0) this.phantoms.splice(0, expired);
    let held = 0;
    for (const p of this.phantoms) if (p.until > at) held += p.slots;
    return held;
  }
}
