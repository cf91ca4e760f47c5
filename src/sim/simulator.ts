import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../clock.js';
import { json } from './error-bodies.js';
import { buildManifest, manifestJsonChunks, parseHistorySelection, type Manifest, type ManifestOptions } from './manifest.js';
import { resolveOptions, TIER_LIMITS, type SimulatorOptions } from './options.js';
import { PortalHost } from './portal-host.js';
import type { MutationKind, Portal } from './portal.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { createPipeline } from './server.js';
import { SimOAuth } from './routes-oauth.js';

/** Starts simulated HubSpot portals on 127.0.0.1 (a random free port unless `port` is given). */

/** One portal of the server (with `portals` > 1 there are N; the first is also `RunningSimulator.portal`). */
export interface SimulatedPortal {
  /** 1..N */
  index: number;
  seed: number;
  /** The private-app token that reads this portal. */
  token: string;
  /** The portal's state (generated on first use). */
  readonly portal: Portal;
  manifest(options?: ManifestOptions): Manifest;
  /** Applies `n` seeded random changes now (the clock's time) to every stream of this portal. */
  mutate(n: number): MutationKind[];
  /** Requests made with this portal's token or one of its OAuth installs. */
  requests(): RequestLogEntry[];
}

export interface RunningSimulator {
  /** Origin without a trailing slash, e.g. http://127.0.0.1:43121 (use as `basePath`). */
  url: string;
  port: number;
  /** Portal 1's token (`sim-token` unless given). */
  token: string;
  /** Portal 1. */
  portal: Portal;
  /** Every portal served, portal 1 first. */
  portals: SimulatedPortal[];
  /** Every request seen so far, in arrival order (all portals). */
  requests(): RequestLogEntry[];
  /** Portal 1's ground truth (`options.history` adds property history to the records). */
  manifest(options?: ManifestOptions): Manifest;
  /** Applies `n` seeded random changes now (the clock's time) to portal 1. */
  mutate(n: number): MutationKind[];
  /** The public app's token endpoint: install (in a portal), revoke and count refreshes (src/sim/routes-oauth.ts). */
  oauth: SimOAuth;
  /** Changes options at run time (faults, limits, lag, load, drift, paths). Size, seed, catalogs, portals and port are fixed at start. */
  setOptions(partial: Partial<SimulatorOptions>): void;
  options(): SimulatorOptions;
  close(): Promise<void>;
}

export async function startSimulator(partial: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  let options = resolveOptions(partial);
  const clock: Clock = options.clock ?? systemClock;
  const hosts = Array.from({ length: Math.max(1, options.portals) }, (_, k) => new PortalHost(k + 1, () => options));
  const hostByToken = new Map(hosts.map((host) => [host.token, host]));
  // A single portal is generated at once, as before fleets (the first request should not pay for it); a fleet's
  // portals on first use.
  if (hosts.length === 1) void hosts[0].portal;
  const log = new RequestLog(options.requestLogFile);
  const held = new Set<IncomingMessage>();
  const oauth = new SimOAuth(clock);

  /** `?portal=k` of a control endpoint (default 1). */
  const hostOf = (query: URLSearchParams): PortalHost | undefined => hosts[(Number(query.get('portal') ?? 1) || 1) - 1];

  const control = (method: string, path: string, query: URLSearchParams) => {
    const host = hostOf(query);
    if (path !== '/__sim/health' && path !== '/__sim/portals' && !host) return json(404, { status: 'error', message: `No portal ${query.get('portal')}` });
    if (method === 'GET' && path === '/__sim/manifest') {
      return {
        status: 200,
        contentType: 'application/json;charset=utf-8',
        chunks: manifestJsonChunks(host!.portal, { history: parseHistorySelection(query.get('history')) }),
      };
    }
    if (method === 'GET' && path === '/__sim/requests') {
      const since = log.since(Number(query.get('since') ?? 0) || 0);
      return json(200, query.has('portal') && hosts.length > 1 ? since.filter((e) => e.portal === host!.index) : since);
    }
    if (method === 'POST' && path === '/__sim/mutate') {
      return json(200, { applied: host!.portal.mutate(Math.max(0, Number(query.get('n') ?? 1) || 0), clock.now()) });
    }
    if (method === 'GET' && path === '/__sim/portals') {
      return json(200, { portals: hosts.map((h) => ({ index: h.index, seed: h.seed, token: h.token, generated: h.isGenerated })) });
    }
    if (method === 'GET' && path === '/__sim/health') return json(200, { ok: true });
    return undefined;
  };

  const pipeline = createPipeline({
    options: () => options,
    clock,
    hosts,
    hostByToken,
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
      // Every portal changes at this rate (each on its own seeded sequence).
      const every = Math.max(1, Math.floor(60_000 / options.mutationsPerMinute));
      timers.push(setInterval(() => hosts.forEach((host) => host.portal.mutate(1, clock.now())), every));
    }
    if (options.backgroundLoad > 0) {
      // Another app on each portal's window: evenly spread arrivals, limited like any other request.
      const every = Math.max(1, Math.floor(options.rateLimitWindowMs / options.backgroundLoad));
      if (!backgroundSeeded) {
        // The other app was already running: its last window of requests is counted (not logged, they came
        // before the simulator). Starting from an empty window instead lets a client take the slots the
        // other app is about to use in its first window; that is an app starting mid-run, not a steady one.
        backgroundSeeded = true;
        const now = clock.now();
        for (const host of hosts) for (let k = options.backgroundLoad - 1; k >= 1; k--) host.limiter.admit(host.token, 'standard', now - k * every);
      }
      timers.push(
        setInterval(() => {
          const now = clock.now();
          for (const host of hosts) {
            const admission = host.limiter.admit(host.token, 'standard', now);
            const entry: RequestLogEntry = {
              t: now,
              method: 'GET',
              path: '/crm/v3/objects/contacts',
              status: admission.allowed ? 200 : 429,
              window: admission.window,
              source: 'background',
            };
            if (hosts.length > 1) entry.portal = host.index;
            if (admission.policy) entry.policy = admission.policy;
            log.arrive(entry);
            log.finish(entry);
          }
        }, every),
      );
    }
    for (const timer of timers) timer.unref();
  };
  startTimers();

  const portals: SimulatedPortal[] = hosts.map((host) => ({
    index: host.index,
    seed: host.seed,
    token: host.token,
    get portal() {
      return host.portal;
    },
    manifest: (manifestOptions) => buildManifest(host.portal, manifestOptions),
    mutate: (n) => host.portal.mutate(n, clock.now()),
    requests: () => (hosts.length > 1 ? log.all().filter((e) => e.portal === host.index) : log.all()),
  }));

  return {
    url: `http://${options.host}:${port}`,
    port,
    token: hosts[0].token,
    get portal() {
      return hosts[0].portal;
    },
    portals,
    oauth,
    requests: () => log.all(),
    manifest: (manifestOptions) => buildManifest(hosts[0].portal, manifestOptions),
    mutate: (n) => hosts[0].portal.mutate(n, clock.now()),
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
        portals: options.portals,
        without: options.without,
        token: options.token,
        port,
      };
      for (const host of hosts) host.configure(options);
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
