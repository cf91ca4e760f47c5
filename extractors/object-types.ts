import type pg from 'pg';
import { ident, type Database } from '../src/db/database.js';
import { CUSTOM_OBJECTS_TYPE, type ObjectSchema } from '../src/hubspot/api.js';
import { STANDARD_OBJECT_TYPES, standardObjectType } from '../src/hubspot/object-types.js';
import { ObjectTypeUnavailableError } from '../src/processor/errors.js';
import type { ExtractorEvent, HubSpotReader } from './types.js';

/**
 * The run's CRM object types (issue 14): the standard ones selected, and the portal's custom objects, discovered
 * from the schemas API on every run. Resolved once at run start, before any extractor starts: each custom object
 * gets its own table (created here, idempotently, in one transaction with its `object_types` row), and the list
 * is what every stream of the run (records, associations, the portal metadata) works from.
 */
export interface ObjectTypeInfo {
  /** `0-1` ... `0-136` for standard types, `2-<id>` for custom objects. */
  readonly objectTypeId: string;
  /**
   * The `object_type` of every table that names a type (associations, sync_state streams, property definitions,
   * pipelines, history): the plural API name of a standard type; for a custom object its schema's name, prefixed
   * `custom_` like its table when it would collide. Always equal to `table`.
   */
  readonly name: string;
  /** The table its records are loaded into, in the run's schema. */
  readonly table: string;
  readonly custom: boolean;
}

/** What the run resolved: its types, and the association pairs the custom objects' schemas define (by name). */
export interface ResolvedObjectTypes {
  readonly types: readonly ObjectTypeInfo[];
  readonly customPairs: readonly (readonly [string, string])[];
}

/** The name a path uses for a type: the plural of a standard type, the `objectTypeId` of a custom object. */
export function apiTypeOf(info: ObjectTypeInfo): string {
  return info.custom ? info.objectTypeId : info.name;
}

/**
 * Tables of the tool itself, which a custom object must not take: a custom object named `owners` is loaded into
 * `custom_owners`. (Standard types' tables and anything else already in the schema are refused too.)
 */
export const TOOL_TABLES: readonly string[] = [
  'forms',
  'form_submissions',
  'associations',
  'association_queue',
  'sync_state',
  'runs',
  'schema_migrations',
  'object_types',
  'property_definitions',
  'property_options',
  'owners',
  'pipelines',
  'pipeline_stages',
  'property_history',
  'typed_relations',
  'limits',
  'limit_leases',
  'limit_waiters',
  'limit_denials',
];

const MAX_IDENTIFIER_BYTES = 63;

/**
 * A custom object's table from its schema's name, given what is taken: the name as HubSpot spells it (lower case,
 * anything but letters, digits and `_` as `_`), prefixed `custom_` when that would collide with a standard type, a
 * table of the tool's or any other relation (`taken`), or a typed relation's name (`<table>_typed`,
 * `<table>_typed_data`); then `_2`, `_3`... if even that is taken. Pure, so the rule is tested alone.
 */
export function customTableName(schemaName: string, taken: (name: string) => boolean): string {
  let base = schemaName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(base)) base = `_${base}`;
  const collides = (n: string) => taken(n) || standardObjectType(n) !== undefined || TOOL_TABLES.includes(n);
  const fit = (n: string, suffix = '') => n.slice(0, MAX_IDENTIFIER_BYTES - suffix.length) + suffix;
  let name = fit(base);
  // `x_typed` / `x_typed_data` are the names of table x's typed relations; `pg_` is Postgres's.
  if (collides(name) || /_typed(_data)?$/.test(name) || name.startsWith('pg_')) name = fit(`custom_${base}`);
  for (let n = 2; collides(name); n++) name = fit(`custom_${base}`, `_${n}`);
  return name;
}

/** The standard types, as `ObjectTypeInfo`. */
export function standardObjectTypeInfo(name: string): ObjectTypeInfo {
  const t = standardObjectType(name);
  if (!t) throw new Error(`not a standard object type: ${name}`);
  return { objectTypeId: t.objectTypeId, name: t.name, table: t.name, custom: false };
}

export interface ResolveContext {
  db: Database;
  reader: HubSpotReader;
  emit(event: ExtractorEvent): void;
  unavailable: UnavailableTypes;
}

/**
 * Resolves the run's object types: `standard` (the standard types selected, by name) and, with `custom`, every
 * custom object the schemas API lists now. Creates each custom object's table (`like contacts`: the same columns,
 * keys and defaults) if it does not exist and upserts `object_types` for every type, in one transaction. A table
 * once given to a custom object keeps its name (read back from `object_types`), whatever is created later.
 */
export async function resolveObjectTypes(ctx: ResolveContext, standard: readonly string[], custom: boolean): Promise<ResolvedObjectTypes> {
  const types = standard.map(standardObjectTypeInfo);
  let schemas: ObjectSchema[] = [];
  if (custom) {
    try {
      schemas = (await ctx.reader.listSchemas()).filter((s) => !s.archived);
    } catch (error) {
      if (!(error instanceof ObjectTypeUnavailableError)) throw error;
      ctx.unavailable.report(CUSTOM_OBJECTS_NAME, error);
    }
  }
  const s = ident(ctx.db.schema);
  const customTypes = await ctx.db.transaction(async (tx) => {
    const known = new Map(
      (await tx.query<{ object_type_id: string; table_name: string }>(`select object_type_id, table_name from ${s}.object_types`)).rows.map((r) => [
        r.object_type_id,
        r.table_name,
      ]),
    );
    const relations = new Set(
      (
        await tx.query<{ relname: string }>(`select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1`, [
          ctx.db.schema,
        ])
      ).rows.map((r) => r.relname),
    );
    const taken = new Set<string>(known.values());
    const out: ObjectTypeInfo[] = [];
    // By type id: HubSpot never reuses one, so the order (and a `_2` suffix) is the same on every run.
    for (const schema of [...schemas].sort((a, b) => compareTypeIds(a.objectTypeId, b.objectTypeId))) {
      const table = known.get(schema.objectTypeId) ?? customTableName(schema.name, (n) => taken.has(n) || relations.has(n));
      taken.add(table);
      out.push({ objectTypeId: schema.objectTypeId, name: table, table, custom: true });
    }
    for (const t of out) await createObjectTable(tx, ctx.db.schema, t.table);
    for (const t of [...types, ...out]) {
      await tx.query(
        `insert into ${s}.object_types (object_type_id, name, table_name, custom) values ($1, $2, $3, $4)
         on conflict (object_type_id) do update set name = excluded.name, table_name = excluded.table_name, custom = excluded.custom`,
        [t.objectTypeId, t.name, t.table, t.custom],
      );
    }
    return out;
  });
  const nameById = new Map([
    ...STANDARD_OBJECT_TYPES.map((t) => [t.objectTypeId, t.name] as const),
    ...customTypes.map((t) => [t.objectTypeId, t.name] as const),
  ]);
  const customPairs: [string, string][] = [];
  for (const schema of schemas) {
    for (const a of schema.associations) {
      const from = nameById.get(a.fromObjectTypeId);
      const to = nameById.get(a.toObjectTypeId);
      // A definition naming a type the tool does not extract (appointments, a schema archived since) is left out.
      if (from && to) customPairs.push([from, to]);
    }
  }
  return { types: [...types, ...customTypes], customPairs };
}

/** A custom object's table: the columns, keys and defaults of every object table (`contacts`'s). Idempotent. */
export async function createObjectTable(tx: pg.PoolClient, schema: string, table: string): Promise<void> {
  await tx.query(`create table if not exists ${ident(schema)}.${ident(table)} (like ${ident(schema)}.contacts including all)`);
}

function compareTypeIds(a: string, b: string): number {
  const [ma, ia] = a.split('-').map(Number);
  const [mb, ib] = b.split('-').map(Number);
  return ma - mb || ia - ib || a.localeCompare(b);
}

/** What the run reports when the schemas API itself is refused (a key without `crm.schemas.custom.read`). */
export const CUSTOM_OBJECTS_NAME = CUSTOM_OBJECTS_TYPE;

/**
 * Types this run found missing from the portal (or not readable with its key): each reported once, with a
 * warning note, whichever stream met it first (its own extractor, an association read from another type, the
 * portal metadata), and skipped by every stream after that.
 */
export class UnavailableTypes {
  private readonly reasons = new Map<string, string>();

  constructor(private readonly emit: (event: ExtractorEvent) => void) {}

  /** Records `type` as missing; true the first time (the note is emitted then). */
  report(type: string, error: ObjectTypeUnavailableError): boolean {
    if (this.reasons.has(type)) return false;
    const reason = `${error.status}: ${error.reason}`;
    this.reasons.set(type, reason);
    this.emit({
      type: 'extractor:note',
      extractor: type,
      level: 'warn',
      message: `${type} skipped: this portal does not have it, or the key may not read it (HubSpot answered ${reason})`,
    });
    return true;
  }

  has(type: string): boolean {
    return this.reasons.has(type);
  }

  /** type -> why, in the order they were met. */
  all(): Record<string, string> {
    return Object.fromEntries(this.reasons);
  }
}
