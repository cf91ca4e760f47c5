import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../../config/settings.js';
import { openDatabase, type Database } from '../db/database.js';
import { loadMigrations, migrate, migrateSharedLimits } from '../db/migrations.js';

/**
 * The fleet's own schema (HUBSPOT_FLEET_SCHEMA, default `hubspot_fleet`): the portal registry, the workers'
 * heartbeats, the job history, and the portals' shared limits (each named after its portal), apart from
 * every portal's data schema. pg-boss keeps its queue in a schema of its own beside it (`<schema>_pgboss`).
 *
 * The fleet's migrations live in `src/fleet/migrations/` (numbers 020-029) rather than `src/db/migrations/`,
 * because `migrate()` applies that whole folder to every portal's data schema: a data schema has no registry.
 */
const FLEET_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export function pgBossSchema(fleetSchema: string): string {
  return `${fleetSchema}_pgboss`;
}

export async function migrateFleet(db: Database): Promise<void> {
  await migrateSharedLimits(db);
  await migrate(db, await loadMigrations(FLEET_MIGRATIONS_DIR));
}

export async function openFleetDatabase(settings: Pick<Settings, 'databaseUrl' | 'fleet'>, options: { poolSize?: number; applicationName?: string } = {}): Promise<Database> {
  const db = await openDatabase({
    url: settings.databaseUrl,
    schema: settings.fleet.schema,
    poolSize: options.poolSize ?? 4,
    applicationName: options.applicationName ?? 'hubspot-extract fleet',
  });
  try {
    await migrateFleet(db);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
