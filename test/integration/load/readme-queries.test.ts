import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { rebuildTypedRelation } from '../../../src/load/typed-relations.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';

/**
 * The README's example queries, run as written against the tables of issue 14 (filled here by hand the way the
 * streams will fill them) and the typed relations over them, so the examples cannot drift from the schema.
 */
const handle = useTestDatabase('readme_queries');
let db: Database;

function readmeQueries(): string[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Example queries'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)![1];
  return sql
    .split(/;\n/)
    .map((q) => q.trim())
    .filter((q) => q.replace(/--.*$/gm, '').trim().length > 0);
}

type Def = [name: string, type: string, fieldType: string, options?: [string, string][]];

async function define(objectType: string, defs: Def[]) {
  for (const [name, type, fieldType, options] of defs) {
    await db.query(
      `insert into hubspot.property_definitions (object_type, name, type, field_type, options, hubspot_defined) values ($1, $2, $3, $4, $5, true)`,
      [objectType, name, type, fieldType, JSON.stringify((options ?? []).map(([value, label]) => ({ value, label })))],
    );
  }
}

async function records(table: string, rows: [id: number, properties: Record<string, string>][]) {
  for (const [id, properties] of rows) {
    await db.query(`insert into hubspot.${table} (id, properties) values ($1, $2)`, [id, JSON.stringify(properties)]);
  }
}

beforeAll(async () => {
  db = await openMigrated(handle);
  // Issue 14 creates these tables; until then they are shaped like every object table.
  for (const table of ['tickets', 'line_items', 'products'])
    await db.query(`create table if not exists hubspot.${table} (like hubspot.contacts including all)`);
  await define('contacts', [
    [
      'lifecyclestage',
      'enumeration',
      'radio',
      [
        ['lead', 'Lead'],
        ['customer', 'Customer'],
      ],
    ],
  ]);
  await define('tickets', [
    ['hubspot_owner_id', 'enumeration', 'select'],
    ['hs_pipeline', 'enumeration', 'select'],
    ['hs_pipeline_stage', 'enumeration', 'select'],
  ]);
  await define('deals', [
    ['pipeline', 'enumeration', 'select'],
    ['dealstage', 'enumeration', 'select'],
    ['hs_is_closed_won', 'bool', 'booleancheckbox'],
    ['amount', 'number', 'number'],
  ]);
  await define('line_items', [
    ['name', 'string', 'text'],
    ['amount', 'number', 'number'],
    ['hs_product_id', 'number', 'number'],
  ]);
  await define('products', [['name', 'string', 'text']]);
  await db.query(
    `insert into hubspot.owners (id, email, first_name, last_name, archived) values (1, 'ann@example.com', 'Ann', 'Lee', false), (2, 'bo@example.com', null, null, true)`,
  );
  await db.query(`insert into hubspot.pipelines (object_type, id, label) values ('tickets', '0', 'Support'), ('deals', 'default', 'Sales')`);
  await db.query(
    `insert into hubspot.pipeline_stages (object_type, pipeline_id, id, label, display_order, metadata) values
     ('tickets', '0', '1', 'New', 0, '{"ticketState": "OPEN"}'), ('tickets', '0', '4', 'Closed', 1, '{"ticketState": "CLOSED"}'),
     ('deals', 'default', 'qualified', 'Qualified', 0, '{"isClosed": "false", "probability": "0.2"}'),
     ('deals', 'default', 'closedwon', 'Closed won', 1, '{"isClosed": "true", "probability": "1.0"}')`,
  );
  await records('contacts', [
    [1, { lifecyclestage: 'lead' }],
    [2, { lifecyclestage: 'lead' }],
    [3, { lifecyclestage: 'customer' }],
  ]);
  await records('tickets', [
    [10, { hubspot_owner_id: '1', hs_pipeline: '0', hs_pipeline_stage: '1' }],
    [11, { hubspot_owner_id: '1', hs_pipeline: '0', hs_pipeline_stage: '1' }],
    [12, { hubspot_owner_id: '2', hs_pipeline: '0', hs_pipeline_stage: '1' }],
    [13, { hubspot_owner_id: '1', hs_pipeline: '0', hs_pipeline_stage: '4' }],
    [14, { hs_pipeline: '0', hs_pipeline_stage: '1' }],
  ]);
  await records('deals', [
    [20, { pipeline: 'default', dealstage: 'closedwon', hs_is_closed_won: 'true' }],
    [21, { pipeline: 'default', dealstage: 'qualified', hs_is_closed_won: 'false' }],
  ]);
  await records('products', [
    [30, { name: 'Widget' }],
    [31, { name: 'Gadget' }],
  ]);
  await records('line_items', [
    [40, { name: 'Widget x2', amount: '200', hs_product_id: '30' }],
    [41, { name: 'Gadget', amount: '50.5', hs_product_id: '31' }],
    [42, { name: 'Widget (lost deal)', amount: '999', hs_product_id: '30' }],
    [43, { name: 'Consulting', amount: '10' }],
  ]);
  await db.query(
    `insert into hubspot.associations (from_type, from_id, to_type, to_id, type_id, category) values
     ('deals', 20, 'line_items', 40, 19, 'HUBSPOT_DEFINED'), ('line_items', 41, 'deals', 20, 20, 'HUBSPOT_DEFINED'),
     ('deals', 21, 'line_items', 42, 19, 'HUBSPOT_DEFINED'), ('deals', 20, 'line_items', 43, 19, 'HUBSPOT_DEFINED')`,
  );
  await db.query(
    `insert into hubspot.property_history (object_type, object_id, property, value, changed_at, source_type) values
     ('deals', 20, 'dealstage', 'qualified', '2025-01-01T00:00:00Z', 'CRM_UI'), ('deals', 20, 'dealstage', 'closedwon', '2025-01-03T00:00:00Z', 'CRM_UI'),
     ('deals', 21, 'dealstage', 'qualified', '2025-01-01T00:00:00Z', 'CRM_UI')`,
  );
  for (const table of ['contacts', 'tickets', 'deals', 'line_items', 'products']) {
    const result = await db.transaction((tx) => rebuildTypedRelation(tx, { schema: 'hubspot', objectType: table, table }, { mode: 'table' }));
    expect(result.warning).toBeUndefined();
  }
});
afterAll(async () => {
  await db?.close();
});

describe('README example queries', () => {
  it('run as written and answer the questions they are for', async () => {
    const queries = readmeQueries();
    expect(queries).toHaveLength(4);
    const results: Record<string, unknown>[][] = [];
    for (const q of queries) results.push((await db.query(q)).rows);
    expect(results[0]).toEqual([
      { stage: 'Lead', count: '2' },
      { stage: 'Customer', count: '1' },
    ]);
    expect(results[1]).toEqual([
      { owner: 'Ann Lee', open_tickets: '2' },
      { owner: '(no owner)', open_tickets: '1' },
      { owner: 'bo@example.com', open_tickets: '1' },
    ]);
    expect(results[2]).toEqual([
      { product: 'Widget', revenue: '200', deals: '1' },
      { product: 'Gadget', revenue: '50.5', deals: '1' },
      { product: 'Consulting', revenue: '10', deals: '1' },
    ]);
    expect(results[3]).toHaveLength(2);
    expect(results[3][0]).toMatchObject({ pipeline: 'Sales', stage: 'Qualified', visits: '2' });
    expect(results[3][1]).toMatchObject({ pipeline: 'Sales', stage: 'Closed won', visits: '1' });
  });
});
