import { LimitCapacityError, LimitConfigurationError, LimitTimeoutError, UnknownLimitError } from './errors.js';
import type { ChangeKind } from './pg-notify.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import { acquireSlots, dropTicket, insertLimit, recordDenial, type AcquireResult } from './pg-store.js';
import { StatsRecorder } from './stats.js';
import type { AcquireOptions, LimiterEvent, LimiterStats, ManagedLimiter, Release, SlotMode } from './types.js';
import { WaitQueue, type QueueNode } from './wait-queue.js';

/** Requests of one process granted in one round trip at most. */
const MAX_BATCH = 64;

export function assertSlotCount(what: string, n: number, zeroAllowed: boolean): void {
  if (!Number.isSafeInteger(n) || n < (zeroAllowed ? 0 : 1)) {
    throw new RangeError(`${what} must be a whole number ${zeroAllowed ? '>= 0' : '>= 1'}, got ${n}`);
  }
}

/**
 * What a PgLimiter needs from the process-wide SharedLimits that hands it out (its holder name, lease,
 * LISTEN session and batched releases). Declared here, and implemented by SharedLimits, so that the
 * limiter does not import the module that creates it.
 */
export interface SharedLimitsHost {
  readonly db: Database;
  readonly clock: Clock;
  readonly holder: string;
  readonly leaseMs: number;
  readonly maxPollMs: number;
  isListening(): boolean;
  whenListening(): Promise<void>;
  /** Leases granted to this process: the renewer extends them until they are released. */
  noteHeld(ids: readonly number[], grant?: AbortController): void;
  release(ids: readonly number[]): void;
}

/**
 * What a shared limiter's acquire resolves to: the usual Release, plus `lost`, aborted if the slots' lease
 * lapsed while held (the process was paused longer than a lease): they may be someone else's now, so the
 * holder stops using them and acquires again.
 */
export interface LeasedRelease extends Release {
  readonly lost: AbortSignal;
}

interface Waiter extends QueueNode {
  n: number;
  enqueuedAt: number;
  settled: boolean;
  denialRecorded: boolean;
  resolve(release: Release): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * One process's queue for a set of shared limits. Callers queue locally in FIFO order; a single pump
 * sends the queue head (and whatever follows it that fits) to Postgres in one call, so a process takes
 * at most one place in the shared line and one round trip serves a whole burst. When nothing fits, the
 * pump sleeps until the database says slots free up, a notification arrives, or `maxPollMs` passes.
 */
export class PgLimiter implements ManagedLimiter {
  readonly name: string;
  private readonly queue = new WaitQueue<Waiter>();
  private readonly recorder = new StatsRecorder();
  private readonly listeners = new Set<(event: LimiterEvent) => void>();
  private ticket: number | undefined;
  private pumping = false;
  private pumpDone: Promise<void> | undefined;
  private sleeping: AbortController | undefined;
  private wokenWhileBusy = false;
  private lastLimit = 0;
  private lastInUse = 0;
  private retryAt: number | undefined;
  private retryExact = false;
  private waitingAnnounced = false;

  constructor(
    private readonly shared: SharedLimitsHost,
    readonly names: readonly string[],
    readonly mode: SlotMode,
    private readonly strict: boolean,
  ) {
    this.name = names.join('+');
  }

  get limit(): number {
    return this.lastLimit;
  }

  acquire(n = 1, options: AcquireOptions = {}): Promise<Release> {
    assertSlotCount('slots requested', n, false);
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException('The operation was aborted', 'AbortError'));
    return new Promise<Release>((resolve, reject) => {
      const timer = new AbortController();
      const waiter: Waiter = {
        n,
        prev: undefined,
        next: undefined,
        queued: false,
        enqueuedAt: this.shared.clock.now(),
        settled: false,
        denialRecorded: false,
        resolve: (release) => {
          if (waiter.settled) return;
          waiter.settled = true;
          waiter.cleanup();
          resolve(release);
        },
        reject: (error) => {
          if (waiter.settled) return;
          waiter.settled = true;
          waiter.cleanup();
          reject(error);
        },
        cleanup: () => {
          timer.abort();
          signal?.removeEventListener('abort', onAbort);
        },
      };
      const giveUp = (error: unknown) => {
        if (waiter.settled) return;
        this.queue.remove(waiter);
        waiter.reject(error);
        // Its place may have been the one in the shared line: hand it on, or give it up.
        this.wake();
      };
      const onAbort = () => {
        this.recorder.aborts++;
        giveUp(signal!.reason ?? new DOMException('The operation was aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        this.shared.clock.sleep(timeoutMs, timer.signal).then(
          () => {
            if (waiter.settled) return;
            this.recorder.timeouts++;
            this.noteDenial(n, 'timeout');
            giveUp(new LimitTimeoutError(this.name, n, timeoutMs));
          },
          () => {},
        );
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  available(): number {
    return Math.max(0, this.lastLimit - this.lastInUse);
  }

  inUse(): number {
    return this.lastInUse;
  }

  isWaiting(): boolean {
    return this.queue.size > 0 && this.waitingAnnounced;
  }

  readyAt(): number | undefined {
    if (!this.isWaiting()) return this.shared.clock.now();
    return this.retryAt;
  }

  stats(): LimiterStats {
    return this.recorder.snapshot({
      name: this.name,
      limit: this.lastLimit,
      inUse: this.lastInUse,
      available: this.available(),
      waiting: this.queue.size,
    });
  }

  onEvent(listener: (event: LimiterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal This limiter's place in the shared line, while it stands in it. */
  currentTicket(): number | undefined {
    return this.ticket;
  }

  /** Something changed (slots freed, limit updated, a waiter left): look again now. */
  wake(kind: ChangeKind = 'change'): void {
    // Sleeping until slots already released age out: another release cannot make that sooner.
    if (kind === 'release' && this.sleeping && this.retryExact) return;
    if (this.sleeping) this.sleeping.abort();
    else if (this.pumping) this.wokenWhileBusy = true;
  }

  /** @internal */
  rejectAll(error: unknown): void {
    for (let w = this.queue.shift(); w; w = this.queue.shift()) w.reject(error);
    this.wake();
  }

  /** Shown by `limits inspect`; best effort, since losing one history row costs nothing. */
  private noteDenial(slots: number, reason: string, name = this.names[0]): void {
    recordDenial(this.shared.db, this.shared.db.schema, name, this.shared.holder, slots, reason).catch(() => {});
  }

  private emit(event: LimiterEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** @internal Resolves when no round trip of this limiter is in flight. */
  async idle(): Promise<void> {
    while (this.pumpDone) await this.pumpDone;
  }

  private pump(): void {
    if (this.pumping) return;
    const done: Promise<void> = this.drain().finally(() => {
      if (this.pumpDone === done) this.pumpDone = undefined;
      if (this.queue.size > 0) this.pump();
    });
    this.pumpDone = done;
  }

  private async drain(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.size > 0) {
        const batch: Waiter[] = [];
        for (const w of this.queue) {
          batch.push(w);
          if (batch.length === MAX_BATCH) break;
        }
        const head = batch[0];
        this.wokenWhileBusy = false;
        let result: AcquireResult;
        const askedAt = this.shared.clock.now();
        try {
          result = await acquireSlots(this.shared.db, this.shared.db.schema, {
            names: this.names,
            holder: this.shared.holder,
            slots: batch.map((w) => w.n),
            rate: this.mode === 'rate',
            leaseMs: this.shared.leaseMs,
            ticket: this.ticket,
            recordDenial: !head.denialRecorded,
          });
        } catch (error) {
          // The database failed us (connection lost, server restarting): fail the callers rather than guess.
          this.rejectAll(error);
          break;
        }
        if (result.limit !== undefined) this.lastLimit = result.limit;
        if (result.inUse !== undefined) {
          this.lastInUse = result.inUse;
          this.recorder.notePeak(result.inUse);
        }
        this.ticket = result.ticket;
        if (result.granted > 0 && this.shared.clock.now() - askedAt >= this.shared.leaseMs) {
          // A whole lease passed during the round trip (the process was paused): the leases may have lapsed
          // and their slots gone to others. Hand none of them out: give them back and ask again.
          this.shared.release(result.leaseIds);
          continue;
        }
        this.grant(batch, result);

        if (result.status === 'granted') continue;
        const blocked = batch[result.granted];
        if (result.status === 'capacity') {
          this.noteDenial(blocked.n, 'capacity', result.blockedName);
          this.queue.remove(blocked);
          blocked.reject(new LimitCapacityError(result.blockedName ?? this.name, blocked.n, result.limit ?? this.lastLimit));
          continue;
        }
        if (result.status === 'misconfigured') {
          this.rejectAll(
            new LimitConfigurationError(`Limit ${JSON.stringify(result.blockedName)} never gives slots back in rate mode: give it a window or a slot decay`),
          );
          break;
        }
        if (result.status === 'unknown') {
          const missing = result.blockedName ?? this.name;
          if (this.strict) {
            this.rejectAll(new UnknownLimitError(missing));
            break;
          }
          // Like the in-process registry: an unknown name is created inactive (remembered, never blocking).
          await insertLimit(this.shared.db, this.shared.db.schema, {
            name: missing,
            limit: 1,
            slotDecayPerSecond: 0,
            active: false,
            tags: [],
          }).catch((error) => this.rejectAll(error));
          continue;
        }

        // waiting
        if (blocked) blocked.denialRecorded = true;
        const delay = Math.min(this.shared.maxPollMs, Math.max(0, result.retryMs ?? this.shared.maxPollMs));
        this.retryAt = this.shared.clock.now() + delay;
        this.retryExact = result.retryExact && result.retryMs !== undefined && result.retryMs <= this.shared.maxPollMs;
        if (!this.waitingAnnounced) {
          this.waitingAnnounced = true;
          this.emit({ type: 'waiting', limiter: this.name, requested: blocked?.n ?? 0, waiters: this.queue.size, readyAt: this.retryAt });
        }
        if (!this.shared.isListening()) {
          // A release notified before LISTEN was in place would be lost: look again once it is.
          await this.shared.whenListening();
          if (this.shared.isListening()) continue;
        }
        if (this.wokenWhileBusy || this.queue.size === 0) continue;
        const sleeping = new AbortController();
        this.sleeping = sleeping;
        await this.shared.clock.sleep(delay, sleeping.signal).catch(() => {});
        this.sleeping = undefined;
      }
    } finally {
      this.pumping = false;
    }
    if (this.queue.size > 0) return;
    if (this.waitingAnnounced) {
      this.waitingAnnounced = false;
      this.retryAt = undefined;
      this.emit({ type: 'ready', limiter: this.name });
    }
    const ticket = this.ticket;
    if (ticket !== undefined) {
      // Everyone who stood in line here gave up: leave the shared line so others are not held back.
      this.ticket = undefined;
      await dropTicket(this.shared.db, this.shared.db.schema, ticket).catch(() => {});
    }
  }

  /** Hands the granted prefix to its callers; a caller that gave up meanwhile gets its slots given back. */
  private grant(batch: readonly Waiter[], result: AcquireResult): void {
    const perRequest = this.names.length;
    const now = this.shared.clock.now();
    for (let i = 0; i < result.granted; i++) {
      const waiter = batch[i];
      const ids = result.leaseIds.slice(i * perRequest, (i + 1) * perRequest);
      const held = this.mode === 'concurrency';
      const lost = new AbortController();
      if (held) this.shared.noteHeld(ids, lost);
      let released = !held;
      const release: LeasedRelease = Object.assign(
        () => {
          if (released) return;
          released = true;
          this.shared.release(ids);
        },
        { lost: lost.signal },
      );
      if (waiter.settled) {
        release();
        continue;
      }
      this.queue.remove(waiter);
      this.recorder.recordAcquisition(now - waiter.enqueuedAt, this.lastInUse, waiter.denialRecorded);
      waiter.resolve(release);
    }
  }
}
