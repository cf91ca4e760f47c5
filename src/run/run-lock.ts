import type pg from 'pg';
import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';

/**
 * One run per schema (one schema holds one portal) at a time: a session-level advisory lock held on a
 * dedicated connection for the whole run. Postgres drops it when that connection closes, so a killed
 * run never leaves it behind.
 */
export interface RunLock {
  release(): Promise<void>;
}

export async function acquireRunLock(db: Database): Promise<RunLock> {
  const client: pg.PoolClient = await db.connect();
  const key = `hubspot-extract:run:${db.schema}`;
  const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [key]);
  if (!rows[0].ok) {
    client.release();
    const holder = await describeHolder(db);
    throw new UserFacingError(
      `another run holds the lock for schema "${db.schema}"${holder}; wait for it to finish or stop it, then run again`,
      ExitCode.locked,
    );
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
      client.release();
    },
  };
}

async function describeHolder(db: Database): Promise<string> {
  try {
    const { rows } = await db.query<{ id: string; host: string; pid: number; started_at: Date }>(
      `select id, host, pid, started_at from ${ident(db.schema)}.runs where status = 'running' order by id desc limit 1`,
    );
    const r = rows[0];
    return r ? ` (run ${r.id}, pid ${r.pid} on ${r.host}, started ${r.started_at.toISOString()})` : '';
  } catch {
    return '';
  }
}

export const thisHost = hostname();
