import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/db/embedded.js';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { startCli } from '../../helpers/cli-process.js';

const portal = usePortalFixture('schedule', { preset: 'small', seed: 5, latencyMedianMs: 5, latencyTailMs: 30 });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('extract --schedule with --metrics-port', () => {
  it('runs on the schedule without overlap, serves metrics during a run, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const { child, done } = startCli(['extract', '--schedule', '*/2 * * * * *', '--metrics-port', String(port)], {
      HUBSPOT_ACCESS_TOKEN: portal.sim.token,
      HUBSPOT_BASE_URL: portal.sim.url,
      DATABASE_URL: portal.handle.url,
      HUBSPOT_SEARCH_LAG_MS: '0',
    });
    try {
      // Scrape while the first run is going.
      const scraped = await until(
        'metrics with request and window series',
        async () => {
          const text = await fetch(`http://127.0.0.1:${port}/metrics`)
            .then((r) => r.text())
            .catch(() => '');
          return /hubspot_requests_total\{endpoint="[^"]+",status="200"\} [1-9]/.test(text) && /hubspot_window_usage\{limit="[^"]+"\}/.test(text)
            ? text
            : undefined;
        },
        60_000,
      );
      expect(scraped).toMatch(/hubspot_window_limit\{limit="[^"]+"\} 190/);
      expect(scraped).toContain('hubspot_daily_budget_remaining');
      await until(
        'two finished runs',
        async () => {
          const { rows } = await portal.db.query(`select 1 from hubspot.runs where status = 'succeeded'`).catch(() => ({ rows: [] }));
          return rows.length >= 2 ? true : undefined;
        },
        60_000,
      );
      child.kill('SIGTERM');
      const result = await done;
      expect(result.code).toBe(0);
      const runs = (
        await portal.db.query<{ status: string; started_at: Date; finished_at: Date | null }>(
          'select status, started_at, finished_at from hubspot.runs order by id',
        )
      ).rows;
      expect(runs.every((r) => r.finished_at !== null)).toBe(true);
      expect(runs[runs.length - 1].status).toMatch(/^(succeeded|stopped)$/);
      expect(runs.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < runs.length; i++) expect(runs[i].started_at.getTime()).toBeGreaterThanOrEqual(runs[i - 1].finished_at!.getTime());
      const lines = result.stderr.split('\n').filter((l) => l.startsWith('{'));
      const runLines = lines.map((l) => JSON.parse(l)).filter((l) => l.msg?.startsWith('run ') || l.event);
      expect(runLines.length).toBeGreaterThan(0);
      expect(runLines.every((l) => typeof l.runId === 'string')).toBe(true);
      expect(result.stderr).toContain('schedule stopped');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 150_000);
});
