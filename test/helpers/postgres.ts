import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrations.js';

/** The server URL given by the global setup, pointed at another database name. */
export function databaseUrl(database?: string): string {
  const url = new URL(inject('databaseUrl'));
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

export interface TestDatabase {
  /** URL of this file's own database. */
  url: string;
  name: string;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: databaseUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database for the calling test file, created before its tests and dropped after them only if
 * every test passed (a failed file leaves its database behind to be inspected).
 */
export function useTestDatabase(label = 'test'): TestDatabase {
  const name = `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const handle: TestDatabase = { url: '', name };
  let failed = false;
  beforeAll(async () => {
    await admin((c) => c.query(`create database "${name}"`));
    handle.url = databaseUrl(name);
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    if (failed) return;
    await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
  });
  return handle;
}

/** Opens the file's database with the tool's own Database interface, migrated into `schema`. */
export async function openMigrated(db: TestDatabase, schema = 'hubspot'): Promise<Database> {
  const database = await openDatabase({ url: db.url, schema, poolSize: 5 });
  await migrate(database);
  return database;
}
