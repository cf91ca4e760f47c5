import type { Command } from 'commander';
import { renderTable } from '../../limits/command.js';
import { liveWorkers, portalOverviews } from '../status.js';
import { formatTime, subcommand, withFleet, type FleetCommandDeps } from './context.js';
import { overviewJson } from './ls.js';

/** `fleet status`: the workers, the runs going now, the jobs waiting; `--json` adds every portal's last run. */
export function fleetStatusCommand(deps: FleetCommandDeps): Command {
  return subcommand('status', 'Summarise the fleet: workers, running and queued jobs (--json: per portal too).')
    .option('--json', 'print JSON for scripts')
    .action(async (opts: { json?: boolean }) => {
      await withFleet(deps, async ({ db, out, settings }) => {
        const [workers, overviews] = await Promise.all([liveWorkers(db, db.schema), portalOverviews(db, db.schema)]);
        const lease = settings.fleet.heartbeatSeconds;
        const running = overviews.filter((o) => o.running);
        const queued = overviews.filter((o) => o.queued && !o.running);
        if (opts.json) {
          return out(
            JSON.stringify(
              {
                workers: workers.map((w) => ({
                  ...w,
                  startedAt: w.startedAt.toISOString(),
                  heartbeatAt: w.heartbeatAt.toISOString(),
                  alive: w.heartbeatAgeSeconds <= lease,
                })),
                running: running.map((o) => ({
                  portal: o.portal.name,
                  worker: o.running!.workerId,
                  startedAt: o.running!.startedAt.toISOString(),
                  attempt: o.running!.attempt,
                })),
                queued: queued.map((o) => ({ portal: o.portal.name, state: o.queued!.state, startAfter: o.queued!.startAfter.toISOString() })),
                portals: overviews.map(overviewJson),
              },
              null,
              2,
            ) + '\n',
          );
        }
        const alive = workers.filter((w) => w.heartbeatAgeSeconds <= lease);
        const slots = alive.reduce((n, w) => n + w.concurrency, 0);
        const attention = overviews.filter((o) => o.portal.status === 'needs_reauth');
        out(
          `workers: ${alive.length} alive (${slots} run slots)${workers.length > alive.length ? `, ${workers.length - alive.length} silent` : ''}; ` +
            `portals: ${overviews.length}, ${running.length} running, ${queued.length} queued` +
            `${attention.length ? `, ${attention.length} need re-authorisation (${attention.map((o) => o.portal.name).join(', ')})` : ''}\n`,
        );
        if (workers.length > 0) {
          out(
            '\n' +
              renderTable(
                ['WORKER', 'HOST', 'PID', 'STATE', 'RUNNING', 'HEARTBEAT'],
                workers.map((w) => [
                  w.id,
                  w.host,
                  String(w.pid),
                  w.heartbeatAgeSeconds > lease ? 'silent' : w.state,
                  `${w.running}/${w.concurrency}`,
                  `${w.heartbeatAgeSeconds.toFixed(1)} s ago`,
                ]),
              ),
          );
        }
        if (running.length > 0) {
          out(
            '\n' +
              renderTable(
                ['RUNNING', 'WORKER', 'SINCE', 'TRY'],
                running.map((o) => [o.portal.name, o.running!.workerId, formatTime(o.running!.startedAt), String(o.running!.attempt)]),
              ),
          );
        }
        if (queued.length > 0) {
          out(
            '\n' +
              renderTable(
                ['QUEUED', 'STATE', 'NOT BEFORE'],
                queued.map((o) => [o.portal.name, o.queued!.state, formatTime(o.queued!.startAfter)]),
              ),
          );
        }
      });
    });
}
