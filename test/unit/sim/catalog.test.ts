import { describe, expect, it } from 'vitest';
import { customPropertyCounts, PRESETS, PRESET_SIZES, resolveOptions } from '../../../src/sim/options.js';
import { Portal } from '../../../src/sim/portal.js';
import { propertyCatalog, type PropertyDefinition } from '../../../src/sim/property-catalog.js';
import { ENGAGEMENT_TYPES, OBJECT_TYPES, type StandardType } from '../../../src/sim/schema.js';

const catalogOf = (type: StandardType, preset: (typeof PRESETS)[number]) =>
  propertyCatalog(type, 'realistic', customPropertyCounts(resolveOptions({ preset }))[type]);

const hubspotDefined = (definitions: readonly PropertyDefinition[]) => definitions.filter((d) => d.hubspotDefined);

describe('property catalogs', () => {
  it('have real-world default counts per type, and at least 600 contact properties in medium and large', () => {
    const small = Object.fromEntries(OBJECT_TYPES.map((type) => [type, hubspotDefined(catalogOf(type, 'small').definitions).length]));
    expect(small.contacts).toBeGreaterThanOrEqual(350);
    expect(small.contacts).toBeLessThanOrEqual(400);
    expect(small.companies).toBeGreaterThanOrEqual(240);
    expect(small.companies).toBeLessThanOrEqual(260);
    expect(small.deals).toBeGreaterThanOrEqual(190);
    expect(small.deals).toBeLessThanOrEqual(215);
    for (const type of ENGAGEMENT_TYPES) {
      expect(small[type]).toBeGreaterThanOrEqual(80);
      expect(small[type]).toBeLessThanOrEqual(150);
    }
    for (const preset of ['medium', 'large'] as const) expect(catalogOf('contacts', preset).definitions.length).toBeGreaterThanOrEqual(600);
    // small: the realistic defaults plus a few custom properties on every type.
    for (const type of OBJECT_TYPES) {
      const custom = catalogOf(type, 'small').definitions.filter((d) => !d.hubspotDefined).length;
      expect(custom).toBeGreaterThan(0);
      expect(custom).toBeLessThanOrEqual(20);
    }
  });

  it('list real HubSpot names, each once', () => {
    const contacts = catalogOf('contacts', 'medium').definitions.map((d) => d.name);
    expect(new Set(contacts).size).toBe(contacts.length);
    for (const name of [
      'email',
      'firstname',
      'lifecyclestage',
      'hs_lead_status',
      'hs_analytics_source',
      'hubspot_owner_id',
      'hs_v2_date_entered_customer',
      'lastmodifieddate',
    ]) {
      expect(contacts).toContain(name);
    }
    const deals = catalogOf('deals', 'small').definitions.map((d) => d.name);
    for (const name of ['dealname', 'amount', 'dealstage', 'pipeline', 'hs_v2_date_entered_closedwon', 'hs_lastmodifieddate']) expect(deals).toContain(name);
    const emails = catalogOf('emails', 'small').definitions.map((d) => d.name);
    for (const name of ['hs_email_html', 'hs_email_text', 'hs_email_thread_id', 'hs_timestamp']) expect(emails).toContain(name);
  });

  it('give every definition the properties API fields, options for enumerations and metadata that fits the kind', () => {
    for (const type of OBJECT_TYPES) {
      for (const d of catalogOf(type, 'small').definitions) {
        expect(typeof d.label === 'string' && d.label.length > 0, d.name).toBe(true);
        expect(typeof d.description).toBe('string');
        expect(d.groupName.length).toBeGreaterThan(0);
        expect(Array.isArray(d.options)).toBe(true);
        expect(d.modificationMetadata).toMatchObject({ archivable: !d.hubspotDefined, readOnlyDefinition: d.hubspotDefined });
        expect(d.calculated).toBe(d.fieldType.startsWith('calculation_'));
        if (d.type === 'enumeration' && !d.externalOptions) expect(d.options.length, d.name).toBeGreaterThan(0);
        if (d.externalOptions) expect(d.options).toEqual([]);
        for (const option of d.options)
          expect(option).toMatchObject({ label: expect.any(String), value: expect.any(String), hidden: expect.any(Boolean), displayOrder: expect.any(Number) });
      }
    }
    const owner = catalogOf('contacts', 'small').byName.get('hubspot_owner_id')!;
    expect(owner).toMatchObject({ type: 'enumeration', externalOptions: true, referencedObjectType: 'OWNER', options: [] });
    expect(catalogOf('contacts', 'small').byName.get('hs_object_id')).toMatchObject({ hasUniqueValue: true, modificationMetadata: { readOnlyValue: true } });
    expect(catalogOf('deals', 'small').byName.get('hs_is_closed_won')).toMatchObject({ calculated: true, fieldType: 'calculation_equation' });
  });

  it('include custom properties of every kind, multi-select checkboxes too', () => {
    const custom = catalogOf('contacts', 'small').definitions.filter((d) => !d.hubspotDefined);
    const kinds = new Set(custom.map((d) => `${d.type}/${d.fieldType}`));
    for (const kind of [
      'enumeration/checkbox',
      'string/text',
      'number/number',
      'date/date',
      'datetime/date',
      'enumeration/select',
      'bool/booleancheckbox',
      'enumeration/radio',
      'phone_number/phonenumber',
      'string/textarea',
      'string/html',
      'string/file',
      'number/calculation_equation',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    for (const d of custom) expect(d).toMatchObject({ hubspotDefined: false, createdUserId: expect.any(String), createdAt: expect.any(String) });
    expect(customPropertyCounts(resolveOptions({ preset: 'large', customProperties: 7 }))).toEqual(Object.fromEntries(OBJECT_TYPES.map((t) => [t, 7])));
  });

  it('keep the minimal catalogs of before (a dozen properties) for code that cannot page a real one yet', () => {
    for (const type of OBJECT_TYPES) {
      const minimal = propertyCatalog(type, 'minimal', 300).definitions;
      expect(minimal.length).toBeLessThanOrEqual(9);
      expect(minimal.map((d) => d.name)).toContain('hs_object_id');
    }
  });

  it('are built once and shared: the same inputs give the same catalog object', () => {
    expect(propertyCatalog('contacts', 'realistic', 14)).toBe(propertyCatalog('contacts', 'realistic', 14));
    const a = new Portal({ seed: 1, size: PRESET_SIZES.small, sameMsBatch: 0, customProperties: { contacts: 14 } });
    expect(a.catalog('contacts')).toBe(propertyCatalog('contacts', 'realistic', 14));
  });
});
