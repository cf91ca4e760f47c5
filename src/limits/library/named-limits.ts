import { systemClock, type Clock } from '../../clock.js';
import { LimitConfigurationError, UnknownLimitError, validateLimitName } from '../errors.js';
import { MemoryLimitStore } from './memory-limit-store.js';
import type { LimitDefinition, LimitStore } from './limit-store.js';
import type { AcquireOptions, Release } from '../types.js';

/**
 * Named limits in the style of workflow engines' global concurrency limits: work names the limits
 * it counts against (directly or through tags), and the registry finds or creates them.
 */

export interface LimitSpec {
  limit: number;
  slotDecayPerSecond?: number;
  active?: boolean;
  windowMs?: number;
}

export interface LimitRegistryOptions {
  store?: LimitStore;
  clock?: Clock;
  /** Throw UnknownLimitError for names never created, instead of creating them inactive. */
  strict?: boolean;
  /** tag → the limit names work with that tag counts against; a tag not listed names a limit of its own name. */
  tags?: Record<string, readonly string[]>;
}

/** Limits created on first use get this definition: remembered, but never blocking until activated. */
const AUTO_CREATED: Omit<LimitDefinition, 'name'> = { limit: 1, slotDecayPerSecond: 0, active: false };

export class LimitRegistry {
  readonly store: LimitStore;
  readonly strict: boolean;
  private readonly tags = new Map<string, readonly string[]>();

  constructor(options: LimitRegistryOptions = {}) {
    this.store = options.store ?? new MemoryLimitStore(options.clock ?? systemClock);
    this.strict = options.strict ?? false;
    for (const [tag, names] of Object.entries(options.tags ?? {})) this.mapTag(tag, names);
  }

  async create(name: string, spec: LimitSpec): Promise<LimitDefinition> {
    validateLimitName(name);
    if (await this.store.get(name)) throw new LimitConfigurationError(`A limit named ${JSON.stringify(name)} already exists; use update()`);
    const definition = toDefinition(name, spec);
    await this.store.put(definition);
    return definition;
  }

  async get(name: string): Promise<LimitDefinition | undefined> {
    validateLimitName(name);
    return this.store.get(name);
  }

  async update(name: string, patch: Partial<LimitSpec>): Promise<LimitDefinition> {
    validateLimitName(name);
    const current = await this.store.get(name);
    if (!current) throw new UnknownLimitError(name);
    const definition = toDefinition(name, { ...current, ...patch });
    await this.store.put(definition);
    return definition;
  }

  async delete(name: string): Promise<boolean> {
    validateLimitName(name);
    return this.store.delete(name);
  }

  async list(): Promise<LimitDefinition[]> {
    return this.store.list();
  }

  async usage(name: string): Promise<{ inUse: number; available: number } | undefined> {
    validateLimitName(name);
    return this.store.usage(name);
  }

  /** Work tagged `tag` counts against every limit in `limitNames`. */
  mapTag(tag: string, limitNames: readonly string[]): void {
    validateLimitName(tag);
    for (const name of limitNames) validateLimitName(name);
    this.tags.set(tag, [...limitNames]);
  }

  /** Holds `occupy` slots of every named (active) limit while `fn` runs. */
  async concurrency<T>(names: string | readonly string[], occupy: number, fn: () => T | Promise<T>, options: AcquireOptions = {}): Promise<T> {
    const active = await this.resolve(names);
    if (active.length === 0) return fn();
    const release = await this.store.acquire(
      active.map((d) => d.name),
      occupy,
      'concurrency',
      options,
    );
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Takes `occupy` slots of every named (active) limit and leaves them to decay or age out. */
  async rateLimit(names: string | readonly string[], occupy = 1, options: AcquireOptions = {}): Promise<void> {
    const active = await this.resolve(names);
    for (const definition of active) {
      if (definition.windowMs === undefined && !(definition.slotDecayPerSecond > 0)) {
        throw new LimitConfigurationError(
          `rateLimit() needs limit ${JSON.stringify(definition.name)} to have slotDecayPerSecond > 0 or a windowMs; otherwise its slots never come back`,
        );
      }
    }
    if (active.length === 0) return;
    await this.store.acquire(
      active.map((d) => d.name),
      occupy,
      'rate',
      options,
    );
  }

  /** Like `concurrency`, with the limits found through tags. */
  async withTags<T>(tags: readonly string[], occupy: number, fn: () => T | Promise<T>, options: AcquireOptions = {}): Promise<T> {
    return this.concurrency(this.limitNamesForTags(tags), occupy, fn, options);
  }

  limitNamesForTags(tags: readonly string[]): string[] {
    const names = new Set<string>();
    for (const tag of tags) {
      validateLimitName(tag);
      for (const name of this.tags.get(tag) ?? [tag]) names.add(name);
    }
    return [...names];
  }

  /** Validates, de-duplicates, creates unknown names (or throws in strict mode), keeps the active ones. */
  private async resolve(names: string | readonly string[]): Promise<LimitDefinition[]> {
    const unique = [...new Set(typeof names === 'string' ? [names] : names)];
    for (const name of unique) validateLimitName(name);
    const active: LimitDefinition[] = [];
    for (const name of unique) {
      let definition = await this.store.get(name);
      if (!definition) {
        if (this.strict) throw new UnknownLimitError(name);
        definition = { name, ...AUTO_CREATED };
        await this.store.put(definition);
      }
      if (definition.active) active.push(definition);
    }
    return active;
  }
}

function toDefinition(name: string, spec: LimitSpec): LimitDefinition {
  if (!(spec.limit >= 0) || !Number.isFinite(spec.limit)) {
    throw new LimitConfigurationError(`Limit ${JSON.stringify(name)}: limit must be a finite number >= 0, got ${spec.limit}`);
  }
  const slotDecayPerSecond = spec.slotDecayPerSecond ?? 0;
  if (!(slotDecayPerSecond >= 0)) {
    throw new LimitConfigurationError(`Limit ${JSON.stringify(name)}: slotDecayPerSecond must be >= 0, got ${slotDecayPerSecond}`);
  }
  if (spec.windowMs !== undefined && !(spec.windowMs > 0)) {
    throw new LimitConfigurationError(`Limit ${JSON.stringify(name)}: windowMs must be positive, got ${spec.windowMs}`);
  }
  if (spec.windowMs !== undefined && slotDecayPerSecond > 0) {
    throw new LimitConfigurationError(`Limit ${JSON.stringify(name)}: choose either windowMs or slotDecayPerSecond, not both`);
  }
  const definition: LimitDefinition = { name, limit: spec.limit, slotDecayPerSecond, active: spec.active ?? true };
  if (spec.windowMs !== undefined) definition.windowMs = spec.windowMs;
  return definition;
}
