import type { Logger } from 'pino';
import type { Settings } from '../../config/settings.js';
import { selectExtractors } from '../../extractors/registry.js';
import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import { runOnce, type RunHooks } from '../run/extract-command.js';
import type { ExtractRunSummary } from '../run/extract-run.js';
import { resolveCredential } from './credentials.js';
import { portalSchemaDatabase } from './fleet-db.js';
import type { FleetMetrics } from './fleet-metrics.js';
import { keepAccessTokenFresh, NeedsReauthError, type OAuthTokens } from './oauth.js';
import { effectiveLimits, type PortalRecord } from './portal-spec.js';
import { getPortal } from './registry.js';
import type { KeyRing } from './secret-box.js';

/**
 * One pg-boss job: one run of one portal, through the same entry point as `npm run extract` (runOnce: the
 * portal schema's run lock, its `runs` row, its cursors), with the portal's own token, schema and limits.
 * Each attempt is recorded in `portal_jobs` (the claim the reaper checks while it runs, its outcome after).
 */
export type JobOutcome = 'succeeded' | 'failed' | 'stopped' | 'budget_exhausted' | 'locked' | 'needs_reauth' | 'skipped';

export interface JobResult {
  outcome: JobOutcome;
  claimId?: string;
  runId?: string;
  rows?: number;
  error?: string;
}

export interface PortalRunDeps {
  /** The worker's settings (HUBSPOT_BASE_URL, concurrency, margins...); the portal's replace the rest. */
  settings: Settings;
  /** The worker's one pool, in the fleet schema: the registry, the portals' shared limits, and (through a schema view) each portal's data. */
  fleetDb: Database;
  keys: KeyRing;
  oauth: OAuthTokens;
  workerId: string;
  log: Logger;
  metrics?: FleetMetrics;
  env?: NodeJS.ProcessEnv;
}

export interface JobInfo {
  id: string;
  retryCount: number;
  createdOn: Date;
  fullRefresh?: boolean;
  sweepDeletes?: boolean;
}

/** The settings of one portal's run: its token, schema, limits (named after it, in the fleet schema). */
export function portalSettings(base: Settings, portal: PortalRecord, accessToken: string, fleetSchema: string): Settings {
  const limits = effectiveLimits(portal);
  return {
    ...base,
    accessToken,
    baseUrl: portal.baseUrl ?? base.baseUrl,
    tier: portal.tier ?? base.tier,
    maxRequestsPer10s: limits.per10s,
    // OAuth calls have no daily limit (contract §1.1).
    dailyLimit: limits.daily ?? Number.MAX_SAFE_INTEGER,
    dbSchema: portal.schema,
    sharedLimits: true,
    limitsSchema: fleetSchema,
    limitName: portal.name,
  };
}

async function claim(deps: PortalRunDeps, portal: string, job: JobInfo): Promise<string> {
  const { rows } = await deps.fleetDb.query<{ id: string }>(
    `insert into ${ident(deps.fleetDb.schema)}.portal_jobs (job_id, portal, worker_id, attempt, queued_at) values ($1, $2, $3, $4, $5) returning id`,
    [job.id, portal, deps.workerId, job.retryCount, job.createdOn],
  );
  return rows[0].id;
}

async function record(deps: PortalRunDeps, claimId: string, result: JobResult): Promise<void> {
  await deps.fleetDb.query(
    `update ${ident(deps.fleetDb.schema)}.portal_jobs set outcome = $2, finished_at = now(), run_id = $3, rows = $4, error = $5 where id = $1`,
    [claimId, result.outcome === 'skipped' ? 'failed' : result.outcome, result.runId ?? null, result.rows ?? null, result.error ?? null],
  );
}

function outcomeOf(summary: ExtractRunSummary): JobOutcome {
  if (summary.status === 'succeeded' || summary.status === 'stopped' || summary.status === 'budget_exhausted') return summary.status;
  return 'failed';
}

export async function runPortalJob(deps: PortalRunDeps, portalName: string, job: JobInfo, signal: AbortSignal): Promise<JobResult> {
  const fleetSchema = deps.fleetDb.schema;
  const portal = await getPortal(deps.fleetDb, fleetSchema, portalName);
  // Removed, paused or waiting for a new authorisation since the job was queued: nothing to run.
  if (!portal) return { outcome: 'skipped', error: `portal ${portalName} no longer exists` };
  if (portal.status !== 'active') return { outcome: 'skipped', error: `portal ${portalName} is ${portal.status}` };

  const log = deps.log.child({ portal: portal.name, job: job.id });
  const claimId = await claim(deps, portal.name, job);
  deps.metrics?.queueWait.set({ portal: portal.name }, Math.max(0, (Date.now() - job.createdOn.getTime()) / 1000));
  const result = await execute(deps, portal, job, signal, log).catch((error: unknown): JobResult => {
    if (error instanceof NeedsReauthError) return { outcome: 'needs_reauth', error: error.message };
    if (error instanceof UserFacingError && error.exitCode === ExitCode.locked) return { outcome: 'locked', error: error.message };
    return { outcome: 'failed', error: (error as Error).message?.split('\n')[0] ?? String(error) };
  });
  result.claimId = claimId;
  await record(deps, claimId, result);
  if (result.error && result.outcome !== 'locked')
    log.warn({ outcome: result.outcome, error: result.error }, `portal ${portal.name}: ${result.outcome}: ${result.error}`);
  return result;
}

async function execute(deps: PortalRunDeps, portal: PortalRecord, job: JobInfo, signal: AbortSignal, log: Logger): Promise<JobResult> {
  const fleetSchema = deps.fleetDb.schema;
  let token: string;
  let observe: RunHooks['observe'];
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) stop.abort();
  let dead: NeedsReauthError | undefined;
  if (portal.auth === 'oauth') {
    const first = await deps.oauth.accessToken(portal.name);
    token = first.token;
    observe = (context) =>
      keepAccessTokenFresh(
        deps.oauth,
        portal.name,
        first,
        (next) => context.client.setAccessToken(next),
        (error) => {
          log.warn({ error: error.message }, 'refreshing the access token failed');
          if (error instanceof NeedsReauthError) {
            // The refresh token died mid-run: stop after the pages in flight, as for a signal.
            dead = error;
            stop.abort();
          }
        },
      );
  } else {
    token = await resolveCredential(portal, deps.keys, deps.env);
  }
  const settings = portalSettings(deps.settings, portal, token, fleetSchema);
  const db = portalSchemaDatabase(deps.fleetDb, portal.schema);
  try {
    await migrate(db);
    const summary = await runOnce(
      settings,
      db,
      selectExtractors(portal.objects),
      { fullRefresh: job.fullRefresh, sweepDeletes: job.sweepDeletes },
      stop.signal,
      log,
      deps.metrics?.forPortal(portal.name),
      { observe, limitsDb: deps.fleetDb },
    );
    if (dead) throw dead;
    return {
      outcome: outcomeOf(summary),
      runId: summary.runId,
      rows: Object.values(summary.rows).reduce((a, b) => a + b, 0),
      error: summary.error,
    };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
