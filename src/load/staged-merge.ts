import type pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { ident } from '../db/database.js';
import { copyLine, type CopyValue } from './copy-format.js';

/**
 * Loads a batch of rows with COPY into a temporary staging table, then merges it into the target with one
 * `INSERT ... ON CONFLICT DO UPDATE`, so reruns are idempotent and never duplicate. Runs inside the caller's
 * transaction, so the sync cursor can be committed together with the rows it covers.
 */
export interface MergeTarget {
  schema: string;
  table: string;
  columns: string[];
  /** Conflict key columns (the primary key). */
  key: string[];
  /** Columns left untouched on conflict (default: none besides the key). */
  keepOnConflict?: string[];
  /** Extra assignments applied on insert and on conflict, e.g. `synced_at = now()`. */
  touch?: string[];
}

/** Staging tables already created in a session (pooled connections keep their sessions, and so their temp tables). */
const staged = new WeakMap<pg.PoolClient, Set<string>>();

export async function stagedMerge(tx: pg.PoolClient, target: MergeTarget, rows: CopyValue[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const qualified = `${ident(target.schema)}.${ident(target.table)}`;
  const staging = ident(`stage_${target.schema}_${target.table}`);
  const cols = target.columns.map(ident).join(', ');
  const known = staged.get(tx) ?? new Set<string>();
  staged.set(tx, known);
  const unique = lastPerKey(rows, target.columns, target.key);
  try {
    // A first load: when no key of the batch is stored yet, staging would only copy the rows twice.
    if (target.key.length === 1 && !(await anyKeyStored(tx, qualified, target.key[0], unique, target.columns.indexOf(target.key[0])))) {
      await copyRows(tx, `copy ${qualified} (${cols}) from stdin`, unique);
      return unique.length;
    }
    if (!known.has(staging)) {
      await tx.query(`create temp table if not exists ${staging} (like ${qualified} including defaults) on commit delete rows`);
      known.add(staging);
    }
    await copyRows(tx, `copy ${staging} (${cols}) from stdin`, unique);
    const keep = new Set([...target.key, ...(target.keepOnConflict ?? [])]);
    const updates = [
      ...target.columns.filter((c) => !keep.has(c)).map((c) => `${ident(c)} = excluded.${ident(c)}`),
      ...(target.touch ?? []),
    ];
    const key = target.key.map(ident).join(', ');
    // Merge and clean-up go as one round trip (no parameters, so one simple-protocol query).
    const results = (await tx.query(
      `insert into ${qualified} (${cols}) select ${cols} from ${staging}
       on conflict (${key}) do ${updates.length ? `update set ${updates.join(', ')}` : 'nothing'};
       delete from ${staging}`,
    )) as unknown as pg.QueryResult[];
    return results[0].rowCount ?? 0;
  } catch (error) {
    // A rolled-back transaction takes a just-created temp table with it.
    known.delete(staging);
    throw error;
  }
}

async function anyKeyStored(tx: pg.PoolClient, qualified: string, key: string, rows: CopyValue[][], at: number): Promise<boolean> {
  const { rowCount } = await tx.query(`select 1 from ${qualified} where ${ident(key)} = any($1) limit 1`, [rows.map((r) => r[at])]);
  return (rowCount ?? 0) > 0;
}

/**
 * A batch may hold the same key twice (a record seen on two consecutive pages while it changed): the last
 * one wins. Done here rather than in SQL, so the merge needs no sort and `ON CONFLICT` never meets a key twice.
 */
export function lastPerKey(rows: CopyValue[][], columns: string[], key: string[]): CopyValue[][] {
  const at = key.map((k) => columns.indexOf(k));
  const keyOf = (row: CopyValue[]) => (at.length === 1 ? String(row[at[0]]) : JSON.stringify(at.map((i) => row[i])));
  const last = new Map<string, number>();
  rows.forEach((row, i) => last.set(keyOf(row), i));
  return last.size === rows.length ? rows : rows.filter((row, i) => last.get(keyOf(row)) === i);
}

export async function copyRows(client: pg.PoolClient, copySql: string, rows: CopyValue[][]): Promise<void> {
  const stream = client.query(copyStreams.from(copySql));
  await pipeline(Readable.from(chunks(rows)), stream);
}

function* chunks(rows: CopyValue[][], perChunk = 500): Generator<string> {
  for (let i = 0; i < rows.length; i += perChunk) {
    let s = '';
    for (const row of rows.slice(i, i + perChunk)) s += copyLine(row);
    yield s;
  }
}
