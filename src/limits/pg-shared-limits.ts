import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/database.js';
import { systemClock, type Clock } from '../clock.js';
import { LimitConfigurationError, UnknownLimitError, validateLimitName } from './errors.js';
import { LeaseRenewer } from './pg-lease-renewer.js';
import { assertSlotCount, PgLimiter, type SharedLimitsHost } from './pg-limiter.js';
import { LimitChangeListener } from './pg-notify.js';
import { getLimit, insertLimit, releaseHolder, releaseLeases, type SharedLimitRow } from './pg-store.js';
import type { SlotMode } from './types.js';

/**
 * The entry point of limits shared through Postgres: one SharedLimits per process and database (holder
 * name, lease renewal, LISTEN session, batched releases), the limiters it hands out, and `ensureLimit`
 * for code that declares the limits it needs.
 */

export const DEFAULT_LEASE_MS = 5000;
/** A waiter looks again at least this often even without a notification (one may be lost). */
const DEFAULT_MAX_POLL_MS = 1000;
export interface SharedLimitsOptions {
  clock?: Clock;
  /** HUBSPOT_LIMITS_LEASE_MS: a crashed holder's slots come back after at most this long. */
  leaseMs?: number;
  /** Names this process in `limits inspect`; default `host pid N #random`. */
  holder?: string;
  maxPollMs?: number;
  /** Background failures (renewal, release, LISTEN): the slots stay safe, but someone should know. */
  onError?: (error: unknown) => void;
}

export interface SharedLimiterOptions {
  /**
   * `concurrency` (default): slots are held until the Release (for a rolling window: counted until
   * completion + window). `rate`: slots decay or age out by themselves; the Release does nothing.
   */
  mode?: SlotMode;
  /** Throw UnknownLimitError when the limit does not exist, instead of creating it inactive. */
  strict?: boolean;
}

/**
 * Everything one process shares across its shared limiters on one database: its holder name, the lease
 * renewer, the LISTEN connection and the batched releases.
 */
export class SharedLimits implements SharedLimitsHost {
  readonly holder: string;
  readonly leaseMs: number;
  readonly clock: Clock;
  readonly maxPollMs: number;
  private readonly renewer: LeaseRenewer;
  private readonly listener: LimitChangeListener;
  private readonly limiters = new Map<string, PgLimiter>();
  private readonly onError: (error: unknown) => void;
  /** Leases this process holds (granted, not yet released), by id: the renewer extends exactly these. */
  private readonly heldLeases = new Set<number>();
  /** The grant each held lease belongs to, told when the lease is found lost. */
  private readonly grantOf = new Map<number, AbortController>();
  private listening: Promise<void> | undefined;
  private listeningReady = false;
  private pendingReleases: number[] = [];
  private pendingReleasedAt: number[] = [];
  private flushing: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly db: Database,
    options: SharedLimitsOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    if (!(this.leaseMs >= 100)) throw new RangeError(`lease must be at least 100 ms, got ${this.leaseMs}`);
    this.maxPollMs = options.maxPollMs ?? DEFAULT_MAX_POLL_MS;
    this.holder = options.holder ?? `${hostname()} pid ${process.pid} #${randomBytes(3).toString('hex')}`;
    this.onError = options.onError ?? (() => {});
    this.renewer = new LeaseRenewer(
      db.clientConfig(),
      db.schema,
      this.holder,
      this.leaseMs,
      this.clock,
      () => ({ leaseIds: [...this.heldLeases], tickets: this.tickets() }),
      this.onError,
      (ids) => this.leasesLost(ids),
    );
    this.listener = new LimitChangeListener(db.clientConfig(), db.schema, this.clock, this.onError);
  }

  /** Connects the LISTEN session and starts renewing; `limiter()` does this on first use too. */
  async start(): Promise<void> {
    this.renewer.start();
    await this.whenListening();
  }

  /** @internal Resolves once notifications flow (or failed to: then waiters just poll). */
  whenListening(): Promise<void> {
    this.listening ??= this.listener.start().then(
      () => {
        this.listeningReady = true;
      },
      (error) => this.onError(error),
    );
    return this.listening;
  }

  /** @internal */
  isListening(): boolean {
    return this.listeningReady;
  }

  /** The limiter for these limit names (one name, or several taken all-or-none), cached per names and mode. */
  limiter(names: string | readonly string[], options: SharedLimiterOptions = {}): PgLimiter {
    if (this.closed) throw new Error('shared limits are closed');
    const sorted = [...new Set(typeof names === 'string' ? [names] : names)].sort();
    if (sorted.length === 0) throw new LimitConfigurationError('a shared limiter needs at least one limit name');
    for (const name of sorted) validateLimitName(name);
    const mode = options.mode ?? 'concurrency';
    const key = `${mode}:${sorted.join('/')}:${options.strict ? 'strict' : ''}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new PgLimiter(this, sorted, mode, options.strict ?? false);
      for (const name of sorted) this.listener.subscribe(name, (kind) => limiter!.wake(kind));
      this.limiters.set(key, limiter);
      this.renewer.start();
      void this.whenListening();
    }
    return limiter;
  }

  /** Renews this process's leases now (the timer does this on its own every lease / 3). */
  renewNow(): Promise<{ leases: number; waiters: number }> {
    return this.renewer.renewNow();
  }

  /** Gives everything back, stops renewal and listening. Waiters still queued are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const limiter of this.limiters.values()) limiter.rejectAll(new Error('shared limits were closed while waiting'));
    await this.flushReleases();
    await this.renewer.stop();
    await this.listener.close();
    await releaseHolder(this.db, this.db.schema, this.holder).catch(this.onError);
    sharedByDatabase.delete(this.db);
  }

  /** @internal `grant` is aborted if any of these leases is found lost. */
  noteHeld(ids: readonly number[], grant?: AbortController): void {
    for (const id of ids) {
      this.heldLeases.add(id);
      if (grant) this.grantOf.set(id, grant);
    }
  }

  /**
   * Leases that expired before their renewal (the process was paused or starved for a whole lease): their
   * slots may be someone else's now. They are no longer renewed or released, and their holders are told
   * through the Release's `lost` signal, to stop using them and acquire again.
   */
  private leasesLost(ids: readonly number[]): void {
    for (const id of ids) {
      this.heldLeases.delete(id);
      const grant = this.grantOf.get(id);
      this.grantOf.delete(id);
      if (grant && !grant.signal.aborted) grant.abort(new LeaseLostError(this.holder));
    }
    this.onError(new LeaseLostError(this.holder, ids.length));
  }

  private tickets(): number[] {
    const tickets: number[] = [];
    for (const limiter of this.limiters.values()) {
      const ticket = limiter.currentTicket();
      if (ticket !== undefined) tickets.push(ticket);
    }
    return tickets;
  }

  /** @internal Releases are sent together: every release of one tick travels in one statement. */
  release(ids: readonly number[]): void {
    for (const id of ids) {
      this.heldLeases.delete(id);
      this.grantOf.delete(id);
    }
    const now = this.clock.now();
    for (const id of ids) {
      this.pendingReleases.push(id);
      this.pendingReleasedAt.push(now);
    }
    this.flushing ??= this.flush();
  }

  /**
   * Resolves once no acquisition is in flight and every release asked for so far has reached the
   * database (slots granted to a caller that gave up meanwhile are given back on the way).
   */
  async flushReleases(): Promise<void> {
    await Promise.all([...this.limiters.values()].map((l) => l.idle()));
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      await Promise.resolve();
      while (this.pendingReleases.length > 0) {
        const ids = this.pendingReleases;
        const releasedAt = this.pendingReleasedAt;
        this.pendingReleases = [];
        this.pendingReleasedAt = [];
        const now = this.clock.now();
        // A failed release is not retried: the lease expires on its own, which is slower but safe.
        await releaseLeases(
          this.db,
          this.db.schema,
          ids,
          releasedAt.map((t) => now - t),
        ).catch(this.onError);
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

/** A slot's lease expired before it was renewed: the slot may be in someone else's hands now. */
export class LeaseLostError extends Error {
  readonly code = 'LEASE_LOST';
  constructor(holder: string, count = 1) {
    super(`${holder} lost ${count} lease(s): not renewed within the lease (the process was paused or starved); acquire again`);
    this.name = 'LeaseLostError';
  }
}

const sharedByDatabase = new WeakMap<Database, SharedLimits>();

/** The process-wide SharedLimits of a database (created on first use with these options). */
export function sharedLimitsFor(db: Database, options: SharedLimitsOptions = {}): SharedLimits {
  let shared = sharedByDatabase.get(db);
  if (!shared) {
    shared = new SharedLimits(db, options);
    sharedByDatabase.set(db, shared);
  }
  return shared;
}

/**
 * A Limiter whose slots live in Postgres, shared by every process using the same database: drop-in for
 * the in-process limiters. Close with `closeSharedLimits(db)` before closing the database.
 */
export function createSharedLimiter(db: Database, name: string | readonly string[], options: SharedLimiterOptions & SharedLimitsOptions = {}): PgLimiter {
  return sharedLimitsFor(db, options).limiter(name, options);
}

export async function closeSharedLimits(db: Database): Promise<void> {
  await sharedByDatabase.get(db)?.close();
}

export interface EnsureLimitSpec {
  limit: number;
  windowMs?: number;
  slotDecayPerSecond?: number;
  active?: boolean;
  tags?: string[];
}

/**
 * Creates the limit if it does not exist yet and returns it as stored. An existing limit is left alone:
 * values changed with `limits update` win over the ones in code.
 */
export async function ensureLimit(db: Database, name: string, spec: EnsureLimitSpec): Promise<SharedLimitRow> {
  validateLimitName(name);
  assertSlotCount('limit', spec.limit, true);
  await insertLimit(db, db.schema, {
    name,
    limit: spec.limit,
    slotDecayPerSecond: spec.slotDecayPerSecond ?? 0,
    windowMs: spec.windowMs,
    active: spec.active ?? true,
    tags: spec.tags ?? [],
  });
  const row = await getLimit(db, db.schema, name);
  if (!row) throw new UnknownLimitError(name);
  return row;
}
