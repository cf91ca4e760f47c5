import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestJsonChunks } from '../../../src/sim/manifest.js';
import { PRESET_SIZES } from '../../../src/sim/options.js';
import { Portal, SAME_MS_BATCH_AT } from '../../../src/sim/portal.js';
import { compareIds } from '../../../src/sim/ids.js';
import { ASSOCIATION_PAIRS, OBJECT_TYPES } from '../../../src/sim/schema.js';

const small = () => new Portal({ seed: 42, size: PRESET_SIZES.small, sameMsBatch: 0 });
const NOW = Date.UTC(2026, 5, 1);

describe('Portal generation', () => {
  it('gives byte-identical manifests for the same seed and different ones for another seed', () => {
    const a = JSON.stringify(buildManifest(small()));
    const b = JSON.stringify(buildManifest(small()));
    const other = JSON.stringify(buildManifest(new Portal({ seed: 43, size: PRESET_SIZES.small, sameMsBatch: 0 })));
    expect(a).toBe(b);
    expect(a).not.toBe(other);
  });

  it('streams the manifest as exactly the text of JSON.stringify(manifest), in pieces', () => {
    const portal = small();
    portal.mutate(30, NOW);
    const chunks = [...manifestJsonChunks(portal)];
    expect(chunks.length).toBeGreaterThan(8);
    expect(chunks.join('')).toBe(JSON.stringify(buildManifest(portal)));
  });

  it('stays identical after the same mutations at the same instants', () => {
    const one = small();
    const two = small();
    expect(one.mutate(200, NOW)).toEqual(two.mutate(200, NOW));
    expect(JSON.stringify(buildManifest(one))).toBe(JSON.stringify(buildManifest(two)));
  });

  it('keeps ids ascending, unique, and partly above 2^53', () => {
    const portal = small();
    for (const type of OBJECT_TYPES) {
      const ids = portal.records(type).map((r) => r.id);
      for (let i = 1; i < ids.length; i++) expect(compareIds(ids[i - 1], ids[i])).toBeLessThan(0);
      expect(ids.some((id) => BigInt(id) > 2n ** 53n)).toBe(true);
      expect(ids.some((id) => BigInt(id) < 2n ** 53n)).toBe(true);
    }
  });

  it('holds the hard values even in the small preset', () => {
    const manifest = buildManifest(small());
    const values = OBJECT_TYPES.flatMap((type) => manifest.objects[type].flatMap((r) => Object.values(r.properties)));
    expect(values.some((v) => v !== null && v.includes('\u0000'))).toBe(true);
    expect(values.some((v) => v === '')).toBe(true);
    expect(values.some((v) => v === null)).toBe(true);
    expect(values.some((v) => v !== null && /\p{Extended_Pictographic}/u.test(v))).toBe(true);
    expect(values.some((v) => v !== null && v.length >= 65_536)).toBe(true);
    expect(OBJECT_TYPES.every((type) => manifest.objects[type].some((r) => r.archived))).toBe(true);
    const formTypes = new Set(manifest.forms.map((f) => f.formType));
    expect([...formTypes].sort()).toEqual(['blog_comment', 'captured', 'flow', 'hubspot']);
  });

  it('has association lists longer than one 500-page in both directions of some pair', () => {
    const portal = small();
    const hubCompany = portal.records('companies')[0].id;
    const hubContact = portal.records('contacts')[0].id;
    expect(portal.associatedIds('companies', 'contacts', hubCompany).length).toBeGreaterThan(500);
    expect(portal.associatedIds('contacts', 'calls', hubContact).length).toBeGreaterThan(500);
  });

  it('lists submissions newest first', () => {
    const portal = small();
    for (const form of portal.forms) {
      const times = portal.submissions(form.id).map((s) => s.submittedAt);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
  });

  it('stamps many records with one millisecond when asked', () => {
    const portal = new Portal({ seed: 1, size: { ...PRESET_SIZES.small, contacts: 12_000 }, sameMsBatch: 10_001 });
    const stamped = portal.records('contacts').filter((r) => r.updatedAt === SAME_MS_BATCH_AT);
    expect(stamped.length).toBe(10_001);
  });
});

describe('Portal mutations', () => {
  it('stamps a run-time bulk update with one millisecond on every touched record', () => {
    const portal = small();
    const touched = portal.bulkUpdate('contacts', 250, NOW);
    expect(touched).toHaveLength(250);
    expect(portal.records('contacts').filter((r) => r.updatedAt === NOW)).toHaveLength(250);
  });

  it('changes associations without touching either modified date', () => {
    const portal = small();
    const before = new Map(OBJECT_TYPES.flatMap((type) => portal.records(type).map((r) => [r.id, r.updatedAt] as const)));
    let applied = 0;
    for (let i = 0; i < 50; i++) if (portal.apply(i % 2 ? 'associate' : 'dissociate', NOW)) applied++;
    expect(applied).toBeGreaterThan(0);
    const after = OBJECT_TYPES.flatMap((type) => portal.records(type).map((r) => [r.id, r.updatedAt] as const));
    expect(after.every(([id, updatedAt]) => before.get(id) === updatedAt)).toBe(true);
  });

  it('hard-deletes records from every view and lists their ids', () => {
    const portal = small();
    const victim = portal.records('contacts')[5];
    portal.hardDelete(victim, NOW);
    expect(portal.get('contacts', victim.id)).toBeUndefined();
    expect(portal.deleted('contacts')).toContain(victim.id);
    const company = portal.records('companies')[0].id;
    expect(portal.associatedIds('companies', 'contacts', company)).not.toContain(victim.id);
    expect(buildManifest(portal).objects.contacts.some((r) => r.id === victim.id)).toBe(false);
  });

  it('moves modified dates forward and changes values on update', () => {
    const portal = small();
    const record = portal.records('deals')[3];
    const old = JSON.stringify(portal.properties(record));
    portal.apply('update', NOW);
    const changed = OBJECT_TYPES.flatMap((type) => portal.records(type)).filter((r) => r.updatedAt === NOW);
    expect(changed).toHaveLength(1);
    expect(changed[0].version).toBe(1);
    expect(JSON.stringify(portal.properties(record)) === old).toBe(changed[0] !== record);
  });

  it('hides young writes from a lagging search index', () => {
    const portal = small();
    portal.searchLagMs = 5000;
    const created = portal.create('notes', NOW);
    expect(portal.searchView('notes', NOW + 1000).some((s) => s.id === created.id)).toBe(false);
    expect(portal.searchView('notes', NOW + 5001).some((s) => s.id === created.id)).toBe(true);
    portal.hardDelete(created, NOW + 6000);
    expect(portal.searchView('notes', NOW + 7000).some((s) => s.id === created.id)).toBe(true);
    expect(portal.searchView('notes', NOW + 11_001).some((s) => s.id === created.id)).toBe(false);
  });
});

describe('Portal invariants (property-based)', () => {
  const tiny = { contacts: 30, companies: 6, deals: 8, engagements: 40, forms: 5, submissions: 30 };

  it('returns exactly the properties the properties API defines, for every type', () => {
    const portal = small();
    for (const type of OBJECT_TYPES) {
      const names = portal
        .catalog(type)
        .definitions.map((d) => d.name)
        .sort();
      for (const record of portal.records(type).slice(0, 20)) expect(Object.keys(portal.properties(record)).sort()).toEqual(names);
    }
  });

  it('keeps ids sorted and unique, associations symmetric and manifests deterministic under random mutations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 120 }), (seed, n) => {
        const make = () => {
          const portal = new Portal({ seed, size: tiny, sameMsBatch: 0 });
          portal.mutate(n, NOW);
          return portal;
        };
        const portal = make();
        for (const type of OBJECT_TYPES) {
          const ids = portal.records(type).map((r) => r.id);
          for (let i = 1; i < ids.length; i++) if (compareIds(ids[i - 1], ids[i]) >= 0) return false;
          for (const deleted of portal.deleted(type)) if (portal.get(type, deleted)) return false;
        }
        for (const pair of ASSOCIATION_PAIRS) {
          for (const [from, to] of portal.liveEdges(pair)) {
            if (!portal.associatedIds(pair.from, pair.to, from).includes(to)) return false;
            if (!portal.associatedIds(pair.to, pair.from, to).includes(from)) return false;
          }
        }
        return JSON.stringify(buildManifest(portal)) === JSON.stringify(buildManifest(make()));
      }),
      { numRuns: 30 },
    );
  });
});
