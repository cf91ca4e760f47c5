import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { migrate } from '../../../src/db/migrations.js';
import { stagedMerge } from '../../../src/load/staged-merge.js';
import { useTestDatabase } from '../../helpers/postgres.js';

/**
 * Issue 17 item 14: Postgres truncates identifiers at 63 bytes. With a schema name of 52+ characters the
 * staging tables of different target tables got one name on d2812c8 (`stage_<schema>_<table>` cut short),
 * so the second table's batch was copied into the first table's staging table and failed.
 */
const SCHEMA = `s${'x'.repeat(55)}`;
const handle = useTestDatabase('staging_names');
let db: Database;

beforeAll(async () => {
  // One connection: both tables' staging tables live in the same session, where a name collision bites.
  db = await openDatabase({ url: handle.url, schema: SCHEMA, poolSize: 1 });
  await migrate(db);
});

afterAll(async () => {
  await db.close();
});

describe('staging table names', () => {
  it(`stay distinct for a ${SCHEMA.length}-character schema (fails on d2812c8)`, async () => {
    const contacts = { schema: SCHEMA, table: 'contacts', columns: ['id', 'properties'], key: ['id'] };
    const forms = { schema: SCHEMA, table: 'forms', columns: ['id', 'name', 'raw'], key: ['id'] };
    // Each batch twice: the second meets stored keys and goes through staging.
    for (let i = 0; i < 2; i++) {
      await db.transaction(async (tx) => {
        await stagedMerge(tx, contacts, [['1', JSON.stringify({ n: i })]]);
        await stagedMerge(tx, forms, [['f-1', `form ${i}`, '{}']]);
      });
    }
    const { rows: c } = await db.query(`select id::text, properties from "${SCHEMA}".contacts`);
    const { rows: f } = await db.query(`select id, name from "${SCHEMA}".forms`);
    expect(c).toEqual([{ id: '1', properties: { n: 1 } }]);
    expect(f).toEqual([{ id: 'f-1', name: 'form 1' }]);
  });
});
