import type pg from 'pg';
import { ident, type Queryable } from '../db/database.js';
import { cleanJsonText } from './clean-text.js';
import type { CopyValue } from './copy-format.js';
import { stagedMerge } from './staged-merge.js';
import { syncTypedRows } from './typed-relations.js';

/**
 * The SQL of the CRM object tables, one named function per statement, each run inside the caller's
 * transaction (or on the pool for reads) so that rows, their cursor and their queued work commit together.
 */
const table = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

/** A record as stored: ids as strings, properties as HubSpot sends them. */
export interface StoredRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  archivedAt?: string;
}

/**
 * A record as it is written: its `properties` column as cleaned JSON text. Pages wait to be committed in this
 * form rather than as parsed records: a parsed page of 100 contacts with 680 properties is several MB of
 * objects, its text a fraction of that, and the text's length is what a batch budget can count.
 */
export interface RecordRow {
  readonly id: string;
  readonly properties: string;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly archived: boolean;
  readonly archivedAt: string | null;
}

/**
 * The `properties` column of a record: every property with a value, cleaned (U+0000 and lone surrogates become
 * U+FFFD). Unset properties (HubSpot sends `null`) are left out: `properties->>'name'` reads NULL either way, and
 * a portal's records are mostly unset properties (README "Database schema" has the measurements).
 */
export function propertiesColumn(properties: Record<string, string | null> | undefined): string {
  const set: Record<string, string> = {};
  for (const name in properties) {
    const value = properties[name];
    if (value !== null && value !== undefined) set[name] = value;
  }
  return cleanJsonText(set);
}

export function toRecordRow(r: StoredRecord): RecordRow {
  return {
    id: r.id,
    properties: propertiesColumn(r.properties),
    createdAt: r.createdAt ?? null,
    updatedAt: r.updatedAt ?? null,
    archived: r.archived === true,
    archivedAt: r.archivedAt ?? null,
  };
}

/** About what a row takes in memory and in the COPY stream: its JSON text and the other columns. */
export function recordRowBytes(row: RecordRow): number {
  return row.properties.length + 100;
}

/**
 * Upserts records, queues their associations and writes their typed rows (`syncTypedRows`). A record can come twice in one batch (the same record on
 * two pages of a list that changed while it was paged): the later copy wins, in the merge (lastPerKey) and
 * in the queue (ids made distinct first: `ON CONFLICT DO UPDATE` may not meet one key twice in a statement).
 */
export async function upsertRecords(
  tx: pg.PoolClient,
  schema: string,
  type: string,
  records: readonly RecordRow[],
  associationTypes: readonly string[],
): Promise<void> {
  if (records.length === 0) return;
  const rows: CopyValue[][] = records.map((r) => [r.id, r.properties, r.createdAt, r.updatedAt, r.archived, r.archivedAt, null]);
  await stagedMerge(
    tx,
    {
      schema,
      table: type,
      columns: ['id', 'properties', 'created_at', 'updated_at', 'archived', 'archived_at', 'deleted_at'],
      key: ['id'],
      touch: ['synced_at = now()', 'seen_at = now()'],
    },
    rows,
  );
  await enqueueAssociations(
    tx,
    schema,
    type,
    associationTypes,
    records.map((r) => r.id),
  );
  // The typed rows of `<type>_typed` (table mode), in the same transaction. Never fails the load: a problem marks the
  // typed data stale (reported in the run summary) and the next run's definitions refresh rebuilds it.
  await syncTypedRows(tx, { schema, table: type }, records);
}

/** Queues `ids` for an association read of each type in `to` (again: queued_at moves, so a read in flight keeps them). */
export async function enqueueAssociations(tx: Queryable, schema: string, type: string, to: readonly string[], ids: readonly string[]): Promise<void> {
  if (to.length === 0 || ids.length === 0) return;
  await tx.query(
    `insert into ${table(schema, 'association_queue')} (from_type, to_type, from_id)
     select $1, t, i from unnest($2::text[]) t, (select distinct unnest($3::bigint[]) as i) ids
     on conflict (from_type, to_type, from_id) do update set queued_at = now()`,
    [type, to, ids],
  );
}

/** Queues every live record of a type (the association refresh). */
export async function enqueueAllForAssociations(db: Queryable, schema: string, type: string, to: readonly string[]): Promise<void> {
  if (to.length === 0) return;
  await db.query(
    `insert into ${table(schema, 'association_queue')} (from_type, to_type, from_id)
     select $1, t, o.id from ${table(schema, type)} o, unnest($2::text[]) t where o.deleted_at is null
     on conflict (from_type, to_type, from_id) do update set queued_at = now()`,
    [type, to],
  );
}

/**
 * Of the ids a sweep listed, those it must read to store: not stored at all (a listing skipped them), marked
 * deleted (the sweep clears `deleted_at` for ids it sees, with fresh data), or stored with the other archived flag.
 */
export async function idsToLoad(db: Queryable, schema: string, type: string, ids: readonly string[], archived: boolean): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `select i.id::text as id from (select distinct unnest($1::bigint[]) as id) i left join ${table(schema, type)} t on t.id = i.id
     where t.id is null or t.deleted_at is not null or t.archived <> $2 order by i.id`,
    [ids, archived],
  );
  return rows.map((r) => r.id);
}

/** Marks ids as seen by the pass in progress (they are live in the portal). */
export async function touchSeen(tx: Queryable, schema: string, type: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(`update ${table(schema, type)} set seen_at = now() where id = any($1::bigint[]) and deleted_at is null`, [ids]);
}

/** Which rows a pass that started at `startedAt` did not see (the population the share guard measures against: `live`). */
function candidateFilter(archivedListed: boolean): string {
  return `deleted_at is null${archivedListed ? '' : ' and not archived'}`;
}

export async function countDeleteCandidates(
  db: Queryable,
  schema: string,
  type: string,
  startedAt: number,
  archivedListed: boolean,
): Promise<{ candidates: number; live: number }> {
  const { rows } = await db.query<{ candidates: number; live: number }>(
    `select (count(*) filter (where seen_at < to_timestamp($1 / 1000.0)))::int as candidates, count(*)::int as live
     from ${table(schema, type)} where ${candidateFilter(archivedListed)}`,
    [startedAt],
  );
  return rows[0];
}

export async function readDeleteCandidates(
  db: Queryable,
  schema: string,
  type: string,
  startedAt: number,
  archivedListed: boolean,
  after: string | undefined,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id::text as id from ${table(schema, type)}
     where ${candidateFilter(archivedListed)} and seen_at < to_timestamp($1 / 1000.0) and ($2::bigint is null or id > $2::bigint)
     order by id limit $3`,
    [startedAt, after ?? null, limit],
  );
  return rows.map((r) => r.id);
}

/** Marks records deleted (they vanished from the portal) and drops their associations, both ways, and queued reads. */
export async function markDeleted(tx: Queryable, schema: string, type: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(`update ${table(schema, type)} set deleted_at = now() where id = any($1::bigint[]) and deleted_at is null`, [ids]);
  await tx.query(
    `delete from ${table(schema, 'associations')} where (from_type = $1 and from_id = any($2::bigint[])) or (to_type = $1 and to_id = any($2::bigint[]))`,
    [type, ids],
  );
  await tx.query(`delete from ${table(schema, 'association_queue')} where from_type = $1 and from_id = any($2::bigint[])`, [type, ids]);
}

/** Rows of a type that are live (not deleted) and not archived: what a full run lists. */
export async function countLiveRecords(db: Queryable, schema: string, type: string, archived: boolean): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${table(schema, type)} where deleted_at is null and archived = $1`, [
    archived,
  ]);
  return rows[0].n;
}
