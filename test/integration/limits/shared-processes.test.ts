import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { ensureLimit } from '../../../src/limits/pg-shared-limits.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { spawnWorker, type WorkerProcess } from './spawn-worker.js';

/**
 * Four OS processes share one 50 / 2 s rolling window through Postgres, against a simulator enforcing
 * exactly that window on arrival. The simulator's log is the judge.
 */
const LIMIT = 50;
const WINDOW_MS = 2000;
const PROCESSES = 4;
const RUN_MS = 9000;

const handle = useTestDatabase('shared_procs');
let db: Database;
let sim: RunningSimulator;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  db = await openMigrated(handle, 'hubspot');
  sim = await startSimulator({
    tenSecondLimit: LIMIT,
    rateLimitWindowMs: WINDOW_MS,
    latencyMedianMs: 20,
    latencyTailMs: 120,
  });
});

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await sim?.close();
  await db?.close();
});

/** Most requests inside any rolling window (t - window, t] of the sorted arrivals. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end] - times[start] >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

describe('a rolling window shared by 4 processes', () => {
  it('never exceeds the window and draws no 429; every process takes part', async () => {
    await ensureLimit(db, 'hubspot', { limit: LIMIT, windowMs: WINDOW_MS });
    for (let i = 0; i < PROCESSES; i++) {
      workers.push(
        spawnWorker({
          DATABASE_URL: handle.url,
          WORKER_MODE: 'hammer',
          WORKER_LIMIT: 'hubspot',
          WORKER_CONCURRENCY: '8',
          WORKER_DURATION_MS: String(RUN_MS),
          WORKER_SIM_URL: sim.url,
          WORKER_SIM_TOKEN: sim.token,
        }),
      );
    }
    await Promise.all(workers.map((w) => w.line(/^ready$/)));
    const summaries = await Promise.all(workers.map((w) => w.run<{ cycles: number; statuses: Record<string, number> }>()));

    const requests = sim.requests().filter((r) => r.source !== 'background');
    const times = requests.map((r) => r.t).sort((a, b) => a - b);
    expect(requests.length).toBe(summaries.reduce((sum, s) => sum + s.cycles, 0));
    // Every process took part.
    for (const s of summaries) expect(s.cycles).toBeGreaterThan(LIMIT / PROCESSES);
    expect(requests.filter((r) => r.status === 429)).toHaveLength(0);
    expect(Math.max(...requests.map((r) => r.window))).toBeLessThanOrEqual(LIMIT);
    expect(maxInWindow(times, WINDOW_MS)).toBeLessThanOrEqual(LIMIT);

    // Steady state: after the first window's burst, whole windows only (so the count can never exceed
    // LIMIT per window), ending before the workers start stopping.
    const from = times[0] + WINDOW_MS;
    const to = from + Math.floor((RUN_MS - WINDOW_MS - 500) / WINDOW_MS) * WINDOW_MS;
    const steady = times.filter((t) => t >= from && t < to).length;
    const allowed = (LIMIT * (to - from)) / WINDOW_MS;
    const utilization = steady / allowed;
    // How much of the window the processes used is a throughput figure, which a loaded CI machine moves (a
    // bound of 0.9 failed once at load average 10): printed, not asserted. Never above the window is the invariant.
    console.log(`shared window: ${steady} requests in ${to - from} ms steady state = ${utilization.toFixed(3)} of the limit`);
    expect(utilization).toBeLessThanOrEqual(1);
  });
});
