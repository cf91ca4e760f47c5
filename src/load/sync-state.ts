import type { Queryable } from '../db/database.js';
import { ident } from '../db/database.js';

/** A cursor per stream, read and written inside the same transaction as the rows it covers. */
export async function readCursor<T>(q: Queryable, schema: string, stream: string): Promise<T | undefined> {
  const { rows } = await q.query<{ cursor: T }>(`select cursor from ${ident(schema)}.sync_state where stream = $1`, [stream]);
  return rows[0]?.cursor;
}

export async function writeCursor(q: Queryable, schema: string, stream: string, cursor: unknown): Promise<void> {
  await q.query(
    `insert into ${ident(schema)}.sync_state (stream, cursor, updated_at) values ($1, $2, now())
     on conflict (stream) do update set cursor = excluded.cursor, updated_at = now()`,
    [stream, JSON.stringify(cursor)],
  );
}

/** The database's clock, in ms: passes compare it with `seen_at`/`synced_at`, which the database stamps. */
export async function databaseNow(q: Queryable): Promise<number> {
  const { rows } = await q.query<{ ms: string }>('select (extract(epoch from now()) * 1000)::bigint as ms');
  return Number(rows[0].ms);
}
