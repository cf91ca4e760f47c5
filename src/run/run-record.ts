import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import { thisHost } from './run-lock.js';

/** The `runs` table: one row per run with its statistics and outcome. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'budget_exhausted' | 'abandoned';

export interface RunRecord {
  id: string;
  runKey: string;
}

export async function startRunRecord(db: Database, mode: string, objects: string[]): Promise<RunRecord> {
  const t = `${ident(db.schema)}.runs`;
  // We hold the run lock, so any row still 'running' belongs to a run that died without finishing.
  await db.query(`update ${t} set status = 'abandoned', finished_at = now() where status = 'running'`);
  const runKey = randomUUID();
  const { rows } = await db.query<{ id: string }>(`insert into ${t} (run_key, mode, objects, host, pid) values ($1, $2, $3, $4, $5) returning id`, [
    runKey,
    mode,
    objects,
    thisHost,
    process.pid,
  ]);
  return { id: rows[0].id, runKey };
}

export async function finishRunRecord(db: Database, run: RunRecord, status: RunStatus, stats: unknown, error?: string): Promise<void> {
  await db.query(`update ${ident(db.schema)}.runs set status = $2, finished_at = now(), stats = $3, error = $4 where id = $1`, [
    run.id,
    status,
    JSON.stringify(stats ?? {}),
    error ?? null,
  ]);
}

/**
 * Marks a run failed after the fact (its lock was lost after it finished writing its own outcome, or it could
 * not write it): through the pool, so on a fresh connection once the server is back. A row that cannot be
 * written stays `running` and the next run marks it `abandoned`.
 */
export async function markRunFailed(db: Database, run: RunRecord, error: string): Promise<void> {
  await db.query(`update ${ident(db.schema)}.runs set status = 'failed', finished_at = coalesce(finished_at, now()), error = $2 where id = $1`, [
    run.id,
    error,
  ]);
}
