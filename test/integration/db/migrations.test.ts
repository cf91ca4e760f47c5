import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { loadMigrations, migrate } from '../../../src/db/migrations.js';
import { useTestDatabase } from '../../helpers/postgres.js';

const handle = useTestDatabase('migrations');
const cleanup: Database[] = [];
afterAll(async () => {
  for (const db of cleanup.reverse()) await db.close();
});

describe('migrations', () => {
  it('apply once, then a second run applies nothing and changes nothing', async () => {
    const db = await openDatabase({ url: handle.url, schema: 'hubspot' });
    cleanup.push(db);
    const all = await loadMigrations();
    const first = await migrate(db);
    expect(first).toEqual(all.map((m) => m.version));
    const tables = async () =>
      (await db.query<{ t: string }>(`select table_name as t from information_schema.tables where table_schema = 'hubspot' order by 1`)).rows.map((r) => r.t);
    const before = await tables();
    expect(before).toEqual(
      expect.arrayContaining([
        'contacts',
        'companies',
        'deals',
        'calls',
        'emails',
        'meetings',
        'notes',
        'tasks',
        'forms',
        'form_submissions',
        'associations',
        'sync_state',
        'runs',
        'schema_migrations',
      ]),
    );
    expect(await migrate(db)).toEqual([]);
    expect(await tables()).toEqual(before);
  });

  it('keeps each schema separate and survives concurrent starts', async () => {
    const a = await openDatabase({ url: handle.url, schema: 'portal_a' });
    const b = await openDatabase({ url: handle.url, schema: 'portal_a' });
    cleanup.push(a, b);
    const [x, y] = await Promise.all([migrate(a), migrate(b)]);
    expect([...x, ...y].sort()).toEqual((await loadMigrations()).map((m) => m.version).sort());
    const { rows } = await a.query<{ n: string }>('select count(*) as n from portal_a.schema_migrations');
    expect(Number(rows[0].n)).toBe((await loadMigrations()).length);
  });
});
