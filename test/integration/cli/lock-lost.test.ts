import { describe, expect, it } from 'vitest';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { portalDifferences } from '../../helpers/portal-equality.js';
import { runCli, startCli } from '../../helpers/cli-process.js';

/**
 * Issue 17 item 6: the run-lock connection is terminated mid-run (`pg_terminate_backend`, as an admin or an
 * idle timeout would). On d2812c8 the unheard 'error' event crashed the process with a stack trace, no
 * summary, and the `runs` row stayed `running`. Now: one error line, exit 1, the row `failed`, and the next
 * run finishes the job.
 */
const portal = usePortalFixture('lock_lost', { preset: 'medium', seed: 17, tenSecondLimit: 1500, latencyMedianMs: 30, latencyTailMs: 120 });

const env = () => ({
  HUBSPOT_ACCESS_TOKEN: portal.sim.token,
  HUBSPOT_BASE_URL: portal.sim.url,
  DATABASE_URL: portal.handle.url,
  HUBSPOT_SEARCH_LAG_MS: '0',
  // The simulator's window is raised (and the CLI told so) only to keep the test short.
  HUBSPOT_MAX_REQUESTS_PER_10S: '1500',
  LOG_LEVEL: 'warn',
});

async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the run-lock connection is lost', () => {
  it('stops the run cleanly: one line, exit 1, runs row failed (fails on d2812c8: crash, row left running)', async () => {
    const { child, done } = startCli(['extract'], env());
    await until(
      'the run to be under way',
      async () =>
        ((await portal.db.query(`select 1 from hubspot.runs where status = 'running' and pid = $1`, [child.pid]).catch(() => ({ rowCount: 0 }))).rowCount ??
          0) > 0,
    );
    await new Promise((r) => setTimeout(r, 500));
    const { rows: killed } = await portal.db.query<{ pid: number }>(
      `select pg_terminate_backend(pid), pid from pg_stat_activity
       where datname = current_database() and query like '%pg_try_advisory_lock%' and pid <> pg_backend_pid()`,
    );
    expect(killed).toHaveLength(1);
    const result = await done;
    expect(result.code).toBe(1);
    const errorLines = result.stderr.split('\n').filter((l) => l.trim() !== '');
    expect(errorLines, result.stderr).toHaveLength(1);
    const line = JSON.parse(errorLines[0]) as { level: string; msg: string };
    expect(line.level).toBe('error');
    expect(line.msg).toMatch(/^run \d+ failed: lost the run lock for schema "hubspot"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toMatch(/failed/);
    const { rows } = await portal.db.query<{ status: string; error: string; finished_at: Date | null }>(
      'select status, error, finished_at from hubspot.runs where pid = $1',
      [child.pid],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('failed');
    expect(rows[0].error).toMatch(/lost the run lock/);
    expect(rows[0].finished_at).not.toBeNull();

    const next = await runCli(['extract'], env());
    expect(next.code, next.stderr).toBe(0);
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
    const statuses = (await portal.db.query<{ status: string }>('select status from hubspot.runs order by id')).rows.map((r) => r.status);
    expect(statuses).toEqual(['failed', 'succeeded']);
  }, 180_000);
});
