import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { upsertLimit } from '../../../src/limits/pg-store.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { requestLogFromEntries } from '../../../src/verify/request-log.js';
import { analyseRequestLog } from '../../../src/verify/rolling-window-report.js';
import { CleanupStack, fleet, newKey, portals, startWorker, until, type WorkerProcess } from '../../helpers/fleet.js';
import { portalDifferences } from '../../helpers/portal-equality.js';
import { useTestDatabase } from '../../helpers/postgres.js';

/**
 * Two real worker processes share one Postgres and three portals, each its own simulator (its own port, token
 * and limit) and each with a different kind of credential. Every portal ends equal to its database, no run of
 * one portal overlaps another of the same portal, and no portal's window ever holds more than its limit.
 * Windows are scaled (the same limit per second instead of per ten seconds) to keep the runs short.
 */
const handle = useTestDatabase('fleet_workers');
const LIMIT = 40;
const WINDOW_MS = 1000;
const SIZE = { contacts: 150, companies: 20, deals: 30, engagements: 300, forms: 3, submissions: 60 };
const key = newKey();
const names = ['p_env', 'p_file', 'p_enc'] as const;
const sims = new Map<string, RunningSimulator>();
/** The workers serve every test of the file (the later ones look at what the first one's runs left). */
const workers: WorkerProcess[] = [];
const suite = new CleanupStack();
let fleetDb: Database;
let env: NodeJS.ProcessEnv;
let workerEnv: Record<string, string>;
let metricsPort = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function workerId(w: WorkerProcess): string {
  return String(w.lines().find((l) => typeof l.worker === 'string')?.worker);
}

beforeAll(async () => {
  for (const [i, name] of names.entries()) {
    const sim = await startSimulator({
      seed: 100 + i,
      size: SIZE,
      token: `tok-${name}-${i}-secret`,
      tenSecondLimit: LIMIT,
      rateLimitWindowMs: WINDOW_MS,
      latencyMedianMs: 8,
      latencyTailMs: 40,
    });
    suite.defer(() => sim.close());
    sims.set(name, sim);
  }
  env = { DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: key };
  const dir = await mkdtemp(path.join(tmpdir(), 'fleet-workers-'));
  const file = path.join(dir, 'token');
  await writeFile(file, sims.get('p_file')!.token);
  const added = [
    await portals(['add', 'p_env', '--token-env', 'TOKEN_P_ENV', '--base-url', sims.get('p_env')!.url], env),
    await portals(['add', 'p_file', '--token-file', file, '--base-url', sims.get('p_file')!.url], env),
    await portals(['add', 'p_enc', '--token-stdin', '--base-url', sims.get('p_enc')!.url], env, sims.get('p_enc')!.token),
  ];
  for (const a of added) expect(a.error).toBeUndefined();
  fleetDb = await openDatabase({ url: handle.url, schema: 'hubspot_fleet', poolSize: 2 });
  suite.defer(() => fleetDb.close());
  // The scaled window, on the portal's shared limit (the operator's `limits` tools can change it the same way).
  for (const name of names) await upsertLimit(fleetDb, 'hubspot_fleet', { name, limit: LIMIT, windowMs: WINDOW_MS, slotDecayPerSecond: 0, active: true });
  workerEnv = {
    DATABASE_URL: handle.url,
    HUBSPOT_FLEET_KEY: key,
    TOKEN_P_ENV: sims.get('p_env')!.token,
    HUBSPOT_WORKER_CONCURRENCY: '2',
    HUBSPOT_WORKER_HEARTBEAT_SECONDS: '3',
    HUBSPOT_WORKER_POLL_SECONDS: '1',
    HUBSPOT_WORKER_RETRY_DELAY_SECONDS: '0',
    HUBSPOT_WORKER_LOCKED_DELAY_SECONDS: '1',
    HUBSPOT_SEARCH_LAG_MS: '0',
    HUBSPOT_MAX_CONCURRENCY: '8',
  };
}, 60_000);

afterAll(() => suite.run());

async function succeededRuns(portal: string): Promise<number> {
  const { rows } = await fleetDb.query<{ n: string }>(`select count(*) as n from hubspot_fleet.portal_jobs where portal = $1 and outcome = 'succeeded'`, [
    portal,
  ]);
  return Number(rows[0].n);
}

describe('a fleet of two workers', () => {
  it('runs every portal queued with portals run --all; each ends equal to its portal, within its limit, never two runs of one portal at once', async () => {
    metricsPort = await freePort();
    workers.push(startWorker({ ...workerEnv, METRICS_PORT: String(metricsPort) }, suite), startWorker(workerEnv, suite));
    await Promise.all(workers.map((w) => w.waitFor((l) => String(l.msg).endsWith('ready'))));
    const queued = await portals(['run', '--all'], env);
    expect(queued.stdout.match(/queued \(job/g)).toHaveLength(3);
    await until('every portal ran once', async () => (await Promise.all(names.map(succeededRuns))).every((n) => n >= 1), 120_000, 250);

    for (const name of names) {
      const db = await openDatabase({ url: handle.url, schema: `hubspot_${name}`, poolSize: 2 });
      try {
        expect(await portalDifferences(db, sims.get(name)!.manifest()), name).toEqual([]);
      } finally {
        await db.close();
      }
      const report = analyseRequestLog(requestLogFromEntries(sims.get(name)!.requests()), { limit: LIMIT, windowMs: WINDOW_MS }).report;
      expect(report.status429, name).toBe(0);
      expect(report.violations, name).toBe(0);
      expect(report.maxInWindow, name).toBeLessThanOrEqual(LIMIT);
    }
    const { rows: byWorker } = await fleetDb.query<{ worker_id: string }>(`select distinct worker_id from hubspot_fleet.portal_jobs`);
    expect(byWorker.length).toBeGreaterThanOrEqual(1);

    const status = JSON.parse((await fleet(['status', '--json'], env)).stdout);
    expect(status.workers).toHaveLength(2);
    expect(status.workers.every((w: { alive: boolean }) => w.alive)).toBe(true);
    for (const name of names) {
      const p = status.portals.find((x: { name: string }) => x.name === name);
      expect(p.lastRun).toMatchObject({ status: 'succeeded' });
      expect(p.lastRun.runId).toMatch(/^\d+$/);
      expect(p.lastRun.rows).toBeGreaterThan(0);
    }
  }, 180_000);

  it('runs a portal on its own cron schedule, and stops when it is paused', async () => {
    const before = await succeededRuns('p_env');
    expect((await portals(['update', 'p_env', '--schedule', '*/2 * * * * *'], env)).error).toBeUndefined();
    await until('two scheduled runs', async () => (await succeededRuns('p_env')) >= before + 2, 60_000, 250);
    expect((await portals(['update', 'p_env', '--pause'], env)).error).toBeUndefined();
    const ls = await portals(['ls'], env);
    expect(ls.stdout).toMatch(/p_env\s+private\s+(paused)/);
  }, 90_000);

  it('never ran two runs of one portal at once; tokens never reached the logs', async () => {
    for (const name of names) {
      const db = await openDatabase({ url: handle.url, schema: `hubspot_${name}`, poolSize: 1 });
      try {
        const { rows } = await db.query<{ started_at: Date; finished_at: Date | null }>(
          `select started_at, finished_at from hubspot_${name}.runs order by started_at`,
        );
        expect(rows.length).toBeGreaterThan(0);
        for (let i = 1; i < rows.length; i++) expect(rows[i].started_at.getTime(), name).toBeGreaterThanOrEqual(rows[i - 1].finished_at!.getTime());
      } finally {
        await db.close();
      }
    }
    for (const w of workers) for (const sim of sims.values()) expect(w.stderr()).not.toContain(sim.token);
  });

  it('serves Prometheus metrics labelled by portal', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text.match(/^# TYPE hubspot_requests_total counter$/gm)).toHaveLength(1);
    const ran = (
      await fleetDb.query<{ portal: string }>(`select distinct portal from hubspot_fleet.portal_jobs where worker_id = $1`, [workerId(workers[0])])
    ).rows.map((r) => r.portal);
    expect(ran.length).toBeGreaterThan(0);
    for (const portal of ran) expect(text).toMatch(new RegExp(`^hubspot_requests_total\\{[^}]*portal="${portal}"[^}]*\\} \\d+`, 'm'));
    expect(text).toMatch(/^hubspot_fleet_worker_concurrency 2$/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });
});
