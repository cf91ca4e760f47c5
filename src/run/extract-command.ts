import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadSettings, secretsOf, type Settings, type SettingsInput } from '../../config/settings.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import { createLogger } from '../log.js';
import { systemClock } from '../limits/clock.js';
import { createRunContext } from '../processor/run-context.js';
import { selectExtractors } from '../../extractors/registry.js';
import type { BaseExtractor } from '../../extractors/base.js';
import { acquireRunLock } from './run-lock.js';
import { runExtraction, runMode, type ExtractRunSummary } from './extract-run.js';
import { startRunRecord } from './run-record.js';
import { runIdStream } from './run-id-stream.js';
import { sharedPortalLimits } from './shared-portal-limits.js';
import { startMemoryGovernor } from './memory-governor.js';
import { RunMetrics, serveMetrics } from './metrics.js';
import type { RunContext } from '../processor/run-context.js';
import type { ExtractorEvent } from '../../extractors/types.js';
import { bridgeExtractorEvents } from './progress-bridge.js';
import { formatSummary } from './summary.js';
import { estimateRunCost, readStartCursors } from './cost-estimate.js';

export interface ExtractCommandOptions {
  demo?: boolean;
  demoPreset?: string;
  objects?: string;
  fullRefresh?: boolean;
  includeArchived?: boolean;
  refreshAssociations?: boolean;
  sweepDeletes?: boolean;
  requestLog?: string;
  sharedLimits?: boolean;
  schedule?: string;
  metricsPort?: string;
  tier?: string;
  maxRequestsPer10s?: string;
  schema?: string;
}

/** `extract`: validates everything before touching anything, then runs once or on a schedule. */
export async function runExtractCommand(opts: ExtractCommandOptions): Promise<number> {
  const flags: SettingsInput = {
    HUBSPOT_TIER: opts.tier,
    HUBSPOT_MAX_REQUESTS_PER_10S: opts.maxRequestsPer10s,
    HUBSPOT_DB_SCHEMA: opts.schema,
    METRICS_PORT: opts.metricsPort,
    HUBSPOT_SHARED_LIMITS: opts.sharedLimits ? 'true' : undefined,
  };
  let settings = loadSettings(flags);
  let extractors: BaseExtractor[];
  try {
    extractors = selectExtractors(opts.objects);
  } catch (e) {
    throw new UserFacingError((e as Error).message, ExitCode.usage);
  }
  const preset = opts.demoPreset ?? 'small';
  if (opts.demo && !['small', 'medium', 'large'].includes(preset)) {
    throw new UserFacingError(`--demo-preset: expected small|medium|large, got ${JSON.stringify(preset)}`);
  }
  if (!opts.demo && !settings.accessToken) {
    throw new UserFacingError('HUBSPOT_ACCESS_TOKEN is not set: set it to a private-app access token (see .env.example), or run with --demo to extract the bundled simulated portal');
  }
  if (opts.schedule) {
    const { validateCron } = await import('./schedule.js');
    validateCron(opts.schedule);
  }

  const cleanups: (() => Promise<void>)[] = [];
  const log = createLogger({ level: settings.logLevel, secrets: secretsOf(settings) });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ signal }, 'stopping: finishing the pages in flight, then committing and exiting');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const memory = startMemoryGovernor();
  cleanups.push(async () => memory.stop());
  try {
    if (opts.demo) {
      const { startSimulator } = await import('../sim/index.js');
      const token = `demo-${randomBytes(12).toString('hex')}`;
      const sim = await startSimulator({ preset: preset as 'small', token, tier: settings.tier, latencyMedianMs: 40, latencyTailMs: 200 });
      cleanups.push(() => sim.close());
      settings = { ...settings, accessToken: token, baseUrl: sim.url };
      log.info({ url: sim.url, preset }, 'demo: extracting the bundled simulated HubSpot portal');
    }
    const db = await openDatabase({ url: settings.databaseUrl, schema: settings.dbSchema, poolSize: 12 });
    cleanups.push(() => db.close());
    await migrate(db);
    let metrics: RunMetrics | undefined;
    if (settings.metricsPort) {
      metrics = new RunMetrics();
      const server = await serveMetrics(metrics, settings.metricsPort);
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      log.info({ port: settings.metricsPort }, `serving Prometheus metrics on http://127.0.0.1:${settings.metricsPort}/metrics`);
    }

    if (opts.schedule) {
      const { runOnSchedule } = await import('./schedule.js');
      return await runOnSchedule(opts.schedule, stop.signal, log, () => runOnce(settings, db, extractors, opts, stop.signal, log, metrics));
    }
    const summary = await runOnce(settings, db, extractors, opts, stop.signal, log, metrics);
    return summary.exitCode;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

export async function runOnce(
  settings: Settings,
  db: Database,
  extractors: BaseExtractor[],
  opts: ExtractCommandOptions,
  signal: AbortSignal,
  baseLog: Logger,
  metrics?: RunMetrics,
  /** Called with the run's context once it exists (the fleet swaps refreshed OAuth tokens into its client); returns its detach. */
  observe?: (context: RunContext) => () => void,
): Promise<ExtractRunSummary> {
  const lock = await acquireRunLock(db);
  let context: RunContext | undefined;
  let releaseShared = async () => {};
  let unobserve: (() => void) | undefined;
  try {
    const mode = await runMode(db, Boolean(opts.fullRefresh));
    const run = await startRunRecord(db, mode, extractors.map((e) => e.name));
    const log = baseLog.child({ runId: run.id });
    // Progress is info-level output: quiet when the log level asks for warnings only.
    const quiet = ['warn', 'error', 'fatal', 'silent'].includes(settings.logLevel);
    const progressStream = process.stderr.isTTY ? process.stderr : runIdStream(process.stderr, run.id, baseLog.bindings());
    const shared = settings.sharedLimits ? await sharedPortalLimits(db, settings) : undefined;
    if (shared) releaseShared = shared.close;
    context = createRunContext(settings, { progress: quiet ? 'off' : 'auto', requestLogPath: opts.requestLog, progressStream, limits: shared?.limits });
    const watch = metrics?.attach(context);
    unobserve = observe?.(context);
    const progressBridge = bridgeExtractorEvents(context.events, systemClock);
    const bridge = (e: ExtractorEvent) => {
      progressBridge(e);
      watch?.onExtractorEvent(e);
      if (e.type === 'extractor:note') log.info({ extractor: e.extractor }, e.message);
    };
    log.info({ mode, objects: extractors.map((e) => e.name) }, `run ${run.id} started (${mode})`);
    // The estimate's searches have their own per-second budget, outside the ten-second window the run spends:
    // asked for beside the run's first pages rather than before them, they cost the run no time.
    const estimateSpent = { requests: 0 };
    const startCursors = await readStartCursors(db, extractors);
    const estimating = estimateRunCost(context, startCursors, extractors, Boolean(opts.fullRefresh), estimateSpent).then(
      (estimate) => {
        log.info(estimate, `this run will cost about ${estimate.calls} calls (${estimate.shareOfDailyLimit} of today's daily limit)`);
        return estimate;
      },
      (e: Error) => {
        log.debug({ error: e.message }, 'no cost estimate');
        return undefined;
      },
    );
    const summary = await runExtraction({
      settings,
      db,
      context,
      extractors,
      fullRefresh: Boolean(opts.fullRefresh),
      includeArchived: Boolean(opts.includeArchived),
      refreshAssociations: Boolean(opts.refreshAssociations),
      sweepDeletes: Boolean(opts.sweepDeletes),
      clock: systemClock,
      signal,
      onEvent: bridge,
      expectedRecords: estimating.then((estimate) => estimate?.records),
      estimateRequests: async () => {
        await estimating;
        return estimateSpent.requests;
      },
      run,
    });
    // Stops the progress display before the summary is printed; the `finally` below only closes on failure.
    await context.close();
    context = undefined;
    watch?.detach();
    metrics?.finished(summary.status, summary.stats.wallMs);
    process.stdout.write(formatSummary(summary));
    const logged = { status: summary.status, calls: summary.calls, minimumCalls: summary.minimumCalls };
    if (summary.error) log.error({ ...logged, error: summary.error }, `run ${summary.runId} ${summary.status}: ${summary.error}`);
    else log.info(logged, `run ${summary.runId} ${summary.status}`);
    return summary;
  } finally {
    unobserve?.();
    await context?.close().catch(() => {});
    await releaseShared().catch(() => {});
    await lock.release();
  }
}
