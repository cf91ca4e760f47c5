import type { Queryable } from '../db/database.js';
import { ident } from '../db/database.js';
import type { PortalRecord } from './portal-spec.js';
import { queuedJobs } from './queue.js';
import { listPortals } from './registry.js';

/**
 * What `portals ls` and `fleet status` show: each portal's last finished run, the run going now, the job
 * waiting in the queue; the live workers. Read from the registry, `portal_jobs`, `workers` and (read only)
 * pg-boss's job table.
 */
export interface LastRun {
  runId?: string;
  status: string;
  finishedAt: Date;
  rows?: number;
  error?: string;
}

export interface PortalOverview {
  portal: PortalRecord;
  lastRun?: LastRun;
  running?: { workerId: string; startedAt: Date; attempt: number };
  queued?: { state: string; startAfter: Date };
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  state: string;
  startedAt: Date;
  heartbeatAt: Date;
  heartbeatAgeSeconds: number;
  running: number;
}

export async function portalOverviews(q: Queryable, fleetSchema: string): Promise<PortalOverview[]> {
  const t = ident(fleetSchema);
  const [portals, last, running, queued] = await Promise.all([
    listPortals(q, fleetSchema),
    q.query<{ portal: string; run_id: string | null; outcome: string; finished_at: Date; rows: string | null; error: string | null }>(
      `select distinct on (portal) portal, run_id::text, outcome, finished_at, rows::text, error
         from ${t}.portal_jobs where finished_at is not null order by portal, finished_at desc, id desc`,
    ),
    q.query<{ portal: string; worker_id: string; started_at: Date; attempt: number }>(
      `select portal, worker_id, started_at, attempt from ${t}.portal_jobs where outcome = 'running'`,
    ),
    queuedJobs(q, fleetSchema).catch(() => []),
  ]);
  const lastBy = new Map(last.rows.map((r) => [r.portal, r]));
  const runningBy = new Map(running.rows.map((r) => [r.portal, r]));
  const queuedBy = new Map(queued.filter((j) => j.state !== 'active').map((j) => [j.portal, j]));
  return portals.map((portal) => {
    const l = lastBy.get(portal.name);
    const r = runningBy.get(portal.name);
    const qd = queuedBy.get(portal.name);
    return {
      portal,
      lastRun: l
        ? {
            runId: l.run_id ?? undefined,
            status: l.outcome,
            finishedAt: l.finished_at,
            rows: l.rows === null ? undefined : Number(l.rows),
            error: l.error ?? undefined,
          }
        : undefined,
      running: r ? { workerId: r.worker_id, startedAt: r.started_at, attempt: r.attempt } : undefined,
      queued: qd ? { state: qd.state, startAfter: qd.startAfter } : undefined,
    };
  });
}

export async function liveWorkers(q: Queryable, fleetSchema: string): Promise<WorkerRow[]> {
  const t = ident(fleetSchema);
  const { rows } = await q.query<{
    id: string;
    host: string;
    pid: number;
    concurrency: number;
    state: string;
    started_at: Date;
    heartbeat_at: Date;
    age: number;
    running: string;
  }>(
    `select w.id, w.host, w.pid, w.concurrency, w.state, w.started_at, w.heartbeat_at,
            extract(epoch from now() - w.heartbeat_at)::float8 as age,
            (select count(*) from ${t}.portal_jobs j where j.worker_id = w.id and j.outcome = 'running') as running
       from ${t}.workers w order by w.started_at`,
  );
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pid: r.pid,
    concurrency: r.concurrency,
    state: r.state,
    startedAt: r.started_at,
    heartbeatAt: r.heartbeat_at,
    heartbeatAgeSeconds: Math.round(r.age * 10) / 10,
    running: Number(r.running),
  }));
}

/** The status a person reads first: what the portal is doing now, else how its last run ended. */
export function currentState(o: PortalOverview): string {
  if (o.portal.status !== 'active') return o.portal.status;
  if (o.running) return 'running';
  if (o.queued) return o.queued.state === 'retry' ? 'retrying' : 'queued';
  return o.lastRun?.status ?? 'never run';
}
