import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database.js';
import { ident } from './database.js';
import { restoreDerivedViews, setAsideDerivedViews } from './derived-views.js';

/**
 * Versioned SQL migrations (`src/db/migrations/NNN_name.sql`) applied at start, in one transaction,
 * under an advisory lock so processes starting together don't race. The files use unqualified names:
 * `search_path` points at the tool's own schema while they run, so one set of files serves any schema.
 */
const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.split('_')[0]),
      name: file.replace(/^\d+_/, '').replace(/\.sql$/, ''),
      sql: await readFile(path.join(dir, file), 'utf8'),
    })),
  );
}

/**
 * The shared limits' tables alone (migrations named `shared_limits…`), for a schema that holds only limits
 * (HUBSPOT_LIMITS_SCHEMA). Versions are recorded per schema, so the same schema can later get the rest.
 */
export async function migrateSharedLimits(db: Database): Promise<number[]> {
  return migrate(
    db,
    (await loadMigrations()).filter((m) => m.name.startsWith('shared_limits')),
  );
}

/** Applies what is missing; returns the versions applied by this call (empty when up to date). */
export async function migrate(db: Database, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? (await loadMigrations());
  const schema = ident(db.schema);
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`hubspot-extract:migrate:${db.schema}`]);
    await tx.query(`create schema if not exists ${schema}`);
    await tx.query(`set local search_path to ${schema}, public`);
    await tx.query(`create table if not exists schema_migrations (
      version integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const { rows } = await tx.query<{ version: number }>('select version from schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const pending = all.filter((m) => !applied.has(m.version));
    if (pending.length === 0) return [];
    // Views generated at run time must not block a migration that changes a column they read (derived-views.ts).
    const aside = await setAsideDerivedViews(tx, db.schema);
    for (const m of pending) {
      await tx.query(m.sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
    }
    await restoreDerivedViews(tx, db.schema, aside);
    return pending.map((m) => m.version);
  });
}
