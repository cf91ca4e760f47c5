import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import { inTransaction, PORTAL_RUN_QUEUE } from './queue.js';

/**
 * Worker heartbeats and the hand-over of a dead worker's jobs.
 *
 * pg-boss 10 has no job heartbeat: a job stays `active` until it completes, fails, or its expiry passes,
 * and the expiry must exceed the longest run (hours) — far too long to wait for a SIGKILLed worker's job.
 * So each worker keeps a row in `workers` whose `heartbeat_at` it renews every third of
 * HUBSPOT_WORKER_HEARTBEAT_SECONDS, and every worker also reaps: a worker silent for longer than that is
 * dead; in one transaction its row goes, its running claims in `portal_jobs` become `lost`, and their jobs
 * are failed through pg-boss (`fail`), whose retry puts them back in the queue for any worker to take. The
 * new run resumes from the committed cursors, as any run does; the dead process's run lock went with its
 * connections. Times are the database's, so the machines' clocks do not matter.
 */
export class WorkerPresence {
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly boss: PgBoss,
    readonly id: string,
    private readonly info: { host: string; pid: number; concurrency: number; heartbeatSeconds: number },
    private readonly log: Logger,
    /** Called when this worker finds it was declared dead (its runs are being retried elsewhere). */
    private readonly onDeclaredDead: () => void,
  ) {}

  private get t(): string {
    return ident(this.db.schema);
  }

  async register(): Promise<void> {
    await this.db.query(
      `insert into ${this.t}.workers (id, host, pid, concurrency) values ($1, $2, $3, $4)
       on conflict (id) do update set heartbeat_at = now(), state = 'running'`,
      [this.id, this.info.host, this.info.pid, this.info.concurrency],
    );
  }

  start(): void {
    const every = Math.max(250, (this.info.heartbeatSeconds * 1000) / 3);
    this.timer = setInterval(() => {
      if (this.beating) return;
      this.beating = this.tick().finally(() => {
        this.beating = undefined;
      });
    }, every);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.beat();
      await this.reap();
    } catch (error) {
      this.log.warn({ error: (error as Error).message }, 'heartbeat failed; trying again');
    }
  }

  async beat(): Promise<void> {
    const { rowCount } = await this.db.query(`update ${this.t}.workers set heartbeat_at = now() where id = $1`, [this.id]);
    if (!rowCount) {
      this.log.error(
        { worker: this.id },
        'this worker was declared dead (no heartbeat in time): its runs were handed to other workers; stopping them and registering again',
      );
      this.onDeclaredDead();
      await this.register();
    }
  }

  /** Hands the jobs of dead workers back to the queue; returns their job ids. */
  async reap(): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ job_id: string; portal: string; worker_id: string }>(
        `with dead as (
           delete from ${this.t}.workers where heartbeat_at < now() - make_interval(secs => $1) returning id
         )
         update ${this.t}.portal_jobs j
            set outcome = 'lost', finished_at = now(), error = 'worker ' || j.worker_id || ' stopped heartbeating during the run'
          where j.outcome = 'running'
            and (j.worker_id in (select id from dead) or not exists (select 1 from ${this.t}.workers w where w.id = j.worker_id))
          returning j.job_id, j.portal, j.worker_id`,
        [this.info.heartbeatSeconds],
      );
      for (const r of rows) {
        await this.boss.fail(PORTAL_RUN_QUEUE, r.job_id, { message: `worker ${r.worker_id} stopped heartbeating` }, { db: inTransaction(tx) });
        this.log.warn({ portal: r.portal, job: r.job_id, worker: r.worker_id }, `worker ${r.worker_id} is gone: its run of ${r.portal} goes back to the queue`);
      }
      return rows.map((r) => r.job_id);
    });
  }

  async setState(state: 'running' | 'stopping'): Promise<void> {
    await this.db.query(`update ${this.t}.workers set state = $2 where id = $1`, [this.id, state]);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await this.db.query(`delete from ${this.t}.workers where id = $1`, [this.id]);
  }
}
