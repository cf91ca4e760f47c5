import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestJsonChunks } from '../../../src/sim/manifest.js';
import { customPropertyCounts, derivedSizes, PRESETS, PRESET_SIZES, resolveOptions } from '../../../src/sim/options.js';
import { liveAt } from '../../../src/sim/pipelines.js';
import { countsByType, Portal, type MutationKind } from '../../../src/sim/portal.js';
import { CLASSIC_TYPES, OBJECT_TYPES } from '../../../src/sim/schema.js';

const NOW = Date.UTC(2026, 5, 1);
const CUSTOM = customPropertyCounts(resolveOptions({ preset: 'small' }));
const small = (seed = 42, extra: Partial<ConstructorParameters<typeof Portal>[0]> = {}) =>
  new Portal({ seed, size: PRESET_SIZES.small, sameMsBatch: 0, customProperties: CUSTOM, ...extra });
const NEW_TYPES = ['tickets', 'products', 'line_items', 'quotes', 'leads'] as const;

describe('the object types of issue 14', () => {
  it('are in every preset with sizes in proportion: line items > deals, quotes < deals, tickets ~ deals, leads a fraction of contacts, products tens to hundreds', () => {
    for (const preset of PRESETS) {
      const size = PRESET_SIZES[preset];
      const counts = countsByType(size);
      expect(counts.line_items, preset).toBeGreaterThan(counts.deals);
      expect(counts.quotes, preset).toBeLessThan(counts.deals);
      expect(counts.tickets, preset).toBe(counts.deals);
      expect(counts.leads, preset).toBeLessThan(counts.contacts / 4);
      expect(counts.products, preset).toBeGreaterThanOrEqual(20);
      expect(counts.products, preset).toBeLessThanOrEqual(400);
      expect(derivedSizes(size).customRecords, preset).toBeGreaterThan(0);
    }
    expect(derivedSizes(PRESET_SIZES.medium).customObjects).toBe(2);
    expect(derivedSizes(PRESET_SIZES.small).customObjects).toBe(1);
  });

  it('hold the same hard cases as the older types: ids above 2^53, archived records, NUL, emoji, long strings', () => {
    const portal = small();
    const manifest = buildManifest(portal);
    const custom = portal.schemas[0].objectTypeId;
    for (const type of [...NEW_TYPES, custom]) {
      const records = manifest.objects[type];
      expect(records.length, type).toBeGreaterThan(0);
      expect(
        records.some((r) => r.archived),
        type,
      ).toBe(true);
      expect(
        records.some((r) => BigInt(r.id) > 2n ** 53n),
        type,
      ).toBe(true);
      expect(
        records.some((r) => BigInt(r.id) < 2n ** 53n),
        type,
      ).toBe(true);
    }
    const values = [...NEW_TYPES, custom].flatMap((type) => manifest.objects[type].flatMap((r) => Object.values(r.properties)));
    expect(values.some((v) => v?.includes('\u0000'))).toBe(true);
    expect(values.some((v) => v !== null && /\p{Extended_Pictographic}/u.test(v))).toBe(true);
    expect(values.some((v) => v !== null && v.length >= 20_000)).toBe(true);
    expect(values.some((v) => v === '')).toBe(true);
  });

  it('keep the records and associations of the older types exactly as before issue 14 (their own seeded streams)', () => {
    // The digest of the eight older types' ids, archived flags and edges for seed 42, small, as e3f2e9c (the
    // simulator before issue 14) generated them: new streams draw from their own generators.
    const manifest = buildManifest(new Portal({ seed: 42, size: PRESET_SIZES.small, sameMsBatch: 0 }));
    const ids = Object.fromEntries(CLASSIC_TYPES.map((type) => [type, manifest.objects[type].map((r) => r.id + (r.archived ? 'a' : ''))]));
    const edges = manifest.associations.slice(0, 18).map((a) => [a.pair, a.edges]);
    expect(
      createHash('sha256')
        .update(JSON.stringify({ ids, associations: edges }))
        .digest('hex'),
    ).toBe('d412410de4c24b415266f86fc9a51f24d945843b9fcaf8da6057c315a5e49dcc');
  });

  it('resolve by plural, singular and type id; a custom object by 2-N, fully qualified name, p_name and name', () => {
    const portal = small();
    for (const [raw, type] of [
      ['line_items', 'line_items'],
      ['line_item', 'line_items'],
      ['0-8', 'line_items'],
      ['0-136', 'leads'],
      ['quote', 'quotes'],
      ['0-5', 'tickets'],
      ['0-7', 'products'],
    ] as const) {
      expect(portal.resolveType(raw), raw).toMatchObject({ type });
    }
    const schema = portal.schemas[0];
    for (const raw of [schema.objectTypeId, schema.fullyQualifiedName, 'p_projects', 'projects'])
      expect(portal.resolveType(raw), raw).toMatchObject({ type: schema.objectTypeId });
    expect(schema.fullyQualifiedName).toBe(`p${portal.portalId}_projects`);
    expect(portal.resolveType('nonsense')).toBeUndefined();
  });

  it('a portal without leads has none, and says the type is missing rather than unknown', () => {
    const portal = small(42, { without: ['leads'] });
    expect(portal.typeKeys()).not.toContain('leads');
    expect(portal.resolveType('leads')).toEqual({ missing: 'leads' });
    expect(portal.pairs().some((p) => p.from === 'leads' || p.to === 'leads')).toBe(false);
    const manifest = buildManifest(portal);
    expect(manifest.unavailableTypes).toEqual(['leads']);
    expect(manifest.objects.leads).toBeUndefined();
  });
});

describe('pipelines', () => {
  it('deals have two live pipelines sharing stage ids, an archived pipeline and an archived stage; tickets have one pipeline', () => {
    const portal = small();
    const deals = portal.pipelines('deals');
    const live = deals.filter((p) => p.archivedAt === undefined);
    expect(live.map((p) => p.id)).toEqual(['default', '71834920']);
    const ids = live.map((p) => new Set(p.stages.map((s) => s.id)));
    expect([...ids[0]].filter((id) => ids[1].has(id))).toEqual(['closedwon', 'closedlost']);
    expect(deals.some((p) => p.archivedAt !== undefined)).toBe(true);
    expect(deals[0].stages.some((s) => s.archivedAt !== undefined)).toBe(true);
    for (const stage of live.flatMap((p) => p.stages)) expect(Object.keys(stage.metadata).sort()).toEqual(['isClosed', 'probability']);
    expect(portal.pipelines('tickets').filter((p) => p.archivedAt === undefined)).toHaveLength(1);
    expect(portal.pipelines('tickets')[0].stages.every((s) => ['OPEN', 'CLOSED'].includes(s.metadata.ticketState))).toBe(true);
    expect(portal.pipelines('leads')).toHaveLength(1);
    expect(portal.pipelines(portal.schemas[0].objectTypeId)).toHaveLength(1);
    expect(portal.pipelines('quotes')).toEqual([]);
  });

  it('put every record in a pipeline and one of its stages that existed, unarchived, when the record was last modified', () => {
    const portal = small(43, { size: { ...PRESET_SIZES.small, deals: 400 } });
    let inArchivedStage = 0;
    let inArchivedPipeline = 0;
    let inSecond = 0;
    for (const [type, pipelineProperty, stageProperty] of [
      ['deals', 'pipeline', 'dealstage'],
      ['tickets', 'hs_pipeline', 'hs_pipeline_stage'],
      ['leads', 'hs_pipeline', 'hs_pipeline_stage'],
    ] as const) {
      for (const record of portal.records(type)) {
        const values = portal.properties(record, [pipelineProperty, stageProperty]);
        const pipeline = portal.pipelines(type).find((p) => p.id === values[pipelineProperty]);
        expect(pipeline, `${type} ${record.id}`).toBeDefined();
        const stage = pipeline!.stages.find((s) => s.id === values[stageProperty]);
        expect(stage, `${type} ${record.id} ${values[stageProperty]}`).toBeDefined();
        expect(liveAt(pipeline!, record.updatedAt) && liveAt(stage!, record.updatedAt)).toBe(true);
        if (stage!.archivedAt !== undefined) inArchivedStage++;
        if (pipeline!.archivedAt !== undefined) inArchivedPipeline++;
        if (type === 'deals' && pipeline!.id !== 'default') inSecond++;
      }
    }
    expect(inArchivedStage).toBeGreaterThan(0);
    expect(inArchivedPipeline).toBeGreaterThan(0);
    expect(inSecond).toBeGreaterThan(0);
  });

  it('a stage added at run time is only in records modified after it; a rename changes the label, never the id', () => {
    const portal = small();
    const before = portal.pipelines('deals').flatMap((p) => p.stages.map((s) => `${s.id}:${s.label}`));
    for (let k = 0; k < 6; k++) portal.apply('stage-add', NOW + k);
    portal.apply('stage-rename', NOW + 10);
    const after = portal.pipelines('deals').flatMap((p) => p.stages);
    const added = after.filter((s) => s.createdAt >= NOW);
    const renamed = after.filter((s) => s.updatedAt === NOW + 10 && s.createdAt < NOW);
    expect(
      added.length +
        portal.pipelines('tickets')[0].stages.filter((s) => s.createdAt >= NOW).length +
        portal.pipelines('leads')[0].stages.filter((s) => s.createdAt >= NOW).length,
    ).toBeGreaterThan(0);
    expect(after.filter((s) => s.createdAt < NOW).map((s) => s.id)).toEqual(before.map((x) => x.split(':')[0]));
    expect(
      renamed.length +
        portal
          .pipelines('tickets')
          .concat(portal.pipelines('leads'))
          .flatMap((p) => p.stages)
          .filter((s) => s.updatedAt === NOW + 10).length,
    ).toBe(1);
    const addedIds = new Set(added.map((s) => s.id));
    for (const record of portal.records('deals')) expect(addedIds.has(portal.properties(record, ['dealstage']).dealstage!)).toBe(false);
  });
});

describe('owners', () => {
  it('include archived owners (without userId), owners without names and a queue; owner properties point at owners, archived ones too', () => {
    const portal = small();
    const owners = portal.owners.owners;
    expect(owners.filter((o) => o.archivedAt !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(owners.some((o) => o.firstName === undefined && o.type === 'PERSON')).toBe(true);
    expect(owners.some((o) => o.type === 'QUEUE')).toBe(true);
    expect(owners.some((o) => o.teams.length > 0 && o.teams.filter((t) => t.primary).length === 1)).toBe(true);
    const ids = new Set(owners.map((o) => o.id));
    const archived = new Set(owners.filter((o) => o.archivedAt !== undefined).map((o) => o.id));
    let pointing = 0;
    let atArchived = 0;
    for (const type of ['contacts', 'deals', 'tickets'] as const) {
      for (const record of portal.records(type)) {
        const value = portal.properties(record, ['hubspot_owner_id']).hubspot_owner_id;
        if (value === null) continue;
        pointing++;
        expect(ids.has(value), value).toBe(true);
        if (archived.has(value)) atArchived++;
      }
    }
    expect(pointing).toBeGreaterThan(100);
    expect(atArchived).toBeGreaterThan(0);
    const all = portal.properties(portal.records('deals')[7], ['hs_all_owner_ids']).hs_all_owner_ids;
    if (all !== null) for (const id of all.split(';')) expect(ids.has(id)).toBe(true);
  });

  it('are added and archived at run time; an owner added later only shows in records modified after', () => {
    const portal = small();
    const count = portal.owners.owners.length;
    portal.apply('owner-add', NOW);
    expect(portal.owners.owners).toHaveLength(count + 1);
    const fresh = portal.owners.owners[count];
    expect(BigInt(fresh.id) > BigInt(portal.owners.owners[count - 1].id)).toBe(true);
    expect(portal.apply('owner-archive', NOW + 1)).toBe(true);
    expect(portal.owners.owners.filter((o) => o.archivedAt === NOW + 1)).toHaveLength(1);
    for (const record of portal.records('contacts').slice(0, 200)) expect(portal.properties(record, ['hubspot_owner_id']).hubspot_owner_id).not.toBe(fresh.id);
  });
});

describe('property history', () => {
  it("lists each value newest first with HubSpot's fields; the newest is the current value", () => {
    const portal = small();
    for (const record of portal.records('deals').slice(0, 30)) {
      const history = portal.history(record, ['dealstage', 'amount', 'createdate', 'hs_lastmodifieddate']);
      const current = portal.properties(record, ['dealstage', 'amount', 'createdate', 'hs_lastmodifieddate']);
      for (const [name, entries] of Object.entries(history)) {
        if (current[name] === null) continue;
        expect(entries[0].value, name).toBe(current[name]);
        for (const entry of entries) {
          expect(Object.keys(entry).every((k) => ['value', 'timestamp', 'sourceType', 'sourceId', 'updatedByUserId'].includes(k))).toBe(true);
          expect(typeof entry.value).toBe('string');
          expect(entry.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          if (entry.updatedByUserId !== undefined) expect(Number.isInteger(entry.updatedByUserId)).toBe(true);
        }
        const times = entries.map((e) => Date.parse(e.timestamp));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      }
      expect(history.createdate).toHaveLength(1);
      expect(history.dealstage.length).toBeGreaterThanOrEqual(1);
    }
    expect(
      portal
        .records('deals')
        .slice(0, 30)
        .some((r) => portal.history(r, ['dealstage']).dealstage.length > 1),
    ).toBe(true);
  });

  it('grows with changes: an update that moves the stage adds an entry at the change, and is the same for the same seed', () => {
    const portal = small();
    const other = small();
    const deal = portal.records('deals')[5];
    const before = portal.history(deal, ['dealstage', 'hs_lastmodifieddate']);
    let at = NOW;
    while (portal.properties(deal, ['dealstage']).dealstage === before.dealstage[0].value) {
      portal.update(deal, (at += 1000));
      other.update(other.records('deals')[5], at);
    }
    const after = portal.history(deal, ['dealstage', 'hs_lastmodifieddate']);
    expect(after.dealstage.length).toBe(before.dealstage.length + 1);
    expect(after.dealstage[0]).toMatchObject({ value: portal.properties(deal, ['dealstage']).dealstage, timestamp: new Date(at).toISOString() });
    expect(after.dealstage.slice(1)).toEqual(before.dealstage);
    expect(after.hs_lastmodifieddate.length).toBeGreaterThan(before.hs_lastmodifieddate.length);
    expect(JSON.stringify(other.history(other.records('deals')[5]))).toBe(JSON.stringify(portal.history(deal)));
  });
});

describe('catalog and schema changes at run time', () => {
  it('a property added to a type is empty on records not modified since, and filled on some modified after', () => {
    const portal = small();
    const before = new Set(portal.catalog('contacts').definitions.map((d) => d.name));
    expect(portal.apply('property-add', NOW, ['contacts'])).toBe(true);
    const added = portal.catalog('contacts').definitions.find((d) => !before.has(d.name))!;
    expect(added).toMatchObject({ hubspotDefined: false, createdAt: new Date(NOW).toISOString() });
    for (const record of portal.records('contacts')) expect(portal.properties(record, [added.name])[added.name]).toBeNull();
    for (const record of portal.records('contacts').slice(0, 200)) portal.update(record, NOW + 1000);
    expect(
      portal
        .records('contacts')
        .slice(0, 200)
        .some((r) => portal.properties(r, [added.name])[added.name] !== null),
    ).toBe(true);
  });

  it('an archived property leaves the live catalog and the records, and is listed as archived', () => {
    const portal = small();
    expect(portal.apply('property-archive', NOW, ['companies'])).toBe(true);
    const [archived] = portal.catalog('companies').archived;
    expect(archived).toMatchObject({ archived: true, archivedAt: new Date(NOW).toISOString(), hubspotDefined: false });
    expect(portal.catalog('companies').byName.has(archived.name)).toBe(false);
    expect(Object.keys(portal.properties(portal.records('companies')[0]))).not.toContain(archived.name);
  });

  it('a schema added at run time is a new type with no records, its association pairs, records on create', () => {
    const portal = small();
    const schema = portal.addSchema(NOW)!;
    expect(schema.objectTypeId).toMatch(/^2-\d+$/);
    expect(portal.typeKeys()).toContain(schema.objectTypeId);
    expect(portal.records(schema.objectTypeId)).toEqual([]);
    expect(
      portal
        .pairs()
        .filter((p) => p.from === schema.objectTypeId)
        .map((p) => p.to),
    ).toEqual(['contacts', 'companies']);
    const record = portal.create(schema.objectTypeId, NOW + 1);
    expect(portal.associatedIds(schema.objectTypeId, 'contacts', record.id)).toHaveLength(1);
    expect(portal.get(schema.objectTypeId, record.id)).toBe(record);
    expect(portal.typeKeys().filter((type) => portal.get(type, record.id))).toEqual([schema.objectTypeId]);
    expect(buildManifest(portal).schemas.map((s) => s.name)).toEqual(['projects', 'subscriptions']);
  });

  it('a property added to a custom schema is in the schema and the catalog, and only on records modified after', () => {
    const portal = small();
    const schema = portal.schemas[0];
    const name = portal.addSchemaProperty(schema, NOW);
    expect(schema.properties.map((p) => p.name)).toContain(name);
    expect(portal.catalog(schema.objectTypeId).byName.get(name)).toMatchObject({ hubspotDefined: false, groupName: 'projects_information' });
    const records = portal.records(schema.objectTypeId);
    for (const record of records) expect(portal.properties(record, [name])[name]).toBeNull();
    for (const record of records) portal.update(record, NOW + 5);
    expect(records.some((r) => portal.properties(r, [name])[name] !== null)).toBe(true);
  });

  it('random changes reach every stream', () => {
    const portal = small();
    const kinds = new Set<MutationKind>(portal.mutate(3000, NOW));
    for (const kind of [
      'update',
      'create',
      'archive',
      'delete',
      'associate',
      'owner-add',
      'owner-archive',
      'stage-add',
      'stage-rename',
      'property-add',
      'property-archive',
      'schema-add',
      'schema-property-add',
    ] as const) {
      expect(kinds, kind).toContain(kind);
    }
    const touched = new Set(portal.typeKeys().filter((type) => portal.records(type).some((r) => r.updatedAt >= NOW)));
    for (const type of [...NEW_TYPES, portal.schemas[0].objectTypeId]) expect(touched, type).toContain(type);
  });

  it('apply without types keeps to the eight types of issue 13, so callers written for them see every change', () => {
    const portal = small();
    for (let k = 0; k < 200; k++) portal.apply('update', NOW + k);
    const changed = portal.typeKeys().filter((type) => portal.records(type).some((r) => r.updatedAt >= NOW));
    expect(changed.every((type) => (OBJECT_TYPES.slice(0, 8) as readonly string[]).includes(type))).toBe(true);
  });
});

describe('manifest for every stream', () => {
  it('lists types, owners and pipelines with archived ones, archived properties, schemas and labelled edges', () => {
    const portal = small();
    portal.apply('property-archive', NOW, ['deals']);
    const manifest = buildManifest(portal);
    expect(manifest.version).toBe(2);
    expect(manifest.objectTypes.map((t) => t.key)).toEqual([...OBJECT_TYPES, portal.schemas[0].objectTypeId]);
    expect(manifest.objectTypes.find((t) => t.key === 'contacts')).toMatchObject({
      objectTypeId: '0-1',
      modifiedDateProperty: 'lastmodifieddate',
      custom: false,
    });
    expect(manifest.objectTypes.find((t) => t.custom)).toMatchObject({
      name: 'projects',
      modifiedDateProperty: 'hs_lastmodifieddate',
      pipelines: true,
      fullyQualifiedName: expect.stringMatching(/^p\d+_projects$/),
    });
    expect(manifest.owners.some((o) => o.archived === true)).toBe(true);
    expect(manifest.pipelines.deals.some((p) => p.archived === true)).toBe(true);
    expect(manifest.properties.deals.filter((d) => d.archived)).toHaveLength(1);
    expect(manifest.schemas).toHaveLength(1);
    const tickets = manifest.associations.find((a) => a.pair === 'tickets->contacts')!;
    expect(tickets.labels).toEqual([{ category: 'USER_DEFINED', typeId: 1605, reverseTypeId: 1606, label: 'Reporter' }]);
    expect(tickets.labelled.length).toBeGreaterThan(0);
    for (const [from, to] of tickets.labelled) expect(tickets.edges).toContainEqual([from, to]);
    expect(manifest.associations.find((a) => a.fromType === portal.schemas[0].objectTypeId)).toMatchObject({ category: 'USER_DEFINED' });
  });

  it('carries property history when asked, streamed byte for byte', () => {
    const portal = small();
    portal.mutate(50, NOW);
    const options = { history: { deals: ['dealstage', 'amount'], tickets: ['hs_pipeline_stage'] } };
    const manifest = buildManifest(portal, options);
    expect(Object.keys(manifest.objects.deals[0].propertiesWithHistory!)).toEqual(['dealstage', 'amount']);
    expect(manifest.objects.contacts[0].propertiesWithHistory).toBeUndefined();
    expect([...manifestJsonChunks(portal, options)].join('')).toBe(JSON.stringify(manifest));
    expect(buildManifest(portal).objects.deals[0].propertiesWithHistory).toBeUndefined();
  });
});
