import type { AcquireOptions, Release, SlotMode } from '../types.js';

/** The contract between the named-limits registry and where limits live (in memory or in Postgres). */

export interface LimitDefinition {
  name: string;
  /** Slots in total (concurrency / decaying limit), or requests per `windowMs` (rolling window). */
  limit: number;
  /** Occupied slots drain at this rate; 0 means they only come back when released. */
  slotDecayPerSecond: number;
  /** An inactive limit is remembered but never blocks. */
  active: boolean;
  /** When set, the limit is an exact rolling window of `limit` per `windowMs` instead of a slot pool. */
  windowMs?: number;
}

/**
 * Where named limits live. The registry validates names, resolves tags, applies strict mode and
 * skips inactive limits; a store only keeps definitions and slot counts. The in-process
 * MemoryLimitStore implements it with the in-process limiters; a Postgres store implements the
 * same contract so several processes share one budget.
 *
 * Contract a store must keep:
 * - `put` creates or replaces a definition. Replacing keeps slots already held: changing `limit`
 *   or `slotDecayPerSecond` applies to the live counts (like `setLimit`), it does not reset them.
 * - `acquire` receives names that exist and are active, already validated and de-duplicated.
 *   It takes `occupy` slots on EVERY one of them or on none, never holding some while waiting for
 *   others (so two callers naming the same limits in a different order cannot deadlock), serves
 *   waiters first-come first-served per limit, rejects with the signal's reason when
 *   `options.signal` aborts and with LimitTimeoutError after `options.timeoutMs`, and must free a
 *   waiter's place when it gives up.
 * - The Release it returns is idempotent. In `rate` mode the store arranges for the slots to
 *   decay or age out by themselves, and the Release it returns does nothing.
 * - `occupy` larger than a limit's `limit` rejects with LimitCapacityError instead of waiting forever.
 */
export interface LimitStore {
  get(name: string): Promise<LimitDefinition | undefined>;
  list(): Promise<LimitDefinition[]>;
  put(definition: LimitDefinition): Promise<void>;
  delete(name: string): Promise<boolean>;
  acquire(names: readonly string[], occupy: number, mode: SlotMode, options?: AcquireOptions): Promise<Release>;
  /** Slots counted right now for one limit (for display). */
  usage(name: string): Promise<{ inUse: number; available: number } | undefined>;
}
