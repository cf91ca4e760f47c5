import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/clock.js';
import { endpointPath } from '../../../src/hubspot/endpoints.js';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { runCli, SIMULATOR_API_VERSION, startCli } from '../../helpers/cli-process.js';
import { startRewritingProxy, type RewritingProxy } from '../../helpers/rewriting-proxy.js';

/**
 * A real `extract` process is killed with SIGKILL at random moments of its run, five times, and started
 * again each time; the sixth run finishes and the database must equal the portal, with no duplicates.
 * The simulator's window is raised (and the CLI told so) only to keep the test short. The portal has its
 * realistic catalogs: contacts are read by ids (search keyset, then batch/read), the other types inline.
 */
const portal = usePortalFixture('crash', {
  preset: 'small',
  seed: 11,
  size: { contacts: 6000, companies: 300, deals: 500, engagements: 3000, forms: 8, submissions: 1500 },
  tenSecondLimit: 1500,
  latencyMedianMs: 8,
  latencyTailMs: 40,
});

/** What the runs asked for, seen by a proxy in front of the simulator (the simulator's own log has no bodies). */
const sent: { method: string; path: string; after: string | null; body: string }[] = [];
let proxy: RewritingProxy;
beforeAll(async () => {
  proxy = await startRewritingProxy(portal.sim.url);
  proxy.rule = async (req) => {
    sent.push({ method: req.method, path: req.path, after: req.query.get('after'), body: req.body });
    return undefined;
  };
});
afterAll(async () => {
  await proxy?.close();
});

type Position = { after?: string; archived?: boolean; strategy?: string };

/** The id keyset of a full pass by ids (not the cost estimate's one-record search, nor an incremental one). */
function isKeysetSearch(body: string): boolean {
  const search = JSON.parse(body) as { limit?: number; sorts?: { propertyName: string }[] };
  return search.limit === 200 && search.sorts?.[0]?.propertyName === 'hs_object_id';
}

describe('resume after SIGKILL', () => {
  it('five kills at random moments, then a clean run: the database equals the portal', async () => {
    const env = {
      HUBSPOT_ACCESS_TOKEN: portal.sim.token,
      HUBSPOT_BASE_URL: proxy.url,
      DATABASE_URL: portal.handle.url,
      HUBSPOT_MAX_REQUESTS_PER_10S: '1500',
      HUBSPOT_SEARCH_LAG_MS: '0',
      HUBSPOT_MAX_CONCURRENCY: '16',
      LOG_LEVEL: 'warn',
    };
    const random = seededRandom(2026);
    const sentBefore: number[] = [];
    const resumeFrom: Map<string, Position>[] = [];
    for (let kill = 0; kill < 5; kill++) {
      sentBefore.push(sent.length);
      const cursorsBefore = (
        await portal.db.query<{ c: string }>(`select cursor::text as c from hubspot.sync_state`).catch(() => ({ rows: [] as { c: string }[] }))
      ).rows.map((r) => r.c);
      const { child, done } = startCli(['extract'], env);
      // Wait until the process is past start-up and its run is under way, then kill it at a random moment.
      const running = async () =>
        (await portal.db.query(`select 1 from hubspot.runs where status = 'running' and pid = $1`, [child.pid]).catch(() => ({ rowCount: 0 }))).rowCount! > 0;
      while (!(await running())) await new Promise((r) => setTimeout(r, 20));
      if (kill % 2 === 1) {
        // Every other kill waits for a full pass under way (a page committed, more to come), so that the check
        // below has resumes to look at however fast or slow the machine is; the others fall at random times.
        // A page this process committed: a cursor mid-pass that was not there when it started.
        const midPass = async () =>
          (
            await portal.db.query(
              `select 1 from hubspot.sync_state where stream like 'objects:%' and cursor->'full'->>'after' is not null and not (cursor::text = any($1))`,
              [cursorsBefore],
            )
          ).rowCount! > 0;
        while (!(await midPass())) await new Promise((r) => setTimeout(r, 10));
      } else {
        // Up to 8 s: the cost estimate's searches (at 5/s) and the portal's metadata come first, so the id keyset of
        // contacts commits its first pages only some seconds into the run.
        await new Promise((r) => setTimeout(r, 50 + random() * 8000));
      }
      child.kill('SIGKILL');
      const result = await done;
      expect(result.signal).toBe('SIGKILL');
      // Where each type's committed full pass stands: the next process must resume exactly there.
      const { rows } = await portal.db.query<{ stream: string; cursor: { full?: Position } }>(
        `select stream, cursor from hubspot.sync_state where stream like 'objects:%'`,
      );
      resumeFrom.push(new Map(rows.filter((r) => r.cursor.full && !r.cursor.full.archived).map((r) => [r.stream.slice('objects:'.length), r.cursor.full!])));
    }
    sentBefore.push(sent.length);
    const final = await runCli(['extract'], env);
    expect(final.code).toBe(0);
    expect(final.stderr).not.toMatch(/error/i);
    expect(final.stdout).toContain('succeeded');
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
    expect(Object.values(await duplicateCounts(portal.db)).every((n) => n === 0)).toBe(true);
    const runs = (await portal.db.query<{ status: string }>('select status from hubspot.runs order by id')).rows.map((r) => r.status);
    expect(runs.filter((s) => s === 'abandoned')).toHaveLength(5);
    expect(runs[runs.length - 1]).toBe('succeeded');
    expect(
      portal.sim
        .requests()
        .filter((r) => r.status === 429)
        .map((r) => JSON.stringify(r)),
    ).toEqual([]);
    // Committed pages are never fetched again: after every kill, the next page request of a type whose full
    // pass was under way (from whichever later process gets to it first; nothing commits in between) asks for
    // exactly the page after the last committed one: the list's `after` (inline), or ids above the last
    // committed one (by ids: the search keyset).
    let checked = 0;
    // A custom object's paths name its objectTypeId (`2-…`), its stream and table its name.
    const apiTypes = new Map(
      (
        await portal.db.query<{ name: string; object_type_id: string; custom: boolean }>('select name, object_type_id, custom from hubspot.object_types')
      ).rows.map((r) => [r.name, r.custom ? r.object_type_id : r.name]),
    );
    for (let k = 0; k < resumeFrom.length; k++) {
      const next = sent.slice(sentBefore[k + 1]);
      for (const [name, position] of resumeFrom[k]) {
        const type = apiTypes.get(name) ?? name;
        if (position.strategy === 'by-ids') {
          const first = next.find(
            (r) => r.method === 'POST' && r.path === endpointPath(SIMULATOR_API_VERSION, 'objects.search', { type }) && isKeysetSearch(r.body),
          );
          expect(first, `${name} after kill ${k + 1}`).toBeDefined();
          const filters = (JSON.parse(first!.body) as { filterGroups: unknown[] }).filterGroups;
          expect(filters, `${name} after kill ${k + 1}`).toEqual(
            position.after === undefined ? [] : [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: position.after }] }],
          );
        } else {
          const first = next.find((r) => r.method === 'GET' && r.path === endpointPath(SIMULATOR_API_VERSION, 'objects.list', { type }));
          expect(first, `${name} after kill ${k + 1}`).toBeDefined();
          expect(first!.after ?? undefined, `${name} after kill ${k + 1}`).toBe(position.after);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  }, 300_000);
});
