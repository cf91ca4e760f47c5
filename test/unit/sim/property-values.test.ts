import { describe, expect, it } from 'vitest';
import { PRESET_SIZES } from '../../../src/sim/options.js';
import { Portal } from '../../../src/sim/portal.js';
import type { ValueKind } from '../../../src/sim/property-catalog.js';
import { propertySelection } from '../../../src/sim/property-values.js';
import { OBJECT_TYPES } from '../../../src/sim/schema.js';

const portal = new Portal({
  seed: 11,
  size: PRESET_SIZES.small,
  sameMsBatch: 0,
  customProperties: { contacts: 14, companies: 6, deals: 6, calls: 3, emails: 3, meetings: 3, notes: 3, tasks: 3 },
});

/** Every (kind, value, options) the small portal holds, one pass. */
function allValues() {
  const out: Array<{ kind: ValueKind; value: string | null; options: readonly string[]; hubspotDefined: boolean }> = [];
  for (const type of OBJECT_TYPES) {
    const catalog = portal.catalog(type);
    for (const record of portal.records(type)) {
      const values = portal.properties(record);
      for (const spec of catalog.specs) {
        out.push({ kind: spec.kind, value: values[spec.name], options: spec.options, hubspotDefined: catalog.byName.get(spec.name)!.hubspotDefined });
      }
    }
  }
  return out;
}

const values = allValues();
const present = (kind: ValueKind) => values.filter((v) => v.kind === kind && v.value !== null).map((v) => v);

describe('property values', () => {
  it('are strings or null, and most properties are empty on most records', () => {
    expect(values.every((v) => v.value === null || typeof v.value === 'string')).toBe(true);
    const filled = values.filter((v) => v.kind !== 'core' && v.kind !== 'created' && v.value !== null).length;
    const generated = values.filter((v) => v.kind !== 'core' && v.kind !== 'created').length;
    expect(filled / generated).toBeLessThan(0.4);
    expect(filled / generated).toBeGreaterThan(0.05);
  });

  it('hold values invalid for their declared type, as users and imports write them', () => {
    const numbers = present('number').map((v) => v.value!);
    expect(numbers.some((v) => !Number.isFinite(Number(v)) || v.trim() !== v)).toBe(true);
    expect(numbers.filter((v) => Number.isFinite(Number(v))).length).toBeGreaterThan(numbers.length * 0.8);
    const dates = present('date').map((v) => v.value!);
    const realDay = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;
    expect(dates.some((v) => !realDay(v))).toBe(true);
    expect(dates.some(realDay)).toBe(true);
    const bools = present('bool').map((v) => v.value!);
    expect(bools.some((v) => v !== 'true' && v !== 'false')).toBe(true);
    const selects = present('select');
    expect(selects.some((v) => !v.options.includes(v.value!))).toBe(true);
    expect(selects.filter((v) => v.options.includes(v.value!)).length).toBeGreaterThan(selects.length * 0.8);
  });

  it('write datetimes as ISO strings and as epoch-millisecond strings', () => {
    const datetimes = present('datetime').map((v) => v.value!);
    expect(datetimes.some((v) => /^\d{13}$/.test(v))).toBe(true);
    expect(datetimes.some((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v))).toBe(true);
  });

  it('join multi-select checkbox values with semicolons, each an option (or not, when typed by hand)', () => {
    const checkboxes = present('checkbox');
    const multi = checkboxes.filter((v) => v.value!.includes(';') && v.value!.split(';').every((part) => v.options.includes(part)));
    expect(multi.length).toBeGreaterThan(0);
    expect(checkboxes.some((v) => v.value!.split(';').some((part) => !v.options.includes(part)))).toBe(true);
  });

  it('are a pure function of the record: the same state gives the same values, a new version new ones', () => {
    const record = portal.records('contacts')[42];
    expect(portal.properties(record)).toEqual(portal.properties({ ...record }));
    expect(portal.properties({ ...record, version: record.version + 1 })).not.toEqual(portal.properties(record));
    const some = portal.properties(record, ['email', 'hs_lead_status', 'no_such_property']);
    expect(Object.keys(some)).toEqual(['email', 'hs_lead_status']);
    expect(some.email).toBe(portal.properties(record).email);
  });

  it("fill a selection (a reply's property list) with the same values, in its order, null for names the catalog lacks", () => {
    for (const type of OBJECT_TYPES) {
      const names = portal.catalog(type).specs.map((spec) => spec.name);
      // Reversed, with a repeat and an unknown name: the reply's order is the request's, each name once.
      const asked = [...names.slice(0, 40).reverse(), names[3], 'no_such_property'];
      const selection = propertySelection(portal.catalog(type), asked);
      expect(propertySelection(portal.catalog(type), asked)).toBe(selection);
      for (const record of portal.records(type).slice(0, 30)) {
        const all = portal.properties(record);
        const selected = portal.selectedProperties(record, selection);
        expect(Object.keys(selected)).toEqual([...names.slice(0, 40).reverse(), 'no_such_property']);
        for (const name of Object.keys(selected)) expect(selected[name]).toBe(all[name] ?? null);
        // Lent values (serialized at once) are the same, record after record: nothing of the previous one stays.
        expect(portal.withSelectedProperties(record, selection, (lent) => JSON.stringify(lent))).toBe(JSON.stringify(selected));
      }
    }
  });

  it('write every catalog property in catalog order, the same through the whole-catalog selection every time', () => {
    const record = portal.records('deals')[7];
    const first = portal.properties(record);
    expect(Object.keys(first)).toEqual(portal.catalog('deals').specs.map((spec) => spec.name));
    expect(JSON.stringify(portal.properties(record))).toBe(JSON.stringify(first));
    // The copy is the record's own: changing it leaves the next record's values alone.
    first.dealname = 'changed';
    expect(portal.properties(record).dealname).not.toBe('changed');
  });

  it("leave contacts' hs_lastmodifieddate empty: contacts are modified on lastmodifieddate", () => {
    for (const record of portal.records('contacts').slice(0, 50)) {
      const v = portal.properties(record, ['hs_lastmodifieddate', 'lastmodifieddate']);
      expect(v.hs_lastmodifieddate).toBeNull();
      expect(v.lastmodifieddate).toBe(new Date(record.updatedAt).toISOString());
    }
  });
});
