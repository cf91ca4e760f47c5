import { describe, expect, it } from 'vitest';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { portalDifferences } from '../../helpers/portal-equality.js';
import { runCli, startCli } from '../../helpers/cli-process.js';

/** Slow replies keep a run going long enough to be interrupted in the middle. */
const portal = usePortalFixture('signals', { preset: 'small', seed: 13, latencyMedianMs: 150, latencyTailMs: 400 });

const env = () => ({
  HUBSPOT_ACCESS_TOKEN: portal.sim.token,
  HUBSPOT_BASE_URL: portal.sim.url,
  DATABASE_URL: portal.handle.url,
  HUBSPOT_SEARCH_LAG_MS: '0',
  LOG_LEVEL: 'warn',
});

async function runningRun(pid: number | undefined): Promise<void> {
  for (;;) {
    const { rowCount } = await portal.db.query(`select 1 from hubspot.runs where status = 'running' and pid = $1`, [pid]).catch(() => ({ rowCount: 0 }));
    if (rowCount) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('signals during a run', () => {
  it('the first SIGTERM finishes the pages in flight, commits, releases the lock and exits 0', async () => {
    const { child, done } = startCli(['extract'], env());
    await runningRun(child.pid);
    await new Promise((r) => setTimeout(r, 1500));
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const result = await done;
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('stopped');
    expect(result.code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    const { rows } = await portal.db.query<{ status: string; finished_at: Date | null }>(
      'select status, finished_at from hubspot.runs order by id desc limit 1',
    );
    expect(rows[0].status).toBe('stopped');
    expect(rows[0].finished_at).not.toBeNull();
    // The lock is free and nothing was lost: the next run finishes the job.
    const next = await runCli(['extract'], env());
    expect(next.code).toBe(0);
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
  }, 180_000);

  it('a second SIGTERM exits at once with 143 (128 + 15; fails on d2812c8: 130 whatever the signal)', async () => {
    const { child, done } = startCli(['extract', '--full-refresh'], env());
    await runningRun(child.pid);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(143);
  }, 120_000);

  it('a second signal exits at once', async () => {
    const { child, done } = startCli(['extract', '--full-refresh'], env());
    await runningRun(child.pid);
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    const signalledAt = Date.now();
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(Date.now() - signalledAt).toBeLessThan(3_000);
  }, 120_000);
});
