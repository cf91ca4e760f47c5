import type { TypedRelationsMode } from '../../config/typed-relations-modes.js';
import type pg from 'pg';
import { createHash } from 'node:crypto';
import { literal, qualified, quoteIdent, type Queryable } from '../db/database.js';
import { applyGrants, DERIVED_MARK, grantsOf } from '../db/derived-views.js';
import { copyRows } from './staged-merge.js';
import type { CopyValue } from './copy-format.js';
import {
  BASE_COLUMNS,
  derivedName,
  OMITTED_COLUMN_LIMIT,
  planColumns,
  type ColumnPlan,
  type OmittedProperty,
  type PropertyDefinition,
  type TypedColumn,
} from './typed-columns.js';
import { SQL_FUNCTIONS, SQL_TYPES, typedFunctionsSql, typeValue, type TypingRule } from './typed-values.js';

/**
 * `<table>_typed`: one column per property, typed from `property_definitions`, with labels (issue 15).
 *
 * Modes (HUBSPOT_TYPED_RELATIONS), chosen on the measurements in the README:
 * - `table` (default): the typed values live in `<table>_typed_data` (id + one column per property), kept in step by
 *   the loader (`syncTypedRows`, in the transaction of the jsonb rows); `<table>_typed` is a view joining it to the
 *   record columns of `<table>` and resolving labels at query time, so owner and pipeline renames show at once.
 * - `view`: `<table>_typed` reads `<table>.properties` directly; always current, no load cost, slow on big tables.
 * - `off`: no typed relations (existing ones are dropped).
 *
 * `rebuildTypedRelation` is called in the transaction that stores the property definitions. Nothing in here can make
 * a load, a definitions refresh or a migration fail: every change runs under a savepoint, and what could not be
 * done is returned as a warning (and the typed data marked stale, to be refilled by the next rebuild).
 */

export { TYPED_RELATIONS_MODES, type TypedRelationsMode } from '../../config/typed-relations-modes.js';

export interface TypedRelationTarget {
  schema: string;
  /** As in `property_definitions.object_type` (and `pipelines`, `pipeline_stages`). */
  objectType: string;
  /** The object table, e.g. `contacts`. */
  table: string;
}

export interface RebuildOptions {
  mode: TypedRelationsMode;
  /** Properties the extractor fetches (HUBSPOT_PROPERTIES); others get no column. Default: all. */
  select?: (property: string) => boolean;
}

export interface TypedRebuildResult {
  table: string;
  /** `<table>_typed`, or null when off or not built. */
  relation: string | null;
  mode: TypedRelationsMode;
  /** Properties with a column. */
  columns: number;
  /** Properties without one, and why (the run summary prints those over the column limit). */
  omitted: OmittedProperty[];
  /** Set when the relation could not be (re)built; it keeps its previous shape. */
  warning?: string;
}

/** The column plan as the registry keeps it: what the loader's hook needs to type a row. */
interface StoredColumn {
  p: string;
  c: string;
  r: TypingRule;
}

interface Registry {
  mode: TypedRelationsMode;
  relation: string;
  data_table: string | null;
  columns: StoredColumn[];
  version: string;
  stale: string | null;
}

export async function rebuildTypedRelation(tx: Queryable, target: TypedRelationTarget, options: RebuildOptions): Promise<TypedRebuildResult> {
  const relation = derivedName(target.table, '_typed');
  await tx.query('savepoint typed_rebuild');
  try {
    const result = await rebuild(tx, target, options);
    await tx.query('release savepoint typed_rebuild');
    return result;
  } catch (error) {
    await tx.query('rollback to savepoint typed_rebuild');
    const reason = (error as Error).message;
    await markStale(tx, target, `rebuild failed: ${reason}`);
    return { table: target.table, relation: null, mode: options.mode, columns: 0, omitted: [], warning: `${relation} not rebuilt: ${reason}` };
  }
}

async function rebuild(tx: Queryable, target: TypedRelationTarget, options: RebuildOptions): Promise<TypedRebuildResult> {
  const { schema, table } = target;
  const relation = derivedName(table, '_typed');
  const dataTable = derivedName(table, '_typed_data');
  const unchanged = (warning: string, plan?: ColumnPlan): TypedRebuildResult => ({
    table,
    relation: null,
    mode: options.mode,
    columns: plan?.columns.length ?? 0,
    omitted: plan?.omitted ?? [],
    warning,
  });
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`hubspot-extract:typed:${schema}.${table}`]);
  if (!(await relationKind(tx, schema, table))) return unchanged(`${relation} not built: ${schema}.${table} does not exist`);
  for (const name of [relation, dataTable]) {
    if ((await relationKind(tx, schema, name)) && !(await isDerived(tx, schema, name))) {
      return unchanged(`${relation} not built: ${schema}.${name} exists and was not made by this tool`);
    }
  }
  await ensureTypedFunctions(tx, schema);
  const definitions = await readDefinitions(tx, schema, target.objectType);
  const plan = planColumns(definitions, options.select);
  const registry = await readRegistry(tx, schema, table);

  const grants = (await relationKind(tx, schema, relation)) ? await grantsOf(tx, schema, relation) : [];
  if (!(await dropIfExists(tx, 'view', schema, relation))) {
    const blocked = unchanged(
      `${relation} keeps its previous columns: other views depend on it (${await dependents(tx, schema, relation)}); drop them to let it change`,
      plan,
    );
    return { ...blocked, relation };
  }
  if (options.mode === 'off') {
    await dropIfExists(tx, 'table', schema, dataTable);
    await tx.query(`delete from ${qualified(schema, 'typed_relations')} where table_name = $1`, [table]);
    await recordColumns(tx, schema, target.objectType, definitions, { columns: [], omitted: [] });
    return { table, relation: null, mode: 'off', columns: 0, omitted: [] };
  }
  let inner: string;
  if (options.mode === 'table') {
    await syncDataTable(tx, target, dataTable, plan, registry);
    inner = tableSource(schema, table, dataTable, plan);
  } else {
    await dropIfExists(tx, 'table', schema, dataTable);
    inner = jsonbSource(schema, table, plan.columns);
  }
  const view = qualified(schema, relation);
  await tx.query(`create view ${view} as select ${outerColumns(target, plan).join(', ')} from (${inner}) t`);
  await tx.query(`comment on view ${view} is ${literal(`${DERIVED_MARK}: typed columns of ${table} (HUBSPOT_TYPED_RELATIONS=${options.mode})`)}`);
  await applyGrants(tx, grants);
  await recordColumns(tx, schema, target.objectType, definitions, plan);
  await writeRegistry(tx, target, relation, options.mode === 'table' ? dataTable : null, options.mode, plan);
  return { table, relation, mode: options.mode, columns: plan.columns.length, omitted: plan.omitted };
}

/**
 * Lines for the run summary: properties left out by the column limit (by name, the first few) and warnings.
 * Properties left out because they are not extracted are the user's choice and not repeated.
 */
export function typedRelationNotes(results: TypedRebuildResult[], shown = 10): string[] {
  const lines: string[] = [];
  for (const r of results) {
    const over = r.omitted.filter((o) => o.reason === OMITTED_COLUMN_LIMIT).map((o) => o.property);
    if (over.length > 0) {
      const names = over.length > shown ? `${over.slice(0, shown).join(', ')}, ... (${over.length - shown} more)` : over.join(', ');
      lines.push(
        `${derivedName(r.table, '_typed')}: ${over.length} ${over.length === 1 ? 'property' : 'properties'} left out, ${OMITTED_COLUMN_LIMIT} (property_definitions.omitted_reason): ${names}`,
      );
    }
    if (r.warning) lines.push(r.warning);
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// Definitions in, column names out

async function readDefinitions(tx: Queryable, schema: string, objectType: string): Promise<PropertyDefinition[]> {
  const { rows } = await tx.query<{
    name: string;
    type: string;
    field_type: string | null;
    options: unknown;
    hubspot_defined: boolean;
    archived: boolean;
    ref: string | null;
  }>(
    `select name, type, field_type, options, hubspot_defined, archived, raw ->> 'referencedObjectType' as ref
     from ${qualified(schema, 'property_definitions')} where object_type = $1`,
    [objectType],
  );
  return rows.map((r) => ({
    name: r.name,
    type: r.type,
    fieldType: r.field_type,
    hubspotDefined: r.hubspot_defined,
    archived: r.archived,
    referencedObjectType: r.ref,
    options: (Array.isArray(r.options) ? r.options : [])
      .filter((o): o is { value: string; label: string } => typeof o?.value === 'string' && typeof o?.label === 'string')
      .map((o) => ({ value: o.value, label: o.label })),
  }));
}

/** Each definition's column, companion and reason for having none, written only where they changed. */
async function recordColumns(tx: Queryable, schema: string, objectType: string, definitions: PropertyDefinition[], plan: ColumnPlan): Promise<void> {
  const byProperty = new Map(plan.columns.map((c) => [c.property, c]));
  const reasons = new Map(plan.omitted.map((o) => [o.property, o.reason]));
  const names = definitions.map((d) => d.name);
  await tx.query(
    `update ${qualified(schema, 'property_definitions')} d
     set typed_column = x.typed_column, label_column = x.label_column, omitted_reason = x.omitted_reason
     from unnest($2::text[], $3::text[], $4::text[], $5::text[]) as x(name, typed_column, label_column, omitted_reason)
     where d.object_type = $1 and d.name = x.name
       and (d.typed_column, d.label_column, d.omitted_reason) is distinct from (x.typed_column, x.label_column, x.omitted_reason)`,
    [
      objectType,
      names,
      names.map((n) => byProperty.get(n)?.column ?? null),
      names.map((n) => byProperty.get(n)?.companion?.column ?? null),
      names.map((n) => reasons.get(n) ?? null),
    ],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The SQL of the relations

/** The typing functions, created or replaced only when their text changed (the comment holds its hash). */
async function ensureTypedFunctions(tx: Queryable, schema: string): Promise<void> {
  const sql = typedFunctionsSql(schema);
  const mark = `${DERIVED_MARK}: typing rules ${createHash('sha1').update(sql).digest('hex').slice(0, 12)}`;
  const current = async () => {
    const { rows } = await tx.query<{ comment: string | null }>(
      `select obj_description(p.oid, 'pg_proc') as comment from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = $1 and p.proname = 'typed_numeric'`,
      [schema],
    );
    return rows[0]?.comment === mark;
  };
  if (await current()) return;
  // Rebuilds of several tables run side by side (a run refreshes its types at once): two transactions creating the
  // same functions collide on pg_proc's unique index ("duplicate key value"), so the first to get here creates them
  // and the others wait for its commit, then find them made.
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`hubspot-extract:typed-functions:${schema}`]);
  if (await current()) return;
  await tx.query(sql);
  await tx.query(`comment on function ${qualified(schema, 'typed_numeric')}(text) is ${literal(mark)}`);
}

/**
 * The record columns and typed values of every row of `table`, read from its jsonb: the view of mode `view`, and
 * what rebuilds fill the typed data from. Two lateral subqueries the planner keeps apart (OFFSET 0) make each row's
 * properties detoasted and stripped of nulls once, then each property read out once; the typing functions (inlined,
 * and referring to their argument several times) then work on plain values. Measured on 50,000 contacts: reading
 * every column straight from `properties` detoasts the document once per reference (133 s for a ten-column query,
 * 7.5 s with the document stripped once); typing every column of 20,000 rows took 184 s reading each reference from
 * the document, 51 s from values read out once. Columns a query does not use are pruned from the subquery, and,
 * being lateral, a filter on the record columns still reaches the table's own scan (an id lookup reads one row).
 */
function jsonbSource(schema: string, table: string, columns: TypedColumn[]): string {
  const raw = columns.map((c, i) => `s.p ->> ${literal(c.property)} as v${i}`);
  const typed = columns.map((c, i) => {
    const fn = SQL_FUNCTIONS[c.rule];
    return `${fn ? `${qualified(schema, fn)}(x.v${i})` : `x.v${i}`} as ${quoteIdent(c.column)}`;
  });
  return `select ${[...BASE_COLUMNS.map((b) => `r.${b}`), ...typed].join(', ')}
    from ${qualified(schema, table)} r cross join lateral
      (select ${raw.join(', ')} from (select jsonb_strip_nulls(r.properties) as p offset 0) s offset 0) x`;
}

/** Driven by the records, so a record the typed data lacks still shows, with NULL properties. */
function tableSource(schema: string, table: string, dataTable: string, plan: ColumnPlan): string {
  const cols = plan.columns.map((c) => `d.${quoteIdent(c.column)}`);
  return `select ${[...BASE_COLUMNS.map((b) => `c.${b}`), ...cols].join(', ')}
    from ${qualified(schema, table)} c left join ${qualified(schema, dataTable)} d on d.id = c.id`;
}

function outerColumns(target: TypedRelationTarget, plan: ColumnPlan): string[] {
  const out: string[] = BASE_COLUMNS.map((b) => `t.${b}`);
  for (const c of plan.columns) {
    out.push(`t.${quoteIdent(c.column)}`);
    if (c.companion) out.push(`${companionExpression(target, c)} as ${quoteIdent(c.companion.column)}`);
  }
  return out;
}

const OWNER_NAME = `coalesce(nullif(btrim(concat_ws(' ', o.first_name, o.last_name)), ''), o.email)`;
const ownerId = (v: string) => `case when ${v} ~ '^[0-9]{1,18}$' then ${v}::bigint end`;

/**
 * The label column of a property, resolved when queried: option labels from the definition (baked into the view,
 * which every definitions refresh rebuilds), owners and pipelines from their tables (current whenever they change).
 */
function companionExpression(target: TypedRelationTarget, c: TypedColumn): string {
  const { schema, objectType } = target;
  const v = `t.${quoteIdent(c.column)}`;
  const kind = c.rule === 'multi' && c.companion!.kind !== 'owner' ? 'options' : c.companion!.kind;
  const each = (expr: string, join = '') =>
    `case when ${v} is null then null else array(select ${expr} from unnest(${v}) with ordinality as u(v, n)${join} order by u.n) end`;
  if (kind === 'owner') {
    const owners = qualified(schema, 'owners');
    if (c.rule === 'multi') return each(OWNER_NAME, ` left join ${owners} o on o.id = ${ownerId('u.v')}`);
    return `(select ${OWNER_NAME} from ${owners} o where o.id = ${ownerId(v)})`;
  }
  const text = c.rule === 'bool' ? `(${v})::text` : v;
  if (kind === 'options') {
    const map = labelMap(c.options, false);
    return c.rule === 'multi' ? each(`${map} ->> u.v`) : `${map} ->> ${text}`;
  }
  const ot = literal(objectType);
  const fallback = `${labelMap(c.options, true)} ->> ${text}`;
  if (kind === 'pipeline') {
    return `coalesce((select p.label from ${qualified(schema, 'pipelines')} p where p.object_type = ${ot} and p.id = ${v}), ${fallback})`;
  }
  const stages = qualified(schema, 'pipeline_stages');
  const inOwnPipeline = c.pipelineColumn
    ? `(select s.label from ${stages} s where s.object_type = ${ot} and s.pipeline_id = t.${quoteIdent(c.pipelineColumn)} and s.id = ${v}), `
    : '';
  // Without the record's pipeline (or with one not stored), a stage id that only one pipeline has is still certain.
  const uniqueStage = `(select min(s.label) from ${stages} s where s.object_type = ${ot} and s.id = ${v} having count(*) = 1)`;
  return `coalesce(${inOwnPipeline}${uniqueStage}, ${fallback})`;
}

/** value -> label as a jsonb constant; `uniqueOnly` drops values listed twice (stage ids shared by pipelines). */
function labelMap(options: { value: string; label: string }[], uniqueOnly: boolean): string {
  const counts = new Map<string, number>();
  for (const o of options) counts.set(o.value, (counts.get(o.value) ?? 0) + 1);
  const map: Record<string, string> = {};
  for (const o of options) {
    if (uniqueOnly && counts.get(o.value)! > 1) continue;
    if (!(o.value in map)) map[o.value] = o.label;
  }
  return `${literal(JSON.stringify(map))}::jsonb`;
}

// ---------------------------------------------------------------------------------------------------------------
// The typed data table

/**
 * Brings `<table>_typed_data` to the plan. Columns added or retyped are altered in place and filled from the stored
 * records (only rows that have a value); archived ones are dropped. A full rebuild (new table, filled from every
 * record) happens the first time, after a mode change, when the data is stale, or when the dropped columns Postgres
 * still counts would take the table past 1,600.
 */
async function syncDataTable(tx: Queryable, target: TypedRelationTarget, dataTable: string, plan: ColumnPlan, registry: Registry | undefined): Promise<void> {
  const { schema } = target;
  const data = qualified(schema, dataTable);
  const stored = registry?.mode === 'table' && !registry.stale && registry.data_table === dataTable ? registry.columns : undefined;
  const actual = stored ? await tableColumns(tx, schema, dataTable) : undefined;
  const usable = stored && actual && actual.length === stored.length + 1 && stored.every((c) => actual.includes(c.c));
  if (!usable) return fullRebuild(tx, target, dataTable, plan);
  await keepRowsInLine(tx, schema, dataTable);
  const same = (s: StoredColumn, c: TypedColumn) => s.c === c.column && s.p === c.property && s.r === c.rule;
  const drop = stored.filter((s) => !plan.columns.some((c) => same(s, c)));
  const add = plan.columns.filter((c) => !stored.some((s) => same(s, c)));
  if (drop.length === 0 && add.length === 0) return;
  const { rows } = await tx.query<{ n: number }>(`select max(attnum)::int as n from pg_attribute where attrelid = $1::regclass`, [data]);
  if (rows[0].n + add.length > 1600) return fullRebuild(tx, target, dataTable, plan);
  const alter = [...drop.map((s) => `drop column ${quoteIdent(s.c)}`), ...add.map((c) => `add column ${quoteIdent(c.column)} ${SQL_TYPES[c.rule]}`)];
  await tx.query(`alter table ${data} ${alter.join(', ')}`);
  if (add.length > 0) {
    // Only rows where one of the new columns has a value are written.
    const cols = add.map((c) => quoteIdent(c.column));
    await tx.query(
      `update ${data} d set ${cols.map((c) => `${c} = t.${c}`).join(', ')}
       from (${jsonbSource(schema, target.table, add)}) t
       where t.id = d.id and (${cols.map((c) => `t.${c} is not null`).join(' or ')})`,
    );
  }
}

/**
 * A typed row of a wide catalog is several KB (a contact with 640 columns: 3.8 KB on average), past the 2 KB at which
 * Postgres starts moving values out of line. With hundreds of short columns that is the costliest part of a load: the
 * toaster scans every column for the largest one, tries to compress it, and moves short values one by one into the
 * TOAST table (writing `medium`'s 4,912 typed contact rows again: 1.9 s of server CPU, 0.5 s with this; 39 MB on disk
 * instead of 20). The view reads every column of a row anyway, so out-of-line values only cost: rows stay whole
 * up to a page (8160 is the largest target Postgres takes); a wider one is still toasted.
 */
const IN_LINE_ROWS = 'toast_tuple_target = 8160';

/** Sets IN_LINE_ROWS on a data table made before it was used (a table is altered once). */
async function keepRowsInLine(tx: Queryable, schema: string, dataTable: string): Promise<void> {
  const { rows } = await tx.query<{ set: boolean }>(
    `select coalesce($3 = any(c.reloptions), false) as set from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = $2`,
    [schema, dataTable, IN_LINE_ROWS.replace(/ /g, '')],
  );
  if (rows[0] && !rows[0].set) await tx.query(`alter table ${qualified(schema, dataTable)} set (${IN_LINE_ROWS})`);
}

async function fullRebuild(tx: Queryable, target: TypedRelationTarget, dataTable: string, plan: ColumnPlan): Promise<void> {
  const { schema, table } = target;
  const data = qualified(schema, dataTable);
  await dropIfExists(tx, 'table', schema, dataTable);
  const columns = plan.columns.map((c) => `${quoteIdent(c.column)} ${SQL_TYPES[c.rule]}`);
  await tx.query(`create table ${data} (${['id bigint primary key', ...columns].join(', ')}) with (${IN_LINE_ROWS})`);
  await tx.query(
    `comment on table ${data} is ${literal(`${DERIVED_MARK}: typed values of ${table}, kept in step by the loader; query ${derivedName(table, '_typed')}`)}`,
  );
  const cols = ['id', ...plan.columns.map((c) => quoteIdent(c.column))];
  await tx.query(
    `insert into ${data} (${cols.join(', ')}) select ${cols.map((c) => `t.${c}`).join(', ')} from (${jsonbSource(schema, table, plan.columns)}) t`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The loader's hook

export interface TypedSourceRecord {
  id: string;
  /** As parsed, or as the JSON text the loader writes (`RecordRow.properties`): parsed only when typed rows are due. */
  properties: Record<string, unknown> | string | null | undefined;
}

export interface TypedSyncResult {
  /** Rows written to `<table>_typed_data` (0 when the table has none: mode view or off, or not built yet). */
  rows: number;
  /** Set when the rows could not be typed; the load goes on and the next rebuild refills the typed data. */
  warning?: string;
}

/** Column plans per `schema.table`, read again whenever the registry's version (a random uuid per rebuild) changes. */
const plans = new Map<string, { version: string; columns: StoredColumn[]; at: Map<string, number[]> }>();

const NO_COLUMNS: readonly number[] = [];

/** Where each property's value goes in a typed row (after the id), for a plan's columns. */
function columnsByProperty(columns: StoredColumn[]): Map<string, number[]> {
  const at = new Map<string, number[]>();
  columns.forEach((c, i) => at.set(c.p, [...(at.get(c.p) ?? []), i + 1]));
  return at;
}

/**
 * Keeps `<table>_typed_data` in step with records just written to `<table>`: call it in the same transaction, after
 * the rows (issue 14's loader does, for every object table). Replaces the typed rows of these ids (delete, then one
 * COPY: no staging table, whose columns would go stale when a rebuild changes the plan). Never throws for a typing
 * or schema problem: it rolls back to its savepoint, marks the typed data stale and says why.
 */
export async function syncTypedRows(
  tx: pg.PoolClient,
  target: { schema: string; table: string },
  records: readonly TypedSourceRecord[],
): Promise<TypedSyncResult> {
  if (records.length === 0) return { rows: 0 };
  const { rows: found } = await tx.query<Omit<Registry, 'columns'>>(
    `select mode, relation, data_table, version::text as version, stale from ${qualified(target.schema, 'typed_relations')} where table_name = $1`,
    [target.table],
  );
  const registry = found[0];
  if (!registry || registry.mode !== 'table' || registry.stale || !registry.data_table) return { rows: 0 };
  const key = `${target.schema}.${target.table}`;
  let plan = plans.get(key);
  if (plan?.version !== registry.version) {
    const { rows } = await tx.query<{ columns: StoredColumn[] }>(`select columns from ${qualified(target.schema, 'typed_relations')} where table_name = $1`, [
      target.table,
    ]);
    plan = { version: registry.version, columns: rows[0].columns, at: columnsByProperty(rows[0].columns) };
    plans.set(key, plan);
  }
  const last = new Map<string, TypedSourceRecord>();
  for (const r of records) last.set(String(r.id), r);
  const rows: CopyValue[][] = [];
  for (const [id, r] of last) {
    const properties = typeof r.properties === 'string' ? (JSON.parse(r.properties) as Record<string, unknown>) : r.properties;
    // A record holds the properties it has a value for (a third of a wide catalog, often less): every column starts
    // NULL and only those are typed, rather than looking up each of the plan's hundreds of columns in the record.
    const row: CopyValue[] = new Array<CopyValue>(plan.columns.length + 1).fill(null);
    row[0] = id;
    for (const name in properties) {
      for (const i of plan.at.get(name) ?? NO_COLUMNS) row[i] = typeValue(plan.columns[i - 1].r, properties[name]);
    }
    rows.push(row);
  }
  const data = qualified(target.schema, registry.data_table);
  await tx.query('savepoint typed_sync');
  try {
    await tx.query(`delete from ${data} where id = any($1::bigint[])`, [[...last.keys()]]);
    await copyRows(tx, `copy ${data} (${['id', ...plan.columns.map((c) => quoteIdent(c.c))].join(', ')}) from stdin`, rows);
    await tx.query('release savepoint typed_sync');
    return { rows: rows.length };
  } catch (error) {
    await tx.query('rollback to savepoint typed_sync');
    const reason = `typed rows not written: ${(error as Error).message}`;
    await markStale(tx, target, reason);
    return { rows: 0, warning: `${registry.relation}: ${reason}` };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Registry and catalog helpers

async function readRegistry(tx: Queryable, schema: string, table: string): Promise<Registry | undefined> {
  const { rows } = await tx.query<Registry>(
    `select mode, relation, data_table, columns, version::text as version, stale from ${qualified(schema, 'typed_relations')}
     where table_name = $1 for update`,
    [table],
  );
  return rows[0];
}

async function writeRegistry(
  tx: Queryable,
  target: TypedRelationTarget,
  relation: string,
  dataTable: string | null,
  mode: TypedRelationsMode,
  plan: ColumnPlan,
): Promise<void> {
  const columns: StoredColumn[] = plan.columns.map((c) => ({ p: c.property, c: c.column, r: c.rule }));
  await tx.query(
    `insert into ${qualified(target.schema, 'typed_relations')} as t (table_name, object_type, relation, data_table, mode, columns, version, stale, built_at)
     values ($1, $2, $3, $4, $5, $6, gen_random_uuid(), null, now())
     on conflict (table_name) do update set object_type = excluded.object_type, relation = excluded.relation,
       data_table = excluded.data_table, mode = excluded.mode, columns = excluded.columns, version = excluded.version,
       stale = null, built_at = excluded.built_at`,
    [target.table, target.objectType, relation, dataTable, mode, JSON.stringify(columns)],
  );
}

async function markStale(tx: Queryable, target: { schema: string; table: string }, reason: string): Promise<void> {
  await tx.query(`update ${qualified(target.schema, 'typed_relations')} set stale = $2 where table_name = $1`, [target.table, reason]);
}

async function relationKind(tx: Queryable, schema: string, name: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ kind: string }>(
    `select c.relkind::text as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
    [schema, name],
  );
  return rows[0]?.kind;
}

async function isDerived(tx: Queryable, schema: string, name: string): Promise<boolean> {
  const { rows } = await tx.query<{ comment: string | null }>(
    `select obj_description(c.oid, 'pg_class') as comment from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = $2`,
    [schema, name],
  );
  return rows[0]?.comment?.startsWith(DERIVED_MARK) ?? false;
}

/** Drops a view or table of ours if it exists; false when other objects depend on it (it stays). */
async function dropIfExists(tx: Queryable, kind: 'view' | 'table', schema: string, name: string): Promise<boolean> {
  if ((await relationKind(tx, schema, name)) !== (kind === 'view' ? 'v' : 'r')) return true;
  await tx.query('savepoint typed_drop');
  try {
    await tx.query(`drop ${kind} ${qualified(schema, name)}`);
    await tx.query('release savepoint typed_drop');
    return true;
  } catch (error) {
    await tx.query('rollback to savepoint typed_drop');
    if ((error as { code?: string }).code === DEPENDENT_OBJECTS_STILL_EXIST) return false;
    throw error;
  }
}

const DEPENDENT_OBJECTS_STILL_EXIST = '2BP01';

async function dependents(tx: Queryable, schema: string, name: string): Promise<string> {
  const { rows } = await tx.query<{ name: string }>(
    `select distinct dn.nspname || '.' || dc.relname as name
     from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class dc on dc.oid = w.ev_class
     join pg_namespace dn on dn.oid = dc.relnamespace
     where d.refobjid = $1::regclass and dc.oid <> $1::regclass order by 1`,
    [qualified(schema, name)],
  );
  return rows.map((r) => r.name).join(', ');
}

async function tableColumns(tx: Queryable, schema: string, name: string): Promise<string[] | undefined> {
  const { rows } = await tx.query<{ name: string }>(
    `select a.attname as name from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = $2 and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped`,
    [schema, name],
  );
  return rows.length ? rows.map((r) => r.name) : undefined;
}
