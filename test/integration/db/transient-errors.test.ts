import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { acquireRunLock } from '../../../src/run/run-lock.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';

/**
 * Issue 17 item 6 and "Leaks": transient database errors are retried where that is safe (a transaction from
 * its start), and a run lock whose query fails gives its connection back. Each failed on d2812c8.
 */
const handle = useTestDatabase('transient');
let db: Database;

beforeAll(async () => {
  db = await openMigrated(handle, 'hubspot');
  await db.query('create table if not exists public.pair (id int primary key, v int not null)');
  await db.query('insert into public.pair values (1, 0), (2, 0) on conflict do nothing');
});

afterAll(async () => {
  await db?.close();
});

/** Resolves to 'timeout' when `p` has not settled after `ms`: a leaked pool connection makes later work wait forever. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([p, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms).unref())]);
}

describe('transient database errors', () => {
  it('a deadlock victim (40P01) is run again from its start and both transactions commit (fails on d2812c8: 40P01 thrown)', async () => {
    let attempts = 0;
    const bothLocked = barrier(2);
    const one = db.transaction(async (tx) => {
      attempts++;
      await tx.query('update public.pair set v = v + 1 where id = 1');
      await bothLocked();
      await tx.query('update public.pair set v = v + 1 where id = 2');
    });
    const two = db.transaction(async (tx) => {
      attempts++;
      await tx.query('update public.pair set v = v + 1 where id = 2');
      await bothLocked();
      await tx.query('update public.pair set v = v + 1 where id = 1');
    });
    await Promise.all([one, two]);
    expect(attempts).toBe(3);
    const { rows } = await db.query<{ v: number }>('select v from public.pair order by id');
    expect(rows.map((r) => r.v)).toEqual([2, 2]);
  });

  it('a transaction whose backend is terminated (57P01) is run again on a fresh connection, without crashing the process (fails on d2812c8)', async () => {
    const admin = await openDatabase({ url: handle.url, schema: 'hubspot', poolSize: 1 });
    try {
      let attempts = 0;
      const result = await db.transaction(async (tx) => {
        attempts++;
        const { rows } = await tx.query<{ pid: number }>('select pg_backend_pid() as pid');
        await tx.query('update public.pair set v = v + 10 where id = 1');
        if (attempts === 1) {
          await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
          await new Promise((r) => setTimeout(r, 100));
        }
        await tx.query('update public.pair set v = v + 10 where id = 2');
        return rows[0].pid;
      });
      expect(attempts).toBe(2);
      expect(typeof result).toBe('number');
      const { rows } = await db.query<{ v: number }>('select v from public.pair order by id');
      expect(rows.map((r) => r.v)).toEqual([12, 12]);
    } finally {
      await admin.close();
    }
  });

  it('errors that are not transient are not retried', async () => {
    let attempts = 0;
    await expect(
      db.transaction(async (tx) => {
        attempts++;
        await tx.query('select * from public.no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(attempts).toBe(1);
  });
});

describe('acquireRunLock', () => {
  it('gives its connection back when its query fails (fails on d2812c8: the client leaked, the next query waited forever)', async () => {
    const role = `lockless_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await db.query(`create role ${role} login password '${password}'`);
    await db.query(`grant usage on schema hubspot to ${role}`);
    // In this database only: the role may not take advisory locks, so the lock query fails.
    await db.query('revoke execute on function pg_try_advisory_lock(bigint) from public');
    const url = new URL(handle.url);
    url.username = role;
    url.password = password;
    const limited = await openDatabase({ url: url.toString(), schema: 'hubspot', poolSize: 1 });
    try {
      await expect(acquireRunLock(limited)).rejects.toThrow(/permission denied/);
      // One connection in the pool: a leaked one would leave nothing for this query.
      expect(
        await within(
          limited.query('select 1 as one').then((r) => r.rows[0].one),
          5000,
        ),
      ).toBe(1);
    } finally {
      await limited.close();
      await db.query('grant execute on function pg_try_advisory_lock(bigint) to public');
      const c = new pg.Client({ connectionString: handle.url });
      await c.connect();
      await c.query(`drop owned by ${role}`).catch(() => {});
      await c.query(`drop role ${role}`).catch(() => {});
      await c.end();
    }
  });
});

/** Resolves for everyone once `n` callers are waiting. */
function barrier(n: number): () => Promise<void> {
  let waiting = 0;
  let open: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return async () => {
    if (++waiting >= n) open();
    await opened;
  };
}
