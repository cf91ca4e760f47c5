import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/clock.js';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { runCli, startCli } from '../../helpers/cli-process.js';

/**
 * A real `extract` process is killed with SIGKILL at random moments of its run, five times, and started
 * again each time; the sixth run finishes and the database must equal the portal, with no duplicates.
 * The simulator's window is raised (and the CLI told so) only to keep the test short.
 */
const portal = usePortalFixture('crash', { preset: 'medium', catalog: 'minimal', seed: 11, tenSecondLimit: 1500, latencyMedianMs: 8, latencyTailMs: 40 }); // catalog 'minimal' until the extractor pages real catalogs (issue 13)

describe('resume after SIGKILL', () => {
  it('five kills at random moments, then a clean run: the database equals the portal', async () => {
    const env = {
      HUBSPOT_ACCESS_TOKEN: portal.sim.token,
      HUBSPOT_BASE_URL: portal.sim.url,
      DATABASE_URL: portal.handle.url,
      HUBSPOT_MAX_REQUESTS_PER_10S: '1500',
      HUBSPOT_SEARCH_LAG_MS: '0',
      HUBSPOT_MAX_CONCURRENCY: '16',
      LOG_LEVEL: 'warn',
    };
    const random = seededRandom(2026);
    const requestsBefore: number[] = [];
    const resumeFrom: Map<string, string | undefined>[] = [];
    for (let kill = 0; kill < 5; kill++) {
      requestsBefore.push(portal.sim.requests().length);
      const { child, done } = startCli(['extract'], env);
      // Wait until the process is past start-up and its run is under way, then kill it at a random moment.
      const running = async () =>
        (await portal.db.query(`select 1 from hubspot.runs where status = 'running' and pid = $1`, [child.pid]).catch(() => ({ rowCount: 0 }))).rowCount! > 0;
      while (!(await running())) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50 + random() * 1500));
      child.kill('SIGKILL');
      const result = await done;
      expect(result.signal).toBe('SIGKILL');
      // Where each type's committed full pass stands: the next process must resume exactly there.
      const { rows } = await portal.db.query<{ stream: string; cursor: { full?: { after?: string; archived?: boolean } } }>(
        `select stream, cursor from hubspot.sync_state where stream like 'objects:%'`,
      );
      resumeFrom.push(new Map(rows.filter((r) => r.cursor.full && !r.cursor.full.archived).map((r) => [r.stream.slice('objects:'.length), r.cursor.full!.after])));
    }
    requestsBefore.push(portal.sim.requests().length);
    const final = await runCli(['extract'], env);
    expect(final.code).toBe(0);
    expect(final.stderr).not.toMatch(/error/i);
    expect(final.stdout).toContain('succeeded');
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
    expect(Object.values(await duplicateCounts(portal.db)).every((n) => n === 0)).toBe(true);
    const runs = (await portal.db.query<{ status: string }>('select status from hubspot.runs order by id')).rows.map((r) => r.status);
    expect(runs.filter((s) => s === 'abandoned')).toHaveLength(5);
    expect(runs[runs.length - 1]).toBe('succeeded');
    expect(portal.sim.requests().filter((r) => r.status === 429).map((r) => JSON.stringify(r))).toEqual([]);
    // Committed pages are never fetched again: after every kill, the next list request of a type whose full
    // pass was under way (from whichever later process gets to it first; nothing commits in between) asks for
    // exactly the page after the last committed one.
    const log = portal.sim.requests();
    let checked = 0;
    for (let k = 0; k < resumeFrom.length; k++) {
      const next = log.slice(requestsBefore[k + 1]);
      for (const [type, after] of resumeFrom[k]) {
        const first = next.find((r) => r.method === 'GET' && r.path === `/crm/v3/objects/${type}`);
        expect(first, `${type} after kill ${k + 1}`).toBeDefined();
        expect(first!.after, `${type} after kill ${k + 1}`).toBe(after);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  }, 300_000);
});
