import type { Command } from 'commander';
import { listPortals, getPortal, unknownPortal } from '../registry.js';
import type { PortalRecord } from '../portal-spec.js';
import { subcommand, usage, withBoss, withFleet, type FleetCommandDeps } from './context.js';

/** `portals run NAME|--all`: queues a run now, besides the schedules; a worker takes it. */
export function runCommand(deps: FleetCommandDeps): Command {
  return subcommand('run', 'Queue a run of one portal (or of every active one) now; a worker takes it.')
    .argument('[name]', 'portal name')
    .option('--all', 'every active portal')
    .option('--full-refresh', 'a full run (re-read everything) instead of an incremental one')
    .option('--sweep-deletes', 'look for hard-deleted records in this run (as extract --sweep-deletes), not only every HUBSPOT_DELETE_SWEEP_HOURS')
    .action(async (name: string | undefined, opts: { all?: boolean; fullRefresh?: boolean; sweepDeletes?: boolean }) => {
      if (Boolean(name) === Boolean(opts.all)) throw usage('give a portal name or --all (not both)');
      await withFleet(deps, async (ctx) => {
        const { db, out } = ctx;
        let portals: PortalRecord[];
        if (name) {
          const portal = await getPortal(db, db.schema, name);
          if (!portal) throw unknownPortal(name);
          if (portal.status !== 'active')
            throw usage(
              `portal ${name} is ${portal.status}: ${portal.status === 'paused' ? 'resume it first (portals update --resume)' : 'give it a new refresh token first (portals update --refresh-token-…)'}`,
            );
          portals = [portal];
        } else {
          const all = await listPortals(db, db.schema);
          for (const p of all.filter((p) => p.status !== 'active')) out(`${p.name}: not queued, it is ${p.status}\n`);
          portals = all.filter((p) => p.status === 'active');
        }
        const { enqueuePortalRun } = await import('../queue.js');
        await withBoss(ctx, async (boss) => {
          for (const p of portals) {
            const id = await enqueuePortalRun(boss, db, db.schema, {
              portal: p.name,
              reason: 'manual',
              fullRefresh: opts.fullRefresh || undefined,
              sweepDeletes: opts.sweepDeletes || undefined,
            });
            out(id ? `${p.name}: queued (job ${id})\n` : `${p.name}: a run is queued already\n`);
          }
        });
      });
    });
}
