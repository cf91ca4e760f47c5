import type pg from 'pg';
import { ident, type Queryable } from '../db/database.js';
import type { CopyValue } from './copy-format.js';
import { stagedMerge } from './staged-merge.js';

/** The SQL of association reads: the queue they drain and the rows they replace, one named function each. */
const table = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

/** The first id of each chunk of `size` queued ids of one pair, in id order. */
export async function queueChunkStarts(db: Queryable, schema: string, from: string, to: string, size: number): Promise<string[]> {
  const { rows } = await db.query<{ lo: string }>(
    `select from_id::text as lo from (select from_id, row_number() over (order by from_id) as n
       from ${table(schema, 'association_queue')} where from_type = $1 and to_type = $2) q
     where (n - 1) % $3 = 0 order by from_id`,
    [from, to, size],
  );
  return rows.map((r) => r.lo);
}

/** The ids queued in [lo, hi), and the database time the read starts at (ids queued again after it stay queued). */
export async function readQueueChunk(
  db: Queryable,
  schema: string,
  from: string,
  to: string,
  lo: string,
  hi: string | undefined,
): Promise<{ ids: string[]; startedAt: number }> {
  const { rows } = await db.query<{ from_id: string; started: string }>(
    `select from_id::text as from_id, (extract(epoch from now()) * 1000)::bigint as started from ${table(schema, 'association_queue')}
     where from_type = $1 and to_type = $2 and from_id >= $3 and ($4::bigint is null or from_id < $4) order by from_id`,
    [from, to, lo, hi ?? null],
  );
  return { ids: rows.map((r) => r.from_id), startedAt: rows.length > 0 ? Number(rows[0].started) : 0 };
}

export const ASSOCIATION_COLUMNS = ['from_type', 'from_id', 'to_type', 'to_id', 'type_id', 'category', 'label'];

/** Replaces the stored associations of `ids` (every one of them read whole) with `rows`. */
export async function replaceAssociations(
  tx: pg.PoolClient,
  schema: string,
  from: string,
  to: string,
  ids: readonly string[],
  rows: CopyValue[][],
): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(`delete from ${table(schema, 'associations')} where from_type = $1 and to_type = $2 and from_id = any($3::bigint[])`, [from, to, ids]);
  await stagedMerge(
    tx,
    {
      schema,
      table: 'associations',
      columns: ASSOCIATION_COLUMNS,
      key: ['from_type', 'from_id', 'to_type', 'to_id', 'type_id'],
      touch: ['synced_at = now()'],
    },
    rows,
  );
}

/** Takes read ids off the queue; ids queued again while they were read (the record changed meanwhile) stay. */
export async function dequeue(tx: Queryable, schema: string, from: string, to: string, ids: readonly string[], startedAt: number): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `delete from ${table(schema, 'association_queue')} where from_type = $1 and to_type = $2 and from_id = any($3::bigint[]) and queued_at <= to_timestamp($4 / 1000.0)`,
    [from, to, ids, startedAt],
  );
}
