import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { seededRandom } from '../../../src/clock.js';
import { upsertLimit } from '../../../src/limits/pg-store.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { requestLogFromEntries } from '../../../src/verify/request-log.js';
import { analyseRequestLog } from '../../../src/verify/rolling-window-report.js';
import { portals, startWorker, stopWorkers, until, type WorkerProcess } from '../../helpers/fleet.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { useTestDatabase } from '../../helpers/postgres.js';

/**
 * The chaos test, against one simulator per portal (the simulator's multi-portal mode comes later):
 * workers are SIGKILLed at random and restarted while every portal syncs on a schedule. In the end every
 * portal equals its database, no portal's window went over its limit, and no two runs of one portal
 * overlapped. The scale (20 portals, a kill every 20 s) is `FLEET_CHAOS_PORTALS=20 FLEET_CHAOS_WORKERS=4
 * FLEET_CHAOS_KILL_EVERY_MS=20000 FLEET_CHAOS_KILLS=6`; the default is small enough for every `npm test`.
 */
const PORTALS = Number(process.env.FLEET_CHAOS_PORTALS ?? 3);
const KILLS = Number(process.env.FLEET_CHAOS_KILLS ?? 2);
const KILL_EVERY_MS = Number(process.env.FLEET_CHAOS_KILL_EVERY_MS ?? 5000);
const WORKERS = Number(process.env.FLEET_CHAOS_WORKERS ?? 2);
const LIMIT = 30;
const WINDOW_MS = 1000;
const SIZE = { contacts: 300, companies: 30, deals: 40, engagements: 400, forms: 2, submissions: 30 };

const handle = useTestDatabase('fleet_chaos');
const sims = new Map<string, RunningSimulator>();
const workers: WorkerProcess[] = [];
let fleetDb: Database;
const workerEnv: Record<string, string> = {
  HUBSPOT_WORKER_CONCURRENCY: '2',
  // Longer than the other tests': several workers and simulators share the machine's cores, and a worker
  // starved of CPU for a whole heartbeat would be declared dead while alive (harmless, but it slows the test).
  HUBSPOT_WORKER_HEARTBEAT_SECONDS: '6',
  HUBSPOT_WORKER_POLL_SECONDS: '1',
  HUBSPOT_WORKER_RETRY_DELAY_SECONDS: '0',
  HUBSPOT_WORKER_RETRY_LIMIT: '10',
  HUBSPOT_WORKER_LOCKED_DELAY_SECONDS: '1',
  HUBSPOT_SEARCH_LAG_MS: '0',
  HUBSPOT_MAX_CONCURRENCY: '4',
  LOG_LEVEL: 'info',
};
const names = Array.from({ length: PORTALS }, (_, i) => `chaos_${i}`);

beforeAll(async () => {
  workerEnv.DATABASE_URL = handle.url;
  fleetDb = await openDatabase({ url: handle.url, schema: 'hubspot_fleet', poolSize: 2 });
  for (const [i, name] of names.entries()) {
    const sim = await startSimulator({ seed: 500 + i, size: SIZE, token: `tok-${name}`, tenSecondLimit: LIMIT, rateLimitWindowMs: WINDOW_MS, latencyMedianMs: 20, latencyTailMs: 80, mutationsPerMinute: 30 });
    sims.set(name, sim);
    workerEnv[`TOKEN_${name.toUpperCase()}`] = sim.token;
    const added = await portals(['add', name, '--token-env', `TOKEN_${name.toUpperCase()}`, '--base-url', sim.url, '--schedule', '*/4 * * * * *'], { DATABASE_URL: handle.url });
    expect(added.error).toBeUndefined();
    await upsertLimit(fleetDb, 'hubspot_fleet', { name, limit: LIMIT, windowMs: WINDOW_MS, slotDecayPerSecond: 0, active: true });
  }
}, 120_000);

afterAll(async () => {
  await stopWorkers(workers);
  await fleetDb?.close();
  for (const sim of sims.values()) await sim.close();
});

describe('chaos: workers killed at random while the portals sync', () => {
  it('every portal ends equal to its database, within its limit, with no overlapping runs', async () => {
    const live: WorkerProcess[] = [];
    for (let i = 0; i < WORKERS; i++) live.push(startWorker(workerEnv));
    workers.push(...live);
    const random = seededRandom(7);
    const idOf = (w: WorkerProcess) => w.lines().find((l) => typeof l.worker === 'string')?.worker;
    let kills = 0;
    while (kills < KILLS) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS * (0.5 + random())));
      // A worker in the middle of a run (the case that matters), picked at random.
      const { rows } = await fleetDb.query<{ worker_id: string }>(`select distinct worker_id from hubspot_fleet.portal_jobs where outcome = 'running' order by 1`);
      const busy = live.filter((w) => rows.some((r) => r.worker_id === idOf(w)));
      if (busy.length === 0) continue;
      const victim = busy[Math.floor(random() * busy.length)];
      live.splice(live.indexOf(victim), 1);
      victim.child.kill('SIGKILL');
      await victim.done;
      kills++;
      const fresh = startWorker(workerEnv);
      live.push(fresh);
      workers.push(fresh);
    }

    // Quiesce: no more changes and no more schedules; then one last run of each portal from a clean queue.
    for (const sim of sims.values()) sim.setOptions({ mutationsPerMinute: 0 });
    for (const name of names) await portals(['update', name, '--no-schedule'], { DATABASE_URL: handle.url });
    const idle = async () => {
      const { rows } = await fleetDb.query<{ n: string }>(`select count(*) as n from hubspot_fleet.portal_jobs where outcome = 'running'`);
      const queued = await fleetDb.query<{ n: string }>(`select count(*) as n from hubspot_fleet_pgboss.job where state in ('created', 'retry', 'active')`);
      return Number(rows[0].n) === 0 && Number(queued.rows[0].n) === 0;
    };
    await until('the queue drains', idle, 240_000, 250);
    const lost = Number((await fleetDb.query<{ n: string }>(`select count(*) as n from hubspot_fleet.portal_jobs where outcome = 'lost'`)).rows[0].n);
    expect(lost).toBeGreaterThanOrEqual(KILLS);
    const mark = (await fleetDb.query<{ id: string }>('select coalesce(max(id), 0)::text as id from hubspot_fleet.portal_jobs')).rows[0].id;
    await portals(['run', '--all'], { DATABASE_URL: handle.url });
    await until(
      'a final run of every portal',
      async () => {
        const { rows } = await fleetDb.query<{ n: string }>(`select count(distinct portal) as n from hubspot_fleet.portal_jobs where id > $1 and outcome = 'succeeded'`, [mark]);
        return Number(rows[0].n) === names.length;
      },
      120_000,
      250,
    );

    for (const name of names) {
      const sim = sims.get(name)!;
      const db = await openDatabase({ url: handle.url, schema: `hubspot_${name}`, poolSize: 2 });
      try {
        expect(await portalDifferences(db, sim.manifest()), name).toEqual([]);
        expect(Object.values(await duplicateCounts(db)).every((n) => n === 0), name).toBe(true);
        // Runs of one portal never overlap: each `runs` row spans the time its run held the portal's lock (an
        // abandoned one ends when the next run found it); `portal_jobs` rows also cover the time around it.
        const { rows: runs } = await db.query<{ started_at: Date; finished_at: Date | null }>(`select started_at, finished_at from hubspot_${name}.runs order by started_at`);
        for (let i = 1; i < runs.length; i++) expect(runs[i].started_at.getTime(), name).toBeGreaterThanOrEqual(runs[i - 1].finished_at!.getTime());
      } finally {
        await db.close();
      }
      const report = analyseRequestLog(requestLogFromEntries(sim.requests()), { limit: LIMIT, windowMs: WINDOW_MS }).report;
      expect(report.violations, name).toBe(0);
      expect(report.status429, name).toBe(0);
    }
  }, 600_000);
});
