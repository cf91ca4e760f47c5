import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { freePort } from '../../../src/db/embedded.js';
import { createRunContext } from '../../../src/run/run-context.js';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { simSettings } from '../../helpers/extract-harness.js';
import { startCli } from '../../helpers/cli-process.js';

/**
 * Issue 17, "Leaks". On d2812c8 a run's keep-alive HTTP agent outlived the run (one more socket pool per run of
 * a scheduled process; never destroyed), and after a scheduled run that failed by throwing, `hubspot_run_in_progress` stayed 1
 * and the window-sampling timer kept running.
 */
const portal = usePortalFixture('leaks', { preset: 'small', seed: 8, latencyMedianMs: 80, latencyTailMs: 200 });

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('leaks', () => {
  it("a run's keep-alive HTTP agent is destroyed with the run (fails on d2812c8: one more agent kept per run)", async () => {
    const destroyed: http.Agent[] = [];
    const destroy = http.Agent.prototype.destroy;
    http.Agent.prototype.destroy = function (this: http.Agent) {
      destroyed.push(this);
      return destroy.call(this);
    };
    try {
      const context = createRunContext(simSettings(portal.sim), { trackDailyBudget: false, initialLatencyMs: 20 });
      await context.api.getProperties('contacts');
      expect(destroyed).toHaveLength(0);
      await context.close();
      expect(destroyed).toHaveLength(1);
      expect((destroyed[0] as http.Agent & { keepAlive?: boolean }).keepAlive).toBe(true);
    } finally {
      http.Agent.prototype.destroy = destroy;
    }
  });

  it('after a scheduled run that failed, hubspot_run_in_progress is 0 (fails on d2812c8: stayed 1)', async () => {
    const port = await freePort();
    const { child, done } = startCli(['extract', '--schedule', '*/1 * * * * *', '--metrics-port', String(port)], {
      HUBSPOT_ACCESS_TOKEN: portal.sim.token,
      HUBSPOT_BASE_URL: portal.sim.url,
      DATABASE_URL: portal.handle.url,
      HUBSPOT_SEARCH_LAG_MS: '0',
      LOG_LEVEL: 'info',
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    try {
      await until('a run under way', async () =>
        ((await portal.db.query(`select 1 from hubspot.runs where status = 'running'`).catch(() => ({ rowCount: 0 }))).rowCount ?? 0) > 0 ? true : undefined,
      );
      // The run cannot record its outcome: it fails by throwing, after its metrics were attached.
      await portal.db.query('alter table hubspot.runs rename to runs_away');
      await until('the scheduled run to fail', async () => (/scheduled run 1 failed/.test(stderr) ? true : undefined));
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^hubspot_run_in_progress 0$/m);
    } finally {
      child.kill('SIGTERM');
      await done;
      await portal.db.query('alter table if exists hubspot.runs_away rename to runs');
    }
  }, 120_000);
});
