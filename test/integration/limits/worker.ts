/**
 * A separate OS process sharing limits through Postgres, driven by the integration tests and the bench.
 * It prints `ready` once connected, waits for a `go` line on stdin, does its work and prints one JSON line.
 *
 * WORKER_MODE:
 *   hammer  WORKER_CONCURRENCY loops of acquire → GET WORKER_SIM_URL → release, for WORKER_DURATION_MS
 *   cycles  WORKER_CONCURRENCY loops of acquire → release (no HTTP), for WORKER_DURATION_MS
 *   hold    acquires WORKER_HOLD_SLOTS, prints `held`, and keeps them until killed; if their lease is lost
 *           (the process was paused longer than a lease) prints `lost`, gives them back and acquires again
 */
import { createInterface } from 'node:readline';
import { openDatabase } from '../../../src/db/database.js';
import { systemClock } from '../../../src/clock.js';
import { closeSharedLimits, createSharedLimiter, sharedLimitsFor } from '../../../src/limits/pg-shared-limits.js';
import type { Release } from '../../../src/limits/types.js';

const env = (key: string, fallback?: string): string => {
  const value = process.env[key] ?? fallback;
  if (value === undefined) throw new Error(`worker: ${key} is not set`);
  return value;
};

const mode = env('WORKER_MODE', 'hammer');
const limitName = env('WORKER_LIMIT');
const concurrency = Number(env('WORKER_CONCURRENCY', '8'));
const durationMs = Number(env('WORKER_DURATION_MS', '5000'));
const leaseMs = Number(env('WORKER_LEASE_MS', '5000'));

const db = await openDatabase({ url: env('DATABASE_URL'), schema: env('WORKER_SCHEMA', 'hubspot'), poolSize: 4 });
const shared = sharedLimitsFor(db, { leaseMs, onError: (e) => process.stderr.write(`worker background error: ${String(e)}\n`) });
await shared.start();
const limiter = createSharedLimiter(db, limitName);

const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.on('line', (line) => line.trim() === 'go' && resolve()));
process.stdout.write('ready\n');

if (mode === 'hold') {
  // Keeps the process (and its lease renewal) alive until the test kills it.
  setInterval(() => {}, 1 << 30);
  for (;;) {
    const release = (await limiter.acquire(Number(env('WORKER_HOLD_SLOTS', '1')))) as Release & { lost?: AbortSignal };
    process.stdout.write(`held ${shared.holder}\n`);
    const lost = release.lost;
    await new Promise<void>((resolve) => lost?.addEventListener('abort', () => resolve(), { once: true }));
    process.stdout.write('lost\n');
    release();
  }
} else {
  await go;
  const deadline = systemClock.now() + durationMs;
  const statuses: Record<string, number> = {};
  let cycles = 0;
  const simUrl = mode === 'hammer' ? env('WORKER_SIM_URL') : '';
  const token = mode === 'hammer' ? env('WORKER_SIM_TOKEN') : '';
  const loop = async () => {
    while (systemClock.now() < deadline) {
      const release = await limiter.acquire();
      try {
        if (mode === 'hammer') {
          const response = await fetch(`${simUrl}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
          await response.arrayBuffer();
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        }
        cycles++;
      } finally {
        release();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  await shared.flushReleases();
  process.stdout.write(JSON.stringify({ cycles, statuses, stats: limiter.stats() }) + '\n');
  lines.close();
  await closeSharedLimits(db);
  await db.close();
}
