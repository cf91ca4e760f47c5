import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import { nextRunAfter } from './portal-spec.js';
import { enqueuePortalRun } from './queue.js';

/**
 * Per-portal cron schedules. pg-boss 10's `schedule()` keeps one cron per queue name, so a schedule per portal
 * would need a queue per portal and a poller per queue in every worker. Instead each portal's next run time
 * is a column of the registry, and every worker, every poll interval, queues the portals that are due:
 * `for update skip locked` lets only one worker take each due row, the job goes in with the `short` policy's
 * singletonKey (never two queued), and `next_run_at` moves to the next cron time in the same transaction.
 * A portal whose run is still going skips that tick (the next one picks up every change anyway), as
 * `extract --schedule` does. After downtime a portal runs once, not once per missed tick.
 */
export async function enqueueDuePortals(db: Database, boss: PgBoss, log: Logger): Promise<string[]> {
  const t = ident(db.schema);
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ name: string; schedule: string; next_run_at: Date | null; now: Date; running: boolean }>(
      `select p.name, p.schedule, p.next_run_at, now() as now,
              exists (select 1 from ${t}.portal_jobs j where j.portal = p.name and j.outcome = 'running') as running
         from ${t}.portals p
        where p.status = 'active' and p.schedule is not null and (p.next_run_at is null or p.next_run_at <= now())
        order by p.next_run_at nulls first
        for update of p skip locked`,
    );
    const queued: string[] = [];
    for (const r of rows) {
      const due = r.next_run_at !== null;
      if (due && r.running) log.info({ portal: r.name }, `scheduled run of ${r.name} skipped: its previous run is still going`);
      else if (due) {
        const id = await enqueuePortalRun(boss, tx, db.schema, { portal: r.name, reason: 'schedule' }, { client: tx });
        if (id) queued.push(r.name);
      }
      await tx.query(`update ${t}.portals set next_run_at = $2 where name = $1`, [r.name, nextRunAfter(r.schedule, r.now) ?? null]);
    }
    return queued;
  });
}
