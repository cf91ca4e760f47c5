import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/sim/index.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { extractOnce, simSettings, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';
import { metadataDifferences } from '../../helpers/metadata-equality.js';
import { createRunContext } from '../../../src/run/run-context.js';
import { fanOutFor, readerFor } from '../../../src/run/extract-run.js';
import { extractPortalMetadata, type MetadataContext } from '../../../extractors/metadata/portal-metadata.js';
import { UnavailableTypes } from '../../../extractors/object-types.js';
import type { Database } from '../../../src/db/database.js';

/**
 * Issue 14's metadata streams and issue 15's typed relations, wired into the run, against the simulator's `small`
 * portal at its dated paths: owners (archived ones too), pipelines and stages, property definitions equal to the
 * portal, `<table>_typed` built before rows load and kept in step by the loader, a property added in the portal a
 * column after the next run and an archived one gone, and the opt-in property history with no duplicates on rerun
 * and the changes of an incremental run.
 */
const handle = useTestDatabase('metadata');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const HISTORY = { deals: ['dealstage', 'amount'], contacts: ['lifecyclestage'] };
const HISTORY_SETTING = 'deals:dealstage,amount;contacts:lifecyclestage';
const OBJECTS = 'contacts,companies,deals';

async function count(db: Database, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select (${sql})::int as n`, params);
  return rows[0].n;
}

async function typedColumns(db: Database, relation: string, schema = 'hubspot'): Promise<string[]> {
  const { rows } = await db.query<{ column_name: string }>(
    `select column_name from information_schema.columns where table_schema = $2 and table_name = $1 order by ordinal_position`,
    [relation, schema],
  );
  return rows.map((r) => r.column_name);
}

describe('portal metadata and typed relations in the run', () => {
  it('a full run stores owners, pipelines, definitions and history equal to the portal; reruns and changes keep them equal', async () => {
    const sim = await startSimulator({ rateLimitWindowMs: TEST_WINDOW_MS, preset: 'small', seed: 14, legacyPaths: false });
    cleanup.push(() => sim.close());
    const db = await openMigrated(handle, 'hubspot');
    cleanup.push(() => db.close());
    const run = { objects: OBJECTS, settings: { HUBSPOT_PROPERTY_HISTORY: HISTORY_SETTING } };
    const types = ['contacts', 'companies', 'deals'];

    const warnings: string[] = [];
    const full = await extractOnce(sim, db, {
      ...run,
      settings: { HUBSPOT_PROPERTY_HISTORY: `${HISTORY_SETTING};companies:no_such_property` },
      onEvent: (e) => e.type === 'extractor:note' && warnings.push(e.message),
    });
    expect(full.error).toBeUndefined();
    // A history name the portal lacks is a warning, not a failed run, and costs no call.
    expect(warnings).toContain('HUBSPOT_PROPERTY_HISTORY names properties this portal does not have for companies: no_such_property');
    expect(full.mode).toBe('full');
    const manifest = sim.manifest({ history: HISTORY });
    expect(await metadataDifferences(db, manifest, { types, history: HISTORY })).toEqual([]);

    // Owners, archived ones included; the two live deal pipelines (the archived third was never listed).
    expect(await count(db, 'select count(*) from hubspot.owners')).toBe(manifest.owners.length);
    expect(await count(db, 'select count(*) from hubspot.owners where archived')).toBe(manifest.owners.filter((o) => o.archived).length);
    expect(await count(db, 'select count(*) from hubspot.owners where archived')).toBeGreaterThan(0);
    expect((await db.query(`select id from hubspot.pipelines where object_type = 'deals' and not archived order by id`)).rows.map((r) => r.id)).toEqual([
      '71834920',
      'default',
    ]);
    // Stage ids shared by the two pipelines are two rows.
    expect(await count(db, `select count(*) from hubspot.pipeline_stages where object_type = 'deals' and id = 'closedwon'`)).toBe(2);
    // Every property of each type, with its definition as the API sent it.
    for (const type of types) {
      expect(await count(db, 'select count(*) from hubspot.property_definitions where object_type = $1', [type])).toBe(manifest.properties[type].length);
    }

    // Properties read once per type per run: the metadata step's read serves the extractor too.
    const propertyReads = sim.requests().filter((r) => r.path.startsWith('/crm/properties/'));
    expect(propertyReads.map((r) => r.path.split('?')[0]).sort()).toEqual(types.map((t) => `/crm/properties/2026-09/${t}`).sort());
    const dealCount = await count(db, 'select count(*) from hubspot.deals');
    const contactCount = await count(db, 'select count(*) from hubspot.contacts');
    expect(await count(db, `select count(*) from hubspot.property_history where object_type = 'deals' and property = 'dealstage'`)).toBeGreaterThan(dealCount);

    // Typed relations built before the rows loaded, and filled by the loader (table mode): every record typed.
    for (const type of types) {
      expect(await count(db, `select count(*) from hubspot.${type}_typed`)).toBe(await count(db, `select count(*) from hubspot.${type}`));
      expect(await count(db, `select count(*) from hubspot.${type}_typed_data`)).toBe(await count(db, `select count(*) from hubspot.${type}`));
    }
    expect(await count(db, 'select count(*) from hubspot.typed_relations where stale is not null')).toBe(0);
    const typedAmounts = await count(db, 'select count(*) from hubspot.deals_typed where amount is not null');
    expect(typedAmounts).toBeGreaterThan(0);
    expect(await count(db, 'select count(*) from hubspot.deals_typed where dealstage__label is not null')).toBeGreaterThan(0);
    expect(await count(db, 'select count(*) from hubspot.deals_typed where hubspot_owner_id__owner is not null')).toBeGreaterThan(0);
    expect(full.notes).toEqual([]);

    // The minimum formula counts every metadata call: owners (live and archived), deal pipelines, history.
    expect(full.minimum).toBeDefined();
    expect(full.calls).toBeLessThanOrEqual(Math.ceil(full.minimum!.total * 1.02));
    expect(full.minimum!.window).toBeGreaterThanOrEqual(3 + 2 + 1 + Math.ceil(dealCount / 50) + Math.ceil(contactCount / 50));

    // A rerun with no change adds no history row twice.
    const historyRows = await count(db, 'select count(*) from hubspot.property_history');
    const again = await extractOnce(sim, db, run);
    expect(again.error).toBeUndefined();
    expect(again.mode).toBe('incremental');
    expect(await count(db, 'select count(*) from hubspot.property_history')).toBe(historyRows);
    expect(await metadataDifferences(db, sim.manifest({ history: HISTORY }), { types, history: HISTORY })).toEqual([]);

    // Changes in the portal: records (new history), a property added and one archived, owners, stages.
    const now = Date.now();
    const columnsBefore = await typedColumns(db, 'contacts_typed');
    for (let i = 0; i < 6; i++) sim.portal.apply('update', now, ['deals']);
    for (let i = 0; i < 6; i++) sim.portal.apply('update', now, ['contacts']);
    expect(sim.portal.apply('property-add', now, ['contacts'])).toBe(true);
    expect(sim.portal.apply('property-archive', now, ['contacts'])).toBe(true);
    sim.portal.apply('owner-add', now);
    sim.portal.apply('owner-archive', now);
    sim.portal.apply('stage-add', now);
    sim.portal.apply('stage-rename', now);
    await new Promise((r) => setTimeout(r, 5));
    const before = sim.requests().length;
    const inc = await extractOnce(sim, db, run);
    expect(inc.error).toBeUndefined();
    expect(inc.mode).toBe('incremental');
    const after = sim.manifest({ history: HISTORY });
    expect(await metadataDifferences(db, after, { types, history: HISTORY })).toEqual([]);
    expect(await count(db, 'select count(*) from hubspot.property_history')).toBeGreaterThan(historyRows);
    // Only the changed records' history was read (a few batch reads, not one per 50 of every record).
    const incHistoryReads = sim
      .requests()
      .slice(before)
      .filter((r) => r.method === 'POST' && /^\/crm\/objects\/[^/]+\/(deals|contacts)\/batch\/read/.test(r.path));
    expect(incHistoryReads.length).toBeLessThan(Math.ceil(contactCount / 50));

    // The added property is a column, the archived one is gone.
    const live = new Set(after.properties.contacts.filter((p) => !p.archived).map((p) => p.name));
    const added = after.properties.contacts.find((p) => !p.archived && !columnsBefore.includes(p.name))!;
    const archived = after.properties.contacts.find((p) => p.archived)!;
    expect(added).toBeDefined();
    const columnsAfter = await typedColumns(db, 'contacts_typed');
    expect(columnsAfter).toContain(added.name);
    expect(columnsBefore).toContain(archived.name);
    expect(columnsAfter).not.toContain(archived.name);
    expect(live.has(archived.name)).toBe(false);
    expect(await count(db, `select count(*) from hubspot.contacts_typed`)).toBe(await count(db, 'select count(*) from hubspot.contacts'));
  }, 240_000);

  it.each(['2026-09', 'legacy'] as const)(
    '%s: pipelines of every type that has them (one ticket pipeline, the lead pipeline), none asked of types without; history as the API keeps it',
    async (version) => {
      const sim = await startSimulator({ rateLimitWindowMs: TEST_WINDOW_MS, preset: 'small', seed: 15, legacyPaths: version === 'legacy' });
      cleanup.push(() => sim.close());
      const schema = `types_${version.replace('-', '_')}`;
      const db = await openMigrated(handle, schema);
      cleanup.push(() => db.close());
      const settings = simSettings(sim, { HUBSPOT_API_VERSION: version });
      const context = createRunContext(settings, { windowMs: TEST_WINDOW_MS, trackDailyBudget: false, initialLatencyMs: 20 });
      cleanup.push(() => context.close());
      const types = ['deals', 'tickets', 'leads', 'products', 'calls'].map((name) => ({ name, table: name, apiType: name }));
      const events: string[] = [];
      const reader = readerFor(context.api);
      const metadataContext: MetadataContext = {
        db,
        reader,
        fanOut: fanOutFor(context),
        signal: new AbortController().signal,
        emit: (e) => e.type === 'extractor:note' && events.push(e.message),
        typedRelations: 'table',
        properties: {},
        unavailable: new UnavailableTypes(() => {}),
      };
      const result = await extractPortalMetadata(metadataContext, types);
      const manifest = sim.manifest({ history: { deals: ['dealstage', 'amount'] } });
      expect(await metadataDifferences(db, manifest, { types: types.map((t) => t.name) })).toEqual([]);
      expect((await db.query(`select id from ${schema}.pipelines where object_type = 'tickets'`)).rows.map((r) => r.id)).toEqual(['0']);
      expect(await count(db, `select count(*) from ${schema}.pipelines where object_type = 'leads'`)).toBe(1);
      expect(await count(db, `select count(*) from ${schema}.pipeline_stages where object_type = 'tickets' and metadata ? 'ticketState'`)).toBeGreaterThan(0);
      const base = version === 'legacy' ? '/crm/v3/pipelines' : '/crm/pipelines/2026-09';
      const pipelineReads = sim
        .requests()
        .filter((r) => r.path.includes('/pipelines/'))
        .map((r) => r.path.split('?')[0])
        .sort();
      expect(pipelineReads).toEqual(['deals', 'leads', 'tickets'].map((t) => `${base}/${t}`));
      expect(result.pipelines).toBe(2 + 1 + 1);
      // Several types' typed relations are built side by side: none collides with another (two transactions creating
      // the typing functions at once failed on pg_proc's unique index before 7bbf900's follow-up).
      expect(result.typed.find((t) => t.table === 'calls')).toMatchObject({ relation: 'calls_typed' });
      expect(result.typed.find((t) => t.table === 'deals')).toMatchObject({ relation: 'deals_typed' });
      expect(result.typed.find((t) => t.table === 'tickets')).toMatchObject({ relation: 'tickets_typed' });
      // A type whose table does not exist: the typed relation is not built, and the step says why without failing.
      const noTable = await extractPortalMetadata(metadataContext, [{ name: 'deals', table: 'no_such_table', apiType: 'deals' }]);
      expect(noTable.typed.find((t) => t.table === 'no_such_table')?.warning).toMatch(/does not exist/);
      expect(events.some((m) => /no_such_table_typed not built/.test(m))).toBe(true);

      // A reply with no property at all (a proxy's or a bad deploy's `{"results":[]}` passes the shape check) archives
      // nothing: the stored definitions and deals_typed stay as they were.
      const columnsBefore = await typedColumns(db, 'deals_typed', schema);
      const emptyDeals = { ...reader, getPropertyDefinitions: async (t: string) => (t === 'deals' ? [] : reader.getPropertyDefinitions(t)) };
      const again = await extractPortalMetadata(
        {
          db,
          reader: emptyDeals,
          fanOut: fanOutFor(context),
          signal: new AbortController().signal,
          emit: () => {},
          typedRelations: 'table',
          properties: {},
          unavailable: new UnavailableTypes(() => {}),
        },
        [{ name: 'deals', table: 'deals', apiType: 'deals' }],
      );
      expect(again.notes).toEqual(['deals: the properties API listed no property; the stored definitions and deals_typed are kept as they were']);
      expect(await count(db, `select count(*) from ${schema}.property_definitions where object_type = 'deals' and archived`)).toBe(0);
      expect(await typedColumns(db, 'deals_typed', schema)).toEqual(columnsBefore);

      // History as the API keeps it, newest first, for 50 records a call (the typed client's batch read at legacy).
      const deals = manifest.objects.deals.filter((d) => !d.archived).slice(0, 50);
      const read = await reader.batchReadHistory(
        'deals',
        deals.map((d) => d.id),
        ['dealstage', 'amount'],
        false,
      );
      expect(read).toHaveLength(50);
      for (const r of read) {
        const m = deals.find((d) => d.id === r.id)!;
        for (const property of ['dealstage', 'amount']) {
          expect(r.history[property]).toEqual(
            (m.propertiesWithHistory?.[property] ?? []).map((e) => ({
              value: e.value,
              timestamp: e.timestamp,
              ...(e.sourceType === undefined ? {} : { sourceType: e.sourceType }),
              ...(e.sourceId === undefined ? {} : { sourceId: e.sourceId }),
              ...(e.updatedByUserId === undefined ? {} : { updatedByUserId: String(e.updatedByUserId) }),
            })),
          );
        }
      }
    },
    120_000,
  );
});
