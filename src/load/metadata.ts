import { qualified, type Queryable } from '../db/database.js';
import { cleanJsonText, cleanText } from './clean-text.js';

/**
 * The SQL of the portal's metadata tables (migration 010: owners, pipelines, pipeline_stages, property_definitions,
 * property_history), one named function per step, each inside the caller's transaction. Refreshes are whole: a
 * caller that read a list to its end passes it entire, and rows the list no longer has are marked archived (they
 * are kept: old records and the typed relations' labels still point at them).
 */

export interface OwnerRow {
  id: string;
  userId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  teams?: unknown[];
  archived: boolean;
  createdAt?: string;
  updatedAt?: string;
  raw: Record<string, unknown>;
}

const digits = (v: string | undefined) => (v !== undefined && /^-?\d{1,18}$/.test(v) ? v : null);

/**
 * Stores every owner, live and archived, read whole. An owner stored before and in neither list any more was
 * removed from the portal: it is marked archived, not deleted, since records still name it.
 */
export async function storeOwners(tx: Queryable, schema: string, owners: readonly OwnerRow[]): Promise<{ stored: number; archived: number }> {
  const last = new Map(owners.filter((o) => digits(o.id) !== null).map((o) => [o.id, o]));
  const rows = [...last.values()];
  await tx.query(
    `insert into ${qualified(schema, 'owners')} as o (id, user_id, email, first_name, last_name, teams, archived, created_at, updated_at, raw)
     select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::boolean[], $8::timestamptz[], $9::timestamptz[], $10::jsonb[])
     on conflict (id) do update set user_id = excluded.user_id, email = excluded.email, first_name = excluded.first_name,
       last_name = excluded.last_name, teams = excluded.teams, archived = excluded.archived, created_at = excluded.created_at,
       updated_at = excluded.updated_at, raw = excluded.raw
     where (o.user_id, o.email, o.first_name, o.last_name, o.teams, o.archived, o.created_at, o.updated_at, o.raw)
       is distinct from (excluded.user_id, excluded.email, excluded.first_name, excluded.last_name, excluded.teams,
       excluded.archived, excluded.created_at, excluded.updated_at, excluded.raw)`,
    [
      rows.map((o) => o.id),
      rows.map((o) => digits(o.userId)),
      rows.map((o) => text(o.email)),
      rows.map((o) => text(o.firstName)),
      rows.map((o) => text(o.lastName)),
      rows.map((o) => cleanJsonText(o.teams ?? [])),
      rows.map((o) => o.archived),
      rows.map((o) => o.createdAt ?? null),
      rows.map((o) => o.updatedAt ?? null),
      rows.map((o) => cleanJsonText(o.raw)),
    ],
  );
  const gone = await tx.query(`update ${qualified(schema, 'owners')} set archived = true where not archived and id <> all($1::bigint[])`, [
    rows.map((o) => o.id),
  ]);
  return { stored: rows.length, archived: gone.rowCount ?? 0 };
}

export interface StageRow {
  id: string;
  label?: string;
  displayOrder?: number;
  metadata: Record<string, unknown>;
  archived: boolean;
}

export interface PipelineRow {
  id: string;
  label?: string;
  displayOrder?: number;
  archived: boolean;
  stages: readonly StageRow[];
  raw: Record<string, unknown>;
}

/**
 * Stores a type's pipelines and stages as the pipelines API lists them (live ones only: HubSpot lists no archived
 * pipeline or stage). Those stored before and not listed now were archived in the portal (or deleted): marked
 * archived, kept, because records still sit in them.
 */
export async function storePipelines(tx: Queryable, schema: string, objectType: string, pipelines: readonly PipelineRow[]): Promise<void> {
  const p = qualified(schema, 'pipelines');
  const s = qualified(schema, 'pipeline_stages');
  await tx.query(
    `insert into ${p} as t (object_type, id, label, display_order, archived, raw)
     select $1, * from unnest($2::text[], $3::text[], $4::int[], $5::boolean[], $6::jsonb[])
     on conflict (object_type, id) do update set label = excluded.label, display_order = excluded.display_order,
       archived = excluded.archived, raw = excluded.raw
     where (t.label, t.display_order, t.archived, t.raw) is distinct from (excluded.label, excluded.display_order, excluded.archived, excluded.raw)`,
    [
      objectType,
      pipelines.map((x) => x.id),
      pipelines.map((x) => text(x.label)),
      pipelines.map((x) => x.displayOrder ?? null),
      pipelines.map((x) => x.archived),
      pipelines.map((x) => cleanJsonText(x.raw)),
    ],
  );
  const stages = pipelines.flatMap((x) => x.stages.map((st) => ({ pipelineId: x.id, ...st })));
  await tx.query(
    `insert into ${s} as t (object_type, pipeline_id, id, label, display_order, metadata, archived)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::jsonb[], $7::boolean[])
     on conflict (object_type, pipeline_id, id) do update set label = excluded.label, display_order = excluded.display_order,
       metadata = excluded.metadata, archived = excluded.archived
     where (t.label, t.display_order, t.metadata, t.archived) is distinct from (excluded.label, excluded.display_order, excluded.metadata, excluded.archived)`,
    [
      objectType,
      stages.map((x) => x.pipelineId),
      stages.map((x) => x.id),
      stages.map((x) => text(x.label)),
      stages.map((x) => x.displayOrder ?? null),
      stages.map((x) => cleanJsonText(x.metadata)),
      stages.map((x) => x.archived),
    ],
  );
  await tx.query(`update ${p} set archived = true where object_type = $1 and not archived and id <> all($2::text[])`, [objectType, pipelines.map((x) => x.id)]);
  await tx.query(
    `update ${s} set archived = true where object_type = $1 and not archived
       and (pipeline_id, id) not in (select * from unnest($2::text[], $3::text[]))`,
    [objectType, stages.map((x) => x.pipelineId), stages.map((x) => x.id)],
  );
}

export interface DefinitionRow {
  name: string;
  label?: string;
  type: string;
  fieldType?: string;
  groupName?: string;
  description?: string;
  calculated?: boolean;
  hubspotDefined?: boolean;
  hidden?: boolean;
  archived?: boolean;
  raw: Record<string, unknown>;
}

/**
 * Stores a type's property definitions as the properties API listed them (every live one). `options` keeps every
 * field of each option (label, value, description, displayOrder, hidden) from the raw definition. A definition
 * stored before and not listed now was archived in the portal: marked archived. Rows are written only where they
 * changed, so an unchanged catalog costs one comparison.
 */
export async function storePropertyDefinitions(
  tx: Queryable,
  schema: string,
  objectType: string,
  definitions: readonly DefinitionRow[],
): Promise<{ changed: number; archived: number }> {
  const d = qualified(schema, 'property_definitions');
  const rows = [...new Map(definitions.map((x) => [x.name, x])).values()];
  const written = await tx.query(
    `insert into ${d} as t (object_type, name, label, type, field_type, group_name, description, options, calculated, hubspot_defined, hidden, archived, raw)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::boolean[], $10::boolean[], $11::boolean[], $12::boolean[], $13::jsonb[])
     on conflict (object_type, name) do update set label = excluded.label, type = excluded.type, field_type = excluded.field_type,
       group_name = excluded.group_name, description = excluded.description, options = excluded.options,
       calculated = excluded.calculated, hubspot_defined = excluded.hubspot_defined, hidden = excluded.hidden,
       archived = excluded.archived, raw = excluded.raw
     where (t.label, t.type, t.field_type, t.group_name, t.description, t.options, t.calculated, t.hubspot_defined, t.hidden, t.archived, t.raw)
       is distinct from (excluded.label, excluded.type, excluded.field_type, excluded.group_name, excluded.description, excluded.options,
       excluded.calculated, excluded.hubspot_defined, excluded.hidden, excluded.archived, excluded.raw)`,
    [
      objectType,
      rows.map((x) => x.name),
      rows.map((x) => text(x.label)),
      rows.map((x) => x.type),
      rows.map((x) => text(x.fieldType)),
      rows.map((x) => text(x.groupName)),
      rows.map((x) => text(x.description)),
      rows.map((x) => cleanJsonText(Array.isArray(x.raw.options) ? x.raw.options : [])),
      rows.map((x) => x.calculated === true),
      rows.map((x) => x.hubspotDefined === true),
      rows.map((x) => x.hidden === true),
      rows.map((x) => x.archived === true),
      rows.map((x) => cleanJsonText(x.raw)),
    ],
  );
  const gone = await tx.query(`update ${d} set archived = true where object_type = $1 and not archived and name <> all($2::text[])`, [
    objectType,
    rows.map((x) => x.name),
  ]);
  return { changed: written.rowCount ?? 0, archived: gone.rowCount ?? 0 };
}

export interface HistoryRow {
  objectId: string;
  property: string;
  value: string | null;
  changedAt: string;
  sourceType?: string;
  sourceId?: string;
  updatedByUserId?: string;
}

/** Inserts changes; those already stored (same record, property, instant and value) are skipped, so reruns add nothing. */
export async function insertPropertyHistory(tx: Queryable, schema: string, objectType: string, rows: readonly HistoryRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await tx.query(
    `insert into ${qualified(schema, 'property_history')} (object_type, object_id, property, value, changed_at, source_type, source_id, updated_by_user_id)
     select $1, * from unnest($2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[], $8::bigint[])
     on conflict do nothing`,
    [
      objectType,
      rows.map((r) => r.objectId),
      rows.map((r) => r.property),
      rows.map((r) => (r.value === null ? null : cleanText(r.value))),
      rows.map((r) => r.changedAt),
      rows.map((r) => text(r.sourceType)),
      rows.map((r) => text(r.sourceId)),
      rows.map((r) => digits(r.updatedByUserId)),
    ],
  );
  return result.rowCount ?? 0;
}

/**
 * Ids of a type's stored records (not deleted) synced at or after `since`, after `afterId`, in id order: the records
 * whose property history is due (every record on a full run, the changed ones on an incremental one).
 */
export async function recordsSyncedSince(
  db: Queryable,
  schema: string,
  table: string,
  /** Epoch ms, on the database's clock (`databaseNow`). */
  sinceMs: number,
  afterId: string | undefined,
  limit: number,
): Promise<{ id: string; archived: boolean }[]> {
  const { rows } = await db.query<{ id: string; archived: boolean }>(
    `select id::text as id, archived from ${qualified(schema, table)}
     where deleted_at is null and synced_at >= to_timestamp($1 / 1000.0) and ($2::bigint is null or id > $2::bigint)
     order by id limit $3`,
    [sinceMs, afterId ?? null, limit],
  );
  return rows;
}

function text(v: string | undefined | null): string | null {
  return v === undefined || v === null ? null : cleanText(v);
}
