import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { openDatabase } from '../../../src/db/database.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { portalDifferences, duplicateCounts } from '../../helpers/portal-equality.js';
import { startCli, type CliResult } from '../../helpers/cli-process.js';
import { startServerPostgres, type ServerPostgres } from '../../helpers/server-postgres.js';

/**
 * Issue 17, acceptance: a `medium` extraction into a server Postgres that is restarted twice mid-run and whose
 * run-lock connection is terminated once, the run started again after each failure, ends equal to the
 * simulator's portal, and every `runs` row ends `succeeded` or `failed`, never left `running`. The simulator's
 * window is raised (and the CLI told so) only to keep the test short.
 */
let server: ServerPostgres;
let sim: RunningSimulator;
let db: Database;

beforeAll(async () => {
  server = await startServerPostgres();
  sim = await startSimulator({ preset: 'medium', seed: 29, tenSecondLimit: 1500, latencyMedianMs: 25, latencyTailMs: 100 });
}, 120_000);

afterAll(async () => {
  await db?.close();
  await sim?.close();
  await server?.stop();
});

const env = () => ({
  HUBSPOT_ACCESS_TOKEN: sim.token,
  HUBSPOT_BASE_URL: sim.url,
  DATABASE_URL: server.url,
  HUBSPOT_MAX_REQUESTS_PER_10S: '1500',
  HUBSPOT_SEARCH_LAG_MS: '0',
  HUBSPOT_MAX_CONCURRENCY: '16',
  LOG_LEVEL: 'warn',
});

async function underWay(pid: number | undefined, done: Promise<CliResult>): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true));
  const probe = await openDatabase({ url: server.url, schema: 'hubspot', poolSize: 1 });
  try {
    for (;;) {
      if (finished) throw new Error('the run ended before the fault was injected');
      const { rowCount } = await probe.query(`select 1 from hubspot.runs where status = 'running' and pid = $1`, [pid]).catch(() => ({ rowCount: 0 }));
      if (rowCount) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    await probe.close();
  }
}

async function terminateLockConnection(): Promise<number> {
  const admin = await openDatabase({ url: server.url, schema: 'hubspot', poolSize: 1 });
  try {
    const { rows } = await admin.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_try_advisory_lock%' and pid <> pg_backend_pid()`,
    );
    return rows.length;
  } finally {
    await admin.close();
  }
}

describe('chaos: server restarts and a lost lock under a medium extraction', () => {
  it('every failure is a clean exit 1 with a failed runs row, and the restarted run ends equal to the portal', async () => {
    const faults: (() => Promise<unknown>)[] = [() => server.restart(), () => server.restart(), () => terminateLockConnection()];
    const results: CliResult[] = [];
    for (const fault of faults) {
      const { child, done } = startCli(['extract'], env());
      await underWay(child.pid, done);
      await new Promise((r) => setTimeout(r, 700));
      expect(await fault()).not.toBe(0);
      results.push(await done);
    }
    for (const r of results) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr, r.stderr).not.toMatch(/\n\s+at |Unhandled|undefined/);
    }
    const final = await new Promise<CliResult>((resolve) => startCli(['extract'], env()).done.then(resolve));
    expect(final.code, final.stderr).toBe(0);

    db = await openDatabase({ url: server.url, schema: 'hubspot', poolSize: 2 });
    expect(await portalDifferences(db, sim.manifest())).toEqual([]);
    expect(Object.values(await duplicateCounts(db)).every((n) => n === 0)).toBe(true);
    const statuses = (await db.query<{ status: string }>('select status from hubspot.runs order by id')).rows.map((r) => r.status);
    expect(statuses).toEqual(['failed', 'failed', 'failed', 'succeeded']);
    expect(sim.requests().filter((r) => r.status === 429)).toEqual([]);
    // About 50 s on a quiet 2-core machine; the margin is for a machine shared with other work.
  }, 300_000);
});
