import { describe, expect, it } from 'vitest';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';
import type { ExtractorEvent } from '../../../extractors/types.js';
import type { MutationKind } from '../../../src/sim/portal.js';

/**
 * Every CRM object stream of issue 14 on the small portal (realistic catalogs): the five newer standard types,
 * the custom objects discovered from the schemas API, and every association pair among them with its labels.
 */
const portal = usePortalFixture('object-streams', { preset: 'small', seed: 11, rateLimitWindowMs: TEST_WINDOW_MS, tenSecondLimit: 190 });

async function objectTypesRows() {
  const { rows } = await portal.db.query<{ object_type_id: string; name: string; table_name: string; custom: boolean }>(
    'select object_type_id, name, table_name, custom from hubspot.object_types order by object_type_id',
  );
  return rows;
}

async function count(table: string, where = 'true'): Promise<number> {
  const { rows } = await portal.db.query<{ n: string }>(`select count(*) as n from hubspot.${table} where ${where}`);
  return Number(rows[0].n);
}

describe('every CRM object stream', () => {
  it('a full run stores every type (custom objects in their own tables) and every pair, equal to the portal, within 2% of the minimum calls', async () => {
    const summary = await extractOnce(portal.sim, portal.db, { includeArchived: true });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    expect(summary.unavailableTypes).toEqual({});
    const manifest = portal.sim.manifest();
    expect(await portalDifferences(portal.db, manifest, { includeArchived: true, maxDifferences: 50 })).toEqual([]);
    expect(Object.values(await duplicateCounts(portal.db)).every((n) => n === 0)).toBe(true);

    // object_types lists every type extracted, by HubSpot's type ids; custom objects are named from their schema.
    expect(await objectTypesRows()).toEqual(
      manifest.objectTypes
        .map((t) => ({ object_type_id: t.objectTypeId, name: t.name, table_name: t.name, custom: t.custom }))
        .sort((a, b) => a.object_type_id.localeCompare(b.object_type_id)),
    );
    // The comparison above compared something in each new stream.
    for (const table of ['tickets', 'products', 'line_items', 'quotes', 'leads', 'projects']) expect(await count(table)).toBeGreaterThan(0);
    for (const [from, to] of [
      ['deals', 'line_items'],
      ['quotes', 'deals'],
      ['tickets', 'contacts'],
      ['projects', 'contacts'],
      ['companies', 'projects'],
    ]) {
      expect(await count('associations', `from_type = '${from}' and to_type = '${to}'`)).toBeGreaterThan(0);
    }
    expect(await count('associations', `label = 'Reporter'`)).toBeGreaterThan(0);
    expect(await count('associations', `label = 'Sponsor'`)).toBeGreaterThan(0);
    expect(summary.minimumCalls).toBeGreaterThan(0);
    expect(summary.calls / summary.minimumCalls!).toBeLessThanOrEqual(1.02);
  }, 240_000);

  it('after changes to every stream, an incremental run (with the sweep) makes it equal again', async () => {
    const before = portal.sim.manifest();
    const now = Date.now();
    const kinds: MutationKind[] = ['update', 'update', 'create', 'archive', 'restore', 'delete'];
    for (const type of before.objectTypes) for (const kind of kinds) expect(portal.sim.portal.apply(kind, now, [type.key])).toBe(true);
    for (const pair of before.associations) {
      portal.sim.portal.apply('associate', now, [pair.fromType, pair.toType]);
      portal.sim.portal.apply('dissociate', now, [pair.fromType, pair.toType]);
    }
    // A property added to a custom object's schema: in the next run's rows of the records that have it.
    expect(portal.sim.portal.apply('schema-property-add', now)).toBe(true);
    portal.sim.portal.apply(
      'update',
      now,
      before.objectTypes.filter((t) => t.custom).map((t) => t.key),
    );
    await new Promise((r) => setTimeout(r, 5));
    // Association changes alone (no record changed) are read by the full association refresh: every run here (the harness).
    const summary = await extractOnce(portal.sim, portal.db, { includeArchived: true, sweepDeletes: true });
    expect(summary.error).toBeUndefined();
    expect(summary.mode).toBe('incremental');
    const after = portal.sim.manifest();
    expect(after.deleted.tickets.length + after.deleted.quotes.length + after.deleted.leads.length).toBeGreaterThan(0);
    expect(await portalDifferences(portal.db, after, { includeArchived: true, maxDifferences: 50 })).toEqual([]);
    expect(await count('tickets', 'deleted_at is not null')).toBeGreaterThan(0);
  }, 240_000);

  it('a schema added in the portal appears after the next run, with its table, its records and its pairs (read from both sides)', async () => {
    const now = Date.now();
    expect(portal.sim.portal.apply('schema-add', now)).toBe(true);
    const added = portal.sim.manifest().objectTypes.find((t) => t.name === 'subscriptions')!;
    expect(added).toBeDefined();
    for (let i = 0; i < 5; i++) portal.sim.portal.apply('create', now, [added.key]);
    // Subscriptions read their contacts; companies (fewer) read their subscriptions: a pair new to companies, whose
    // records did not change, so they are queued for it at once (no full association refresh in this run).
    for (let i = 0; i < 5; i++) portal.sim.portal.apply('associate', now, [added.key, 'contacts']);
    for (let i = 0; i < 5; i++) portal.sim.portal.apply('associate', now, [added.key, 'companies']);
    await new Promise((r) => setTimeout(r, 5));
    const summary = await extractOnce(portal.sim, portal.db, { includeArchived: true, settings: { HUBSPOT_ASSOCIATIONS_REFRESH_HOURS: '24' } });
    expect(summary.error).toBeUndefined();
    expect((await objectTypesRows()).find((r) => r.object_type_id === added.objectTypeId)).toEqual({
      object_type_id: added.objectTypeId,
      name: 'subscriptions',
      table_name: 'subscriptions',
      custom: true,
    });
    expect(await count('subscriptions')).toBe(5);
    expect(await count('associations', `from_type = 'subscriptions' and to_type = 'contacts'`)).toBeGreaterThan(0);
    expect(await count('associations', `from_type = 'companies' and to_type = 'subscriptions'`)).toBeGreaterThan(0);
    expect(await portalDifferences(portal.db, portal.sim.manifest(), { includeArchived: true, maxDifferences: 50 })).toEqual([]);
  }, 240_000);

  it('the comparison itself notices a changed custom record, a lost labelled edge and a missing custom table', async () => {
    const [project] = (
      await portal.db.query<{ id: string }>('select id::text as id from hubspot.projects where deleted_at is null and not archived order by id limit 1')
    ).rows;
    await portal.db.query(`update hubspot.projects set properties = properties || '{"project_name": "changed"}' where id = $1`, [project.id]);
    await portal.db.query(`delete from hubspot.associations where ctid = (select ctid from hubspot.associations where label = 'Sponsor' limit 1)`);
    await portal.db.query(`delete from hubspot.object_types where name = 'subscriptions'`);
    const diffs = await portalDifferences(portal.db, portal.sim.manifest(), { includeArchived: true, maxDifferences: 100 });
    expect(diffs.some((d) => d.startsWith(`projects (2-`) && d.includes(`${project.id}: property project_name`))).toBe(true);
    expect(diffs.some((d) => d.includes('"Sponsor": missing edge'))).toBe(true);
    expect(diffs.some((d) => d.includes('not extracted'))).toBe(true);
  }, 60_000);
});

const withoutLeads = usePortalFixture('object-streams-without-leads', {
  preset: 'small',
  seed: 12,
  without: ['leads'],
  rateLimitWindowMs: TEST_WINDOW_MS,
  tenSecondLimit: 190,
});

describe('a type the portal does not have', () => {
  it('is reported once (a warning and the summary) and skipped, and the run succeeds', async () => {
    const events: ExtractorEvent[] = [];
    // Companies read their leads' associations: that pair meets the missing type too, and is not reported again.
    const summary = await extractOnce(withoutLeads.sim, withoutLeads.db, { objects: 'leads,companies,contacts', onEvent: (e) => events.push(e) });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    expect(summary.exitCode).toBe(0);
    expect(Object.keys(summary.unavailableTypes)).toEqual(['leads']);
    expect(summary.unavailableTypes.leads).toMatch(/^403/);
    const notes = events.filter((e) => e.type === 'extractor:note' && e.message.includes('leads'));
    expect(notes).toEqual([expect.objectContaining({ type: 'extractor:note', extractor: 'leads', level: 'warn' })]);
    // Nothing was read about leads after the type was found missing, and the rest is whole.
    const leadRequests = withoutLeads.sim.requests().filter((r) => r.path.includes('/leads'));
    expect(leadRequests.length).toBeGreaterThan(0);
    expect(leadRequests.every((r) => r.status === 403)).toBe(true);
    expect(await portalDifferences(withoutLeads.db, withoutLeads.sim.manifest(), { types: ['companies', 'contacts'], forms: false })).toEqual([]);
    expect(summary.calls / summary.minimumCalls!).toBeLessThanOrEqual(1.02);
  }, 240_000);

  it("custom objects through the legacy paths too (the typed client's schemas API), with their pairs", async () => {
    const summary = await extractOnce(withoutLeads.sim, withoutLeads.db, { objects: 'custom_objects,contacts', settings: { HUBSPOT_API_VERSION: 'legacy' } });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    expect(withoutLeads.sim.requests().some((r) => r.path === '/crm-object-schemas/v3/schemas')).toBe(true);
    const { rows } = await withoutLeads.db.query<{ name: string }>('select name from hubspot.object_types where custom');
    expect(rows.map((r) => r.name)).toEqual(['projects']);
    expect(await portalDifferences(withoutLeads.db, withoutLeads.sim.manifest(), { types: ['projects', 'contacts'], forms: false })).toEqual([]);
  }, 240_000);
});
