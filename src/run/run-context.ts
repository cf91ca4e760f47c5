import { SEARCH_LIMIT, TEN_SECONDLY_WINDOW_MS } from '../../config/hubspot-limits.js';
import { effectiveWindowLimit, type Settings } from '../../config/settings.js';
import { UserFacingError } from '../exit-codes.js';
import { systemClock, systemRandom, type Clock, type Random } from '../clock.js';
import { RollingWindowLimiter } from '../limits/rolling-window.js';
import { HubSpotApi } from '../hubspot/api.js';
import { closeHubSpotClient, createHubSpotClient, type HubSpotClient } from '../hubspot/client.js';
import { startProgress, type ProgressDisplay, type ProgressMode } from '../progress/renderer.js';
import type { BreakerOptions } from '../processor/circuit-breaker.js';
import { DailyBudget } from '../processor/daily-budget.js';
import { EngineEvents } from '../processor/events.js';
import { ParallelProcessor } from '../processor/parallel-processor.js';
import { LatencyEstimator } from '../processor/pool-size.js';
import { noRequestLog, openRequestLog } from '../processor/request-log.js';
import { RequestExecutor, type PortalLimits } from '../processor/request-executor.js';
import type { RequestStats } from '../processor/request-stats.js';

export interface RunContextOptions {
  clock?: Clock;
  random?: Random;
  /** NDJSON request log (`--request-log FILE`). */
  requestLogPath?: string;
  /** Pass one to listen from the start; otherwise one is created. */
  events?: EngineEvents;
  /** Replaces the in-process limits (e.g. limits shared through Postgres). */
  limits?: PortalLimits;
  /** Test-only: a scaled rolling window (same limit per shorter window) to keep simulator runs short. */
  windowMs?: number;
  /** Progress display; default 'off' so library use and tests stay quiet. The CLI passes 'auto'. */
  progress?: ProgressMode;
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  progressIntervalMs?: number;
  breaker?: BreakerOptions;
  backoff?: { baseMs: number; maxMs: number };
  /** Latency assumed before any request was measured (ms). Default 300. */
  initialLatencyMs?: number;
  /** Track HUBSPOT_DAILY_LIMIT / HUBSPOT_DAILY_RESERVE. Default true. */
  trackDailyBudget?: boolean;
  /** The run's stop signal (SIGTERM/SIGINT): ends the executor's waits between attempts (see ExecutorOptions.signal). */
  signal?: AbortSignal;
}

/** Everything one run shares: one client, one executor (one budget), one processor, one display. */
export interface RunContext {
  settings: Settings;
  clock: Clock;
  events: EngineEvents;
  client: HubSpotClient;
  api: HubSpotApi;
  executor: RequestExecutor;
  processor: ParallelProcessor;
  limits: PortalLimits;
  progress: ProgressDisplay;
  stats(): RequestStats;
  /** Stops the display, flushes the request log and closes the client's sockets. */
  close(): Promise<void>;
}

/** Builds the in-process limits from settings: the rolling 10 s window (after the safety margin) and search's 5/s. */
export function createPortalLimits(settings: Settings, clock: Clock, windowMs = TEN_SECONDLY_WINDOW_MS): PortalLimits {
  const limit = effectiveWindowLimit(settings);
  const window = new RollingWindowLimiter({ name: 'hubspot-ten-secondly', limit, windowMs }, clock);
  const search = new RollingWindowLimiter({ name: 'hubspot-search', limit: settings.searchPerSecond, windowMs: SEARCH_LIMIT.windowMs }, clock);
  // Search replies carry no rate-limit headers, so a process cannot learn what a predecessor (a run killed a
  // moment ago, restarted at once) searched in the last second: it starts as if that second were full.
  search.reserveExternal(settings.searchPerSecond, clock.now() + SEARCH_LIMIT.windowMs);
  return { standard: window, search, window, ratePerSecond: (limit * 1000) / windowMs };
}

export function createRunContext(settings: Settings, options: RunContextOptions = {}): RunContext {
  if (!settings.accessToken)
    throw new UserFacingError('HUBSPOT_ACCESS_TOKEN is not set: create a private-app token in HubSpot and set it (or run with --demo)');
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const events = options.events ?? new EngineEvents();
  const limits = options.limits ?? createPortalLimits(settings, clock, options.windowMs);
  const latency = new LatencyEstimator({ initialMs: options.initialLatencyMs ?? 300 });
  const serviceTime = new LatencyEstimator({ initialMs: options.initialLatencyMs ?? 300 });
  const executor = new RequestExecutor({
    limits,
    clock,
    random,
    events,
    requestLog: options.requestLogPath ? openRequestLog(options.requestLogPath) : noRequestLog,
    timeoutMs: settings.requestTimeoutMs,
    maxAttempts: settings.maxAttempts,
    breaker: options.breaker,
    backoff: options.backoff,
    latency,
    serviceTime,
    dailyBudget: options.trackDailyBudget === false ? undefined : new DailyBudget(settings.dailyLimit, settings.dailyReserve),
    signal: options.signal,
  });
  const client = createHubSpotClient({ accessToken: settings.accessToken, baseUrl: settings.baseUrl, maxSockets: settings.maxConcurrency * 2 });
  const processor = new ParallelProcessor({
    clock,
    events,
    ratePerSecond: limits.ratePerSecond,
    latency: serviceTime,
    maxConcurrency: settings.maxConcurrency,
    fatalError: () => executor.fatalError(),
  });
  const progress = startProgress({
    events,
    mode: options.progress ?? 'off',
    stream: options.progressStream,
    intervalMs: options.progressIntervalMs,
    now: () => clock.now(),
  });
  return {
    settings,
    clock,
    events,
    client,
    api: new HubSpotApi(client, executor, settings.apiVersion),
    executor,
    processor,
    limits,
    progress,
    stats: () => executor.stats(),
    async close() {
      progress.stop();
      await executor.close();
      closeHubSpotClient(client);
    },
  };
}
