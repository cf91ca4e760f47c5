import type pg from 'pg';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import copyStreams from 'pg-copy-streams';
import { ident } from '../db/database.js';
import { copyLine, type CopyValue } from './copy-format.js';

/**
 * Loads a batch of rows with COPY into a temporary staging table, then merges it into the target with one
 * `INSERT ... ON CONFLICT DO UPDATE`, so reruns are idempotent and never duplicate; a batch of only new keys is
 * COPYed straight in. Runs inside the caller's transaction, so the sync cursor can be committed together with
 * the rows it covers.
 */
export interface MergeTarget {
  schema: string;
  table: string;
  columns: string[];
  /** Conflict key columns (the primary key). */
  key: string[];
  /** Columns left untouched on conflict (default: none besides the key). */
  keepOnConflict?: string[];
  /**
   * Extra assignments on conflict, e.g. `synced_at = now()`. New rows take the column defaults instead (a direct
   * COPY can do nothing else), so a touch should set what the default would.
   */
  touch?: string[];
}

/**
 * Tables whose last batch met keys already stored. A first load COPYs straight into the table (staging would
 * only write every row twice); once a batch meets a stored key, the next ones go through staging until a merge
 * inserts only new rows again. Only the path is chosen from this, never the outcome.
 */
const expectsStoredKeys = new Set<string>();

export async function stagedMerge(tx: pg.PoolClient, target: MergeTarget, rows: CopyValue[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const qualified = `${ident(target.schema)}.${ident(target.table)}`;
  const cols = target.columns.map(ident).join(', ');
  const unique = lastPerKey(rows, target.columns, target.key);
  if (!expectsStoredKeys.has(qualified)) {
    // Optimistic: a stored key makes the COPY fail with a unique violation, and the savepoint undoes it.
    // Cheaper than looking the keys up first, which costs about a tenth of the COPY itself.
    await tx.query('savepoint direct_copy');
    try {
      await copyRows(tx, `copy ${qualified} (${cols}) from stdin`, unique);
      await tx.query('release savepoint direct_copy');
      return unique.length;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await tx.query('rollback to savepoint direct_copy');
      expectsStoredKeys.add(qualified);
    }
  }
  const { merged, inserted } = await mergeThroughStaging(tx, target, qualified, cols, unique);
  if (inserted === unique.length) expectsStoredKeys.delete(qualified);
  return merged;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Postgres cuts identifiers at 63 bytes, so `stage_<schema>_<table>` made one name of two tables' staging
 * tables once the schema name was long. The table's name (short) plus a hash of the qualified name is
 * unique and always fits.
 */
export function stagingName(qualified: string, table: string): string {
  return `stage_${table.slice(0, 40)}_${createHash('sha256').update(qualified).digest('hex').slice(0, 12)}`;
}

async function mergeThroughStaging(
  tx: pg.PoolClient,
  target: MergeTarget,
  qualified: string,
  cols: string,
  rows: CopyValue[][],
): Promise<{ merged: number; inserted: number }> {
  const staging = ident(stagingName(qualified, target.table));
  // Created on every staged batch rather than remembered per connection: a transaction rolled back after the
  // create takes the table with it, and a remembered one would then be missing. The check costs one round trip.
  await tx.query(`create temp table if not exists ${staging} (like ${qualified} including defaults) on commit delete rows`);
  await copyRows(tx, `copy ${staging} (${cols}) from stdin`, rows);
  const keep = new Set([...target.key, ...(target.keepOnConflict ?? [])]);
  const updates = [...target.columns.filter((c) => !keep.has(c)).map((c) => `${ident(c)} = excluded.${ident(c)}`), ...(target.touch ?? [])];
  const key = target.key.map(ident).join(', ');
  // Merge and clean-up go as one round trip (no parameters, so one simple-protocol query). `xmax = 0` tells a
  // row the merge inserted from one it updated; it only steers the next batch's path.
  const results = (await tx.query(
    `with merged as (
       insert into ${qualified} (${cols}) select ${cols} from ${staging}
       on conflict (${key}) do ${updates.length ? `update set ${updates.join(', ')}` : 'nothing'}
       returning xmax = 0 as inserted)
     select count(*)::int as merged, (count(*) filter (where inserted))::int as inserted from merged;
     delete from ${staging}`,
  )) as unknown as pg.QueryResult<{ merged: number; inserted: number }>[];
  return results[0].rows[0];
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

/**
 * Text handed to the COPY stream at a time, in characters (a piece closes at the first row past it). The stream
 * turns each piece into a Buffer; a string or buffer past V8's and malloc's large-object size (128 KB) takes fresh
 * pages from the kernel and gives them back, and a piece of 500 rows of a wide catalog was 5 MB: faulting that
 * memory in cost more CPU than the copying. 32K characters is 64 KB as a two-byte string, 96 KB as UTF-8 at most:
 * a few contacts of a 640-property catalog a piece (a long email body is one row, and a piece of its own).
 */
const COPY_PIECE_CHARS = 32 * 1024;

function* chunks(rows: CopyValue[][]): Generator<string> {
  let s = '';
  for (const row of rows) {
    s += copyLine(row);
    if (s.length >= COPY_PIECE_CHARS) {
      yield s;
      s = '';
    }
  }
  if (s.length > 0) yield s;
}
