import { describe, expect, it } from 'vitest';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';

/** The small portal with its realistic catalogs (contacts read by ids, the other types inline); medium is in real-portals.test.ts. */
const portal = usePortalFixture('e2e', { preset: 'small', seed: 7, rateLimitWindowMs: TEST_WINDOW_MS, tenSecondLimit: 190 });

describe('extracting the small portal', () => {
  let fullCalls = 0;

  it('a full run makes the database equal to the portal, within 2% of the minimum calls, with no 429', async () => {
    const summary = await extractOnce(portal.sim, portal.db);
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    expect(summary.mode).toBe('full');
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
    expect(Object.values(await duplicateCounts(portal.db)).every((n) => n === 0)).toBe(true);
    expect(portal.sim.requests().filter((r) => r.status === 429)).toHaveLength(0);
    expect(summary.minimumCalls).toBeGreaterThan(0);
    expect(summary.calls / summary.minimumCalls!).toBeLessThanOrEqual(1.02);
    fullCalls = summary.calls;
  }, 180_000);

  it('after changes, an incremental run reads only the changes; associations changed alone show after the refresh', async () => {
    for (const kind of ['update', 'update', 'update', 'create', 'create', 'associate', 'dissociate', 'submit', 'submit'] as const) {
      for (let i = 0; i < 10; i++) portal.sim.portal.apply(kind, Date.now());
    }
    await new Promise((r) => setTimeout(r, 5));
    const from = portal.sim.requests().length;
    const summary = await extractOnce(portal.sim, portal.db, { settings: { HUBSPOT_ASSOCIATIONS_REFRESH_HOURS: '24' } });
    expect(summary.error).toBeUndefined();
    expect(summary.mode).toBe('incremental');
    // Records, submissions and the associations of changed records are current; an association added or removed
    // between two records that did not change is not seen until the full association refresh
    // (HUBSPOT_ASSOCIATIONS_REFRESH_HOURS, 24 by default: README "Associations: what a run re-reads").
    const stale = await portalDifferences(portal.db, portal.sim.manifest(), { maxDifferences: 1000 });
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.filter((d) => !/: (missing|unexpected) edge /.test(d))).toEqual([]);
    // Only the changes are read (searches, then batch reads where the properties do not fit a search): no list
    // page. What an incremental run always makes (properties, the association refresh, a page per form) is
    // most of it on a portal this small.
    expect(
      portal.sim
        .requests()
        .slice(from)
        .filter((r) => r.method === 'GET' && /^\/crm\/objects\/[^/]+\/[^/]+$/.test(r.path)),
    ).toEqual([]);
    expect(summary.calls).toBeLessThan(fullCalls * 0.6);
    const refreshed = await extractOnce(portal.sim, portal.db, { refreshAssociations: true });
    expect(refreshed.error).toBeUndefined();
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
  }, 180_000);

  it('the comparison itself notices a changed value, a lost edge and a lost submission', async () => {
    const [contact] = (await portal.db.query<{ id: string }>('select id::text as id from hubspot.contacts where deleted_at is null limit 1')).rows;
    await portal.db.query(`update hubspot.contacts set properties = properties || '{"email": "changed@example.com"}' where id = $1`, [contact.id]);
    const edge = (
      await portal.db.query<{ from_id: string }>(
        'delete from hubspot.associations where ctid = (select ctid from hubspot.associations limit 1) returning from_id::text',
      )
    ).rows;
    await portal.db.query('delete from hubspot.form_submissions where ctid = (select ctid from hubspot.form_submissions limit 1)');
    const diffs = await portalDifferences(portal.db, portal.sim.manifest(), { maxDifferences: 100 });
    expect(diffs.some((d) => d.includes(`contacts ${contact.id}: property email`))).toBe(true);
    expect(edge).toHaveLength(1);
    expect(diffs.some((d) => d.includes('missing edge'))).toBe(true);
    expect(diffs.some((d) => d.startsWith('submissions of'))).toBe(true);
    // Repair by a full refresh, which the next test builds on.
    const summary = await extractOnce(portal.sim, portal.db, { fullRefresh: true });
    expect(summary.status).toBe('succeeded');
  }, 180_000);

  it('hard deletes and archives are found by the id sweep; a rerun duplicates nothing', async () => {
    for (let i = 0; i < 5; i++) portal.sim.portal.apply('delete', Date.now());
    for (let i = 0; i < 5; i++) portal.sim.portal.apply('archive', Date.now());
    const summary = await extractOnce(portal.sim, portal.db, { sweepDeletes: true });
    expect(summary.error).toBeUndefined();
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
    const again = await extractOnce(portal.sim, portal.db, { sweepDeletes: true });
    expect(again.status).toBe('succeeded');
    expect(Object.values(await duplicateCounts(portal.db)).every((n) => n === 0)).toBe(true);
    expect(await portalDifferences(portal.db, portal.sim.manifest())).toEqual([]);
  }, 180_000);
});
