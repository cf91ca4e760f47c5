import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';
import { SIMULATOR_API_VERSION } from '../../helpers/cli-process.js';
import { endpointPath } from '../../../src/hubspot/endpoints.js';

/** The places where widely used HubSpot connectors lose data, each against the simulator. */
const handle = useTestDatabase('hard');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function portal(options: Parameters<typeof startSimulator>[0], schema: string): Promise<{ sim: RunningSimulator; db: Database }> {
  const sim = await startSimulator({ rateLimitWindowMs: TEST_WINDOW_MS, ...options });
  cleanup.push(() => sim.close());
  const db = await openMigrated(handle, schema);
  cleanup.push(() => db.close());
  return { sim, db };
}

const searchRequests = (sim: RunningSimulator, type: string, from = 0) =>
  sim
    .requests()
    .slice(from)
    .filter((r) => r.method === 'POST' && r.path === endpointPath(SIMULATOR_API_VERSION, 'objects.search', { type }));

describe('hard cases', () => {
  it('more than 10,000 records sharing one millisecond are drained by an id keyset, none skipped, never past the 10,000 cap', async () => {
    const { sim, db } = await portal(
      { preset: 'small', seed: 21, size: { contacts: 10_600, companies: 40, deals: 60, engagements: 300, forms: 2, submissions: 20 }, sameMsBatch: 10_300 },
      'same_ms',
    );
    // A few properties (the search carries them: no batch reads), so that 21,000 record reads stay quick; the keyset
    // with ids-only searches and batch reads is in strategies.test.ts.
    const selected = ['email', 'firstname', 'lastmodifieddate', 'hs_object_id'];
    const settings = { HUBSPOT_PROPERTIES: `contacts:${selected.join(',')}` };
    expect((await extractOnce(sim, db, { objects: 'contacts', settings })).status).toBe('succeeded');
    // Rewind the cursor so the incremental search has to walk the whole bulk update.
    await db.query(`update same_ms.sync_state set cursor = jsonb_set(cursor, '{incremental}', '{"ts": 0}') where stream = 'objects:contacts'`);
    await db.query(`update same_ms.contacts set properties = '{}'`);
    const before = sim.requests().length;
    const summary = await extractOnce(sim, db, { objects: 'contacts', settings });
    expect(summary.error).toBeUndefined();
    const searches = searchRequests(sim, 'contacts', before);
    expect(searches.filter((r) => r.status === 400)).toHaveLength(0);
    const live = sim.manifest().objects.contacts.filter((r) => !r.archived).length;
    // First-page queries only: ~one search per 199 records, however many share a millisecond.
    expect(searches.length).toBeLessThanOrEqual(Math.ceil(live / 199) + 5);
    expect(await portalDifferences(db, sim.manifest(), { types: ['contacts'], forms: false, associations: false, properties: selected })).toEqual([]);
  }, 180_000);

  it('the cursor never passes now minus the search lag, so records the index shows late are still caught', async () => {
    const { sim, db } = await portal({ preset: 'small', seed: 22, searchLagMs: 1500 }, 'lagged');
    const settings = { HUBSPOT_SEARCH_LAG_MS: '3000' };
    expect((await extractOnce(sim, db, { objects: 'deals', settings })).status).toBe('succeeded');
    await new Promise((r) => setTimeout(r, 3100));
    for (let i = 0; i < 20; i++) sim.portal.apply('update', Date.now());
    // Right after the writes the index does not show them yet; the cursor must stay behind them.
    await extractOnce(sim, db, { objects: 'deals', settings });
    const { rows } = await db.query<{ cursor: { incremental: { ts: number } } }>(`select cursor from lagged.sync_state where stream = 'objects:deals'`);
    expect(rows[0].cursor.incremental.ts).toBeLessThanOrEqual(Date.now() - 3000 + 1);
    await new Promise((r) => setTimeout(r, 3200));
    expect((await extractOnce(sim, db, { objects: 'deals', settings })).status).toBe('succeeded');
    expect(await portalDifferences(db, sim.manifest(), { types: ['deals'], forms: false, associations: false })).toEqual([]);
  }, 180_000);

  it('association lists longer than 500 come back whole, with type id, category and label', async () => {
    const { sim, db } = await portal({ preset: 'small', seed: 23 }, 'assoc');
    expect((await extractOnce(sim, db)).status).toBe('succeeded');
    const { rows } = await db.query<{ n: string }>(
      `select max(n) as n from (select count(*) as n from assoc.associations group by from_type, from_id, to_type) x`,
    );
    expect(Number(rows[0].n)).toBeGreaterThan(500);
    const { rows: kinds } = await db.query<{ category: string; label: string | null }>(`select distinct category, label from assoc.associations`);
    expect(kinds.some((k) => k.category === 'HUBSPOT_DEFINED')).toBe(true);
    expect(await portalDifferences(db, sim.manifest())).toEqual([]);
    // Association-only changes (neither object's modified date moves) arrive with the association refresh.
    for (let i = 0; i < 10; i++) sim.portal.apply('associate', Date.now());
    for (let i = 0; i < 10; i++) sim.portal.apply('dissociate', Date.now());
    expect((await extractOnce(sim, db)).status).toBe('succeeded');
    expect(await portalDifferences(db, sim.manifest())).toEqual([]);
  }, 180_000);

  it('form submissions: every form type, paging stops at the first stored submission', async () => {
    const { sim, db } = await portal(
      { preset: 'small', seed: 24, size: { contacts: 50, companies: 5, deals: 5, engagements: 20, forms: 8, submissions: 1200 } },
      'subs',
    );
    expect((await extractOnce(sim, db, { objects: 'forms' })).status).toBe('succeeded');
    const types = (await db.query<{ form_type: string }>('select distinct form_type from subs.forms')).rows.map((r) => r.form_type).sort();
    expect(types).toEqual(expect.arrayContaining(['captured', 'hubspot']));
    expect(await portalDifferences(db, sim.manifest(), { types: [], associations: false })).toEqual([]);
    for (let i = 0; i < 5; i++) sim.portal.apply('submit', Date.now());
    const before = sim.requests().length;
    expect((await extractOnce(sim, db, { objects: 'forms' })).status).toBe('succeeded');
    const readable = sim.manifest().forms.filter((f) => !f.archived && f.formType !== 'blog_comment').length;
    const pages = sim
      .requests()
      .slice(before)
      .filter((r) => r.path.startsWith(endpointPath(SIMULATOR_API_VERSION, 'submissions.list', { guid: '' })));
    expect(pages.length).toBe(readable);
    expect(await portalDifferences(db, sim.manifest(), { types: [], associations: false })).toEqual([]);
  }, 180_000);
});
