import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../config/settings.js';
import type { Database } from '../../../src/db/database.js';
import { openFleetDatabase } from '../../../src/fleet/fleet-db.js';
import { createBoss, enqueuePortalRun, ensureQueue, PORTAL_RUN_QUEUE, type PortalRunJob } from '../../../src/fleet/queue.js';
import { enqueueDuePortals } from '../../../src/fleet/scheduler.js';
import { createLogger } from '../../../src/log.js';
import { newKey, portals } from '../../helpers/fleet.js';
import { useTestDatabase } from '../../helpers/postgres.js';

/**
 * The queue's rules, on pg-boss itself: at most one queued job per portal; a queued job of a portal that is
 * running does not hold up the other portals (why the queue's policy is `short`); portals that waited longest
 * since their last run are fetched first; a due schedule queues one job and moves to its next time.
 */
const handle = useTestDatabase('fleet_queue');
let db: Database;
let boss: PgBoss;
const fleet = () => parseSettings({ DATABASE_URL: handle.url }).fleet;
const log = createLogger({ level: 'silent', secrets: [] });

beforeAll(async () => {
  db = await openFleetDatabase({ databaseUrl: handle.url, fleet: fleet() });
  for (const name of ['a', 'b', 'c', 'd'])
    expect((await portals(['add', name, '--token-env', 'X'], { DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: newKey() })).error).toBeUndefined();
  boss = createBoss({ url: handle.url, fleet: fleet(), supervise: false, applicationName: 'queue test' });
  await boss.start();
  await ensureQueue(boss, fleet(), { update: true });
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await db?.close();
});

const fetchOne = async () => (await boss.fetch<PortalRunJob>(PORTAL_RUN_QUEUE))[0];

describe('the portal_run queue', () => {
  it('holds at most one queued job per portal', async () => {
    expect(await enqueuePortalRun(boss, db, db.schema, { portal: 'a', reason: 'manual' })).toBeDefined();
    expect(await enqueuePortalRun(boss, db, db.schema, { portal: 'a', reason: 'schedule' })).toBeUndefined();
    const job = await fetchOne();
    expect(job.data).toMatchObject({ portal: 'a', reason: 'manual' });
    await boss.complete(PORTAL_RUN_QUEUE, job.id);
  });

  it('a queued job of a running portal does not hold up the others', async () => {
    await enqueuePortalRun(boss, db, db.schema, { portal: 'a', reason: 'manual' });
    const running = await fetchOne();
    // Another job of `a` while it runs (what a race between two schedulers could do), then one of `b`.
    await enqueuePortalRun(boss, db, db.schema, { portal: 'a', reason: 'manual' });
    await enqueuePortalRun(boss, db, db.schema, { portal: 'b', reason: 'manual' });
    const next = [await fetchOne(), await fetchOne()].map((j) => j.data.portal).sort();
    // Both come out (the second `a` then meets the run lock and is queued again later); nothing is stuck.
    expect(next).toEqual(['a', 'b']);
    const { rows } = await db.query<{ id: string }>(`select id from hubspot_fleet_pgboss.job where state = 'active'`);
    await boss.complete(
      PORTAL_RUN_QUEUE,
      rows.map((r) => r.id),
    );
    expect(running).toBeDefined();
  });

  it('the portals that have waited longest since their last run go first, whatever order they were queued in', async () => {
    const finished = async (portal: string, minutesAgo: number) =>
      db.query(
        `insert into hubspot_fleet.portal_jobs (job_id, portal, worker_id, attempt, finished_at, outcome, run_id) values (gen_random_uuid(), $1, 'w', 0, now() - make_interval(mins => $2), 'succeeded', 1)`,
        [portal, minutesAgo],
      );
    await finished('a', 5);
    await finished('b', 60);
    await finished('c', 30);
    // `d` never ran.
    for (const portal of ['a', 'b', 'c', 'd']) await enqueuePortalRun(boss, db, db.schema, { portal, reason: 'schedule' });
    const order = [];
    for (let i = 0; i < 4; i++) {
      const job = await fetchOne();
      order.push(job.data.portal);
      await boss.complete(PORTAL_RUN_QUEUE, job.id);
    }
    expect(order).toEqual(['d', 'b', 'c', 'a']);
  });

  it('a due schedule queues one job and moves to its next time; a running portal skips its tick', async () => {
    await db.query(`update hubspot_fleet.portals set schedule = '0 * * * *', next_run_at = now() - interval '1 minute' where name in ('a', 'b')`);
    await db.query(`insert into hubspot_fleet.portal_jobs (job_id, portal, worker_id, attempt) values (gen_random_uuid(), 'b', 'w', 0)`);
    expect(await enqueueDuePortals(db, boss, log)).toEqual(['a']);
    expect(await enqueueDuePortals(db, boss, log)).toEqual([]);
    const { rows } = await db.query<{ name: string; next: Date; now: Date }>(
      `select name, next_run_at as next, now() from hubspot_fleet.portals where name in ('a', 'b') order by name`,
    );
    for (const r of rows) {
      expect(r.next.getTime()).toBeGreaterThan(r.now.getTime());
      expect(r.next.getUTCMinutes()).toBe(0);
    }
    const job = await fetchOne();
    expect(job.data).toMatchObject({ portal: 'a', reason: 'schedule' });
    expect(await fetchOne()).toBeUndefined();
  });
});
