import type pg from 'pg';
import { hostname } from 'node:os';
import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';

/**
 * One run per schema (one schema holds one portal) at a time: a session-level advisory lock held on a
 * dedicated connection for the whole run. Postgres drops it when that connection closes, so a killed
 * run never leaves it behind, and by the same rule a run whose lock connection is lost (the server
 * restarted, the backend was terminated, a timeout closed it) no longer holds the lock: another run may
 * start at once. `lost` tells the run to stop at its next safe point.
 */
export interface RunLock {
  /** Aborted, with a RunLockLost reason, when the connection holding the lock is gone. */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export class RunLockLost extends Error {
  constructor(schema: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : 'the connection ended';
    super(
      `lost the run lock for schema "${schema}" (its Postgres connection closed: ${why.split('\n')[0]}); the run stopped, and the next run resumes from what was committed`,
    );
    this.name = 'RunLockLost';
  }
}

/** A connection silently gone (a network partition) is noticed within this long. */
const HEARTBEAT_MS = 10_000;

export async function acquireRunLock(db: Database): Promise<RunLock> {
  const client: pg.PoolClient = await db.connect();
  const key = `hubspot-extract:run:${db.schema}`;
  const lost = new AbortController();
  const onLost = (cause: unknown) => {
    if (!lost.signal.aborted) lost.abort(new RunLockLost(db.schema, cause));
  };
  const onEnd = () => onLost(undefined);
  client.on('error', onLost);
  client.on('end', onEnd);
  const detach = () => {
    client.off('error', onLost);
    client.off('end', onEnd);
  };
  let locked: boolean;
  try {
    // An idle session timeout set on the server would close this connection, idle for the whole run.
    await client.query('set idle_session_timeout = 0').catch(() => {});
    const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [key]);
    locked = rows[0].ok;
  } catch (error) {
    detach();
    client.release(error as Error);
    throw error;
  }
  if (!locked) {
    detach();
    client.release();
    const holder = await describeHolder(db);
    throw new UserFacingError(
      `another run holds the lock for schema "${db.schema}"${holder}; wait for it to finish or stop it, then run again`,
      ExitCode.locked,
    );
  }
  const heartbeat = setInterval(() => {
    client.query('select 1').catch(onLost);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    lost: lost.signal,
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      if (lost.signal.aborted) {
        detach();
        client.release(new Error('run lock connection lost'));
        return;
      }
      const unlocked = await client.query('select pg_advisory_unlock(hashtext($1))', [key]).then(
        () => true,
        () => false,
      );
      detach();
      // A connection that failed to unlock may still hold the lock: destroy it rather than pool it.
      client.release(unlocked ? undefined : new Error('could not release the run lock'));
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
