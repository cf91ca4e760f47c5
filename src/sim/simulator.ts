import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom, systemClock, type Clock } from '../clock.js';
import { json } from './error-bodies.js';
import { FaultInjector } from './faults.js';
import { hashSeed } from './ids.js';
import { buildManifest, manifestJsonChunks, type Manifest } from './manifest.js';
import { customPropertyCounts, resolveOptions, TIER_LIMITS, type SimulatorOptions } from './options.js';
import { PageDrift } from './page-drift.js';
import { Portal, type MutationKind } from './portal.js';
import { RateLimiter, type RateLimitConfig } from './rate-limits.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { createPipeline } from './server.js';
import { SimOAuth } from './routes-oauth.js';

/** Starts a simulated HubSpot portal on 127.0.0.1 (a random free port unless `port` is given). */

export interface RunningSimulator {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:43121 (use as `basePath`). */
  url: string;
  port: number;
  token: string;
  portal: Portal;
  /** Every request seen so far, in arrival order. */
  requests(): RequestLogEntry[];
  manifest(): Manifest;
  /** Applies `n` seeded random changes now (the clock's time). */
  mutate(n: number): MutationKind[];
  /** The public app's token endpoint: install, revoke and count refreshes (src/sim/routes-oauth.ts). */
  oauth: SimOAuth;
  /** Changes options at run time (faults, limits, lag, load, drift, paths). Size, seed, catalogs and port are fixed at start. */
  setOptions(partial: Partial<SimulatorOptions>): void;
  options(): SimulatorOptions;
  close(): Promise<void>;
}

function limiterConfig(options: SimulatorOptions): RateLimitConfig {
  return {
    enabled: options.rateLimit,
    tenSecondLimit: options.tenSecondLimit,
    windowMs: options.rateLimitWindowMs,
    dailyLimit: options.dailyLimit,
    searchPerSecond: options.searchPerSecond,
    rejectedCountsInWindow: options.rejectedCountsInWindow,
  };
}

export async function startSimulator(partial: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  let options = resolveOptions(partial);
  const clock: Clock = options.clock ?? systemClock;
  const portal = new Portal({
    seed: options.seed,
    size: options.size,
    sameMsBatch: options.sameMsBatch,
    catalog: options.catalog,
    customProperties: customPropertyCounts(options),
  });
  portal.searchLagMs = options.searchLagMs;
  const limiter = new RateLimiter(limiterConfig(options));
  const log = new RequestLog(options.requestLogFile);
  const held = new Set<IncomingMessage>();
  const faults = new FaultInjector(seededRandom(hashSeed(options.seed, 'faults')));
  const oauth = new SimOAuth(clock);

  const control = (method: string, path: string, query: URLSearchParams) => {
    if (method === 'GET' && path === '/__sim/manifest') return { status: 200, contentType: 'application/json;charset=utf-8', chunks: manifestJsonChunks(portal) };
    if (method === 'GET' && path === '/__sim/requests') return json(200, log.since(Number(query.get('since') ?? 0) || 0));
    if (method === 'POST' && path === '/__sim/mutate') {
      return json(200, { applied: portal.mutate(Math.max(0, Number(query.get('n') ?? 1) || 0), clock.now()) });
    }
    if (method === 'GET' && path === '/__sim/health') return json(200, { ok: true });
    return undefined;
  };

  const pipeline = createPipeline({
    options: () => options,
    clock,
    portal,
    limiter,
    faults,
    drift: new PageDrift(seededRandom(hashSeed(options.seed, 'page-drift'))),
    latencyRandom: seededRandom(hashSeed(options.seed, 'latency')),
    log,
    control,
    held,
    oauth,
  });
  // Request lines far past maxUrlBytes must reach the pipeline (to get the edge's 414), not Node's own 431.
  const server = createServer({ keepAlive: true, maxHeaderSize: 1 << 20 }, pipeline.handler);
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let timers: NodeJS.Timeout[] = [];
  let backgroundSeeded = false;
  const startTimers = () => {
    for (const timer of timers) clearInterval(timer);
    timers = [];
    if (options.mutationsPerMinute > 0) {
      const every = Math.max(1, Math.floor(60_000 / options.mutationsPerMinute));
      timers.push(setInterval(() => portal.mutate(1, clock.now()), every));
    }
    if (options.backgroundLoad > 0) {
      // Another app on the same window: evenly spread arrivals, limited like any other request.
      const every = Math.max(1, Math.floor(options.rateLimitWindowMs / options.backgroundLoad));
      if (!backgroundSeeded) {
        // The other app was already running: its last window of requests is counted (not logged, they came
        // before the simulator). Starting from an empty window instead lets a client take the slots the
        // other app is about to use in its first window; that is an app starting mid-run, not a steady one.
        backgroundSeeded = true;
        const now = clock.now();
        for (let k = options.backgroundLoad - 1; k >= 1; k--) limiter.admit(options.token, 'standard', now - k * every);
      }
      timers.push(
        setInterval(() => {
          const now = clock.now();
          const admission = limiter.admit(options.token, 'standard', now);
          const entry: RequestLogEntry = {
            t: now,
            method: 'GET',
            path: '/crm/v3/objects/contacts',
            status: admission.allowed ? 200 : 429,
            window: admission.window,
            source: 'background',
          };
          if (admission.policy) entry.policy = admission.policy;
          log.arrive(entry);
          log.finish(entry);
        }, every),
      );
    }
    for (const timer of timers) timer.unref();
  };
  startTimers();

  return {
    url: `http://${options.host}:${port}`,
    port,
    token: options.token,
    portal,
    oauth,
    requests: () => log.all(),
    manifest: () => buildManifest(portal),
    mutate: (n) => portal.mutate(n, clock.now()),
    options: () => options,
    setOptions(change) {
      const previousExpiry = options.tokenExpiresAfter;
      if (change.tier !== undefined && change.tier !== options.tier) {
        // A new tier brings its own limits unless the same call sets them explicitly.
        change = { tenSecondLimit: TIER_LIMITS[change.tier].tenSecondly, dailyLimit: TIER_LIMITS[change.tier].daily, ...change };
      }
      options = {
        ...options,
        ...change,
        faults: { ...options.faults, ...change.faults },
        size: options.size,
        seed: options.seed,
        catalog: options.catalog,
        customProperties: options.customProperties,
        port,
      };
      limiter.config = limiterConfig(options);
      portal.searchLagMs = options.searchLagMs;
      if (change.tokenExpiresAfter !== undefined && change.tokenExpiresAfter !== previousExpiry) pipeline.resetTokenExpiry();
      startTimers();
    },
    async close() {
      for (const timer of timers) clearInterval(timer);
      for (const req of held) req.socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await log.close();
    },
  };
}
