import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/sim/index.js';
import { ZERO_FAULTS } from '../../../src/sim/options.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';

/**
 * Issue 13 against the simulator shaped like a real portal: lists that repeat records while they are paged, 200
 * edge pages, hundreds of properties (each a regression test that fails on d2812c8, as its name says: checked
 * by running this file on an export of d2812c8 with today's simulator), and the acceptance run: a `medium`
 * portal with its realistic catalogs, the numbered paths switched off, drift and edge pages on and the portal
 * changing during the run, through a full and an incremental run, equal to the portal at the end.
 */
const handle = useTestDatabase('real_portals');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const SMALL = { contacts: 300, companies: 30, deals: 40, engagements: 600, forms: 2, submissions: 20 };

async function portal(schema: string, options: Partial<SimulatorOptions>): Promise<{ sim: RunningSimulator; db: Database }> {
  const sim = await startSimulator({ rateLimitWindowMs: TEST_WINDOW_MS, preset: 'small', size: SMALL, ...options });
  cleanup.push(() => sim.close());
  const db = await openMigrated(handle, schema);
  cleanup.push(() => db.close());
  return { sim, db };
}

async function deletedCount(db: Database, schema: string, type: string): Promise<number> {
  return (await db.query<{ n: number }>(`select count(*)::int as n from ${schema}.${type} where deleted_at is not null`)).rows[0].n;
}

/** Engagement types: their catalogs fit a list URL even as v3 sends it, so these runs list them inline on any code. */
const LISTED = ['calls', 'notes', 'meetings'] as const;

describe('issue 13: a portal shaped like a real one', () => {
  it('1. records repeated on consecutive list pages (every page drifts) load once (fails on d2812c8: ON CONFLICT DO UPDATE ... a second time)', async () => {
    const { sim, db } = await portal('drift_repeats', { seed: 81, pageDrift: 1, size: { ...SMALL, engagements: 3000 } });
    const from = sim.requests().length;
    const summary = await extractOnce(sim, db, { objects: LISTED.join(',') });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    const repeated = sim
      .requests()
      .slice(from)
      .reduce((n, r) => n + (r.drift?.repeated ?? 0), 0);
    expect(repeated).toBeGreaterThan(15);
    expect(await portalDifferences(db, sim.manifest(), { types: [...LISTED], forms: false })).toEqual([]);
    expect(Object.values(await duplicateCounts(db)).every((n) => n === 0)).toBe(true);
  }, 120_000);

  it('2. 200 edge pages (HTML) are retried, never read as an empty page: nothing is lost or marked deleted (fails on d2812c8: lists end early, records marked deleted)', async () => {
    const { sim, db } = await portal('edge_pages', { seed: 82, size: { ...SMALL, engagements: 3000 } });
    expect((await extractOnce(sim, db, { objects: LISTED.join(',') })).status).toBe('succeeded');
    // A quarter of all replies are edge pages, list pages among them; ten attempts make a request that meets
    // one on every attempt unlikely (0.25^10).
    sim.setOptions({ faults: { ...sim.options().faults, edgePage200: 0.25 } });
    const from = sim.requests().length;
    const summary = await extractOnce(sim, db, { objects: LISTED.join(','), fullRefresh: true, settings: { HUBSPOT_MAX_ATTEMPTS: '10' } });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    const deleted = await Promise.all(LISTED.map((type) => deletedCount(db, 'edge_pages', type)));
    expect(deleted).toEqual(LISTED.map(() => 0));
    expect(await portalDifferences(db, sim.manifest(), { types: [...LISTED], forms: false })).toEqual([]);
    // Each edge page was retried as a malformed reply.
    const edgePages = sim
      .requests()
      .slice(from)
      .filter((r) => r.fault === 'edge-page-200');
    expect(edgePages.filter((r) => r.method === 'GET' && r.path.includes('/objects/')).length).toBeGreaterThan(0);
    expect(summary.stats.retriesByCause['malformed-response']).toBe(edgePages.length);
  }, 120_000);

  it('3. hundreds of properties: a full and an incremental run of contacts read every property, never a 414 or a 400 (fails on d2812c8: 414 URI Too Long)', async () => {
    const { sim, db } = await portal('catalogs', { seed: 83 });
    const catalog = sim.portal.catalog('contacts').definitions.length;
    expect(catalog).toBeGreaterThanOrEqual(390);
    const from = sim.requests().length;
    const full = await extractOnce(sim, db, { objects: 'contacts' });
    expect(full.error).toBeUndefined();
    expect(full.status).toBe('succeeded');
    for (let i = 0; i < 30; i++) sim.portal.apply('update', Date.now());
    await new Promise((r) => setTimeout(r, 5));
    const incremental = await extractOnce(sim, db, { objects: 'contacts' });
    expect(incremental.error).toBeUndefined();
    expect(incremental.mode).toBe('incremental');
    expect(
      sim
        .requests()
        .slice(from)
        .filter((r) => r.status === 414 || r.status === 400),
    ).toEqual([]);
    expect(await portalDifferences(db, sim.manifest(), { types: ['contacts'], forms: false, associations: false })).toEqual([]);
    // Every property with a value is stored: across the records, most of the catalog's properties have one.
    const { rows } = await db.query<{ n: number }>(`select count(distinct k)::int as n from catalogs.contacts, jsonb_object_keys(properties) k`);
    expect(rows[0].n).toBeGreaterThan(catalog / 2);
  }, 120_000);
});

describe('issue 13 acceptance', () => {
  it('medium, >= 600 contact properties, numbered paths off, drift and edge pages, changes during the run: a full then an incremental run leave the database equal to the portal', async () => {
    const { sim, db } = await portal('acceptance', {
      preset: 'medium',
      size: undefined,
      seed: 84,
      tenSecondLimit: 190,
      legacyPaths: false,
      pageDrift: 0.2,
      faults: { ...ZERO_FAULTS, edgePage200: 0.01 },
    });
    expect(sim.portal.catalog('contacts').definitions.length).toBeGreaterThanOrEqual(600);
    expect(sim.options().size).toMatchObject({ contacts: 5000, engagements: 20_000 });
    // The portal changes while the full run pages it, so drifting pages skip records (modified within the last minute).
    const changing = setInterval(() => sim.mutate(3), 100);
    let full: Awaited<ReturnType<typeof extractOnce>>;
    try {
      full = await extractOnce(sim, db);
    } finally {
      clearInterval(changing);
    }
    expect(full.error).toBeUndefined();
    expect(full.status).toBe('succeeded');
    const duringFull = sim.requests();
    expect(duringFull.reduce((n, r) => n + (r.drift?.skipped ?? 0), 0)).toBeGreaterThan(0);
    expect(duringFull.reduce((n, r) => n + (r.drift?.repeated ?? 0), 0)).toBeGreaterThan(0);
    expect(duringFull.filter((r) => r.fault === 'edge-page-200').length).toBeGreaterThan(0);
    expect(full.stats.retriesByCause['malformed-response']).toBeGreaterThan(0);

    await new Promise((r) => setTimeout(r, 5));
    const incremental = await extractOnce(sim, db, { sweepDeletes: true });
    expect(incremental.error).toBeUndefined();
    expect(incremental.mode).toBe('incremental');
    const all = sim.requests();
    // Only the dated paths were used (the numbered ones answer 404), and no request was too long.
    expect(all.filter((r) => r.status === 404 || r.status === 414 || r.status === 400).map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([]);
    expect(all.filter((r) => r.path.startsWith('/crm/v3/') || r.path.startsWith('/crm/v4/'))).toEqual([]);
    expect(await portalDifferences(db, sim.manifest())).toEqual([]);
    expect(Object.values(await duplicateCounts(db)).every((n) => n === 0)).toBe(true);
  }, 400_000);
});
