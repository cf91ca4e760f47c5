import { describe, expect, it } from 'vitest';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { runCli } from '../../helpers/cli-process.js';
import { spawnWorker } from './spawn-worker.js';
import { migrate } from '../../../src/db/migrations.js';
import { openDatabase } from '../../../src/db/database.js';
import { portalDifferences } from '../../helpers/portal-equality.js';

/**
 * `extract --shared-limits` spends the budget of the limit named `hubspot` in Postgres, together with
 * another process hammering the same limit: the simulator sees one window that is never over the limit.
 * The run loads into a schema of its own and finds the limits through HUBSPOT_LIMITS_SCHEMA, as a second
 * copy of the same portal (staging beside production) would.
 */
const portal = usePortalFixture('extract_shared', { preset: 'small', seed: 31, tenSecondLimit: 40, latencyMedianMs: 10, latencyTailMs: 60 });

describe('extract --shared-limits', () => {
  it('shares one window with another process through Postgres: no window over the limit, no 429', async () => {
    await migrate(portal.db);
    // Declared once by the operator; every process then spends it (an unknown name would be created inactive).
    const created = await runCli(['limits', 'create', 'hubspot', '--limit', '40', '--window-ms', '10000'], { DATABASE_URL: portal.handle.url });
    expect(created.code).toBe(0);
    const worker = spawnWorker({
      DATABASE_URL: portal.handle.url,
      WORKER_MODE: 'hammer',
      WORKER_LIMIT: 'hubspot',
      WORKER_SIM_URL: portal.sim.url,
      WORKER_SIM_TOKEN: portal.sim.token,
      WORKER_CONCURRENCY: '4',
      WORKER_DURATION_MS: '12000',
    });
    await worker.line(/^ready$/);
    const working = worker.run<{ cycles: number; statuses: Record<string, number> }>();
    const result = await runCli(['extract', '--shared-limits', '--objects', 'companies,deals,forms'], {
      HUBSPOT_ACCESS_TOKEN: portal.sim.token,
      HUBSPOT_BASE_URL: portal.sim.url,
      DATABASE_URL: portal.handle.url,
      HUBSPOT_DB_SCHEMA: 'portal_copy',
      HUBSPOT_LIMITS_SCHEMA: 'hubspot',
      HUBSPOT_MAX_REQUESTS_PER_10S: '40',
      HUBSPOT_SEARCH_LAG_MS: '0',
      LOG_LEVEL: 'warn',
    });
    const hammer = await working;
    expect(result.code).toBe(0);
    expect(hammer.cycles).toBeGreaterThan(0);
    const served = portal.sim.requests().filter((r) => !('kind' in r && r.kind === 'search'));
    expect(served.filter((r) => r.status === 429)).toHaveLength(0);
    const times = served.map((r) => r.t).sort((a, b) => a - b);
    let max = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 10_000) j++;
      max = Math.max(max, i - j + 1);
    }
    expect(max).toBeLessThanOrEqual(40);
    const copy = await openDatabase({ url: portal.handle.url, schema: 'portal_copy', poolSize: 2 });
    try {
      expect(await portalDifferences(copy, portal.sim.manifest(), { types: ['companies', 'deals'], associations: false })).toEqual([]);
      // The limits schema was used: the run created no limits in its own schema, and its search limit beside
      // the window the operator declared.
      expect((await copy.query(`select name from portal_copy.limits`)).rows).toEqual([]);
      const shared = await copy.query<{ name: string }>(`select name from hubspot.limits order by name`);
      expect(shared.rows.map((r) => r.name)).toEqual(['hubspot', 'hubspot-search']);
    } finally {
      await copy.close();
    }
  }, 120_000);
});
