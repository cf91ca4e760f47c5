/**
 * npm run bench:shared-limits — acquire+release cycles per second through Postgres (src/limits/pg-*.ts),
 * with 1 and with 4 OS processes sharing one limit large enough never to block. Beside it, the same
 * processes' plain `select 1` round trips per second: the ratio shows what the limiter costs over the
 * cheapest possible query on the same database and machine.
 *
 * Uses DATABASE_URL when set, else an embedded Postgres under .data/postgres-bench.
 * Writes bench/results/shared-limits.json.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { closeSharedLimits, createSharedLimiter, ensureLimit, sharedLimitsFor } from '../src/limits/pg-shared-limits.js';

const SCHEMA = 'bench_shared_limits';
const LIMIT_NAME = 'bench';
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const here = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(here), '..');

interface WorkerResult {
  operations: number;
  elapsedMs: number;
}

/** One process: CONCURRENCY loops of (acquire, release) or of `select 1`, for DURATION_MS after `go`. */
async function worker(): Promise<void> {
  const what = process.env.BENCH_WHAT ?? 'acquire';
  const db = await openDatabase({ url: process.env.BENCH_DATABASE_URL!, schema: SCHEMA, poolSize: 4 });
  const shared = sharedLimitsFor(db, { leaseMs: 5000 });
  await shared.start();
  const limiter = createSharedLimiter(db, LIMIT_NAME);
  // Warm the pool's connections before the clock starts.
  await Promise.all([1, 2, 3, 4].map(() => db.query('select 1')));
  const lines = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => lines.on('line', () => resolve()));
  process.stdout.write('ready\n');
  await go;
  const start = performance.now();
  const deadline = start + DURATION_MS;
  let operations = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      if (what === 'select') await db.query('select 1');
      else (await limiter.acquire())();
      operations++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  const elapsedMs = performance.now() - start;
  await shared.flushReleases();
  process.stdout.write(JSON.stringify({ operations, elapsedMs } satisfies WorkerResult) + '\n');
  lines.close();
  await closeSharedLimits(db);
  await db.close();
}

async function runProcesses(url: string, count: number, what: 'acquire' | 'select'): Promise<number> {
  const children = Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', here, '--worker'], {
      cwd: repoRoot,
      env: { ...process.env, BENCH_DATABASE_URL: url, BENCH_WHAT: what },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((child) => {
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      waiters.splice(0).forEach((w) => w());
    });
    const next = async (pattern: RegExp): Promise<string> => {
      for (;;) {
        const found = lines.find((l) => pattern.test(l));
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`bench worker exited with ${child.exitCode}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          child.once('exit', () => resolve());
        });
      }
    };
    return next;
  });
  await Promise.all(outputs.map((next) => next(/^ready$/)));
  for (const child of children) child.stdin.write('go\n');
  const results = await Promise.all(outputs.map(async (next) => JSON.parse(await next(/^\{/)) as WorkerResult));
  await Promise.all(children.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  // Each process over its own measured time: together they ran concurrently.
  return results.reduce((sum, r) => sum + (r.operations * 1000) / r.elapsedMs, 0);
}

async function main(): Promise<void> {
  const db = await openDatabase({
    url: process.env.DATABASE_URL,
    schema: SCHEMA,
    dataDir: path.join(repoRoot, '.data', 'postgres-bench'),
    applicationName: 'bench-shared-limits',
  });
  try {
    await migrate(db);
    await ensureLimit(db, LIMIT_NAME, { limit: 1_000_000 });
    const url = String(db.clientConfig().connectionString);

    const select1 = await runProcesses(url, 1, 'select');
    const acquire1 = await runProcesses(url, 1, 'acquire');
    const select4 = await runProcesses(url, 4, 'select');
    const acquire4 = await runProcesses(url, 4, 'acquire');

    const result = {
      acquisitionsPerSecond1: Math.round(acquire1),
      acquisitionsPerSecond4: Math.round(acquire4),
      baselineSelect1PerSecond1: Math.round(select1),
      baselineSelect1PerSecond4: Math.round(select4),
      ratioToSelect1: { processes1: round(acquire1 / select1), processes4: round(acquire4 / select4) },
      goalCombinedPerSecond: 1000,
      meetsGoal: acquire4 >= 1000,
      concurrencyPerProcess: CONCURRENCY,
      durationMs: DURATION_MS,
      database: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (.data/postgres-bench)',
      measuredAt: new Date().toISOString(),
    };
    const rows = [
      ['processes', 'acquire+release /s', 'select 1 /s', 'ratio'],
      ['1', String(result.acquisitionsPerSecond1), String(result.baselineSelect1PerSecond1), String(result.ratioToSelect1.processes1)],
      ['4', String(result.acquisitionsPerSecond4), String(result.baselineSelect1PerSecond4), String(result.ratioToSelect1.processes4)],
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    console.log(`shared limits through Postgres (${CONCURRENCY} concurrent callers per process, ${DURATION_MS} ms each):`);
    for (const row of rows) console.log('  ' + row.map((c, i) => c.padEnd(widths[i])).join('  '));
    console.log(`  goal >= 1000/s combined: ${result.meetsGoal ? 'met' : 'NOT met'}`);
    await mkdir(path.join(repoRoot, 'bench', 'results'), { recursive: true });
    await writeFile(path.join(repoRoot, 'bench', 'results', 'shared-limits.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    await db.close();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

if (process.argv.includes('--worker')) await worker();
else await main();
