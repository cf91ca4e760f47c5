import { describe, expect, it } from 'vitest';
import { associationPlan, readingSide, STANDARD_PAIRS, standardReadTargets } from '../../../extractors/association-pairs.js';
import { customTableName } from '../../../extractors/object-types.js';
import { selectExtractors } from '../../../extractors/registry.js';

describe('a custom object table name', () => {
  const none = () => false;
  const table: [string, string, (n: string) => boolean, string][] = [
    ['the schema name as it is', 'projects', none, 'projects'],
    ['a standard type', 'tickets', none, 'custom_tickets'],
    ['a table of the tool', 'owners', none, 'custom_owners'],
    ['another table of the tool', 'associations', none, 'custom_associations'],
    ['a typed relation of another table', 'contacts_typed', none, 'custom_contacts_typed'],
    ['typed data of another table', 'deals_typed_data', none, 'custom_deals_typed_data'],
    ["Postgres's reserved prefix", 'pg_stats', none, 'custom_pg_stats'],
    ['any relation already in the schema (an analyst view)', 'revenue', (n) => n === 'revenue', 'custom_revenue'],
    ['taken even with the prefix', 'owners', (n) => n === 'custom_owners', 'custom_owners_2'],
    ['and again', 'owners', (n) => n === 'custom_owners' || n === 'custom_owners_2', 'custom_owners_3'],
    ['upper case and other characters', 'Field-Visits 2', none, 'field_visits_2'],
    ['a leading digit', '2wheelers', none, '_2wheelers'],
    ['63 bytes at most', 'x'.repeat(80), none, 'x'.repeat(63)],
    ['63 bytes at most, prefixed and numbered', 'y'.repeat(70), (n) => n === 'y'.repeat(63) || n === `custom_${'y'.repeat(56)}`, `custom_${'y'.repeat(54)}_2`],
  ];
  it.each(table)('%s: %s -> %s', (_name, schemaName, taken, expected) => {
    expect(customTableName(schemaName, taken)).toBe(expected);
  });
});

describe('which side reads an association pair', () => {
  const table: [string, string, string[], [string, string]][] = [
    // The pairs of issue 13 keep the sides they had (a side that changed would leave stored rows standing).
    ['contacts', 'companies', [], ['companies', 'contacts']],
    ['deals', 'contacts', [], ['deals', 'contacts']],
    ['deals', 'companies', [], ['companies', 'deals']],
    ['calls', 'contacts', [], ['calls', 'contacts']],
    ['tasks', 'deals', [], ['deals', 'tasks']],
    // Issue 14's pairs, from the side with fewer records in a typical portal.
    ['line_items', 'deals', [], ['deals', 'line_items']],
    ['quotes', 'line_items', [], ['quotes', 'line_items']],
    ['quotes', 'deals', [], ['quotes', 'deals']],
    ['tickets', 'contacts', [], ['tickets', 'contacts']],
    ['tickets', 'companies', [], ['companies', 'tickets']],
    ['tickets', 'deals', [], ['deals', 'tickets']],
    ['emails', 'tickets', [], ['tickets', 'emails']],
    ['tasks', 'quotes', [], ['quotes', 'tasks']],
    ['leads', 'contacts', [], ['leads', 'contacts']],
    ['leads', 'companies', [], ['companies', 'leads']],
    // Custom objects sit between leads and line items, whatever their name.
    ['projects', 'contacts', ['projects'], ['projects', 'contacts']],
    ['projects', 'companies', ['projects'], ['companies', 'projects']],
    ['deals', 'projects', ['projects'], ['deals', 'projects']],
    ['vehicles', 'projects', ['projects', 'vehicles'], ['projects', 'vehicles']],
  ];
  it.each(table)('%s <-> %s (custom: %j) is read from %j', (a, b, custom, expected) => {
    expect(readingSide(a, b, new Set(custom))).toEqual(expected);
    expect(readingSide(b, a, new Set(custom))).toEqual(expected);
  });

  it('every standard pair is read exactly once', () => {
    const plan = associationPlan(STANDARD_PAIRS);
    const read = [...plan].flatMap(([from, tos]) => tos.map((to) => [from, to].sort().join('~')));
    expect(new Set(read).size).toBe(read.length);
    expect(new Set(read)).toEqual(new Set(STANDARD_PAIRS.map((p) => [...p].sort().join('~'))));
  });

  it('a pair named twice, in both directions, is read once; a custom pair joins the plan', () => {
    const plan = associationPlan(
      [
        ['projects', 'contacts'],
        ['contacts', 'projects'],
        ['companies', 'projects'],
      ],
      new Set(['projects']),
    );
    expect(Object.fromEntries(plan)).toEqual({ projects: ['contacts'], companies: ['projects'] });
  });

  it('the declarations read what the plan says (contacts read none)', () => {
    expect(standardReadTargets('contacts')).toEqual([]);
    expect(standardReadTargets('companies')).toEqual(
      expect.arrayContaining(['contacts', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks', 'tickets', 'leads']),
    );
    expect(standardReadTargets('products')).toEqual([]);
  });
});

describe('--objects', () => {
  const table: [string, string[]][] = [
    ['tickets,products', ['tickets', 'products']],
    ['line_items,quotes,leads', ['line_items', 'quotes', 'leads']],
    ['custom_objects', ['custom_objects']],
    ['custom,deals', ['deals', 'custom_objects']],
    ['engagements', ['calls', 'emails', 'meetings', 'notes', 'tasks']],
  ];
  it.each(table)('%s selects %j', (list, names) => {
    expect(selectExtractors(list).map((e) => e.name)).toEqual(names);
  });

  it('all of them by default, custom objects included', () => {
    expect(selectExtractors().map((e) => e.name)).toEqual([
      'contacts',
      'companies',
      'deals',
      'calls',
      'emails',
      'meetings',
      'notes',
      'tasks',
      'tickets',
      'products',
      'line_items',
      'quotes',
      'leads',
      'forms',
      'custom_objects',
    ]);
  });

  it('an unknown name is refused, naming the valid ones', () => {
    expect(() => selectExtractors('tickets,widgets')).toThrow(/unknown object type "widgets".*line_items.*custom_objects/);
  });
});
