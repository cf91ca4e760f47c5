import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { ensureLimit, SharedLimits } from '../../../src/limits/pg-shared-limits.js';
import { holdersOf, limitUsage } from '../../../src/limits/pg-store.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { spawnWorker, type WorkerProcess } from './spawn-worker.js';

/**
 * Issue 17 item 9: a holder paused (SIGSTOP) for longer than its lease loses its slots to others. On
 * d2812c8 it never learned: after SIGCONT it went on using them, 4 slots in use against a limit of 2. Now
 * the next renewal finds the leases gone, the holder is told (the Release's `lost` signal), stops using
 * them and acquires again, and gets them only once they are free.
 */
const LEASE_MS = 1000;
const handle = useTestDatabase('limits_paused');
let db: Database;
let worker: WorkerProcess | undefined;
let other: SharedLimits | undefined;

beforeAll(async () => {
  db = await openMigrated(handle, 'hubspot');
});

afterAll(async () => {
  worker?.kill('SIGCONT');
  worker?.kill('SIGKILL');
  await other?.close();
  await db?.close();
});

async function until(what: string, fn: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a holder paused longer than its lease', () => {
  it('learns it lost its slots, stops using them and acquires again (fails on d2812c8: 4 in use against a limit of 2)', async () => {
    await ensureLimit(db, 'paused', { limit: 2 });
    worker = spawnWorker({ DATABASE_URL: handle.url, WORKER_MODE: 'hold', WORKER_LIMIT: 'paused', WORKER_HOLD_SLOTS: '2', WORKER_LEASE_MS: String(LEASE_MS) });
    const lines: string[] = [];
    worker.child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const holder = (await worker.line(/^held /)).slice('held '.length);

    worker.kill('SIGSTOP');
    // Another process gets both slots once the paused holder's lease has run out.
    other = new SharedLimits(db, { leaseMs: LEASE_MS, maxPollMs: 100 });
    const release = await other.limiter('paused').acquire(2, { timeoutMs: 10 * LEASE_MS });
    worker.kill('SIGCONT');

    await until('the resumed holder to learn it lost its slots', () => lines.includes('lost'));
    // It asks again, and waits: the slots are the other process's now.
    await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
    expect(lines.filter((l) => l.startsWith('held '))).toHaveLength(1);
    expect((await holdersOf(db, db.schema, 'paused')).map((h) => [h.holder, h.heldSlots])).toEqual([[other.holder, 2]]);
    expect((await limitUsage(db, db.schema, 'paused'))?.inUse).toBe(2);

    // Given back, they go to the holder that waited.
    release();
    await until('the holder to hold its slots again', () => lines.filter((l) => l.startsWith('held ')).length === 2);
    expect((await holdersOf(db, db.schema, 'paused')).map((h) => [h.holder, h.heldSlots])).toEqual([[holder, 2]]);
  }, 60_000);
});

describe('the lease renewer', () => {
  it('opens one connection however many renewals run at once (fails on d2812c8: one per concurrent renewal, the others leaked)', async () => {
    await ensureLimit(db, 'reentrant', { limit: 1 });
    // Renewal connections: their last statement is a renewal (other holders of this file have theirs).
    const renewers = async () =>
      (
        await db.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and query like '%set expires_at = clock_timestamp()%'`,
        )
      ).rows[0].n;
    const before = await renewers();
    const shared = new SharedLimits(db, { leaseMs: 5000, holder: 'reentrant-holder' });
    try {
      const release = await shared.limiter('reentrant').acquire(1);
      const results = await Promise.all(Array.from({ length: 5 }, () => shared.renewNow()));
      expect(results.map((r) => r.leases)).toEqual([1, 1, 1, 1, 1]);
      expect((await renewers()) - before).toBe(1);
      release();
    } finally {
      await shared.close();
    }
  });
});
