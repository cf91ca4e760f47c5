/**
 * bench:extract — a full extraction of the simulator's `medium` and `large` presets (realistic property catalogs:
 * 642 and 682 contact properties) at the Professional limit (190 / 10 s), each side in its own OS process,
 * against baselines measured in the same run:
 *   callsRatio  calls made / the README's minimum-calls formula for what was stored   (goal <= 1.02), also by
 *               budget: window calls / their minimum, search calls / theirs
 *   timeRatio   wall time of the run / the time the limits allow the calls it made, both budgets together:
 *               max(window calls / 19 per s, searches / 5 per s), the cost estimate's searches included (they
 *               spend the same search budget at the start of the run)         (goal <= 1.05)
 *   loadRatio   rows/s of the loader (COPY, merge and cursor per transaction, in the extractor's batches of
 *               LOAD_BATCH_BYTES) into an empty table / rows/s of one plain COPY of the same rows (goal >= 0.8);
 *               also loadRatioUpsert (the same rows again: staging + merge) and loadRatioPerPage (100 rows
 *               per transaction, the batch size under the API limit)
 *   peakRssMb   peak RSS of the extract process on the last preset                      (goal <= 300)
 *   rssGrowth   peak RSS of the last preset / of the first                              (goal <= 1.3)
 * Each run is printed with the machine's load average before and after it (other work on the machine makes
 * time and load figures noisy).
 * Usage: npm run bench:extract [-- --presets=medium,large] [-- --objects=contacts] [-- --load-only]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { stagedMerge, copyRows } from '../src/load/staged-merge.js';
import { writeCursor } from '../src/load/sync-state.js';
import { LOAD_BATCH_BYTES } from '../extractors/crm/staged-pages.js';
import type { CopyValue } from '../src/load/copy-format.js';
import { freshDatabase } from './fresh-database.js';
import { machineCpuSeconds, processCpu, repoRoot, spawnTsx, startSimulatorProcess } from './processes.js';

const root = repoRoot;
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const presets = (arg('presets') ?? 'medium,large').split(',');
/** `--objects=contacts`: one type alone (e.g. to see whether a run is bound by the search budget). */
const objects = arg('objects');
const TOKEN = 'bench-token';
const LIMIT = 190;
const WINDOW_MS = 10_000;
const SEARCH_PER_SECOND = 5;

function node(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawnTsx(args, { ...process.env, ...env });
}

const startSim = (preset: string) =>
  startSimulatorProcess(['--preset', preset, '--token', TOKEN, '--tier', 'professional', '--latency-ms', '60', '--seed', '42']);

/**
 * Where the CPU went during a run: the simulator, the extractor and the processes of the bench's postgres server, sampled from /proc
 * (a process's last sample counts, so a backend that exits between samples loses at most one interval), and the
 * machine as a whole from /proc/stat. On a machine with few cores, a run bound by CPU shows it here.
 */
class CpuAccount {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, { comm: string; seconds: number }>();
  private readonly machineStart = machineCpuSeconds().busy;
  private machineEnd = this.machineStart;
  /**
   * `postmaster`: the bench's own server, whose processes alone count as postgres (other agents' servers on a shared
   * machine counted too, and one stopping mid-run made the figure negative); undefined: every postgres process.
   */
  constructor(
    private readonly roles: Record<string, number>,
    private readonly postmaster?: number,
  ) {
    this.sample();
  }
  sample(): void {
    const watched = new Set(Object.values(this.roles));
    const initial = this.last.size === 0;
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const cpu = processCpu(pid);
      const ours = this.postmaster === undefined || pid === this.postmaster || cpu?.ppid === this.postmaster;
      if (!cpu || (!watched.has(pid) && (cpu.comm !== 'postgres' || !ours))) continue;
      // What a process had spent before the run does not count; one born during the run counts from zero.
      if (!this.first.has(pid)) this.first.set(pid, initial ? cpu.seconds : 0);
      this.last.set(pid, cpu);
    }
    this.machineEnd = machineCpuSeconds().busy;
  }
  /** CPU seconds spent since construction, by role, postgres and the whole machine. */
  totals(): Record<string, number> {
    const out: Record<string, number> = { postgres: 0 };
    const byPid = new Map(Object.entries(this.roles).map(([role, pid]) => [pid, role]));
    for (const [pid, cpu] of this.last) {
      const spent = cpu.seconds - (this.first.get(pid) ?? 0);
      const role = byPid.get(pid) ?? 'postgres';
      out[role] = (out[role] ?? 0) + spent;
    }
    out.machine = this.machineEnd - this.machineStart;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Math.round(v * 10) / 10]));
  }
}

/** Peak resident set of a process, from the kernel's high-water mark. */
function vmHwmMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface ExtractResult {
  preset: string;
  objects: string;
  /** The run's calls (the cost estimate's searches not included). */
  calls: number;
  minimumCalls: number;
  windowCalls: number;
  minimumWindowCalls: number;
  /** The run's own searches (the id keysets and incremental searches). */
  searchCalls: number;
  minimumSearchCalls: number;
  /** The cost estimate's searches, beside the run on the same search budget. */
  estimateSearches: number;
  /** What the limits allow for the calls made, both budgets together (ms). */
  boundMs: number;
  /** Which budget bounds the run. */
  boundBy: 'window' | 'search';
  wallMs: number;
  rows: number;
  peakRssMb: number;
  rateLimited: number;
  /** How each type was read. */
  reads: string;
  loadBefore: string;
  loadAfter: string;
  /** CPU seconds during the run: simulator, extract, postgres, the whole machine. */
  cpuSeconds: Record<string, number>;
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function extract(preset: string, adminUrl: string, postmaster: number | undefined): Promise<ExtractResult> {
  const sim = await startSim(preset);
  const dbUrl = await freshDatabase(adminUrl, `bench_extract_${preset}`);
  const loadBefore = loadAverage();
  const started = Date.now();
  const child = node(['src/cli.ts', 'extract', ...(objects ? ['--objects', objects] : [])], {
    HUBSPOT_ACCESS_TOKEN: TOKEN,
    HUBSPOT_BASE_URL: sim.url,
    DATABASE_URL: dbUrl,
    HUBSPOT_TIER: 'professional',
    APP_ENV: 'production',
    LOG_LEVEL: 'warn',
  });
  let peak = 0;
  const cpu = new CpuAccount({ simulator: sim.child.pid!, extract: child.pid! }, postmaster);
  let ticks = 0;
  const sampler = setInterval(() => {
    const v = vmHwmMb(child.pid!);
    if (v !== undefined) peak = Math.max(peak, v);
    if (++ticks % 5 === 0) cpu.sample();
  }, 200);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(sampler);
  cpu.sample();
  const loadAfter = loadAverage();
  sim.child.kill('SIGTERM');
  if (code !== 0) throw new Error(`extract ${preset} exited ${code}\n${stdout}\n${stderr}`);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const { rows } = await db.query<{
    stats: {
      requests: number;
      estimateCalls: number;
      searchCalls: number;
      minimumCalls: number;
      minimum: { window: number; search: number };
      wallMs: number;
      rateLimited: number;
      rows: Record<string, number>;
      reads?: Record<string, { strategy: string; properties?: number }>;
    };
  }>(`select stats from hubspot.runs where status = 'succeeded' order by id desc limit 1`);
  await db.end();
  const stats = rows[0].stats;
  // The cost estimate's searches are counted in `requests` and apart in `estimateCalls`.
  const calls = stats.requests - stats.estimateCalls;
  const windowCalls = calls - stats.searchCalls;
  const windowMs = (windowCalls / LIMIT) * WINDOW_MS;
  const searchMs = ((stats.searchCalls + stats.estimateCalls) / SEARCH_PER_SECOND) * 1000;
  return {
    preset,
    objects: objects ?? 'all',
    calls,
    minimumCalls: stats.minimumCalls,
    windowCalls,
    minimumWindowCalls: stats.minimum.window,
    searchCalls: stats.searchCalls,
    minimumSearchCalls: stats.minimum.search,
    estimateSearches: stats.estimateCalls,
    boundMs: Math.round(Math.max(windowMs, searchMs)),
    boundBy: windowMs >= searchMs ? 'window' : 'search',
    wallMs: stats.wallMs ?? Date.now() - started,
    rows: Object.entries(stats.rows)
      .filter(([k]) => k !== 'associations')
      .reduce((s, [, n]) => s + n, 0),
    peakRssMb: Math.round(peak),
    rateLimited: stats.rateLimited,
    reads: Object.entries(stats.reads ?? {})
      .map(([t, r]) => `${t}:${r.properties ?? '?'}:${r.strategy}`)
      .join(' '),
    loadBefore,
    loadAfter,
    cpuSeconds: cpu.totals(),
  };
}

/** The loader as the extractor uses it (100-row pages, each with its cursor) against one plain COPY. */
interface LoadComparison {
  copyRowsPerSecond: number;
  /** The loader at the extractor's batch size into an empty table (a first load, like this bench's). */
  freshRowsPerSecond: number;
  /** The same rows again: every key exists, so staging and merge. */
  upsertRowsPerSecond: number;
  /** One 100-row page per transaction, as under the API limit. */
  perPageRowsPerSecond: number;
  rows: number;
}

/** Enough rows and rounds that one slow COPY (a checkpoint, autovacuum) does not move the median. */
const LOAD_ROWS = 100_000;
const LOAD_ROUNDS = 5;

async function loadComparison(dbUrl: string): Promise<LoadComparison> {
  const db: Database = await openDatabase({ url: dbUrl, schema: 'hubspot' });
  await migrate(db);
  const source = await db.query<{ id: string; properties: unknown; created_at: string; updated_at: string }>(
    ['calls', 'emails', 'meetings', 'notes', 'tasks']
      .map((t) => `select id::text, properties::text as properties, created_at::text, updated_at::text from hubspot.${t}`)
      .join(' union all ') + ` limit ${LOAD_ROWS}`,
  );
  const rows: CopyValue[][] = source.rows.map((r) => [r.id, r.properties as string, r.created_at, r.updated_at, false, null, null]);
  const cols = ['id', 'properties', 'created_at', 'updated_at', 'archived', 'archived_at', 'deleted_at'];
  await db.query('create schema if not exists bench; drop table if exists bench.plain; drop table if exists bench.loaded');
  await db.query('create table bench.plain (like hubspot.calls including all); create table bench.loaded (like hubspot.calls including all)');
  // Postgres's own background work (checkpoints, autovacuum after a big load) swings single timings, so
  // baseline and loader take turns over several rounds, each after a checkpoint, and the medians count.
  const settle = () => db.query('checkpoint').catch(() => {});
  const copyOnce = async () => {
    await db.query('truncate bench.plain');
    await settle();
    const client = await db.connect();
    const started = performance.now();
    await copyRows(client, `copy bench.plain (${cols.join(', ')}) from stdin`, rows);
    client.release();
    return performance.now() - started;
  };
  const load = async (batches: CopyValue[][][], fresh = true) => {
    if (fresh) await db.query('truncate bench.loaded');
    await settle();
    const started = performance.now();
    for (const page of batches) {
      await db.transaction(async (tx) => {
        await stagedMerge(tx, { schema: 'bench', table: 'loaded', columns: cols, key: ['id'], touch: ['synced_at = now()', 'seen_at = now()'] }, page);
        await writeCursor(tx, 'hubspot', 'bench:load', { after: page[page.length - 1][0] });
      });
    }
    return performance.now() - started;
  };
  // The extractor's batches (LOAD_BATCH_BYTES of rows), and one 100-row page per transaction.
  const bulk = batchesOf(rows, (row) => String(row[1]).length + 100, LOAD_BATCH_BYTES);
  const pages = batchesOf(rows, () => 1, 100);
  const rounds = { copy: [] as number[], fresh: [] as number[], upsert: [] as number[], perPage: [] as number[] };
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    rounds.copy.push(await copyOnce());
    rounds.fresh.push(await load(bulk));
    rounds.upsert.push(await load(bulk, false));
    rounds.perPage.push(await load(pages));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const copyMs = median(rounds.copy);
  const freshMs = median(rounds.fresh);
  const upsertMs = median(rounds.upsert);
  const perPageMs = median(rounds.perPage);
  await db.query('drop schema bench cascade');
  await db.close();
  const rate = (ms: number) => (rows.length / ms) * 1000;
  return {
    copyRowsPerSecond: rate(copyMs),
    freshRowsPerSecond: rate(freshMs),
    upsertRowsPerSecond: rate(upsertMs),
    perPageRowsPerSecond: rate(perPageMs),
    rows: rows.length,
  };
}

/** Consecutive batches of `rows`, each closed once its size reaches `budget`. */
function batchesOf(rows: CopyValue[][], size: (row: CopyValue[]) => number, budget: number): CopyValue[][][] {
  const out: CopyValue[][][] = [];
  let batch: CopyValue[][] = [];
  let used = 0;
  for (const row of rows) {
    batch.push(row);
    used += size(row);
    if (used >= budget) {
      out.push(batch);
      batch = [];
      used = 0;
    }
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

async function main() {
  if (process.argv.includes('--load-only')) return loadOnly();
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  let postmaster: number | undefined;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres(path.join(root, '.data', 'postgres-bench'));
    adminUrl = embedded.url;
    stop = embedded.stop;
    postmaster = Number(readFileSync(path.join(root, '.data', 'postgres-bench', 'postmaster.pid'), 'utf8').split('\n')[0]);
  }
  try {
    const results: ExtractResult[] = [];
    for (const preset of presets) {
      console.log(`extracting ${preset} at ${LIMIT} / ${WINDOW_MS / 1000} s ...`);
      results.push(await extract(preset, adminUrl, postmaster));
    }
    const big = results[results.length - 1];
    const small = results[0];
    const load = objects ? undefined : await loadComparison(adminUrl.replace(/\/[^/]*$/, `/bench_extract_${big.preset}`));
    const report = {
      preset: big.preset,
      objects: objects ?? 'all',
      callsRatio: big.calls / big.minimumCalls,
      windowCallsRatio: big.windowCalls / big.minimumWindowCalls,
      searchCallsRatio: big.minimumSearchCalls > 0 ? big.searchCalls / big.minimumSearchCalls : 1,
      timeRatio: big.wallMs / big.boundMs,
      loadRatio: load && load.freshRowsPerSecond / load.copyRowsPerSecond,
      loadRatioUpsert: load && load.upsertRowsPerSecond / load.copyRowsPerSecond,
      loadRatioPerPage: load && load.perPageRowsPerSecond / load.copyRowsPerSecond,
      peakRssMb: big.peakRssMb,
      rssGrowth: results.length > 1 ? big.peakRssMb / small.peakRssMb : 1,
      runs: results,
      load,
      measuredAt: new Date().toISOString(),
    };
    for (const r of results) {
      console.log(
        `${r.preset} (${r.objects}): ${r.rows} records; window ${r.windowCalls} calls (minimum ${r.minimumWindowCalls}), search ${r.searchCalls} (minimum ${r.minimumSearchCalls}) + ${r.estimateSearches} for the estimate; ` +
          `bound ${(r.boundMs / 1000).toFixed(1)} s by the ${r.boundBy} budget, wall ${(r.wallMs / 1000).toFixed(1)} s (ratio ${(r.wallMs / r.boundMs).toFixed(3)}); ` +
          `peak RSS ${r.peakRssMb} MB; 429s ${r.rateLimited}; load average ${r.loadBefore} before, ${r.loadAfter} after`,
      );
      console.log(`  reads: ${r.reads}`);
      const cores = availableParallelism();
      console.log(
        `  CPU seconds: ${Object.entries(r.cpuSeconds)
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}; the machine's ${cores} cores could give ${((r.wallMs / 1000) * cores).toFixed(0)} in the wall time, ${((r.boundMs / 1000) * cores).toFixed(0)} in the bound`,
      );
    }
    const fixed = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(3));
    console.table({
      callsRatio: { value: fixed(report.callsRatio), goal: '<= 1.02' },
      windowCallsRatio: { value: fixed(report.windowCallsRatio), goal: '(window calls / their minimum)' },
      searchCallsRatio: { value: fixed(report.searchCallsRatio), goal: '(searches / their minimum)' },
      timeRatio: { value: fixed(report.timeRatio), goal: '<= 1.05' },
      loadRatio: { value: fixed(report.loadRatio), goal: '>= 0.8' },
      loadRatioUpsert: { value: fixed(report.loadRatioUpsert), goal: '(rerun: every key exists)' },
      loadRatioPerPage: { value: fixed(report.loadRatioPerPage), goal: '(one page per transaction)' },
      peakRssMb: { value: report.peakRssMb, goal: '<= 300' },
      rssGrowth: { value: fixed(report.rssGrowth), goal: '<= 1.3' },
    });
    mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
    const file = objects ? `extract-${objects.replace(/[^a-z0-9]+/gi, '_')}.json` : 'extract.json';
    writeFileSync(path.join(root, 'bench', 'results', file), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote bench/results/${file}`);
  } finally {
    await stop();
  }
}

/** `--load-only`: the loader comparison alone, on the `large` data a previous run left in `.data/postgres-bench`. */
async function loadOnly() {
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres(path.join(root, '.data', 'postgres-bench'));
  const adminUrl = process.env.DATABASE_URL ?? embedded!.url;
  try {
    const load = await loadComparison(adminUrl.replace(/\/[^/]*$/, '/bench_extract_large'));
    console.table({
      loadRatio: { value: (load.freshRowsPerSecond / load.copyRowsPerSecond).toFixed(3), rowsPerSecond: Math.round(load.freshRowsPerSecond) },
      loadRatioUpsert: { value: (load.upsertRowsPerSecond / load.copyRowsPerSecond).toFixed(3), rowsPerSecond: Math.round(load.upsertRowsPerSecond) },
      loadRatioPerPage: { value: (load.perPageRowsPerSecond / load.copyRowsPerSecond).toFixed(3), rowsPerSecond: Math.round(load.perPageRowsPerSecond) },
      plainCopy: { value: '1.000', rowsPerSecond: Math.round(load.copyRowsPerSecond) },
    });
  } finally {
    await embedded?.stop();
  }
}

await main();
