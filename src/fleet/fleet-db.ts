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

/**
 * A worker's connections. Everything of one worker process goes through one pool: the registry, heartbeats
 * and schedules, pg-boss (through `createBoss`'s `db`), every run's portal schema (`portalSchemaDatabase`)
 * and the portals' shared limits, which live in the fleet schema; besides the pool, the shared limits keep
 * one lease-renewal and one LISTEN connection for the whole process.
 *
 * A run holds one pooled connection for its whole length (its run lock, a session advisory lock) and may hold
 * a second for a while when it refreshes an OAuth token (a transaction around the token request); everything
 * else (a page's load with its cursor, a limiter's acquisition, the run's bookkeeping) holds a connection for
 * one statement or transaction and never asks for another meanwhile. So with at most 2 long holds per run,
 * a pool of 3 per run plus 4 (registry, heartbeat, schedules, pg-boss's fetches) always has connections that
 * come back: it cannot deadlock, and the short statements only queue briefly. A worker opens at most
 * `workerConnections(concurrency)`.
 */
export function workerPoolSize(concurrency: number): number {
  return 4 + 3 * concurrency;
}

/** The most connections a worker of this concurrency opens: its pool, the lease renewer and the LISTEN session. */
export function workerConnections(concurrency: number): number {
  return workerPoolSize(concurrency) + 2;
}

/**
 * A portal's data schema on a pool that is not its own (the worker's): the same connections, a different
 * schema. Every statement names its schema (no search_path on the pool; migrations set theirs per
 * transaction), so one pool serves any number of schemas. Closing it does nothing: the pool's owner closes it.
 */
export function portalSchemaDatabase(pool: Database, schema: string): Database {
  return {
    schema,
    query: (sql, params) => pool.query(sql, params),
    transaction: (fn) => pool.transaction(fn),
    connect: () => pool.connect(),
    clientConfig: () => pool.clientConfig(),
    close: async () => {},
  };
}

export async function openFleetDatabase(
  settings: Pick<Settings, 'databaseUrl' | 'fleet'>,
  options: { poolSize?: number; applicationName?: string } = {},
): Promise<Database> {
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
