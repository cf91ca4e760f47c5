import { describe, expect, it } from 'vitest';
import { usePortalFixture } from '../helpers/portal-fixture.js';
import { portalDifferences } from '../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS } from '../helpers/extract-harness.js';

const preset = (process.env.PRESET ?? 'medium') as 'medium';
const portal = usePortalFixture('prof', { preset, seed: 7, rateLimitWindowMs: TEST_WINDOW_MS, tenSecondLimit: 190 });

describe('profile', () => {
  it('times', async () => {
    let t = performance.now();
    const summary = await extractOnce(portal.sim, portal.db, { objects: process.env.OBJECTS });
    console.log('extract ms', Math.round(performance.now() - t), summary.calls, summary.searchCalls, JSON.stringify(summary.rows), 'rss', Math.round(process.memoryUsage().rss / 1e6));
    t = performance.now();
    const m = portal.sim.manifest();
    console.log('manifest ms', Math.round(performance.now() - t));
    t = performance.now();
    const d = await portalDifferences(portal.db, m);
    console.log('compare ms', Math.round(performance.now() - t), d.length);
    const sizes = await portal.db.query(`select relname, pg_total_relation_size(c.oid) as bytes from pg_class c join pg_namespace n on n.oid = c.relnamespace where nspname = 'hubspot' and relkind = 'r' order by 2 desc limit 10`);
    console.log(sizes.rows);
    expect(d).toEqual([]);
  }, 600_000);
});
