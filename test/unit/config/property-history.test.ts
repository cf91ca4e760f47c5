import { describe, expect, it } from 'vitest';
import { parsePropertyHistory, PropertyHistoryError, unknownHistoryTypes } from '../../../config/property-history.js';
import { parseSettings } from '../../../config/settings.js';

describe('HUBSPOT_PROPERTY_HISTORY', () => {
  const good: [string, Record<string, string[]>][] = [
    ['', {}],
    ['  ;  ', {}],
    ['deals:dealstage,amount;contacts:lifecyclestage', { deals: ['dealstage', 'amount'], contacts: ['lifecyclestage'] }],
    [' Deals : dealstage , amount ; ', { deals: ['dealstage', 'amount'] }],
    ['deals:dealstage,dealstage', { deals: ['dealstage'] }],
    ['tickets:hs_pipeline_stage;line_items:amount', { tickets: ['hs_pipeline_stage'], line_items: ['amount'] }],
    ['contacts:hs_analytics.source-data', { contacts: ['hs_analytics.source-data'] }],
  ];
  it.each(good)('%j parses', (text, expected) => {
    expect(parsePropertyHistory(text)).toEqual(expected);
  });

  const bad: [string, RegExp][] = [
    ['dealstage', /has no "type:"/],
    ['deals:', /no properties listed/],
    ['deals:a;deals:b', /named twice/],
    ['1deals:a', /not an object type name/],
    ['deals:-amount', /"-amount" is not a property name/],
    ['deals:a b', /"a b" is not a property name/],
  ];
  it.each(bad)('%j is refused: %s', (text, message) => {
    expect(() => parsePropertyHistory(text)).toThrow(PropertyHistoryError);
    expect(() => parsePropertyHistory(text)).toThrow(message);
  });

  it('is a setting: unset reads no history, a bad value is one line naming the variable', () => {
    expect(parseSettings({}).propertyHistory).toEqual({});
    expect(parseSettings({ HUBSPOT_PROPERTY_HISTORY: 'deals:dealstage' }).propertyHistory).toEqual({ deals: ['dealstage'] });
    expect(() => parseSettings({ HUBSPOT_PROPERTY_HISTORY: 'deals' })).toThrow(/HUBSPOT_PROPERTY_HISTORY: "deals" has no "type:"/);
  });

  it('names the types the tool does not extract', () => {
    expect(unknownHistoryTypes(parsePropertyHistory('deals:a;widgets:b'), ['contacts', 'deals'])).toEqual(['widgets']);
  });
});
