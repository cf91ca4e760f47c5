import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { upsertLimit } from '../../../src/limits/pg-store.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { requestLogFromEntries } from '../../../src/verify/request-log.js';
import { analyseRequestLog } from '../../../src/verify/rolling-window-report.js';
import {
  CleanupStack,
  committedState,
  passesUnderWay,
  portals,
  rewrittenRows,
  startWorker,
  until,
  withCleanup,
  type CommittedState,
  type WorkerProcess,
} from '../../helpers/fleet.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { useTestDatabase } from '../../helpers/postgres.js';

/**
 * Real worker processes killed in the middle of a portal's run. SIGKILL: the dead worker's heartbeat stops,
 * another worker fails its job through pg-boss, takes the retry and resumes from the committed cursors.
 * SIGTERM: the worker finishes the pages in flight, commits, queues the rest of the run again and exits 0;
 * another worker finishes it. "Resumes" is checked on what was committed, not on the requests (their paths
 * and strategies are the extractor's business): no record committed before the interruption is read again.
 * The portal is slowed down (latency, a low scaled limit) so that a run lasts long enough to be interrupted.
 */
const handle = useTestDatabase('fleet_crash');
const LIMIT = 20;
const WINDOW_MS = 1000;
const SIZE = { contacts: 900, companies: 60, deals: 80, engagements: 600, forms: 2, submissions: 40 };
const suite = new CleanupStack();
let fleetDb: Database;
const env = () => ({ DATABASE_URL: handle.url });
let workerEnv: Record<string, string>;

beforeAll(async () => {
  fleetDb = await openDatabase({ url: handle.url, schema: 'hubspot_fleet', poolSize: 2 });
  suite.defer(() => fleetDb.close());
  workerEnv = {
    DATABASE_URL: handle.url,
    HUBSPOT_WORKER_CONCURRENCY: '1',
    HUBSPOT_WORKER_HEARTBEAT_SECONDS: '3',
    HUBSPOT_WORKER_POLL_SECONDS: '1',
    HUBSPOT_WORKER_RETRY_DELAY_SECONDS: '0',
    HUBSPOT_WORKER_LOCKED_DELAY_SECONDS: '1',
    HUBSPOT_SEARCH_LAG_MS: '0',
    HUBSPOT_MAX_CONCURRENCY: '4',
  };
});

afterAll(() => suite.run());

async function addPortal(name: string, seed: number): Promise<RunningSimulator> {
  const sim = await startSimulator({
    seed,
    size: SIZE,
    token: `tok-${name}`,
    tenSecondLimit: LIMIT,
    rateLimitWindowMs: WINDOW_MS,
    latencyMedianMs: 60,
    latencyTailMs: 150,
  });
  suite.defer(() => sim.close());
  workerEnv[`TOKEN_${name.toUpperCase()}`] = sim.token;
  expect((await portals(['add', name, '--token-env', `TOKEN_${name.toUpperCase()}`, '--base-url', sim.url], env())).error).toBeUndefined();
  await upsertLimit(fleetDb, 'hubspot_fleet', { name, limit: LIMIT, windowMs: WINDOW_MS, slotDecayPerSecond: 0, active: true });
  return sim;
}

function workerIdOf(w: WorkerProcess): Promise<string> {
  return w.waitFor((l) => String(l.msg).endsWith('ready')).then((l) => String(l.worker));
}

async function claimOf(portal: string, worker: string): Promise<{ job_id: string; outcome: string } | undefined> {
  const { rows } = await fleetDb.query<{ job_id: string; outcome: string }>(
    `select job_id, outcome from hubspot_fleet.portal_jobs where portal = $1 and worker_id = $2 order by id desc limit 1`,
    [portal, worker],
  );
  return rows[0];
}

/** Waits until the portal's run has committed some pages of a full pass and not finished it (well under way). */
async function underWay(portal: string): Promise<string[]> {
  return until(
    'a full pass under way',
    async () => {
      const state = await committedState(fleetDb, `hubspot_${portal}`).catch(() => undefined);
      const types = state ? passesUnderWay(state) : [];
      return types.length > 0 ? types : undefined;
    },
    60_000,
    20,
  );
}

/**
 * Resumed, not restarted: every row committed before the interruption is as that commit left it (not read
 * again), the passes that were under way then went on to load the rest of their type (the portal equality
 * says so), and the run that finished began where the committed cursors were.
 */
async function expectResumed(portal: string, atStop: CommittedState, midway: string[]): Promise<void> {
  const atEnd = await committedState(fleetDb, `hubspot_${portal}`);
  for (const type of midway) expect(atStop.rows.get(type)?.size, `${type} rows committed before the interruption`).toBeGreaterThan(0);
  expect(rewrittenRows(atStop, atEnd).slice(0, 10)).toEqual([]);
  for (const type of midway) expect(atEnd.cursors.get(type)?.full, `${type}: its full pass finished`).toBeUndefined();
}

async function expectEqualAndWithinLimit(portal: string, sim: RunningSimulator): Promise<void> {
  const db = await openDatabase({ url: handle.url, schema: `hubspot_${portal}`, poolSize: 2 });
  try {
    expect(await portalDifferences(db, sim.manifest())).toEqual([]);
    expect(Object.values(await duplicateCounts(db)).every((n) => n === 0)).toBe(true);
  } finally {
    await db.close();
  }
  const report = analyseRequestLog(requestLogFromEntries(sim.requests()), { limit: LIMIT, windowMs: WINDOW_MS }).report;
  expect(report.status429).toBe(0);
  expect(report.violations).toBe(0);
}

describe('a worker dies in the middle of a run', () => {
  it(
    'SIGKILL: another worker takes the job after the heartbeat lapses and resumes from the committed cursors',
    () =>
      withCleanup(async (stack) => {
        const sim = await addPortal('killed', 21);
        const a = startWorker(workerEnv, stack);
        const aId = await workerIdOf(a);
        expect((await portals(['run', 'killed'], env())).stdout).toContain('killed: queued');
        await until('worker A runs the portal', async () => (await claimOf('killed', aId))?.outcome === 'running');
        const midway = await underWay('killed');
        a.child.kill('SIGKILL');
        expect((await a.done).signal).toBe('SIGKILL');
        // Read after the death: exactly what the dead worker committed (nothing else writes until B starts).
        const atKill = await committedState(fleetDb, 'hubspot_killed');

        const b = startWorker(workerEnv, stack);
        const bId = await workerIdOf(b);
        const bJob = await until(
          'worker B takes over the same job',
          async () => {
            const claim = await claimOf('killed', bId);
            return claim?.outcome === 'succeeded' ? claim : undefined;
          },
          120_000,
          200,
        );
        const aClaim = (await claimOf('killed', aId))!;
        expect(aClaim.outcome).toBe('lost');
        expect(bJob.job_id).toBe(aClaim.job_id);
        expect(b.lines().some((l) => String(l.msg).includes(`worker ${aId} is gone`))).toBe(true);

        await expectEqualAndWithinLimit('killed', sim);
        const runs = (await fleetDb.query<{ status: string }>('select status from hubspot_killed.runs order by id')).rows.map((r) => r.status);
        expect(runs).toEqual(['abandoned', 'succeeded']);
        await expectResumed('killed', atKill, midway);
        b.child.kill('SIGTERM');
        expect((await b.done).code).toBe(0);
      }),
    180_000,
  );

  it(
    'SIGTERM: the worker finishes its pages, queues the rest of the run again and exits 0; another worker finishes it',
    () =>
      withCleanup(async (stack) => {
        const sim = await addPortal('stopped', 22);
        const c = startWorker(workerEnv, stack);
        const cId = await workerIdOf(c);
        await portals(['run', 'stopped'], env());
        await until('worker C runs the portal', async () => (await claimOf('stopped', cId))?.outcome === 'running');
        const midway = await underWay('stopped');
        c.child.kill('SIGTERM');
        const result = await c.done;
        expect(result.code).toBe(0);
        expect(c.stderr()).not.toMatch(/"level":"(error|fatal)"/);
        expect((await claimOf('stopped', cId))!.outcome).toBe('stopped');
        const atStop = await committedState(fleetDb, 'hubspot_stopped');
        const { rows: stoppedRun } = await fleetDb.query<{ status: string; finished_at: Date | null }>(
          'select status, finished_at from hubspot_stopped.runs order by id',
        );
        expect(stoppedRun.map((r) => r.status)).toEqual(['stopped']);
        expect(stoppedRun[0].finished_at).not.toBeNull();
        // Its worker row is gone (a clean exit, not a death), and the rest of the run waits in the queue.
        expect((await fleetDb.query('select 1 from hubspot_fleet.workers where id = $1', [cId])).rowCount).toBe(0);
        const ls = JSON.parse((await portals(['ls', '--json'], env())).stdout) as { name: string; queued: { state: string } | null }[];
        expect(ls.find((p) => p.name === 'stopped')!.queued).toMatchObject({ state: 'created' });

        const d = startWorker(workerEnv, stack);
        const dId = await workerIdOf(d);
        await until('worker D finishes the run', async () => (await claimOf('stopped', dId))?.outcome === 'succeeded', 120_000, 200);
        await expectEqualAndWithinLimit('stopped', sim);
        const runs = (await fleetDb.query<{ status: string }>('select status from hubspot_stopped.runs order by id')).rows.map((r) => r.status);
        expect(runs).toEqual(['stopped', 'succeeded']);
        await expectResumed('stopped', atStop, midway);
      }),
    180_000,
  );
});
