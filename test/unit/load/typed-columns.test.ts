import { describe, expect, it } from 'vitest';
import {
  MAX_COLUMNS,
  MAX_IDENTIFIER_BYTES,
  OMITTED_COLUMN_LIMIT,
  OMITTED_NOT_SELECTED,
  derivedName,
  planColumns,
  truncateBytes,
  type PropertyDefinition,
} from '../../../src/load/typed-columns.js';

const def = (name: string, extra: Partial<PropertyDefinition> = {}): PropertyDefinition => ({
  name,
  type: 'string',
  fieldType: 'text',
  hubspotDefined: false,
  archived: false,
  options: [],
  referencedObjectType: null,
  ...extra,
});
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('typed column plan', () => {
  it('orders hubspot-defined properties first, then custom ones, each by name, and skips archived ones', () => {
    const plan = planColumns([
      def('zeta'),
      def('alpha'),
      def('hs_b', { hubspotDefined: true }),
      def('email', { hubspotDefined: true }),
      def('old', { archived: true }),
    ]);
    expect(plan.columns.map((c) => c.property)).toEqual(['email', 'hs_b', 'alpha', 'zeta']);
    expect(plan.omitted).toEqual([]);
  });

  it('prefixes properties named like a record column with property_', () => {
    const plan = planColumns([def('id'), def('archived'), def('created_at', { type: 'enumeration', fieldType: 'select' })]);
    expect(plan.columns.map((c) => c.column)).toEqual(['property_archived', 'property_created_at', 'property_id']);
    expect(plan.columns[1].companion).toEqual({ kind: 'options', column: 'property_created_at__label' });
  });

  it('gives enumerations a __label, owner references an __owner, pipelines and stages a __label resolved by pipeline', () => {
    const plan = planColumns([
      def('color', { type: 'enumeration', fieldType: 'radio' }),
      def('hubspot_owner_id', { type: 'enumeration', fieldType: 'select', hubspotDefined: true }),
      def('backup_rep', { type: 'enumeration', fieldType: 'select', referencedObjectType: 'OWNER' }),
      def('hs_all_owner_ids', { type: 'enumeration', fieldType: 'checkbox', hubspotDefined: true }),
      def('hs_pipeline', { type: 'enumeration', fieldType: 'select', hubspotDefined: true }),
      def('hs_pipeline_stage', { type: 'enumeration', fieldType: 'select', hubspotDefined: true }),
      def('amount', { type: 'number', fieldType: 'number' }),
    ]);
    const by = Object.fromEntries(plan.columns.map((c) => [c.property, c]));
    expect(by.color.companion).toEqual({ kind: 'options', column: 'color__label' });
    expect(by.hubspot_owner_id.companion).toEqual({ kind: 'owner', column: 'hubspot_owner_id__owner' });
    expect(by.backup_rep.companion).toEqual({ kind: 'owner', column: 'backup_rep__owner' });
    expect(by.hs_all_owner_ids).toMatchObject({ rule: 'multi', companion: { kind: 'owner', column: 'hs_all_owner_ids__owner' } });
    expect(by.hs_pipeline.companion).toEqual({ kind: 'pipeline', column: 'hs_pipeline__label' });
    expect(by.hs_pipeline_stage).toMatchObject({ companion: { kind: 'stage', column: 'hs_pipeline_stage__label' }, pipelineColumn: 'hs_pipeline' });
    expect(by.amount.companion).toBeUndefined();
    const deals = planColumns([def('dealstage', { type: 'enumeration' }), def('pipeline', { type: 'enumeration' })]);
    expect(deals.columns.find((c) => c.property === 'dealstage')).toMatchObject({ companion: { kind: 'stage' }, pipelineColumn: 'pipeline' });
  });

  it('a property really named x__label keeps that name; the companion of x moves aside', () => {
    const plan = planColumns([def('x', { type: 'enumeration', fieldType: 'select' }), def('x__label')]);
    expect(plan.columns.map((c) => c.column)).toEqual(['x', 'x__label']);
    expect(plan.columns[0].companion!.column).toBe('x_2__label');
  });

  it('fits names longer than 63 bytes with a hash of the property name, keeps the suffix visible, and resolves truncation collisions', () => {
    const long = 'a'.repeat(70);
    const plan = planColumns([
      def(`${long}_one`, { type: 'enumeration', fieldType: 'select' }),
      def(`${long}_two`, { type: 'enumeration', fieldType: 'select' }),
      def(`${'é'.repeat(40)}`),
    ]);
    const names = plan.columns.flatMap((c) => [c.column, c.companion?.column].filter((n): n is string => !!n));
    for (const n of names) expect(bytes(n)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
    expect(new Set(names).size).toBe(names.length);
    expect(plan.columns[0].column).not.toBe(plan.columns[1].column);
    expect(plan.columns[0].companion!.column.endsWith('__label')).toBe(true);
    // Two-byte characters are never cut in half.
    expect(plan.columns[2].column).toMatch(/^(é)+_[0-9a-f]{8}$/);
  });

  it('is deterministic: a name does not change when other properties come and go', () => {
    const long = 'b'.repeat(80);
    const alone = planColumns([def(long)]).columns[0].column;
    const among = planColumns([def('a'), def(`${long}x`), def(long), def('z')]).columns.find((c) => c.property === long)!.column;
    expect(among).toBe(alone);
    expect(planColumns([def('q'), def('p')])).toEqual(planColumns([def('p'), def('q')]));
  });

  it('stops at 1,600 columns: hubspot-defined first, then custom by name; a property and its label go in together', () => {
    const defs = [
      ...Array.from({ length: 1000 }, (_, i) => def(`hs_p${String(i).padStart(4, '0')}`, { hubspotDefined: true })),
      ...Array.from({ length: 700 }, (_, i) => def(`custom_${String(i).padStart(4, '0')}`)),
    ];
    const plan = planColumns(defs);
    expect(plan.columns).toHaveLength(MAX_COLUMNS - 5);
    expect(plan.columns.filter((c) => c.property.startsWith('hs_'))).toHaveLength(1000);
    expect(plan.columns.at(-1)!.property).toBe('custom_0594');
    expect(plan.omitted.map((o) => o.property)).toEqual(Array.from({ length: 105 }, (_, i) => `custom_${String(595 + i).padStart(4, '0')}`));
    expect(new Set(plan.omitted.map((o) => o.reason))).toEqual(new Set([OMITTED_COLUMN_LIMIT]));

    const enums = planColumns(Array.from({ length: 800 }, (_, i) => def(`e${String(i).padStart(3, '0')}`, { type: 'enumeration', fieldType: 'select' })));
    // 5 + 797 * 2 = 1599: the next enumeration needs two columns and does not fit.
    expect(enums.columns).toHaveLength(797);
    expect(enums.omitted).toHaveLength(3);
  });

  it('leaves out properties the extractor does not fetch, and says so', () => {
    const plan = planColumns([def('email'), def('hs_email_html')], (p) => p !== 'hs_email_html');
    expect(plan.columns.map((c) => c.property)).toEqual(['email']);
    expect(plan.omitted).toEqual([{ property: 'hs_email_html', reason: OMITTED_NOT_SELECTED }]);
  });

  it('derives relation names that fit', () => {
    expect(derivedName('contacts', '_typed')).toBe('contacts_typed');
    const long = derivedName('c'.repeat(63), '_typed_data');
    expect(bytes(long)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
    expect(long.endsWith('_typed_data')).toBe(true);
    expect(truncateBytes('aé', 2)).toBe('a');
  });
});
