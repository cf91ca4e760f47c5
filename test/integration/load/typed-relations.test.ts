import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { loadMigrations, migrate } from '../../../src/db/migrations.js';
import { OMITTED_COLUMN_LIMIT } from '../../../src/load/typed-columns.js';
import { rebuildTypedRelation, syncTypedRows, typedRelationNotes, type TypedRelationsMode, type TypedSourceRecord } from '../../../src/load/typed-relations.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';

const handle = useTestDatabase('typed_relations');
let db: Database;
beforeAll(async () => {
  db = await openMigrated(handle);
});
afterAll(async () => {
  await db?.close();
});

interface Def {
  name: string;
  type: string;
  fieldType?: string;
  options?: { value: string; label: string }[];
  hubspotDefined?: boolean;
  archived?: boolean;
  raw?: Record<string, unknown>;
}

let tables = 0;
/** A fresh object table shaped like every extracted one (as issue 14's tickets and custom objects will be). */
async function objectTable(prefix: string): Promise<{ table: string; objectType: string }> {
  const table = `${prefix}_${++tables}`;
  await db.query(`create table hubspot.${table} (like hubspot.contacts including all)`);
  return { table, objectType: table };
}

async function define(objectType: string, defs: Def[]): Promise<void> {
  for (const d of defs) {
    await db.query(
      `insert into hubspot.property_definitions (object_type, name, label, type, field_type, options, hubspot_defined, archived, raw)
       values ($1, $2, $2, $3, $4, $5, $6, $7, $8)
       on conflict (object_type, name) do update set type = excluded.type, field_type = excluded.field_type, options = excluded.options,
         hubspot_defined = excluded.hubspot_defined, archived = excluded.archived, raw = excluded.raw`,
      [
        objectType,
        d.name,
        d.type,
        d.fieldType ?? d.type,
        JSON.stringify(d.options ?? []),
        d.hubspotDefined ?? false,
        d.archived ?? false,
        JSON.stringify(d.raw ?? {}),
      ],
    );
  }
}

/** Writes records as the loader does: the jsonb rows, then the typed rows in the same transaction. */
async function load(table: string, records: TypedSourceRecord[]) {
  return db.transaction(async (tx) => {
    for (const r of records) {
      await tx.query(
        `insert into hubspot.${table} (id, properties, created_at, updated_at) values ($1, $2, now(), now())
         on conflict (id) do update set properties = excluded.properties`,
        [r.id, JSON.stringify(r.properties)],
      );
    }
    return syncTypedRows(tx, { schema: 'hubspot', table }, records);
  });
}

async function rebuild(t: { table: string; objectType: string }, mode: TypedRelationsMode, select?: (p: string) => boolean) {
  return db.transaction((tx) => rebuildTypedRelation(tx, { schema: 'hubspot', ...t }, { mode, select }));
}

async function typed(table: string, columns = '*', where = 'true'): Promise<Record<string, unknown>[]> {
  return (await db.query(`select ${columns} from hubspot.${table}_typed where ${where} order by id`)).rows;
}

async function columnTypes(relation: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ column_name: string; t: string }>(
    `select a.attname as column_name, format_type(a.atttypid, a.atttypmod) as t from pg_attribute a
     where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped`,
    [`hubspot.${relation}`],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.t]));
}

const EVERY_TYPE: Def[] = [
  { name: 'amount', type: 'number', fieldType: 'number' },
  { name: 'birthday', type: 'date', fieldType: 'date' },
  { name: 'closedate', type: 'datetime', fieldType: 'date' },
  { name: 'opted_in', type: 'bool', fieldType: 'booleancheckbox' },
  {
    name: 'vip',
    type: 'enumeration',
    fieldType: 'booleancheckbox',
    options: [
      { value: 'true', label: 'Yes' },
      { value: 'false', label: 'No' },
    ],
  },
  {
    name: 'interests',
    type: 'enumeration',
    fieldType: 'checkbox',
    options: [
      { value: 'ski', label: 'Skiing' },
      { value: 'golf', label: 'Golf' },
    ],
  },
  {
    name: 'tier',
    type: 'enumeration',
    fieldType: 'select',
    options: [
      { value: 'gold', label: 'Gold tier' },
      { value: 'silver', label: 'Silver tier' },
    ],
  },
  {
    name: 'size',
    type: 'enumeration',
    fieldType: 'radio',
    options: [
      { value: 's', label: 'Small' },
      { value: 'l', label: 'Large' },
    ],
  },
  { name: 'phone', type: 'string', fieldType: 'phonenumber' },
  { name: 'notes', type: 'string', fieldType: 'textarea' },
  { name: 'id', type: 'string', fieldType: 'text' },
  { name: 'created_at', type: 'datetime', fieldType: 'date' },
];

describe.each(['table', 'view'] as const)('typed relations, mode %s', (mode) => {
  it('types every mapping and names the columns after the properties', async () => {
    const t = await objectTable(`every_${mode}`);
    await define(t.objectType, EVERY_TYPE);
    await load(t.table, [
      {
        id: '1',
        properties: {
          amount: '1234.50',
          birthday: '1990-07-14',
          closedate: '2025-02-28T12:34:56.789Z',
          opted_in: 'true',
          vip: 'false',
          interests: 'ski;golf',
          tier: 'gold',
          size: 'l',
          phone: '+1 555 0100',
          notes: 'line one\nline two',
          id: 'external-7',
          created_at: '1740700800000',
        },
      },
    ]);
    const result = await rebuild(t, mode);
    expect(result).toMatchObject({ relation: `${t.table}_typed`, mode, columns: EVERY_TYPE.length, omitted: [] });
    expect(await columnTypes(`${t.table}_typed`)).toMatchObject({
      id: 'bigint',
      archived: 'boolean',
      created_at: 'timestamp with time zone',
      updated_at: 'timestamp with time zone',
      deleted_at: 'timestamp with time zone',
      amount: 'numeric',
      birthday: 'date',
      closedate: 'timestamp with time zone',
      opted_in: 'boolean',
      vip: 'boolean',
      vip__label: 'text',
      interests: 'text[]',
      interests__label: 'text[]',
      tier: 'text',
      tier__label: 'text',
      size: 'text',
      size__label: 'text',
      phone: 'text',
      notes: 'text',
      property_id: 'text',
      property_created_at: 'timestamp with time zone',
    });
    const [row] = await typed(t.table, `*, birthday::text as birthday_text`);
    expect(row).toMatchObject({
      id: '1',
      archived: false,
      amount: '1234.50',
      birthday_text: '1990-07-14',
      closedate: new Date('2025-02-28T12:34:56.789Z'),
      opted_in: true,
      vip: false,
      vip__label: 'No',
      interests: ['ski', 'golf'],
      interests__label: ['Skiing', 'Golf'],
      tier: 'gold',
      tier__label: 'Gold tier',
      size: 'l',
      size__label: 'Large',
      phone: '+1 555 0100',
      notes: 'line one\nline two',
      property_id: 'external-7',
      property_created_at: new Date('2025-02-28T00:00:00Z'),
    });
    const { rows } = await db.query(
      `select name, typed_column, label_column from hubspot.property_definitions where object_type = $1 and name in ('id', 'tier', 'amount') order by name`,
      [t.objectType],
    );
    expect(rows).toEqual([
      { name: 'amount', typed_column: 'amount', label_column: null },
      { name: 'id', typed_column: 'property_id', label_column: null },
      { name: 'tier', typed_column: 'tier', label_column: 'tier__label' },
    ]);
  });

  it('reads values that do not parse as NULL, keeps the raw string in properties, and select * never fails', async () => {
    const t = await objectTable(`dirty_${mode}`);
    await define(t.objectType, EVERY_TYPE);
    const dirty: Record<string, string>[] = [
      { amount: 'N/A', birthday: '31/02/2025', closedate: '2025-02-31T00:00:00Z', opted_in: 'maybe', vip: 'perhaps', interests: '', tier: 'platinum' },
      { amount: '1e999', birthday: '2025-02-30', closedate: 'yesterday', opted_in: '', vip: ' ', interests: ';', tier: '' },
      { amount: '9'.repeat(400), birthday: '', closedate: '', opted_in: ' ', size: 'xl' },
      { amount: ' ', birthday: 'N/A', closedate: '99999999999999', opted_in: 'N/A' },
      { amount: '', birthday: '0000-01-01', closedate: '2025-13-01', opted_in: 'yes please' },
      { amount: '12,5', birthday: '2025-02-28T25:00:00Z', closedate: 'NaN', opted_in: '2' },
    ];
    await load(
      t.table,
      dirty.map((properties, i) => ({ id: String(i + 1), properties })),
    );
    await rebuild(t, mode);
    const rows = await typed(t.table);
    expect(rows).toHaveLength(dirty.length);
    for (const row of rows) {
      expect(row).toMatchObject({ amount: null, birthday: null, closedate: null, opted_in: null });
    }
    expect(rows[0]).toMatchObject({ vip: null, vip__label: null, interests: null, interests__label: null, tier: 'platinum', tier__label: null });
    expect(rows[1]).toMatchObject({ interests: null, tier: '', tier__label: null });
    expect(rows[2]).toMatchObject({ size: 'xl', size__label: null });
    const raw = await db.query(`select properties ->> 'amount' as amount from hubspot.${t.table} where id = 1`);
    expect(raw.rows[0].amount).toBe('N/A');
  });

  it('labels select, radio and checkbox options, an unknown option as NULL in its place', async () => {
    const t = await objectTable(`labels_${mode}`);
    await define(
      t.objectType,
      EVERY_TYPE.filter((d) => ['interests', 'tier', 'size', 'vip'].includes(d.name)),
    );
    await load(t.table, [
      { id: '1', properties: { tier: 'silver', size: 's', interests: 'golf;chess;ski', vip: 'true' } },
      { id: '2', properties: { tier: null, size: null, interests: null, vip: null } },
    ]);
    await rebuild(t, mode);
    expect(await typed(t.table, 'id, tier__label, size__label, interests, interests__label, vip__label')).toEqual([
      {
        id: '1',
        tier__label: 'Silver tier',
        size__label: 'Small',
        interests: ['golf', 'chess', 'ski'],
        interests__label: ['Golf', null, 'Skiing'],
        vip__label: 'Yes',
      },
      { id: '2', tier__label: null, size__label: null, interests: null, interests__label: null, vip__label: null },
    ]);
  });

  it('resolves stages per object type and pipeline: two pipelines share a stage id, renames show at once', async () => {
    const t = await objectTable(`tickets_${mode}`);
    await define(t.objectType, [
      { name: 'hs_pipeline', type: 'enumeration', fieldType: 'select', hubspotDefined: true, options: [{ value: '0', label: 'Support (from options)' }] },
      {
        name: 'hs_pipeline_stage',
        type: 'enumeration',
        fieldType: 'select',
        hubspotDefined: true,
        options: [
          { value: '1', label: 'New' },
          { value: '1', label: 'Open' },
          { value: '9', label: 'Only in options' },
        ],
      },
    ]);
    const other = `${t.objectType}_other`;
    await db.query(
      `insert into hubspot.pipelines (object_type, id, label) values ($1, '0', 'Support'), ($1, 'esc', 'Escalations'), ($2, '0', 'Not this one')`,
      [t.objectType, other],
    );
    await db.query(
      `insert into hubspot.pipeline_stages (object_type, pipeline_id, id, label) values
       ($1, '0', '1', 'New'), ($1, '0', '2', 'Waiting on us'), ($1, 'esc', '1', 'Escalated'), ($1, 'esc', '3', 'Closed (esc)')`,
      [t.objectType],
    );
    await db.query(`insert into hubspot.pipelines (object_type, id, label) values ($1, 'esc', 'x')`, [other]);
    await db.query(
      `insert into hubspot.pipeline_stages (object_type, pipeline_id, id, label) values ($1, 'esc', '1', 'Wrong type'), ($1, 'esc', '3', 'Wrong type')`,
      [other],
    );
    await load(t.table, [
      { id: '1', properties: { hs_pipeline: '0', hs_pipeline_stage: '1' } },
      { id: '2', properties: { hs_pipeline: 'esc', hs_pipeline_stage: '1' } },
      { id: '3', properties: { hs_pipeline: null, hs_pipeline_stage: '3' } },
      { id: '4', properties: { hs_pipeline: null, hs_pipeline_stage: '1' } },
      { id: '5', properties: { hs_pipeline: 'gone', hs_pipeline_stage: '9' } },
    ]);
    await rebuild(t, mode);
    const labels = () => typed(t.table, 'id, hs_pipeline__label, hs_pipeline_stage__label');
    expect(await labels()).toEqual([
      { id: '1', hs_pipeline__label: 'Support', hs_pipeline_stage__label: 'New' },
      { id: '2', hs_pipeline__label: 'Escalations', hs_pipeline_stage__label: 'Escalated' },
      // No pipeline on the record: a stage id only one pipeline has is still certain; a shared one is not.
      { id: '3', hs_pipeline__label: null, hs_pipeline_stage__label: 'Closed (esc)' },
      { id: '4', hs_pipeline__label: null, hs_pipeline_stage__label: null },
      // Neither stored: the definition's option label, when that value is listed once.
      { id: '5', hs_pipeline__label: null, hs_pipeline_stage__label: 'Only in options' },
    ]);
    await db.query(`update hubspot.pipeline_stages set label = 'Escalated!' where object_type = $1 and pipeline_id = 'esc' and id = '1'`, [t.objectType]);
    expect((await labels())[1].hs_pipeline_stage__label).toBe('Escalated!');
  });

  it('names owners, archived ones too, by email where they have no name, and lists of owners in order', async () => {
    const t = await objectTable(`owners_${mode}`);
    await define(t.objectType, [
      {
        name: 'hubspot_owner_id',
        type: 'enumeration',
        fieldType: 'select',
        hubspotDefined: true,
        raw: { externalOptions: true, referencedObjectType: 'OWNER' },
      },
      { name: 'hs_all_owner_ids', type: 'enumeration', fieldType: 'checkbox', hubspotDefined: true },
      { name: 'second_rep', type: 'enumeration', fieldType: 'select', raw: { externalOptions: true, referencedObjectType: 'OWNER' } },
    ]);
    const base = 91_000 + tables * 10;
    await db.query(
      `insert into hubspot.owners (id, email, first_name, last_name, archived) values
       ($1, 'ann@example.com', 'Ann', 'Lee', false), ($1 + 1, 'gone@example.com', 'Old', 'Timer', true),
       ($1 + 2, 'noname@example.com', null, null, false), ($1 + 3, 'first@example.com', 'Solo', '', false)`,
      [base],
    );
    await load(t.table, [
      { id: '1', properties: { hubspot_owner_id: String(base), hs_all_owner_ids: `${base};${base + 1};424242`, second_rep: String(base + 2) } },
      { id: '2', properties: { hubspot_owner_id: String(base + 1), second_rep: String(base + 3) } },
      { id: '3', properties: { hubspot_owner_id: 'not-an-id', second_rep: '99999999999999999999' } },
    ]);
    await rebuild(t, mode);
    expect(await typed(t.table, 'id, hubspot_owner_id__owner, hs_all_owner_ids__owner, second_rep__owner')).toEqual([
      { id: '1', hubspot_owner_id__owner: 'Ann Lee', hs_all_owner_ids__owner: ['Ann Lee', 'Old Timer', null], second_rep__owner: 'noname@example.com' },
      { id: '2', hubspot_owner_id__owner: 'Old Timer', hs_all_owner_ids__owner: null, second_rep__owner: 'Solo' },
      { id: '3', hubspot_owner_id__owner: null, hs_all_owner_ids__owner: null, second_rep__owner: null },
    ]);
  });

  it('a property added becomes a column after the next rebuild, an archived one goes away', async () => {
    const t = await objectTable(`evolve_${mode}`);
    await define(t.objectType, [
      { name: 'email', type: 'string' },
      { name: 'score', type: 'number' },
    ]);
    await load(t.table, [
      { id: '1', properties: { email: 'a@x', score: '5', budget: '100' } },
      { id: '2', properties: { email: 'b@x', score: '6' } },
    ]);
    await rebuild(t, mode);
    expect(Object.keys(await columnTypes(`${t.table}_typed`))).toContain('score');

    await define(t.objectType, [
      { name: 'score', type: 'number', archived: true },
      { name: 'budget', type: 'number' },
      { name: 'stage', type: 'enumeration', fieldType: 'select', options: [{ value: 'a', label: 'A' }] },
    ]);
    const result = await rebuild(t, mode);
    expect(result.columns).toBe(3);
    const cols = await columnTypes(`${t.table}_typed`);
    expect(cols).toMatchObject({ email: 'text', budget: 'numeric', stage: 'text', stage__label: 'text' });
    expect(cols).not.toHaveProperty('score');
    // The new column holds the values already stored, and later loads write it too.
    expect(await typed(t.table, 'id, budget')).toEqual([
      { id: '1', budget: '100' },
      { id: '2', budget: null },
    ]);
    await load(t.table, [{ id: '2', properties: { email: 'b@x', budget: '7', stage: 'a' } }]);
    expect(await typed(t.table, 'id, budget, stage__label', 'id = 2')).toEqual([{ id: '2', budget: '7', stage__label: 'A' }]);
    const { rows } = await db.query(`select name, typed_column from hubspot.property_definitions where object_type = $1 order by name`, [t.objectType]);
    expect(rows).toEqual([
      { name: 'budget', typed_column: 'budget' },
      { name: 'email', typed_column: 'email' },
      { name: 'score', typed_column: null },
      { name: 'stage', typed_column: 'stage' },
    ]);

    // A property whose type changes in the portal is retyped from the stored strings.
    await define(t.objectType, [
      { name: 'email', type: 'number' },
      { name: 'budget', type: 'string' },
    ]);
    await rebuild(t, mode);
    expect(await columnTypes(`${t.table}_typed`)).toMatchObject({ email: 'numeric', budget: 'text' });
    expect(await typed(t.table, 'id, email, budget')).toEqual([
      { id: '1', email: null, budget: '100' },
      { id: '2', email: null, budget: '7' },
    ]);
  });

  it('leaves properties past 1,600 columns out, says which, and records why in property_definitions', async () => {
    const t = await objectTable(`wide_${mode}`);
    const defs: Def[] = [
      ...Array.from({ length: 1200 }, (_, i) => ({
        name: `hs_default_${String(i).padStart(4, '0')}`,
        type: i % 3 === 0 ? 'number' : 'string',
        hubspotDefined: true,
      })),
      ...Array.from({ length: 500 }, (_, i) => ({ name: `custom_${String(i).padStart(4, '0')}`, type: 'datetime' })),
    ];
    await define(t.objectType, defs);
    await load(t.table, [{ id: '1', properties: { hs_default_0000: '42', custom_0394: '2025-01-01T00:00:00Z', custom_0395: '2025-01-01T00:00:00Z' } }]);
    const result = await rebuild(t, mode);
    expect(result.columns).toBe(1595);
    expect(result.omitted).toEqual(
      Array.from({ length: 105 }, (_, i) => ({ property: `custom_${String(395 + i).padStart(4, '0')}`, reason: OMITTED_COLUMN_LIMIT })),
    );
    expect(Object.keys(await columnTypes(`${t.table}_typed`))).toHaveLength(1600);
    expect(typedRelationNotes([result], 2)).toEqual([
      `${t.table}_typed: 105 properties left out, ${OMITTED_COLUMN_LIMIT} (property_definitions.omitted_reason): custom_0395, custom_0396, ... (103 more)`,
    ]);
    const [row] = await typed(t.table);
    expect(row).toMatchObject({ hs_default_0000: '42', custom_0394: new Date('2025-01-01T00:00:00Z') });
    expect(row).not.toHaveProperty('custom_0395');
    const { rows } = await db.query(
      `select count(*)::int as n, min(name) as first from hubspot.property_definitions where object_type = $1 and omitted_reason = $2`,
      [t.objectType, OMITTED_COLUMN_LIMIT],
    );
    expect(rows[0]).toEqual({ n: 105, first: 'custom_0395' });
  });

  it('keeps its shape when an analyst view depends on it, says why, and fails nothing', async () => {
    const t = await objectTable(`pinned_${mode}`);
    await define(t.objectType, [
      { name: 'email', type: 'string' },
      { name: 'score', type: 'number' },
    ]);
    await load(t.table, [{ id: '1', properties: { email: 'a@x', score: '5' } }]);
    await rebuild(t, mode);
    await db.query(`create view hubspot.${t.table}_report as select id, score from hubspot.${t.table}_typed`);
    await define(t.objectType, [{ name: 'score', type: 'number', archived: true }]);
    const result = await rebuild(t, mode);
    expect(typedRelationNotes([result])).toEqual([result.warning]);
    expect(result.warning).toMatch(new RegExp(`${t.table}_typed keeps its previous columns: other views depend on it \\(hubspot\\.${t.table}_report\\)`));
    expect(await typed(t.table, 'id, score')).toEqual([{ id: '1', score: '5' }]);
    await db.query(`drop view hubspot.${t.table}_report`);
    expect((await rebuild(t, mode)).warning).toBeUndefined();
    expect(await columnTypes(`${t.table}_typed`)).not.toHaveProperty('score');
  });
});

describe('the loader hook and the typed data table', () => {
  it('keeps the typed data in step with loads (reruns, duplicates in a batch), and does nothing in view or off mode', async () => {
    const t = await objectTable('hook');
    await define(t.objectType, [
      { name: 'amount', type: 'number' },
      { name: 'tags', type: 'enumeration', fieldType: 'checkbox' },
    ]);
    await rebuild(t, 'table');
    expect(
      await load(t.table, [
        { id: '1', properties: { amount: '1' } },
        { id: '2', properties: { amount: 'x' } },
        { id: '1', properties: { amount: '3', tags: 'a;b' } },
      ]),
    ).toEqual({ rows: 2 });
    expect(await typed(t.table, 'id, amount, tags')).toEqual([
      { id: '1', amount: '3', tags: ['a', 'b'] },
      { id: '2', amount: null, tags: null },
    ]);
    await load(t.table, [{ id: '2', properties: { amount: '8' } }]);
    expect(await typed(t.table, 'id, amount', 'id = 2')).toEqual([{ id: '2', amount: '8' }]);
    const data = await db.query(`select count(*)::int as n from hubspot.${t.table}_typed_data`);
    expect(data.rows[0].n).toBe(2);

    await rebuild(t, 'view');
    expect(await load(t.table, [{ id: '3', properties: { amount: '9' } }])).toEqual({ rows: 0 });
    expect(await typed(t.table, 'id, amount', 'id = 3')).toEqual([{ id: '3', amount: '9' }]);
    expect((await db.query(`select to_regclass('hubspot.${t.table}_typed_data') as r`)).rows[0].r).toBeNull();

    await rebuild(t, 'off');
    expect((await db.query(`select to_regclass('hubspot.${t.table}_typed') as r`)).rows[0].r).toBeNull();
    expect(await load(t.table, [{ id: '4', properties: { amount: '1' } }])).toEqual({ rows: 0 });

    // Back to table: a full rebuild fills the typed data from every stored record.
    await rebuild(t, 'table');
    expect(await typed(t.table, 'id, amount')).toEqual([
      { id: '1', amount: '3' },
      { id: '2', amount: '8' },
      { id: '3', amount: '9' },
      { id: '4', amount: '1' },
    ]);
  });

  it('keeps a wide typed row whole in its page (no TOAST), and sets that on a data table made before (fails on 473cff8)', async () => {
    const t = await objectTable('wide');
    const names = Array.from({ length: 300 }, (_, i) => `p${i}`);
    await define(
      t.objectType,
      names.map((name) => ({ name, type: 'string' })),
    );
    await rebuild(t, 'table');
    // 300 values of 24 characters: a 7 KB row, past the 2 KB where Postgres would move values out of line.
    await load(t.table, [{ id: '1', properties: Object.fromEntries(names.map((n) => [n, `value-${n}-`.padEnd(24, 'x')])) }]);
    const storage = async () =>
      (
        await db.query(
          `select c.reloptions, pg_relation_size(c.reltoastrelid)::int as toast from pg_class c where c.oid = 'hubspot.${t.table}_typed_data'::regclass`,
        )
      ).rows[0];
    expect(await storage()).toEqual({ reloptions: ['toast_tuple_target=8160'], toast: 0 });
    expect(await typed(t.table, 'id, p299')).toEqual([{ id: '1', p299: 'value-p299-xxxxxxxxxxxxx' }]);
    await db.query(`alter table hubspot.${t.table}_typed_data reset (toast_tuple_target)`);
    await rebuild(t, 'table');
    expect((await storage()).reloptions).toEqual(['toast_tuple_target=8160']);
  });

  it('a hook that cannot write leaves the load alone, marks the data stale, and the next rebuild refills it', async () => {
    const t = await objectTable('hook_broken');
    await define(t.objectType, [{ name: 'amount', type: 'number' }]);
    await rebuild(t, 'table');
    await db.query(`alter table hubspot.${t.table}_typed_data rename column amount to something_else`);
    const result = await load(t.table, [{ id: '1', properties: { amount: '5' } }]);
    expect(result.rows).toBe(0);
    expect(result.warning).toMatch(/typed rows not written/);
    // The jsonb row is committed all the same.
    expect((await db.query(`select properties ->> 'amount' as a from hubspot.${t.table}`)).rows).toEqual([{ a: '5' }]);
    expect((await db.query(`select stale from hubspot.typed_relations where table_name = $1`, [t.table])).rows[0].stale).toMatch(/typed rows not written/);
    expect(await load(t.table, [{ id: '2', properties: { amount: '6' } }])).toEqual({ rows: 0 });
    expect((await rebuild(t, 'table')).warning).toBeUndefined();
    expect(await typed(t.table, 'id, amount')).toEqual([
      { id: '1', amount: '5' },
      { id: '2', amount: '6' },
    ]);
    expect((await db.query(`select stale from hubspot.typed_relations where table_name = $1`, [t.table])).rows[0].stale).toBeNull();
  });

  it('refuses to replace a relation it did not make, without failing', async () => {
    const t = await objectTable('taken');
    await db.query(`create table hubspot.${t.table}_typed (mine int)`);
    const result = await rebuild(t, 'table');
    expect(result.warning).toMatch(/exists and was not made by this tool/);
    expect(await columnTypes(`${t.table}_typed`)).toEqual({ mine: 'integer' });
  });
});

describe('migrations after typed relations exist', () => {
  it('a migration that alters an object table column the typed views read still applies; the views come back with their grants', async () => {
    const views = await objectTable('migrating_view');
    const tables_ = await objectTable('migrating_table');
    for (const t of [views, tables_]) await define(t.objectType, [{ name: 'amount', type: 'number' }]);
    await load(views.table, [{ id: '1', properties: { amount: '10' } }]);
    await load(tables_.table, [{ id: '1', properties: { amount: '20' } }]);
    await rebuild(views, 'view');
    await rebuild(tables_, 'table');
    await db.query(`grant select on hubspot.${views.table}_typed to public`);
    const later = [
      ...(await loadMigrations()),
      {
        version: 9001,
        name: 'later_change',
        sql: `alter table ${views.table} alter column updated_at type timestamp(3) with time zone, alter column properties type jsonb using properties || '{}';
              alter table ${tables_.table} alter column created_at type timestamp(0) with time zone, alter column archived type boolean using archived;`,
      },
    ];
    expect(await migrate(db, later)).toEqual([9001]);
    expect(await typed(views.table, 'id, amount')).toEqual([{ id: '1', amount: '10' }]);
    expect(await typed(tables_.table, 'id, amount')).toEqual([{ id: '1', amount: '20' }]);
    const { rows } = await db.query(`select has_table_privilege('public', 'hubspot.${views.table}_typed', 'select') as granted`);
    expect(rows[0].granted).toBe(true);
    expect((await db.query(`select obj_description('hubspot.${views.table}_typed'::regclass, 'pg_class') as c`)).rows[0].c).toMatch(/^hubspot-extract:derived/);
  });

  it('a migration that drops what a typed view reads applies; the view is left out until the next rebuild makes it again', async () => {
    const t = await objectTable('migrating_drop');
    await define(t.objectType, [{ name: 'amount', type: 'number' }]);
    await load(t.table, [{ id: '1', properties: { amount: '3' } }]);
    await rebuild(t, 'table');
    const later = [...(await loadMigrations()), { version: 9002, name: 'drop_column', sql: `alter table ${t.table} drop column deleted_at` }];
    expect(await migrate(db, later)).toEqual([9002]);
    expect((await db.query(`select to_regclass('hubspot.${t.table}_typed') as r`)).rows[0].r).toBeNull();
    await db.query(`alter table hubspot.${t.table} add column deleted_at timestamptz`);
    expect((await rebuild(t, 'table')).warning).toBeUndefined();
    expect(await typed(t.table, 'id, amount')).toEqual([{ id: '1', amount: '3' }]);
  });
});

describe('property_options', () => {
  it('lists each option of each enumeration in order, a malformed option read as NULL', async () => {
    await define('opts', [
      {
        name: 'color',
        type: 'enumeration',
        options: [
          { value: 'r', label: 'Red' },
          { value: 'g', label: 'Green' },
        ],
      },
    ]);
    await db.query(
      `update hubspot.property_definitions set options = options || '[{"value": "x", "displayOrder": "first", "hidden": "no"}]' where object_type = 'opts'`,
    );
    const { rows } = await db.query(
      `select property, position, value, label, display_order, hidden from hubspot.property_options where object_type = 'opts' order by position`,
    );
    expect(rows).toEqual([
      { property: 'color', position: 1, value: 'r', label: 'Red', display_order: null, hidden: false },
      { property: 'color', position: 2, value: 'g', label: 'Green', display_order: null, hidden: false },
      { property: 'color', position: 3, value: 'x', label: null, display_order: null, hidden: false },
    ]);
  });
});
