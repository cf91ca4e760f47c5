import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { secretsOf, type Settings } from '../../config/settings.js';
import type { Database } from '../db/database.js';
import { DEFAULT_DATA_DIR, ident } from '../db/database.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { ExitCode } from '../exit-codes.js';
import { createLogger } from '../log.js';
import { closeSharedLimits } from '../limits/pg-shared-limits.js';
import { openFleetDatabase, workerPoolSize } from './fleet-db.js';
import { FleetMetrics, serveFleetMetrics } from './fleet-metrics.js';
import { OAuthTokens } from './oauth.js';
import { runPortalJob, type JobResult, type PortalRunDeps } from './portal-run.js';
import { WorkerPresence } from './presence.js';
import { createBoss, enqueuePortalRun, inTransaction, startQueue, JOB_EXPIRE_SECONDS, PORTAL_RUN_QUEUE, type PortalRunJob } from './queue.js';
import { enqueueDuePortals } from './scheduler.js';
import { KeyRing } from './secret-box.js';

/**
 * `npm run worker`: one worker process of the fleet. Any number of them, on any machines, share DATABASE_URL.
 * Each runs up to HUBSPOT_WORKER_CONCURRENCY portal runs at once (one pg-boss `work` loop per slot, one job
 * at a time each), queues the portals whose schedule is due, beats its heartbeat and hands the jobs of dead
 * workers back to the queue (src/fleet/presence.ts).
 *
 * The first SIGTERM/SIGINT stops taking jobs, lets each run finish the pages in flight and commit (the runs'
 * own stop signal), queues the unfinished runs again for another worker, and exits 0; a second signal exits
 * at once (130).
 */
export async function runWorker(settings: Settings, options: { log?: Logger; installSignalHandlers?: boolean } = {}): Promise<number> {
  const log = options.log ?? createLogger({ level: settings.logLevel, secrets: secretsOf(settings) });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ signal }, 'stopping: no new runs; the runs in flight finish their pages, commit and go back to the queue');
    stop.abort();
  };
  if (options.installSignalHandlers !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  try {
    // Every connection of this process (registry, pg-boss, each portal's schema) goes to one server: with no
    // DATABASE_URL the embedded one, started once here (a single worker on one machine, to try the fleet out).
    let url = settings.databaseUrl;
    if (!url) {
      const embedded = await startEmbeddedPostgres(DEFAULT_DATA_DIR);
      cleanups.push(() => embedded.stop());
      url = embedded.url;
    }
    // One pool for everything of this process (src/fleet/fleet-db.ts says why its size is enough).
    const fleetDb = await openFleetDatabase(
      { databaseUrl: url, fleet: settings.fleet },
      { poolSize: workerPoolSize(settings.fleet.workerConcurrency), applicationName: 'hubspot-extract worker' },
    );
    cleanups.push(() => fleetDb.close());
    // The portals' shared limits (one lease renewer and LISTEN session for every run), closed after the runs.
    cleanups.push(() => closeSharedLimits(fleetDb));
    const boss = createBoss({ url, fleet: settings.fleet, supervise: true, applicationName: 'hubspot-extract worker queue', db: fleetDb });
    boss.on('error', (error) => log.warn({ error: error.message }, 'queue error'));
    cleanups.push(() => boss.stop({ graceful: true, timeout: 5000 }));
    await startQueue(boss, fleetDb, settings.fleet, { update: true });

    const worker = new FleetWorker(settings, fleetDb, boss, log);
    await worker.start();
    cleanups.push(() => worker.presence.stop());
    if (settings.metricsPort) {
      const server = await serveFleetMetrics(worker.metrics, settings.metricsPort);
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      log.info({ port: settings.metricsPort }, `serving Prometheus metrics on http://127.0.0.1:${settings.metricsPort}/metrics`);
    }
    log.info({ worker: worker.id, concurrency: settings.fleet.workerConcurrency }, `worker ${worker.id} ready`);
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await worker.shutdown();
    log.info({ worker: worker.id }, `worker ${worker.id} stopped`);
    return ExitCode.ok;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: Error) => log.warn({ error: e.message }, 'cleanup failed'));
  }
}

class FleetWorker {
  readonly id = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly metrics = new FleetMetrics();
  readonly presence: WorkerPresence;
  private readonly running = new Map<string, AbortController>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly deps: PortalRunDeps;
  private scheduler?: NodeJS.Timeout;
  private scheduling?: Promise<unknown>;
  private stopping = false;

  constructor(
    private readonly settings: Settings,
    private readonly fleetDb: Database,
    private readonly boss: PgBoss,
    private readonly log: Logger,
  ) {
    const keys = KeyRing.fromSettings(settings.fleet);
    const app =
      settings.fleet.clientId && settings.fleet.clientSecret
        ? { clientId: settings.fleet.clientId, clientSecret: settings.fleet.clientSecret, baseUrl: settings.baseUrl }
        : undefined;
    this.deps = { settings, fleetDb, keys, oauth: new OAuthTokens(fleetDb, keys, app), workerId: this.id, log, metrics: this.metrics };
    this.presence = new WorkerPresence(
      fleetDb,
      boss,
      this.id,
      { host: hostname(), pid: process.pid, concurrency: settings.fleet.workerConcurrency, heartbeatSeconds: settings.fleet.heartbeatSeconds },
      log,
      () => {
        for (const controller of this.running.values()) controller.abort();
      },
    );
    this.metrics.concurrency.set(settings.fleet.workerConcurrency);
  }

  async start(): Promise<void> {
    await this.presence.register();
    this.presence.start();
    // A cap on concurrent runs per worker: one pg-boss work loop per slot, each taking one job at a time.
    for (let slot = 0; slot < this.settings.fleet.workerConcurrency; slot++) {
      await this.boss.work<PortalRunJob>(
        PORTAL_RUN_QUEUE,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.settings.fleet.pollSeconds },
        (jobs) => this.handle(jobs[0]),
      );
    }
    const tick = () => {
      if (this.scheduling || this.stopping) return;
      this.scheduling = enqueueDuePortals(this.fleetDb, this.boss, this.log)
        .then((queued) => {
          if (queued.length > 0) this.log.info({ portals: queued }, `queued the scheduled runs of ${queued.join(', ')}`);
        })
        .catch((e: Error) => this.log.warn({ error: e.message }, 'scheduling failed; trying again'))
        .finally(() => {
          this.scheduling = undefined;
        });
    };
    tick();
    // Not unref'd: it is what keeps an idle worker's process alive.
    this.scheduler = setInterval(tick, this.settings.fleet.pollSeconds * 1000);
  }

  private async handle(job: PgBoss.JobWithMetadata<PortalRunJob>): Promise<object> {
    const controller = new AbortController();
    if (this.stopping) controller.abort();
    this.running.set(job.id, controller);
    this.metrics.runningJobs.inc();
    // pg-boss fails a job still active at its expiry: stop the run a little before, and queue the rest again.
    const deadline = setTimeout(() => controller.abort(), (JOB_EXPIRE_SECONDS - 600) * 1000);
    deadline.unref();
    const work = runPortalJob(
      this.deps,
      job.data.portal,
      { id: job.id, retryCount: job.retryCount, createdOn: job.createdOn, fullRefresh: job.data.fullRefresh, sweepDeletes: job.data.sweepDeletes },
      controller.signal,
    ).then((result) => this.settle(job, result));
    this.inflight.add(work);
    try {
      return await work;
    } finally {
      clearTimeout(deadline);
      this.inflight.delete(work);
      this.running.delete(job.id);
      this.metrics.runningJobs.dec();
    }
  }

  /**
   * A failed run is thrown to pg-boss, which retries it (HUBSPOT_WORKER_RETRY_LIMIT, backoff from
   * HUBSPOT_WORKER_RETRY_DELAY_SECONDS). A stopped run (signal, expiry) or one that met its portal's run lock
   * held by another process is not a failure: the job completes and a new one is queued, at once or after
   * HUBSPOT_WORKER_LOCKED_DELAY_SECONDS, in the same transaction.
   */
  private async settle(job: PgBoss.JobWithMetadata<PortalRunJob>, result: JobResult): Promise<object> {
    const output = { outcome: result.outcome, runId: result.runId, rows: result.rows, error: result.error };
    if (result.outcome === 'failed') throw new Error(result.error ?? 'the run failed');
    const requeueIn = result.outcome === 'stopped' ? 0 : result.outcome === 'locked' ? this.settings.fleet.lockedDelaySeconds : undefined;
    const t = ident(this.fleetDb.schema);
    await this.fleetDb.transaction(async (tx) => {
      if (result.claimId) {
        const { rows } = await tx.query<{ outcome: string }>(`select outcome from ${t}.portal_jobs where id = $1 for update`, [result.claimId]);
        // Declared dead meanwhile: the job was failed and pg-boss retries it; this copy must not complete it.
        if (rows[0]?.outcome === 'lost') return;
      }
      await this.boss.complete(PORTAL_RUN_QUEUE, job.id, output, { db: inTransaction(tx) });
      if (requeueIn === undefined) return;
      const { rows } = await tx.query<{ status: string }>(`select status from ${t}.portals where name = $1`, [job.data.portal]);
      if (rows[0]?.status !== 'active') return;
      const reason = result.outcome === 'locked' ? 'locked' : 'requeue';
      await enqueuePortalRun(
        this.boss,
        tx,
        this.fleetDb.schema,
        { portal: job.data.portal, reason, fullRefresh: job.data.fullRefresh, sweepDeletes: job.data.sweepDeletes },
        { client: tx, startAfterSeconds: requeueIn },
      );
    });
    return output;
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.scheduler) clearInterval(this.scheduler);
    await this.scheduling;
    await this.presence.setState('stopping').catch(() => {});
    await this.boss.offWork(PORTAL_RUN_QUEUE);
    for (const controller of this.running.values()) controller.abort();
    await Promise.allSettled([...this.inflight]);
  }
}
