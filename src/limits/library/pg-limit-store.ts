import type { Database } from '../../db/database.js';
import { LimitConfigurationError } from '../errors.js';
import type { LimitDefinition, LimitStore } from './limit-store.js';
import { sharedLimitsFor, type SharedLimits } from '../pg-shared-limits.js';
import { deleteLimit, getLimit, limitUsage, listLimits, upsertLimit, type SharedLimitRow } from '../pg-store.js';
import type { AcquireOptions, Release, SlotMode } from '../types.js';

/**
 * The LimitRegistry's store kept in Postgres, so `new LimitRegistry({ store: new PgLimitStore(db) })`
 * shares named limits with every process using the same database.
 *
 * One difference from the in-process store: slots held in `concurrency` mode on a decaying pool do not
 * decay while held; they come back on release (or when the holder's lease lapses). Rate-mode slots decay.
 */
export class PgLimitStore implements LimitStore {
  private readonly shared: SharedLimits;

  constructor(
    private readonly db: Database,
    shared?: SharedLimits,
  ) {
    this.shared = shared ?? sharedLimitsFor(db);
  }

  async get(name: string): Promise<LimitDefinition | undefined> {
    const row = await getLimit(this.db, this.db.schema, name);
    return row && toDefinition(row);
  }

  async list(): Promise<LimitDefinition[]> {
    return (await listLimits(this.db, this.db.schema)).map(toDefinition);
  }

  async put(definition: LimitDefinition): Promise<void> {
    if (!Number.isSafeInteger(definition.limit)) {
      throw new LimitConfigurationError(`Limit ${JSON.stringify(definition.name)}: a shared limit needs a whole number of slots, got ${definition.limit}`);
    }
    await upsertLimit(this.db, this.db.schema, definition);
  }

  delete(name: string): Promise<boolean> {
    return deleteLimit(this.db, this.db.schema, name);
  }

  acquire(names: readonly string[], occupy: number, mode: SlotMode, options?: AcquireOptions): Promise<Release> {
    // The registry has already created (or refused) unknown names: one missing now was deleted meanwhile.
    return this.shared.limiter(names, { mode, strict: true }).acquire(occupy, options);
  }

  async usage(name: string): Promise<{ inUse: number; available: number } | undefined> {
    const usage = await limitUsage(this.db, this.db.schema, name);
    return usage && { inUse: usage.inUse, available: Math.max(0, usage.limit - usage.inUse) };
  }
}

function toDefinition(row: SharedLimitRow): LimitDefinition {
  const definition: LimitDefinition = {
    name: row.name,
    limit: row.limit,
    slotDecayPerSecond: row.slotDecayPerSecond,
    active: row.active,
  };
  if (row.windowMs !== undefined) definition.windowMs = row.windowMs;
  return definition;
}
