import { describe, expect, it } from 'vitest';
import { parsePropertySelection, PropertySelectionError, selectProperties, unknownSelectionTypes } from '../../../config/property-selection.js';

describe('HUBSPOT_PROPERTIES', () => {
  it('parses include and exclude lists per type, tolerating spaces and a trailing ;', () => {
    expect(parsePropertySelection(' contacts: email, firstname ; emails:-hs_email_html,-hs_email_text;')).toEqual({
      contacts: { mode: 'include', names: ['email', 'firstname'] },
      emails: { mode: 'exclude', names: ['hs_email_html', 'hs_email_text'] },
    });
    expect(parsePropertySelection('')).toEqual({});
  });

  const bad: [string, RegExp][] = [
    ['contacts', /has no "type:"/],
    ['contacts:', /no properties listed/],
    ['contacts:email,-phone', /mixes included and excluded/],
    ['contacts:email;contacts:phone', /named twice/],
    ['Contacts-x:email', /not an object type name/],
    ['contacts:e mail', /not a property name/],
  ];
  it.each(bad)('%s is refused with one line', (text, message) => {
    expect(() => parsePropertySelection(text)).toThrow(PropertySelectionError);
    expect(() => parsePropertySelection(text)).toThrow(message);
  });

  it('names the types the tool does not extract', () => {
    expect(unknownSelectionTypes(parsePropertySelection('contacts:email;tickets:subject'), ['contacts', 'deals'])).toEqual(['tickets']);
  });

  const catalog = ['email', 'firstname', 'phone', 'lastmodifieddate', 'hs_object_id'];
  const always = ['lastmodifieddate', 'hs_object_id'];
  const table: [string, string, { properties: string[]; unknown: string[] }][] = [
    ['no selection: every property', '', { properties: catalog, unknown: [] }],
    [
      'include: those, plus the cursor field and id',
      'contacts:email,phone',
      { properties: ['email', 'phone', 'lastmodifieddate', 'hs_object_id'], unknown: [] },
    ],
    ['exclude: the rest', 'contacts:-phone,-email', { properties: ['firstname', 'lastmodifieddate', 'hs_object_id'], unknown: [] }],
    [
      'the cursor field and id cannot be left out',
      'contacts:-lastmodifieddate,-hs_object_id',
      { properties: ['email', 'firstname', 'phone', 'lastmodifieddate', 'hs_object_id'], unknown: [] },
    ],
    [
      'names the portal lacks are reported, not read',
      'contacts:email,nickname',
      { properties: ['email', 'lastmodifieddate', 'hs_object_id'], unknown: ['nickname'] },
    ],
    ["another type's selection changes nothing here", 'deals:-amount', { properties: catalog, unknown: [] }],
  ];
  it.each(table)('%s', (_name, text, expected) => {
    expect(selectProperties(parsePropertySelection(text), 'contacts', catalog, always)).toEqual(expected);
  });
});
