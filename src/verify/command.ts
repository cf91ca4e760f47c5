/**
 * verify:rate-limit: proves from request arrival times alone that a run stayed within a rolling-window limit.
 * The command's body; `src/cli.ts verify-rate-limit` and `scripts/verify-rate-limit.ts` (npm run verify:rate-limit)
 * both call runVerifyRateLimit.
 *
 *   npx tsx scripts/verify-rate-limit.ts [--log FILE] [--limit N] [--window MS] [--tier T] [--chart FILE] [--json]
 *                                        [--search-limit N] [--search-in-burst] [--duration MS]
 *
 * Search requests (path ending /search, or `kind: "search"`) are exempt from HubSpot's burst window and are
 * checked against their own per-second limit (default 5) instead; --search-in-burst counts them in both.
 *
 * Exit codes: 0 PASS, 1 FAIL (some request arrived over the limit), 2 bad usage or unreadable log.
 */
import { writeFile } from 'node:fs/promises';
import { readRequestLog, RequestLogLineError, requestLogFromEntries, type RequestLog } from './request-log.js';
import { BURST_LIMITS_BY_TIER, DEFAULT_TIER, isTier, TIERS, type Tier } from './rate-limit-tiers.js';
import { analyseRequestLog, SEARCH_LIMIT } from './rolling-window-report.js';
import { formatReport } from './report-text.js';
import { renderUsageChart } from './svg-chart.js';

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

const USAGE =
  'usage: verify-rate-limit [--log FILE] [--limit N] [--window MS] [--tier ' +
  TIERS.join('|') +
  '] [--chart FILE] [--json] [--search-limit N] [--search-in-burst] [--duration MS]';

/** Bad arguments or an unreadable log: the one class of error that exits 2 with a single line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface VerifyOptions {
  log?: string;
  limit: number;
  windowMs: number;
  tier: Tier;
  /** Describes where `limit` came from, for the report header. */
  limitSource: string;
  chart?: string;
  json: boolean;
  /** Search requests allowed per second. */
  searchLimit: number;
  searchInBurst: boolean;
  /** How long the simulator load runs when no --log is given. */
  durationMs: number;
}

const VALUE_OPTIONS = new Set(['log', 'limit', 'window', 'tier', 'chart', 'duration', 'search-limit']);
const FLAG_OPTIONS = new Set(['json', 'help', 'search-in-burst']);
const DEFAULT_LOAD_DURATION_MS = 25_000;

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value <= 0) {
    throw new UsageError(`--${name} must be a positive integer, got "${text}"`);
  }
  return value;
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${name} must be a positive number of milliseconds, got "${text}"`);
  }
  return value;
}

/** Returns null for --help. */
export function parseArguments(argv: readonly string[]): VerifyOptions | null {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (FLAG_OPTIONS.has(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option --${name}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else value = argv[++i];
    // A value like "-3" is accepted here so the message can say what is wrong with it.
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
    if (values.has(name)) throw new UsageError(`--${name} given twice`);
    values.set(name, value);
  }
  if (flags.has('help')) return null;

  const tierText = values.get('tier') ?? DEFAULT_TIER;
  if (!isTier(tierText)) throw new UsageError(`--tier must be one of ${TIERS.join(', ')}, got "${tierText}"`);
  const tier: Tier = tierText;
  const tierLimit = BURST_LIMITS_BY_TIER[tier];
  const limitText = values.get('limit');
  const windowText = values.get('window');
  const limit = limitText === undefined ? tierLimit.limit : positiveInteger('limit', limitText);
  const windowMs = windowText === undefined ? tierLimit.windowMs : positiveNumber('window', windowText);
  const limitSource = [limitText === undefined ? `tier ${tier}` : '--limit', ...(windowText === undefined ? [] : ['--window'])].join(', ');
  const log = values.get('log');
  if (log === '') throw new UsageError('--log needs a file name');
  const chart = values.get('chart');
  if (chart === '') throw new UsageError('--chart needs a file name');
  const durationText = values.get('duration');
  if (durationText !== undefined && log !== undefined) throw new UsageError('--duration applies only to the simulator load, not with --log');
  const durationMs = durationText === undefined ? DEFAULT_LOAD_DURATION_MS : positiveNumber('duration', durationText);
  const searchLimitText = values.get('search-limit');
  const searchLimit = searchLimitText === undefined ? SEARCH_LIMIT.limit : positiveInteger('search-limit', searchLimitText);
  return {
    log,
    limit,
    windowMs,
    tier,
    limitSource,
    chart,
    json: flags.has('json'),
    searchLimit,
    searchInBurst: flags.has('search-in-burst'),
    durationMs,
  };
}

async function loadLog(file: string): Promise<RequestLog> {
  try {
    return await readRequestLog(file);
  } catch (err) {
    if (err instanceof RequestLogLineError) throw new UsageError(`request log ${file} ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (code ?? (err as Error).message);
    throw new UsageError(`cannot read request log ${file}: ${reason}`);
  }
}

export interface SimulatorLoad {
  log: RequestLog;
  /** Describes the load, for the report header. */
  origin: string;
}

/** Enough in-flight requests to keep the limiter, not the connection, the bottleneck. */
const LOAD_CONCURRENCY = 8;

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}

/**
 * Drives `durationMs` of load against an in-process simulator enforcing the chosen limit, paced by our
 * rolling-window limiter, and returns the simulator's request log: what the server saw, not what we sent.
 * The simulator and the limiter are imported lazily so reading a log never depends on them. Resolves null
 * when they are not part of this build.
 */
export async function runLoadAgainstSimulator(options: VerifyOptions): Promise<SimulatorLoad | null> {
  let sim: typeof import('../sim/index.js');
  let limits: typeof import('../limits/rolling-window.js');
  let clocks: typeof import('../clock.js');
  try {
    [sim, limits, clocks] = await Promise.all([import('../sim/index.js'), import('../limits/rolling-window.js'), import('../clock.js')]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return null;
    throw err;
  }
  const clock = clocks.systemClock;
  const simulator = await sim.startSimulator({
    tier: options.tier,
    tenSecondLimit: options.limit,
    rateLimitWindowMs: options.windowMs,
    searchPerSecond: options.searchLimit,
  });
  const limiter = new limits.RollingWindowLimiter({ name: 'verify-load', limit: options.limit, windowMs: options.windowMs }, clock);
  const stop = new AbortController();
  const deadline = clock.sleep(options.durationMs).then(() => stop.abort());
  const url = `${simulator.url}/crm/v3/objects/contacts?limit=10`;
  const headers = { authorization: `Bearer ${simulator.token}` };

  const worker = async () => {
    while (!stop.signal.aborted) {
      let release: () => void;
      try {
        release = await limiter.acquire(1, { signal: stop.signal });
      } catch (err) {
        if (isAbort(err) || stop.signal.aborted) return;
        throw err;
      }
      try {
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
      } finally {
        // The slot stays counted until a window after the response (see RollingWindowLimiter).
        release();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
    await deadline;
  } finally {
    stop.abort();
    await simulator.close();
  }
  const log = requestLogFromEntries(simulator.requests());
  const origin =
    `simulator load: ${options.durationMs} ms at ${options.limit} per ${options.windowMs} ms ` +
    `(tier ${options.tier}), ${LOAD_CONCURRENCY} workers through RollingWindowLimiter`;
  return { log, origin };
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseArguments(argv);
  if (options === null) {
    process.stdout.write(USAGE + '\n');
    return EXIT_PASS;
  }

  let log: RequestLog;
  let origin: string;
  if (options.log !== undefined) {
    log = await loadLog(options.log);
    origin = options.log;
  } else {
    const load = await runLoadAgainstSimulator(options);
    if (load === null) {
      throw new UsageError('no --log given and the simulator load mode is unavailable: pass --log FILE');
    }
    log = load.log;
    origin = load.origin;
  }

  const { report, series } = analyseRequestLog(log, {
    limit: options.limit,
    windowMs: options.windowMs,
    searchLimit: { limit: options.searchLimit, windowMs: SEARCH_LIMIT.windowMs },
    searchInBurst: options.searchInBurst,
  });

  if (options.chart !== undefined) {
    try {
      await writeFile(options.chart, renderUsageChart(report, series));
    } catch (err) {
      throw new UsageError(`cannot write chart ${options.chart}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  if (options.json) {
    const output = { origin, limitSource: options.limitSource, chart: options.chart ?? null, ...report };
    process.stdout.write(JSON.stringify(output, null, 2) + '\n');
  } else {
    process.stdout.write(formatReport(report, { origin, limitSource: options.limitSource }));
    if (options.chart !== undefined) process.stdout.write(`  chart           ${options.chart}\n`);
  }
  return report.verdict === 'PASS' ? EXIT_PASS : EXIT_FAIL;
}

/**
 * The whole command: runs `main` and turns every error into its exit code and one line on stderr.
 * src/cli.ts calls this for `hubspot-extract verify-rate-limit ...`, scripts/verify-rate-limit.ts for the npm script.
 */
export async function runVerifyRateLimit(argv: readonly string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (err) {
    // Exit 1 is reserved for a measured FAIL, so even an unexpected crash exits 2.
    const message = err instanceof UsageError ? err.message : `unexpected error: ${(err as Error).stack ?? String(err)}`;
    process.stderr.write(`verify-rate-limit: ${message}\n`);
    return EXIT_USAGE;
  }
}
