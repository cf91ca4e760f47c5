import type { Clock } from '../../clock.js';
import { CompositeLimiter } from './composite.js';
import { DecayingRateLimiter } from './decaying-rate-limit.js';
import type { LimitDefinition, LimitStore } from './limit-store.js';
import type { QueuedLimiter } from '../queued-limiter.js';
import { RollingWindowLimiter } from '../rolling-window.js';
import type { AcquireOptions, Release, SlotMode } from '../types.js';

interface Entry {
  definition: LimitDefinition;
  limiter: RollingWindowLimiter | DecayingRateLimiter;
}

/** '/' can never appear in a limit name, so it separates names in a cache key. */
const KEY_SEPARATOR = '/';

/** The in-process LimitStore: one limiter per name, and one cached composite per set of names used together. */
export class MemoryLimitStore implements LimitStore {
  private readonly entries = new Map<string, Entry>();
  private readonly composites = new Map<string, CompositeLimiter>();

  constructor(private readonly clock: Clock) {}

  async get(name: string): Promise<LimitDefinition | undefined> {
    const entry = this.entries.get(name);
    return entry && { ...entry.definition };
  }

  async list(): Promise<LimitDefinition[]> {
    return [...this.entries.values()].map((e) => ({ ...e.definition })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async put(definition: LimitDefinition): Promise<void> {
    const entry = this.entries.get(definition.name);
    if (entry && entry.definition.windowMs === definition.windowMs) {
      entry.limiter.setLimit(definition.limit);
      if (entry.limiter instanceof DecayingRateLimiter) entry.limiter.setSlotDecayPerSecond(definition.slotDecayPerSecond);
      entry.definition = { ...definition };
      return;
    }
    if (entry) this.forgetComposites(definition.name);
    this.entries.set(definition.name, { definition: { ...definition }, limiter: this.build(definition) });
  }

  async delete(name: string): Promise<boolean> {
    this.forgetComposites(name);
    return this.entries.delete(name);
  }

  async usage(name: string): Promise<{ inUse: number; available: number } | undefined> {
    const entry = this.entries.get(name);
    return entry && { inUse: entry.limiter.inUse(), available: entry.limiter.available() };
  }

  /** The live limiter behind a name, for stats and server sync. */
  limiter(name: string): RollingWindowLimiter | DecayingRateLimiter | undefined {
    return this.entries.get(name)?.limiter;
  }

  async acquire(names: readonly string[], occupy: number, mode: SlotMode, options: AcquireOptions = {}): Promise<Release> {
    const entries = names.map((name) => {
      const entry = this.entries.get(name);
      if (!entry) throw new Error(`MemoryLimitStore: no limit named ${JSON.stringify(name)}`);
      return entry;
    });
    const releases = entries.length === 1 ? [await entries[0].limiter.acquire(occupy, options)] : await this.composite(entries).acquireEach(occupy, options);
    if (mode === 'concurrency') {
      return () => {
        for (const release of releases) release();
      };
    }
    // Rate mode: a rolling window counts the request from now until now + window, so release at once;
    // a slot pool's slots drain by decay, so never release them.
    entries.forEach((entry, i) => {
      if (entry.limiter instanceof RollingWindowLimiter) releases[i]();
    });
    return () => {};
  }

  private composite(entries: readonly Entry[]): CompositeLimiter {
    const key = entries.map((e) => e.definition.name).join(KEY_SEPARATOR);
    let composite = this.composites.get(key);
    if (!composite) {
      composite = new CompositeLimiter(
        entries.map((e) => e.limiter as QueuedLimiter),
        this.clock,
        key,
      );
      this.composites.set(key, composite);
    }
    return composite;
  }

  private forgetComposites(name: string): void {
    for (const [key, composite] of this.composites) {
      if (key.split(KEY_SEPARATOR).includes(name)) {
        composite.dispose();
        this.composites.delete(key);
      }
    }
  }

  private build(definition: LimitDefinition): RollingWindowLimiter | DecayingRateLimiter {
    if (definition.windowMs !== undefined) {
      return new RollingWindowLimiter({ name: definition.name, limit: definition.limit, windowMs: definition.windowMs }, this.clock);
    }
    return new DecayingRateLimiter({ name: definition.name, limit: definition.limit, slotDecayPerSecond: definition.slotDecayPerSecond }, this.clock);
  }
}
