import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { migrate } from '../../../src/db/migrations.js';
import { stagedMerge, type MergeTarget } from '../../../src/load/staged-merge.js';
import type { CopyValue } from '../../../src/load/copy-format.js';
import { useTestDatabase } from '../../helpers/postgres.js';

const handle = useTestDatabase('staged_merge');
let db: Database;
beforeAll(async () => {
  // One connection, so every batch meets the session (and temp tables) the one before it left.
  db = await openDatabase({ url: handle.url, schema: 'hubspot', poolSize: 1 });
  await migrate(db);
});
afterAll(async () => {
  await db.close();
});

const target = (table: string): MergeTarget => ({
  schema: 'hubspot',
  table,
  columns: ['id', 'properties', 'archived'],
  key: ['id'],
  touch: ['synced_at = now()'],
});
const row = (id: number, name: string): CopyValue[] => [String(id), JSON.stringify({ name }), false];

async function stored(table: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ id: string; name: string }>(`select id::text, properties->>'name' as name from hubspot.${table} order by id`);
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

async function merge(table: string, rows: CopyValue[][], after?: (tx: import('pg').PoolClient) => Promise<void>): Promise<number> {
  return db.transaction(async (tx) => {
    const n = await stagedMerge(tx, target(table), rows);
    await after?.(tx);
    return n;
  });
}

describe('stagedMerge', () => {
  it('loads new keys, then merges stored ones without duplicating, in any mix and order of batches', async () => {
    expect(await merge('contacts', [row(1, 'a'), row(2, 'b')])).toBe(2);
    // Every key stored: the direct COPY fails on the first row and the batch goes through staging.
    expect(await merge('contacts', [row(1, 'a2'), row(2, 'b2')])).toBe(2);
    // Mixed: the last row is the stored one, so the whole direct COPY has to be undone.
    expect(await merge('contacts', [row(3, 'c'), row(4, 'd'), row(1, 'a3')])).toBe(3);
    // Only new keys again, after batches that met stored ones.
    expect(await merge('contacts', [row(5, 'e')])).toBe(1);
    expect(await merge('contacts', [row(6, 'f'), row(5, 'e2')])).toBe(2);
    expect(await stored('contacts')).toEqual({ 1: 'a3', 2: 'b2', 3: 'c', 4: 'd', 5: 'e2', 6: 'f' });
  });

  it('keeps the last of a key seen twice in one batch', async () => {
    expect(await merge('companies', [row(1, 'old'), row(2, 'b'), row(1, 'new')])).toBe(2);
    expect(await merge('companies', [row(2, 'x'), row(2, 'y')])).toBe(1);
    expect(await stored('companies')).toEqual({ 1: 'new', 2: 'y' });
  });

  it('commits what else the transaction wrote after a direct COPY met a stored key', async () => {
    await merge('deals', [row(1, 'a')]);
    await merge('deals', [row(2, 'b'), row(1, 'a2')], (tx) =>
      tx.query(`insert into hubspot.sync_state (stream, cursor) values ('deals:test', '{"after":"2"}')`).then(() => undefined),
    );
    expect(await stored('deals')).toEqual({ 1: 'a2', 2: 'b' });
    const { rows } = await db.query<{ cursor: unknown }>(`select cursor from hubspot.sync_state where stream = 'deals:test'`);
    expect(rows).toEqual([{ cursor: { after: '2' } }]);
  });

  it('works again on a connection whose transaction was rolled back after it created the staging table', async () => {
    await merge('notes', [row(1, 'a')]);
    const failing = merge('notes', [row(1, 'lost')], async () => {
      throw new Error('after the merge');
    });
    await expect(failing).rejects.toThrow('after the merge');
    expect(await stored('notes')).toEqual({ 1: 'a' });
    for (let i = 0; i < 6; i++) await merge('notes', [row(1, `a${i}`)]);
    expect(await stored('notes')).toEqual({ 1: 'a5' });
  });

  it('sets the touch columns on conflict and the defaults on insert', async () => {
    await merge('tasks', [row(1, 'a')]);
    await db.query(`update hubspot.tasks set synced_at = '2000-01-01'`);
    await merge('tasks', [row(1, 'a'), row(2, 'b')]);
    const { rows } = await db.query<{ id: string; recent: boolean }>(
      `select id::text, synced_at > now() - interval '1 hour' as recent from hubspot.tasks order by id`,
    );
    expect(rows).toEqual([
      { id: '1', recent: true },
      { id: '2', recent: true },
    ]);
  });

  it('rejects a batch that breaks another constraint, loading none of it', async () => {
    const bad: CopyValue[][] = [row(10, 'ok'), [null, '{}', false]];
    await expect(merge('calls', bad)).rejects.toThrow(/null value/);
    expect(await stored('calls')).toEqual({});
  });
});
