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
 * The chaos test: a worker is SIGKILLed at a fixed interval (in the middle of a run) and a new one
 * started, while every portal syncs on a schedule from one simulator serving them all (`portals: N`, each
 * portal its own token, data, window and request log) and keeps changing. In the end every portal equals its
 * database, no portal's window went over its limit (its own request log), and no two runs of one portal
 * overlapped (its `runs` rows). The scale, 20 portals and a kill every 20 s, runs with
 * `npm run chaos:fleet` (about 4 minutes); `npm test` runs the same shape smaller (FLEET_CHAOS_* below).
 */
const PORTALS = Number(process.env.FLEET_CHAOS_PORTALS ?? 3);
/** Kills that hit a worker in the middle of a run (a kill that finds its victim between runs does not count). */
const KILLS = Number(process.env.FLEET_CHAOS_KILLS ?? 2);
const KILL_EVERY_MS = Number(process.env.FLEET_CHAOS_KILL_EVERY_MS ?? 5000);
const WORKERS = Number(process.env.FLEET_CHAOS_WORKERS ?? 2);
const LIMIT = 30;
const WINDOW_MS = 1000;
const SIZE = { contacts: 300, companies: 30, deals: 40, engagements: 400, forms: 2, submissions: 30 };

const handle = useTestDatabase('fleet_chaos');
let sim: RunningSimulator;
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
const names = Array.from({ length: PORTALS }, (_, i) => `chaos_${i + 1}`);
/** Portal k of the simulator is the registry's chaos_k. */
const simPortal = (name: string) => sim.portals[names.indexOf(name)];

beforeAll(async () => {
  workerEnv.DATABASE_URL = handle.url;
  fleetDb = await openDatabase({ url: handle.url, schema: 'hubspot_fleet', poolSize: 2 });
  sim = await startSimulator({
    portals: PORTALS,
    seed: 500,
    size: SIZE,
    token: 'tok-chaos',
    tenSecondLimit: LIMIT,
    rateLimitWindowMs: WINDOW_MS,
    latencyMedianMs: 20,
    latencyTailMs: 80,
    mutationsPerMinute: 30,
  });
  for (const name of names) {
    const variable = `TOKEN_${name.toUpperCase()}`;
    workerEnv[variable] = simPortal(name).token;
    const added = await portals(['add', name, '--token-env', variable, '--base-url', sim.url, '--schedule', '*/4 * * * * *'], { DATABASE_URL: handle.url });
    expect(added.error).toBeUndefined();
    await upsertLimit(fleetDb, 'hubspot_fleet', { name, limit: LIMIT, windowMs: WINDOW_MS, slotDecayPerSecond: 0, active: true });
  }
}, 120_000);

afterAll(async () => {
  await stopWorkers(workers);
  await fleetDb?.close();
  await sim?.close();
});

describe('chaos: a worker killed in the middle of a run every few seconds while the portals sync', () => {
  it('every portal ends equal to its database, within its limit, with no overlapping runs', async () => {
    const live: WorkerProcess[] = [];
    for (let i = 0; i < WORKERS; i++) live.push(startWorker(workerEnv));
    workers.push(...live);
    const random = seededRandom(7);
    const idOf = (w: WorkerProcess) => w.lines().find((l) => typeof l.worker === 'string')?.worker as string | undefined;
    /** The claims that were running when their worker was killed: each must end `lost` and be retried elsewhere. */
    const cutShort: string[] = [];
    while (cutShort.length < KILLS) {
      await new Promise((r) => setTimeout(r, KILL_EVERY_MS));
      // A worker in the middle of a run (the case that matters), picked at random.
      const { rows } = await fleetDb.query<{ worker_id: string }>(
        `select distinct worker_id from hubspot_fleet.portal_jobs where outcome = 'running' order by 1`,
      );
      const busy = live.filter((w) => rows.some((r) => r.worker_id === idOf(w)));
      if (busy.length === 0) continue;
      const victim = busy[Math.floor(random() * busy.length)];
      live.splice(live.indexOf(victim), 1);
      victim.child.kill('SIGKILL');
      await victim.done;
      // Read after the death: a claim still `running` now was cut short (the run may have ended just before the kill).
      const { rows: claims } = await fleetDb.query<{ id: string }>(
        `select id::text from hubspot_fleet.portal_jobs where worker_id = $1 and outcome = 'running'`,
        [idOf(victim)],
      );
      cutShort.push(...claims.map((c) => c.id));
      const fresh = startWorker(workerEnv);
      live.push(fresh);
      workers.push(fresh);
    }

    // Quiesce: no more changes and no more schedules; then one last run of each portal from a clean queue.
    sim.setOptions({ mutationsPerMinute: 0 });
    for (const name of names) await portals(['update', name, '--no-schedule'], { DATABASE_URL: handle.url });
    const idle = async () => {
      const { rows } = await fleetDb.query<{ n: string }>(`select count(*) as n from hubspot_fleet.portal_jobs where outcome = 'running'`);
      const queued = await fleetDb.query<{ n: string }>(`select count(*) as n from hubspot_fleet_pgboss.job where state in ('created', 'retry', 'active')`);
      return Number(rows[0].n) === 0 && Number(queued.rows[0].n) === 0;
    };
    await until('the queue drains', idle, 240_000, 250);
    // Every run cut short by a kill was declared lost (and its job retried: the queue drained).
    const { rows: cut } = await fleetDb.query<{ outcome: string }>(`select outcome from hubspot_fleet.portal_jobs where id = any($1::bigint[])`, [cutShort]);
    expect(cut.map((c) => c.outcome)).toEqual(cutShort.map(() => 'lost'));
    const mark = (await fleetDb.query<{ id: string }>('select coalesce(max(id), 0)::text as id from hubspot_fleet.portal_jobs')).rows[0].id;
    // With the id sweep: an incremental run finds changes and archived records, but hard-deleted ones only in a
    // sweep (every HUBSPOT_DELETE_SWEEP_HOURS, or asked for), and the portals deleted records all along.
    // Without it the full-scale run failed with a call deleted after its portal's last full pass.
    expect((await portals(['run', '--all', '--sweep-deletes'], { DATABASE_URL: handle.url })).error).toBeUndefined();
    await until(
      'a final run of every portal',
      async () => {
        const { rows } = await fleetDb.query<{ n: string }>(
          `select count(distinct portal) as n from hubspot_fleet.portal_jobs where id > $1 and outcome = 'succeeded'`,
          [mark],
        );
        return Number(rows[0].n) === names.length;
      },
      120_000,
      250,
    );

    for (const name of names) {
      const portal = simPortal(name);
      const db = await openDatabase({ url: handle.url, schema: `hubspot_${name}`, poolSize: 2 });
      try {
        expect(await portalDifferences(db, portal.manifest()), name).toEqual([]);
        expect(
          Object.values(await duplicateCounts(db)).every((n) => n === 0),
          name,
        ).toBe(true);
        // Runs of one portal never overlap: each `runs` row spans the time its run held the portal's lock (an
        // abandoned one ends when the next run found it).
        const { rows: runs } = await db.query<{ started_at: Date; finished_at: Date | null }>(
          `select started_at, finished_at from hubspot_${name}.runs order by started_at`,
        );
        expect(runs.length, name).toBeGreaterThan(0);
        for (let i = 1; i < runs.length; i++) expect(runs[i].started_at.getTime(), name).toBeGreaterThanOrEqual(runs[i - 1].finished_at!.getTime());
      } finally {
        await db.close();
      }
      const report = analyseRequestLog(requestLogFromEntries(portal.requests()), { limit: LIMIT, windowMs: WINDOW_MS }).report;
      expect(report.requests, name).toBeGreaterThan(0);
      expect(report.violations, name).toBe(0);
      expect(report.maxInWindow, name).toBeLessThanOrEqual(LIMIT);
      expect(report.status429, name).toBe(0);
    }
  }, 900_000);
});
