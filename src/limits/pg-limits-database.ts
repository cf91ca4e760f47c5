import { openDatabase, type Database } from '../db/database.js';
import { migrate, migrateSharedLimits } from '../db/migrations.js';

/**
 * The database handle the shared limits live behind: `schema` is HUBSPOT_LIMITS_SCHEMA. When it is the data
 * schema it gets every table, as an extract run would give it; a schema of its own gets only the limits'.
 */
export async function openLimitsDatabase(options: { url: string | undefined; schema: string; dataSchema: string; poolSize: number }): Promise<Database> {
  const db = await openDatabase({ url: options.url, schema: options.schema, poolSize: options.poolSize, applicationName: 'hubspot-extract limits' });
  try {
    await (options.schema === options.dataSchema ? migrate(db) : migrateSharedLimits(db));
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
