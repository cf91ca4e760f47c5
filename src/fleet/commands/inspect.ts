import type { Command } from 'commander';
import { ident } from '../../db/database.js';
import { describeCredential } from '../credentials.js';
import { effectiveLimits } from '../portal-spec.js';
import { getPortal, unknownPortal } from '../registry.js';
import { currentState, portalOverviews } from '../status.js';
import { formatTime, subcommand, withFleet, type FleetCommandDeps } from './context.js';
import { lastError, overviewJson } from './ls.js';

/** `portals inspect NAME`: everything the registry knows about one portal, except any token. */
export function inspectCommand(deps: FleetCommandDeps): Command {
  return subcommand('inspect', 'Show one portal: settings, where its token comes from (never the token), runs.')
    .argument('<name>', 'portal name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }) => {
      await withFleet(deps, async ({ db, out }) => {
        const portal = await getPortal(db, db.schema, name);
        if (!portal) throw unknownPortal(name);
        const overview = (await portalOverviews(db, db.schema)).find((o) => o.portal.name === name)!;
        const limits = effectiveLimits(portal);
        const { rows: recent } = await db.query<{
          job_id: string;
          attempt: number;
          worker_id: string;
          started_at: Date;
          finished_at: Date | null;
          outcome: string;
          run_id: string | null;
          rows: string | null;
        }>(
          `select job_id, attempt, worker_id, started_at, finished_at, outcome, run_id::text, rows::text from ${ident(db.schema)}.portal_jobs where portal = $1 order by id desc limit 10`,
          [name],
        );
        const credential = describeCredential(portal.credential);
        const access = portal.access ? `cached, expires ${formatTime(portal.access.expiresAt)} (key ${portal.access.sealed.keyId})` : 'none cached';
        if (opts.json) {
          return out(
            JSON.stringify(
              {
                ...overviewJson(overview),
                tier: portal.tier ?? null,
                limits: { per10s: limits.per10s, daily: limits.daily ?? null },
                objects: portal.objects ?? 'all',
                baseUrl: portal.baseUrl ?? null,
                credential: { kind: portal.credential.kind, ref: portal.credential.ref ?? null, keyId: portal.credential.sealed?.keyId ?? null },
                accessToken:
                  portal.auth === 'oauth'
                    ? { cached: Boolean(portal.access), expiresAt: portal.access?.expiresAt.toISOString() ?? null, keyId: portal.access?.sealed.keyId ?? null }
                    : null,
                createdAt: portal.createdAt.toISOString(),
                updatedAt: portal.updatedAt.toISOString(),
                recentJobs: recent.map((r) => ({
                  jobId: r.job_id,
                  attempt: r.attempt,
                  worker: r.worker_id,
                  startedAt: r.started_at.toISOString(),
                  finishedAt: r.finished_at?.toISOString() ?? null,
                  outcome: r.outcome,
                  runId: r.run_id,
                  rows: r.rows === null ? null : Number(r.rows),
                })),
              },
              null,
              2,
            ) + '\n',
          );
        }
        const lines = [
          `portal      ${portal.name}`,
          `schema      ${portal.schema}`,
          `auth        ${portal.auth === 'oauth' ? 'OAuth public-app install' : `private app, tier ${portal.tier ?? 'professional'}`}`,
          `limits      ${limits.per10s} per 10 s (shared limit "${portal.name}"), ${limits.daily === undefined ? 'no daily limit' : `${limits.daily.toLocaleString('en-US')} per day`}`,
          `objects     ${portal.objects ?? 'all'}`,
          ...(portal.baseUrl ? [`base url    ${portal.baseUrl}`] : []),
          `schedule    ${portal.schedule ? `"${portal.schedule}" (UTC)` : 'none (runs when queued with portals run)'}`,
          `next run    ${portal.status === 'active' ? formatTime(portal.nextRunAt) : '-'}`,
          `status      ${portal.status}${portal.statusReason ? `: ${portal.statusReason}` : ''}`,
          `state       ${currentState(overview)}`,
          `${portal.auth === 'oauth' ? 'refresh' : 'token'}${portal.auth === 'oauth' ? '     ' : '       '}${credential}`,
          ...(portal.auth === 'oauth' ? [`access      ${access}`] : []),
          `last error  ${lastError(overview) ?? '-'}`,
          `added       ${formatTime(portal.createdAt)}, updated ${formatTime(portal.updatedAt)}`,
          '',
        ];
        out(lines.join('\n'));
        if (recent.length === 0) out('runs: none yet\n');
        else {
          const { renderTable } = await import('../../limits/command.js');
          out('recent jobs:\n');
          out(
            renderTable(
              ['JOB', 'TRY', 'WORKER', 'STARTED', 'FINISHED', 'OUTCOME', 'RUN', 'ROWS'],
              recent.map((r) => [
                r.job_id.slice(0, 8),
                String(r.attempt),
                r.worker_id,
                formatTime(r.started_at),
                formatTime(r.finished_at ?? undefined),
                r.outcome,
                r.run_id ?? '-',
                r.rows ?? '-',
              ]),
            ).replace(/^/gm, '  '),
          );
        }
      });
    });
}
