/**
 * npm run bench:fleet — the fleet (issue 16) on this machine: N simulated portals (one simulator process,
 * `--portals N`), synced by 1, 2 and 4 worker processes in turn, each configuration on a fresh database and a
 * fresh simulator (the same seeded portals). For each it prints:
 *
 * - whether every portal's database equals its portal (the repo's equality helper against the simulator's
 *   manifest, and no duplicate rows), with the count of those that do not;
 * - 429s (goal 0) and the most requests any portal had in a rolling window against its limit (goal ≤ limit),
 *   from the simulator's request log of each portal: arrivals (429s included) and those served; beside them the
 *   requests the client gave up on before the answer (status 0 in the log: a timeout or an abort);
 * - aggregate requests/s (window-counted ones, from the first queued job to the last portal done) against the
 *   sum of what the portals allow, and against what the running slots allow (a worker runs at most its
 *   concurrency of portals at once, so with fewer slots than portals the slots are the ceiling);
 * - CPU seconds per 1,000 rows: the workers' (user + system, from /proc), and beside it the simulator's and
 *   the Postgres server's when it is the embedded one;
 * - ratios against the 1-worker run of the same process (the baseline), and the machine's load.
 *
 * Options: --portals=100 --workers=1,2,4 --preset=small --limit=190 (requests per window and portal)
 * --window-ms=10000 --concurrency=N (portal runs per worker; default: enough slots for every portal, within the
 * server's max_connections) --latency-ms=60 --seed=1 --timeout-minutes=30.
 * A smaller run: `npm run bench:fleet -- --portals=20 --workers=1,2`.
 *
 * Uses DATABASE_URL when set, else an embedded Postgres under .data/postgres-bench. Writes bench/results/fleet.json.
 * Benchmarks print ratios; nothing here asserts a duration.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { loadSettings, type Settings } from '../config/settings.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { openFleetDatabase, portalSchemaDatabase, workerConnections } from '../src/fleet/fleet-db.js';
import { writePortalLimits } from '../src/fleet/portal-limits.js';
import { createBoss, enqueuePortalRun, ensureQueue } from '../src/fleet/queue.js';
import { insertPortal } from '../src/fleet/registry.js';
import { upsertLimit } from '../src/limits/pg-store.js';
import type { Manifest } from '../src/sim/index.js';
import type { RequestLogLine } from '../src/request-log-entry.js';
import { requestLogFromEntries } from '../src/verify/request-log.js';
import { analyseRequestLog } from '../src/verify/rolling-window-report.js';
import { duplicateCounts, portalDifferences } from '../test/helpers/portal-equality.js';
import { freshDatabase } from './fresh-database.js';
import { machineCpuSeconds, processCpu, repoRoot, spawnTsx, startSimulatorProcess } from './processes.js';

const root = repoRoot;
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const num = (name: string, fallback: number) => {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}=${v}: a positive number`);
  return n;
};

const PORTALS = num('portals', 100);
const WORKERS = (arg('workers') ?? '1,2,4').split(',').map(Number);
const PRESET = arg('preset') ?? 'small';
const LIMIT = num('limit', 190);
const WINDOW_MS = num('window-ms', 10_000);
const LATENCY_MS = num('latency-ms', 60);
const SEED = num('seed', 1);
const TIMEOUT_MS = num('timeout-minutes', 30) * 60_000;
const FLEET_SCHEMA = 'hubspot_fleet';
const DATA_DIR = path.join(root, '.data', 'postgres-bench');
/** Each worker's stderr (warnings) and the fullest window of a portal that went over its limit. */
const LOG_DIR = path.join(root, '.data', 'bench-fleet');

const node = (args: string[], env: NodeJS.ProcessEnv, stdout: 'pipe' | 'ignore' = 'pipe') => spawnTsx(args, env, stdout);

/** user + system CPU seconds of a live process (its own, and of its reaped children when `children`); 0 once gone. */
function cpuSeconds(pid: number, children = false): number {
  const cpu = processCpu(pid);
  return cpu ? cpu.seconds + (children ? cpu.childrenSeconds : 0) : 0;
}

/** The embedded server's CPU: the postmaster with its reaped backends, plus the live ones. */
function postgresCpuSeconds(): number | undefined {
  if (process.env.DATABASE_URL) return undefined;
  let postmaster: number;
  try {
    postmaster = Number(readFileSync(path.join(DATA_DIR, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
  let total = cpuSeconds(postmaster, true);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cpu = processCpu(Number(entry));
    if (cpu?.ppid === postmaster) total += cpu.seconds;
  }
  return total;
}

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

function startSim(): Promise<{ url: string; child: ChildProcess }> {
  return startSimulatorProcess(
    [
      '--portals',
      String(PORTALS),
      '--preset',
      PRESET,
      '--seed',
      String(SEED),
      '--ten-second-limit',
      String(LIMIT),
      '--window-ms',
      String(WINDOW_MS),
      '--latency-ms',
      String(LATENCY_MS),
    ],
    { stderr: 'ignore' },
  );
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return (await response.json()) as T;
}

const names = Array.from({ length: PORTALS }, (_, i) => `p${i + 1}`);
const tokenVar = (k: number) => `SIM_TOKEN_${k}`;

/** The portals in the registry as `portals add pK --token-env SIM_TOKEN_K --base-url … --max-requests-per-10s LIMIT` would write them, window scaled. */
async function register(fleetDb: Database, simUrl: string, settings: Settings): Promise<void> {
  await fleetDb.transaction(async (tx) => {
    for (const [i, name] of names.entries()) {
      const portal = {
        name,
        schema: `hubspot_${name}`,
        auth: 'private_app' as const,
        tier: 'professional' as const,
        maxRequestsPer10s: LIMIT,
        baseUrl: simUrl,
        status: 'active' as const,
        credential: { kind: 'env' as const, ref: tokenVar(i + 1) },
      };
      await insertPortal(tx, FLEET_SCHEMA, portal);
      await writePortalLimits(tx, FLEET_SCHEMA, portal, settings);
      // The simulator's window (`--window-ms`) on the portal's shared limit, as the operator's `limits` tools would.
      await upsertLimit(tx, FLEET_SCHEMA, { name, limit: LIMIT, windowMs: WINDOW_MS, slotDecayPerSecond: 0, active: true });
    }
  });
}

interface RunResult {
  workers: number;
  concurrency: number;
  wallSeconds: number;
  portalsEqual: number;
  portalsUnequal: string[];
  status429: number;
  /** Arrivals in the fullest window (429s included), and requests served in it (what the server counts). */
  maxInWindow: number;
  maxServedInWindow: number;
  maxInWindowPortal: string;
  /** Requests the client gave up on before the simulator answered (status 0 in its log: timeouts, aborts). */
  abandoned: number;
  windowRequests: number;
  searchRequests: number;
  requestsPerSecond: number;
  allowedPerSecond: number;
  slotsAllowedPerSecond: number;
  shareOfAllowed: number;
  shareOfSlots: number;
  rows: number;
  workerCpuSeconds: number;
  workerCpuPer1000Rows: number;
  simCpuSeconds: number;
  postgresCpuSeconds: number | null;
  /** Cores the workers, and the simulator, used on average (CPU seconds / wall seconds). */
  workerCores: number;
  simCores: number;
  /** Share of the machine's CPU busy during the run (all processes, other agents included). */
  machineBusy: number;
  loadBefore: string;
  loadAfter: string;
  failedJobs: number;
  /** Portals whose run succeeded before the end (all of them unless `--timeout-minutes` ran out). */
  portalsDone: number;
  /**
   * Where the time between "all queued" and "all done" went, to tell the limits from the tool: the share of the
   * slots' time that a run occupied (a slot idle between runs: job fetch interval, settle); per run, the seconds
   * from its start to its first request (migrations, claim, credentials) and from its last request to its end
   * (the last loads, the commit); and the share of its own limit a run used while it ran (its window requests over
   * its run time at the portal's rate: the metadata step, catalogs and page chains that cannot fill the window).
   */
  slotOccupancy: number;
  startupSecondsMedian: number;
  tailSecondsMedian: number;
  runShareOfLimitMedian: number;
  runSecondsMedian: number;
}

async function runConfiguration(adminUrl: string, workerCount: number, maxConnections: number): Promise<RunResult> {
  // Enough slots for every portal, within the server's connections (each worker opens workerConnections(c)).
  const budget = Math.floor((maxConnections - 20) / workerCount);
  let fit = 1;
  while (workerConnections(fit + 1) <= budget) fit++;
  const concurrency = arg('concurrency') ? num('concurrency', 1) : Math.max(1, Math.min(Math.ceil(PORTALS / workerCount), fit));
  const url = await freshDatabase(adminUrl, `bench_fleet_w${workerCount}`);
  const sim = await startSim();
  const settings = loadSettings({}, { DATABASE_URL: url, HUBSPOT_FLEET_SCHEMA: FLEET_SCHEMA });
  const fleetDb = await openFleetDatabase(settings, { poolSize: 4, applicationName: 'bench-fleet' });
  const workers: ChildProcess[] = [];
  try {
    await register(fleetDb, sim.url, settings);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: url,
      HUBSPOT_WORKER_CONCURRENCY: String(concurrency),
      HUBSPOT_WORKER_POLL_SECONDS: '1',
      HUBSPOT_WORKER_HEARTBEAT_SECONDS: '30',
      HUBSPOT_SEARCH_LAG_MS: '0',
      LOG_LEVEL: 'warn',
    };
    for (let k = 1; k <= PORTALS; k++) env[tokenVar(k)] = `sim-token-${k}`;
    const stderr: string[] = [];
    for (let w = 0; w < workerCount; w++) {
      const child = node(['src/cli.ts', 'worker'], env);
      child.stdout!.resume();
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      child.on('exit', () => {
        stderr.push(err);
        // Kept for a look after the run (warnings only: LOG_LEVEL=warn).
        writeFileSync(path.join(LOG_DIR, `w${workerCount}-${w + 1}.log`), err);
      });
      workers.push(child);
    }
    // Ready when every worker has registered its heartbeat.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await fleetDb.query<{ n: string }>(`select count(*) as n from ${FLEET_SCHEMA}.workers`);
      if (Number(rows[0].n) >= workerCount) break;
      if (workers.some((w) => w.exitCode !== null)) throw new Error(`a worker exited at start:\n${stderr.join('\n')}`);
      if (Date.now() > deadline) throw new Error('the workers did not start');
      await new Promise((r) => setTimeout(r, 200));
    }

    const loadBefore = loadavg();
    const cpuBefore = workers.map((w) => cpuSeconds(w.pid!));
    const simCpuBefore = cpuSeconds(sim.child.pid!);
    const pgCpuBefore = postgresCpuSeconds();
    const machineBefore = machineCpuSeconds();
    const started = performance.now();
    // `portals run --all`: one job per portal, queued at once.
    const boss = createBoss({ url, fleet: settings.fleet, supervise: false, applicationName: 'bench-fleet queue' });
    await boss.start();
    try {
      await ensureQueue(boss, settings.fleet, { update: false });
      for (const name of names) await enqueuePortalRun(boss, fleetDb, FLEET_SCHEMA, { portal: name, reason: 'manual' });
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
    const until = Date.now() + TIMEOUT_MS;
    let lastReport = 0;
    let portalsDone = 0;
    for (;;) {
      const { rows } = await fleetDb.query<{ n: string }>(`select count(distinct portal) as n from ${FLEET_SCHEMA}.portal_jobs where outcome = 'succeeded'`);
      const done = Number(rows[0].n);
      if (done >= PORTALS) {
        portalsDone = done;
        break;
      }
      if (workers.some((w) => w.exitCode !== null)) throw new Error(`a worker exited:\n${stderr.join('\n')}`);
      portalsDone = done;
      // Out of time (a machine too busy): measure what was done so far rather than lose it; the portals not done
      // show as not equal, and the rates stay true for the time measured.
      if (Date.now() > until) {
        process.stderr.write(`  ${workerCount} worker(s): timed out with ${done}/${PORTALS} portals done; measuring those\n`);
        break;
      }
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        process.stderr.write(
          `  ${workerCount} worker(s): ${done}/${PORTALS} portals done after ${Math.round((performance.now() - started) / 1000)} s (load ${loadavg()})\n`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const wallSeconds = (performance.now() - started) / 1000;
    const workerCpuSeconds = workers.reduce((sum, w, i) => sum + cpuSeconds(w.pid!) - cpuBefore[i], 0);
    const simCpuSeconds = cpuSeconds(sim.child.pid!) - simCpuBefore;
    const pgCpuAfter = postgresCpuSeconds();
    const machineAfter = machineCpuSeconds();
    const loadAfter = loadavg();
    await Promise.all(workers.map((w) => stop(w)));

    const { rows: jobRows } = await fleetDb.query<{ rows: string; failed: string }>(
      `select coalesce(sum(rows), 0)::text as rows, count(*) filter (where outcome <> 'succeeded')::text as failed from ${FLEET_SCHEMA}.portal_jobs`,
    );
    const rows = Number(jobRows[0].rows);

    const { rows: runRows } = await fleetDb.query<{ portal: string; started: string; finished: string }>(
      `select portal, (extract(epoch from started_at) * 1000)::float8::text as started, (extract(epoch from finished_at) * 1000)::float8::text as finished
       from ${FLEET_SCHEMA}.portal_jobs where outcome = 'succeeded'`,
    );
    const runOf = new Map(runRows.map((r) => [r.portal, { started: Number(r.started), finished: Number(r.finished) }]));
    const startups: number[] = [];
    const tails: number[] = [];
    const runShares: number[] = [];
    const runSeconds: number[] = [];
    let status429 = 0;
    let maxInWindow = 0;
    let maxServedInWindow = 0;
    let abandoned = 0;
    let maxInWindowPortal = '';
    let windowRequests = 0;
    let searchRequests = 0;
    const unequal: string[] = [];
    for (const [i, name] of names.entries()) {
      const k = i + 1;
      const entries = await getJson<RequestLogLine[]>(`${sim.url}/__sim/requests?portal=${k}`);
      const report = analyseRequestLog(requestLogFromEntries(entries), { limit: LIMIT, windowMs: WINDOW_MS }).report;
      const run = runOf.get(name);
      if (run && entries.length > 0) {
        // The simulator's log times are its clock, the jobs' the database's: one machine, one clock.
        const times = entries.map((e) => e.t);
        const first = Math.min(...times);
        const last = Math.max(...times);
        startups.push((first - run.started) / 1000);
        tails.push((run.finished - last) / 1000);
        runSeconds.push((run.finished - run.started) / 1000);
        runShares.push(report.burstRequests / (((run.finished - run.started) / 1000) * (LIMIT / (WINDOW_MS / 1000))));
      }
      status429 += report.status429;
      windowRequests += report.burstRequests;
      searchRequests += report.requests - report.burstRequests;
      abandoned += entries.filter((e) => e.status === 0).length;
      const served = analyseRequestLog(requestLogFromEntries(entries.filter((e) => e.status !== 429)), { limit: LIMIT, windowMs: WINDOW_MS }).report;
      maxServedInWindow = Math.max(maxServedInWindow, served.maxInWindow);
      if (report.maxInWindow > maxInWindow) {
        maxInWindow = report.maxInWindow;
        maxInWindowPortal = name;
      }
      if (report.maxInWindow > LIMIT || report.status429 > 0)
        writeFileSync(path.join(LOG_DIR, `w${workerCount}-${name}-requests.json`), JSON.stringify(entries, null, 0));
      if (!runOf.has(name)) {
        // Out of time before its run succeeded (its tables may not even exist): not equal, nothing to compare.
        unequal.push(`${name}: no run succeeded in the time`);
        continue;
      }
      const manifest = await getJson<Manifest>(`${sim.url}/__sim/manifest?portal=${k}`);
      const db = portalSchemaDatabase(fleetDb, `hubspot_${name}`);
      const differences = await portalDifferences(db, manifest);
      const duplicates = Object.values(await duplicateCounts(db)).some((n) => n > 0);
      if (differences.length > 0 || duplicates) unequal.push(`${name}: ${duplicates ? 'duplicate rows; ' : ''}${differences.slice(0, 3).join('; ')}`);
    }
    const requestsPerSecond = windowRequests / wallSeconds;
    const slots = workerCount * concurrency;
    const occupied = runSeconds.reduce((a, b) => a + b, 0);
    const perPortal = LIMIT / (WINDOW_MS / 1000);
    const allowedPerSecond = PORTALS * perPortal;
    const slotsAllowedPerSecond = Math.min(PORTALS, workerCount * concurrency) * perPortal;
    return {
      workers: workerCount,
      concurrency,
      wallSeconds: round(wallSeconds),
      portalsEqual: PORTALS - unequal.length,
      portalsUnequal: unequal,
      status429,
      maxInWindow,
      maxServedInWindow,
      maxInWindowPortal,
      abandoned,
      windowRequests,
      searchRequests,
      requestsPerSecond: round(requestsPerSecond),
      allowedPerSecond: round(allowedPerSecond),
      slotsAllowedPerSecond: round(slotsAllowedPerSecond),
      shareOfAllowed: round(requestsPerSecond / allowedPerSecond),
      shareOfSlots: round(requestsPerSecond / slotsAllowedPerSecond),
      rows,
      workerCpuSeconds: round(workerCpuSeconds),
      workerCpuPer1000Rows: round(workerCpuSeconds / (rows / 1000)),
      simCpuSeconds: round(simCpuSeconds),
      postgresCpuSeconds: pgCpuBefore === undefined || pgCpuAfter === undefined ? null : round(pgCpuAfter - pgCpuBefore),
      workerCores: round(workerCpuSeconds / wallSeconds),
      simCores: round(simCpuSeconds / wallSeconds),
      machineBusy: round((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)),
      loadBefore,
      loadAfter,
      failedJobs: Number(jobRows[0].failed),
      portalsDone,
      slotOccupancy: round(occupied / (Math.min(slots, PORTALS) * wallSeconds)),
      startupSecondsMedian: round(median(startups)),
      tailSecondsMedian: round(median(tails)),
      runShareOfLimitMedian: round(median(runShares)),
      runSecondsMedian: round(median(runSeconds)),
    };
  } finally {
    for (const w of workers) await stop(w, 'SIGKILL');
    await fleetDb.close();
    await stop(sim.child);
  }
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function printTable(table: string[][]): void {
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log('  ' + row.map((c, i) => c.padEnd(widths[i])).join('  '));
}

async function main(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(DATA_DIR);
    adminUrl = embedded.url;
  }
  const results: RunResult[] = [];
  mkdirSync(LOG_DIR, { recursive: true });
  try {
    const probe = await openDatabase({ url: adminUrl, schema: 'public', poolSize: 1 });
    const maxConnections = Number((await probe.query<{ max_connections: string }>('show max_connections')).rows[0].max_connections);
    await probe.close();
    console.log(
      `bench:fleet: ${PORTALS} ${PRESET} portals on one simulator (${LIMIT} requests per ${WINDOW_MS} ms each, latency ${LATENCY_MS} ms), ` +
        `workers ${WORKERS.join(', ')}; ${cpus().length} cores; load ${loadavg()}`,
    );
    for (const w of WORKERS) {
      const r = await runConfiguration(adminUrl, w, maxConnections);
      results.push(r);
      console.log(`  ${w} worker(s) done in ${r.wallSeconds} s; load ${r.loadAfter}`);
    }
  } finally {
    await embedded?.stop();
  }

  const base = results[0];
  const header = [
    'workers',
    'slots',
    'equal',
    '429s',
    'abandoned',
    'max/window',
    'served/window',
    'req/s',
    'of allowed',
    'of slots',
    'x base',
    'wkr cores',
    'cpu s/1k rows',
    'x base',
    'sim cores',
    'pg cpu s',
    'machine CPU',
    'load before/after',
    'wall s',
  ];
  const table = [
    header,
    ...results.map((r) => [
      String(r.workers),
      `${r.workers}x${r.concurrency}`,
      r.portalsUnequal.length === 0 ? 'yes' : `no (${r.portalsUnequal.length})${r.portalsDone < PORTALS ? ` ${r.portalsDone} done` : ''}`,
      String(r.status429),
      String(r.abandoned),
      `${r.maxInWindow}/${LIMIT}`,
      `${r.maxServedInWindow}/${LIMIT}`,
      r.requestsPerSecond.toFixed(1),
      r.shareOfAllowed.toFixed(3),
      r.shareOfSlots.toFixed(3),
      (r.requestsPerSecond / base.requestsPerSecond).toFixed(2),
      r.workerCores.toFixed(2),
      r.workerCpuPer1000Rows.toFixed(3),
      (r.workerCpuPer1000Rows / base.workerCpuPer1000Rows).toFixed(2),
      r.simCores.toFixed(2),
      r.postgresCpuSeconds === null ? '-' : r.postgresCpuSeconds.toFixed(1),
      `${Math.round(r.machineBusy * 100)}%`,
      `${r.loadBefore.split(' ')[0]}/${r.loadAfter.split(' ')[0]}`,
      r.wallSeconds.toFixed(0),
    ]),
  ];
  printTable(table);
  // Where the time went (see RunResult): slots idle between runs, runs' start-up and tail, runs under their limit.
  printTable([
    ['workers', 'slot occupancy', 'run s (median)', 'start-up s', 'tail s', 'run: share of its limit', 'failed jobs'],
    ...results.map((r) => [
      String(r.workers),
      r.slotOccupancy.toFixed(3),
      r.runSecondsMedian.toFixed(1),
      r.startupSecondsMedian.toFixed(2),
      r.tailSecondsMedian.toFixed(2),
      r.runShareOfLimitMedian.toFixed(3),
      String(r.failedJobs),
    ]),
  ]);
  for (const r of results) for (const u of r.portalsUnequal.slice(0, 5)) console.log(`  ${r.workers} worker(s): not equal: ${u}`);
  // The goals, read as the issue states them: the aggregate reaches 0.9 of what the limits allow unless the CPU
  // is saturated (the machine's CPU, busy seconds / (wall × cores) from /proc/stat, ≥ 90%: every process on it,
  // other agents' included); 2 workers reach 1.8× one where one was CPU-bound.
  for (const r of results) {
    const saturated = r.machineBusy >= 0.9;
    console.log(
      `  ${r.workers} worker(s): aggregate ${r.shareOfAllowed.toFixed(3)} of the limits (${r.shareOfSlots.toFixed(3)} of the running slots' limits); ` +
        `machine CPU ${Math.round(r.machineBusy * 100)}% of ${cpus().length} cores (load ${r.loadBefore} -> ${r.loadAfter}): ` +
        (r.shareOfAllowed >= 0.9 ? 'goal met' : saturated ? 'CPU saturated' : 'CPU not saturated: goal NOT met'),
    );
  }
  const two = results.find((r) => r.workers === 2);
  if (two && base.workers === 1) {
    const cpuBound = base.workerCores >= 0.85;
    console.log(
      `  2 workers / 1 worker: ${(two.requestsPerSecond / base.requestsPerSecond).toFixed(2)}x (goal 1.8x where one worker was CPU-bound: ` +
        `one worker used ${base.workerCores.toFixed(2)} cores, ${cpuBound ? 'CPU-bound' : 'not CPU-bound'})`,
    );
  }
  const out = {
    portals: PORTALS,
    preset: PRESET,
    limit: LIMIT,
    windowMs: WINDOW_MS,
    latencyMs: LATENCY_MS,
    cores: cpus().length,
    results,
    ratiosToOneWorker: results.map((r) => ({
      workers: r.workers,
      requestsPerSecond: round(r.requestsPerSecond / base.requestsPerSecond),
      cpuPer1000Rows: round(r.workerCpuPer1000Rows / base.workerCpuPer1000Rows),
    })),
    database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (.data/postgres-bench)',
    measuredAt: new Date().toISOString(),
  };
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', 'fleet.json'), JSON.stringify(out, null, 2) + '\n');
}

await main();
