import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { constants as osConstants } from 'node:os';
import type { Logger } from 'pino';
import { loadSettings, secretsOf, type Settings, type SettingsInput } from '../../config/settings.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrate } from '../db/migrations.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import { createLogger } from '../log.js';
import { systemClock } from '../clock.js';
import { createRunContext } from './run-context.js';
import { selectExtractors } from '../../extractors/registry.js';
import type { Selected } from '../../extractors/base.js';
import { STANDARD_OBJECT_TYPES } from '../hubspot/object-types.js';
import { unknownSelectionTypes } from '../../config/property-selection.js';
import { unknownHistoryTypes } from '../../config/property-history.js';
import { acquireRunLock } from './run-lock.js';
import { runExtraction, runMode, type ExtractRunSummary } from './extract-run.js';
import { markRunFailed, startRunRecord, type RunRecord } from './run-record.js';
import { runIdStream } from './run-id-stream.js';
import { sharedPortalLimits } from './shared-portal-limits.js';
import { startMemoryGovernor } from './memory-governor.js';
import { RunMetrics, serveMetrics } from './metrics.js';
import type { RunContext } from './run-context.js';
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
  properties?: string;
  propertyHistory?: string;
}

/**
 * A file the run will write: its folder must exist and be writable now, not after a whole run whose log
 * would then be lost.
 */
function checkWritableFile(flag: string, file: string): void {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  let problem: string | undefined;
  if (!existsSync(folder)) problem = `its folder ${folder} does not exist; create it or choose another path`;
  else if (!statSync(folder).isDirectory()) problem = `${folder} is not a folder; choose another path`;
  else if (existsSync(target) && statSync(target).isDirectory()) problem = `${target} is a folder; name a file in it`;
  else {
    try {
      accessSync(folder, constants.W_OK);
    } catch {
      problem = `its folder ${folder} is not writable; choose another path`;
    }
  }
  if (problem) throw new UserFacingError(`${flag} ${JSON.stringify(file)}: ${problem}`, ExitCode.usage);
}

/** `extract`: validates everything before touching anything, then runs once or on a schedule. */
export async function runExtractCommand(opts: ExtractCommandOptions): Promise<number> {
  const flags: SettingsInput = {
    HUBSPOT_TIER: opts.tier,
    HUBSPOT_MAX_REQUESTS_PER_10S: opts.maxRequestsPer10s,
    HUBSPOT_DB_SCHEMA: opts.schema,
    METRICS_PORT: opts.metricsPort,
    HUBSPOT_SHARED_LIMITS: opts.sharedLimits ? 'true' : undefined,
    HUBSPOT_PROPERTIES: opts.properties,
    HUBSPOT_PROPERTY_HISTORY: opts.propertyHistory,
  };
  let settings = loadSettings(flags);
  // Custom objects are only known once the run has asked the schemas API: the selection can name standard types.
  const standardTypes = STANDARD_OBJECT_TYPES.map((t) => t.name);
  const unknownTypes = unknownSelectionTypes(settings.properties, standardTypes);
  if (unknownTypes.length > 0) {
    throw new UserFacingError(
      `HUBSPOT_PROPERTIES/--properties: unknown object type ${unknownTypes.map((t) => JSON.stringify(t)).join(', ')}; expected one of ${standardTypes.join(', ')}`,
      ExitCode.usage,
    );
  }
  const unknownHistory = unknownHistoryTypes(settings.propertyHistory, standardTypes);
  if (unknownHistory.length > 0) {
    throw new UserFacingError(
      `HUBSPOT_PROPERTY_HISTORY/--property-history: unknown object type ${unknownHistory.map((t) => JSON.stringify(t)).join(', ')}; expected one of ${standardTypes.join(', ')}`,
      ExitCode.usage,
    );
  }
  let extractors: Selected[];
  try {
    extractors = selectExtractors(opts.objects);
  } catch (e) {
    throw new UserFacingError((e as Error).message, ExitCode.usage);
  }
  if (extractors.length === 0) {
    throw new UserFacingError(
      `--objects: ${JSON.stringify(opts.objects)} names no object type; expected a comma-separated list such as contacts,deals (or leave it out for all)`,
    );
  }
  if (opts.requestLog !== undefined) checkWritableFile('--request-log', opts.requestLog);
  const preset = opts.demoPreset ?? 'small';
  if (opts.demo && !['small', 'medium', 'large'].includes(preset)) {
    throw new UserFacingError(`--demo-preset: expected small|medium|large, got ${JSON.stringify(preset)}`);
  }
  if (!opts.demo && !settings.accessToken) {
    throw new UserFacingError(
      'HUBSPOT_ACCESS_TOKEN is not set: create a Service Key in HubSpot (Development > Keys > Service keys; a legacy private-app token works too) and set it (see .env.example), or run with --demo to extract the bundled simulated portal',
    );
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
      // The shell's convention for "ended by a signal": 128 + its number (SIGINT 130, SIGTERM 143).
      process.exit(128 + (osConstants.signals[signal] ?? 0));
    }
    log.info({ signal }, 'stopping: finishing the pages in flight, then committing and exiting');
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const memory = startMemoryGovernor();
  cleanups.push(async () => memory.stop());
  /** A signal during start-up: stop before the next step rather than start a run nobody wants. */
  const stoppedDuringStartUp = () => {
    if (!stop.signal.aborted) return false;
    log.info('stopped during start-up: no run was started');
    return true;
  };
  try {
    if (opts.demo) {
      const { startSimulator } = await import('../sim/index.js');
      const token = `demo-${randomBytes(12).toString('hex')}`;
      // The realistic catalogs (hundreds of properties a type), read at HUBSPOT_API_VERSION like a real portal.
      const sim = await startSimulator({ preset: preset as 'small', token, tier: settings.tier, latencyMedianMs: 40, latencyTailMs: 200 });
      cleanups.push(() => sim.close());
      settings = { ...settings, accessToken: token, baseUrl: sim.url };
      log.info({ url: sim.url, preset }, 'demo: extracting the bundled simulated HubSpot portal');
    }
    if (stoppedDuringStartUp()) return ExitCode.ok;
    const db = await openDatabase({ url: settings.databaseUrl, schema: settings.dbSchema, poolSize: 12 });
    cleanups.push(() => db.close());
    if (stoppedDuringStartUp()) return ExitCode.ok;
    await migrate(db);
    if (stoppedDuringStartUp()) return ExitCode.ok;
    let metrics: RunMetrics | undefined;
    if (settings.metricsPort) {
      metrics = new RunMetrics();
      const server = await serveMetrics(metrics, settings.metricsPort);
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      log.info({ port: settings.metricsPort }, `serving Prometheus metrics on http://127.0.0.1:${settings.metricsPort}/metrics`);
    }
    if (stoppedDuringStartUp()) return ExitCode.ok;

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

/**
 * Aborted when either signal is (or already was), with that signal's reason. `dispose` removes its listeners:
 * a scheduled process's stop signal outlives every run.
 */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; dispose: () => void } {
  const both = new AbortController();
  const listeners = [a, b].map((s) => {
    const listener = () => both.abort(s.reason);
    if (s.aborted) both.abort(s.reason);
    else s.addEventListener('abort', listener, { once: true });
    return () => s.removeEventListener('abort', listener);
  });
  return { signal: both.signal, dispose: () => listeners.forEach((off) => off()) };
}

/** What a fleet worker gives the runs it makes. */
export interface RunHooks {
  /** Called with the run's context once it exists (the fleet swaps refreshed OAuth tokens into its client); returns its detach. */
  observe?: (context: RunContext) => () => void;
  /** The shared limits' database, kept open across runs (see sharedPortalLimits). */
  limitsDb?: Database;
}

export async function runOnce(
  settings: Settings,
  db: Database,
  extractors: Selected[],
  opts: ExtractCommandOptions,
  signal: AbortSignal,
  baseLog: Logger,
  metrics?: RunMetrics,
  hooks: RunHooks = {},
): Promise<ExtractRunSummary> {
  const lock = await acquireRunLock(db);
  // A lost lock (its connection closed) stops the run like a signal, and then marks it failed: another run
  // may already hold the lock.
  const { signal: runSignal, dispose: disposeRunSignal } = eitherSignal(signal, lock.lost);
  let context: RunContext | undefined;
  let releaseShared = async () => {};
  let watch: ReturnType<RunMetrics['attach']> | undefined;
  let run: RunRecord | undefined;
  let unobserve: (() => void) | undefined;
  try {
    const mode = await runMode(db, Boolean(opts.fullRefresh));
    run = await startRunRecord(
      db,
      mode,
      extractors.map((e) => e.name),
    );
    const log = baseLog.child({ runId: run.id });
    // Progress is info-level output: quiet when the log level asks for warnings only.
    const quiet = ['warn', 'error', 'fatal', 'silent'].includes(settings.logLevel);
    const progressStream = process.stderr.isTTY ? process.stderr : runIdStream(process.stderr, run.id, baseLog.bindings());
    const shared = settings.sharedLimits ? await sharedPortalLimits(db, settings, hooks.limitsDb) : undefined;
    if (shared) releaseShared = shared.close;
    context = createRunContext(settings, {
      progress: quiet ? 'off' : 'auto',
      requestLogPath: opts.requestLog,
      progressStream,
      limits: shared?.limits,
      signal: runSignal,
    });
    watch = metrics?.attach(context);
    unobserve = hooks.observe?.(context);
    const progressBridge = bridgeExtractorEvents(context.events, systemClock);
    const bridge = (e: ExtractorEvent) => {
      progressBridge(e);
      watch?.onExtractorEvent(e);
      if (e.type === 'extractor:note') {
        if (e.level === 'warn') log.warn({ extractor: e.extractor }, e.message);
        else log.info({ extractor: e.extractor }, e.message);
      }
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
    let summary = await runExtraction({
      settings,
      db,
      context,
      extractors,
      fullRefresh: Boolean(opts.fullRefresh),
      includeArchived: Boolean(opts.includeArchived),
      refreshAssociations: Boolean(opts.refreshAssociations),
      sweepDeletes: Boolean(opts.sweepDeletes),
      clock: systemClock,
      signal: runSignal,
      onEvent: bridge,
      expectedRecords: estimating.then((estimate) => estimate?.records),
      estimateRequests: async () => {
        await estimating;
        return estimateSpent.requests;
      },
      run,
    });
    if (lock.lost.aborted) {
      const error = (lock.lost.reason as Error).message;
      await markRunFailed(db, run, error);
      summary = { ...summary, status: 'failed', error, exitCode: ExitCode.runFailed };
    }
    // Stops the progress display before the summary is printed; the `finally` below only closes on failure.
    await context.close();
    context = undefined;
    metrics?.finished(summary.status, summary.stats.wallMs);
    process.stdout.write(formatSummary(summary));
    const logged = { status: summary.status, calls: summary.calls, minimumCalls: summary.minimumCalls };
    if (summary.error) log.error({ ...logged, error: summary.error }, `run ${summary.runId} ${summary.status}: ${summary.error}`);
    else log.info(logged, `run ${summary.runId} ${summary.status}`);
    return summary;
  } catch (error) {
    // The run could not record its own outcome (the database went away under it): record it now if the
    // server is back, else the next run marks the row abandoned. One line either way.
    const reason = lock.lost.aborted ? (lock.lost.reason as Error) : error;
    if (run && !(error instanceof UserFacingError)) {
      const line = firstLine(reason);
      await markRunFailed(db, run, line).catch(() => {});
      metrics?.finished('failed', 0);
      throw new UserFacingError(`run ${run.id} failed: ${line}`, ExitCode.runFailed);
    }
    throw error;
  } finally {
    disposeRunSignal();
    watch?.detach();
    unobserve?.();
    await context?.close().catch(() => {});
    await releaseShared().catch(() => {});
    await lock.release();
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
