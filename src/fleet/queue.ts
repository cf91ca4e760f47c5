import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { FleetSettings } from '../../config/settings.js';
import type { Database, Queryable } from '../db/database.js';
import { ident } from '../db/database.js';
import { pgBossSchema } from './fleet-db.js';

/**
 * The fleet's queue is pg-boss 10 (the last major that runs on Node 20; 11 and later need Node 22), in its
 * own schema beside the registry. One queue, `portal_run`; one job per portal run, its singletonKey the
 * portal's name.
 *
 * Policy `short` (at most one *queued* job per key) and not `singleton`/`stately`: in pg-boss 10 a queued job
 * whose key already has an active job makes the fetch statement fail its unique index, and the fetch returns
 * nothing at all, so every other portal would wait behind it (timgit/pg-boss#535). With `short`, a second job
 * of a running portal can be fetched; it then meets the portal's run lock (src/run/run-lock.ts) and is queued
 * again later, which is the "last guard" the issue asks for. The scheduler never queues a running portal, so
 * that happens only in races.
 *
 * Fairness: pg-boss fetches by `priority desc, created_on`. A job's priority is minus the minute its portal's
 * last run finished (0 when it never ran), so the portals that have waited longest since their last run go
 * first, whatever order their jobs were queued in.
 */
export const PORTAL_RUN_QUEUE = 'portal_run';

/** pg-boss 10 refuses expirations of 24 hours or more; a run still going after this is stopped and requeued. */
export const JOB_EXPIRE_SECONDS = 23 * 3600;

export type RunReason = 'schedule' | 'manual' | 'requeue' | 'locked';

export interface PortalRunJob {
  portal: string;
  reason: RunReason;
  fullRefresh?: boolean;
  /** Look for hard-deleted records now (the id sweep), not only when HUBSPOT_DELETE_SWEEP_HOURS says so. */
  sweepDeletes?: boolean;
}

export interface BossOptions {
  url: string;
  fleet: FleetSettings;
  /** Workers supervise (pg-boss maintenance: expiry, archiving); one-shot CLI commands do not. */
  supervise: boolean;
  applicationName: string;
  /** Send pg-boss's statements through this pool (a worker's one pool) instead of a pool of its own. */
  db?: Database;
}

export function createBoss(options: BossOptions): PgBoss {
  const db = options.db;
  return new PgBoss({
    connectionString: options.url,
    schema: pgBossSchema(options.fleet.schema),
    application_name: options.applicationName,
    max: 3,
    ...(db ? { db: { executeSql: (text: string, values: unknown[]) => db.query(text, values) } } : {}),
    // Per-portal cron lives in the registry (pg-boss 10 keys a cron schedule by queue name: one per queue).
    schedule: false,
    supervise: options.supervise,
    migrate: true,
    pollingIntervalSeconds: options.fleet.pollSeconds,
  });
}

/**
 * Creates the queue if missing (idempotent). Workers also bring its retry settings up to date from their own
 * environment (`update`); one-shot commands only create it, so the CLI's environment never overrides them.
 */
/**
 * Starts pg-boss and makes sure the queue exists, one process at a time: two workers (or a worker and a
 * `portals` command) starting together on a fresh database both install pg-boss's schema, and one of them
 * failed at start on a catalog's unique index (`pg_namespace_nspname_index`, seen in CI). Under this lock the
 * second finds everything installed. The lock is a session lock on one connection of `db`, held only for the start.
 */
export async function startQueue(boss: PgBoss, db: Database, fleet: FleetSettings, options: { update: boolean }): Promise<void> {
  const client = await db.connect();
  const key = `hubspot-extract:queue-start:${pgBossSchema(fleet.schema)}`;
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [key]);
    try {
      await boss.start();
      await ensureQueue(boss, fleet, options);
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
    }
  } finally {
    client.release();
  }
}

export async function ensureQueue(boss: PgBoss, fleet: FleetSettings, options: { update: boolean }): Promise<void> {
  const queue = {
    name: PORTAL_RUN_QUEUE,
    policy: 'short' as const,
    retryLimit: fleet.retryLimit,
    retryDelay: fleet.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: JOB_EXPIRE_SECONDS,
  };
  await boss.createQueue(PORTAL_RUN_QUEUE, queue);
  if (options.update) await boss.updateQueue(PORTAL_RUN_QUEUE, queue);
}

/** pg-boss statements run inside one of our transactions (its `db` option). */
export function inTransaction(client: pg.PoolClient): PgBoss.Db {
  return { executeSql: (text, values) => client.query(text, values) };
}

/**
 * The priority of a portal's next job: minus the minute its last run finished, 0 when it never ran, so the
 * longest-waiting portal is fetched first.
 */
export async function fairnessPriority(q: Queryable, fleetSchema: string, portal: string): Promise<number> {
  const { rows } = await q.query<{ priority: number }>(
    `select coalesce(-floor(extract(epoch from max(finished_at)) / 60)::int, 0) as priority
       from ${ident(fleetSchema)}.portal_jobs where portal = $1 and run_id is not null`,
    [portal],
  );
  return rows[0]?.priority ?? 0;
}

export interface EnqueueOptions {
  /** Seconds from now. */
  startAfterSeconds?: number;
  /** Run the statements in this transaction. */
  client?: pg.PoolClient;
}

/** Queues one run of a portal; undefined when one is queued already (the `short` policy's singletonKey). */
export async function enqueuePortalRun(
  boss: PgBoss,
  q: Queryable,
  fleetSchema: string,
  job: PortalRunJob,
  options: EnqueueOptions = {},
): Promise<string | undefined> {
  const priority = await fairnessPriority(options.client ?? q, fleetSchema, job.portal);
  const id = await boss.send(
    PORTAL_RUN_QUEUE,
    { ...job },
    {
      singletonKey: job.portal,
      priority,
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
      ...(options.client ? { db: inTransaction(options.client) } : {}),
    },
  );
  return id ?? undefined;
}

/** Queued (created or waiting to retry) and running jobs, by portal. */
export async function queuedJobs(q: Queryable, fleetSchema: string): Promise<{ portal: string; state: string; startAfter: Date; createdOn: Date }[]> {
  const { rows } = await q.query<{ portal: string; state: string; start_after: Date; created_on: Date }>(
    `select singleton_key as portal, state::text as state, start_after, created_on
       from ${ident(pgBossSchema(fleetSchema))}.job
      where name = $1 and state in ('created', 'retry', 'active')
      order by created_on`,
    [PORTAL_RUN_QUEUE],
  );
  return rows.map((r) => ({ portal: r.portal, state: r.state, startAfter: r.start_after, createdOn: r.created_on }));
}
