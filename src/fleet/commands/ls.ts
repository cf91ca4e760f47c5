import type { Command } from 'commander';
import { renderTable } from '../../limits/command.js';
import { currentState, portalOverviews, type PortalOverview } from '../status.js';
import { formatTime, subcommand, withFleet, type FleetCommandDeps } from './context.js';

/** `portals ls`: each portal's state, schedule and next run, last run (id, status, finish, rows) and last error. */
export function lsCommand(deps: FleetCommandDeps): Command {
  return subcommand('ls', 'List the portals: state, next run, last run, rows and last error.')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean }) => {
      await withFleet(deps, async ({ db, out }) => {
        const overviews = await portalOverviews(db, db.schema);
        if (opts.json) return out(JSON.stringify(overviews.map(overviewJson), null, 2) + '\n');
        if (overviews.length === 0) return out('no portals yet (add one with: hubspot-extract portals add NAME --token-env VAR)\n');
        out(
          renderTable(
            ['NAME', 'AUTH', 'STATE', 'SCHEDULE', 'NEXT RUN', 'LAST RUN', 'LAST STATUS', 'FINISHED', 'ROWS', 'LAST ERROR'],
            overviews.map((o) => [
              o.portal.name,
              o.portal.auth === 'oauth' ? 'oauth' : 'private',
              currentState(o),
              o.portal.schedule ?? '-',
              o.portal.status === 'active' ? formatTime(o.portal.nextRunAt) : '-',
              o.lastRun?.runId ?? '-',
              o.lastRun?.status ?? '-',
              formatTime(o.lastRun?.finishedAt),
              o.lastRun?.rows === undefined ? '-' : String(o.lastRun.rows),
              oneLine(lastError(o)),
            ]),
          ),
        );
      });
    });
}

export function lastError(o: PortalOverview): string | undefined {
  if (o.portal.status === 'needs_reauth') return o.portal.statusReason;
  return o.lastRun?.error;
}

function oneLine(text: string | undefined): string {
  if (!text) return '-';
  const line = text.split('\n')[0];
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** The JSON of one portal for `ls --json` and `fleet status --json`: never a credential, only where it comes from. */
export function overviewJson(o: PortalOverview) {
  return {
    name: o.portal.name,
    schema: o.portal.schema,
    auth: o.portal.auth,
    status: o.portal.status,
    state: currentState(o),
    schedule: o.portal.schedule ?? null,
    nextRunAt: o.portal.status === 'active' ? (o.portal.nextRunAt?.toISOString() ?? null) : null,
    lastRun: o.lastRun
      ? { runId: o.lastRun.runId ?? null, status: o.lastRun.status, finishedAt: o.lastRun.finishedAt.toISOString(), rows: o.lastRun.rows ?? null }
      : null,
    lastError: lastError(o) ?? null,
    running: o.running ? { worker: o.running.workerId, startedAt: o.running.startedAt.toISOString(), attempt: o.running.attempt } : null,
    queued: o.queued ? { state: o.queued.state, startAfter: o.queued.startAfter.toISOString() } : null,
  };
}
