import { describe, expect, it } from 'vitest';
import { parsePropertySelection } from '../../../config/property-selection.js';
import { planReads } from '../../../extractors/crm/strategy.js';
import { listUrlBytes, URL_BUDGET_BYTES } from '../../../src/hubspot/request-size.js';

const catalog = (n: number, len = 24) => Array.from({ length: n }, (_, i) => `prop_${String(i).padStart(4, '0')}_${'x'.repeat(len - 10)}`);
const plan = (names: string[], version: 'legacy' | '2026-09', selection = '', urlBudgetBytes = URL_BUDGET_BYTES) =>
  planReads({
    type: 'contacts',
    cursorField: 'lastmodifieddate',
    catalog: names,
    selection: parsePropertySelection(selection),
    listUrlBytes: (properties) => listUrlBytes(version, 'https://api.hubapi.com', 'contacts', { limit: 100, properties, archived: false }),
    urlBudgetBytes,
  });

describe('choosing how a type is read', () => {
  it('a small catalog: list pages with every property, and the search carries them too', () => {
    expect(plan(catalog(10), '2026-09')).toMatchObject({ strategy: 'inline', searchInline: true, unknown: [] });
  });

  it('hundreds of properties: by ids (the URL would pass 8 KB), and ids-only searches (the body would pass 3,000 characters)', () => {
    const p = plan(catalog(600), '2026-09');
    expect(p.strategy).toBe('by-ids');
    expect(p.searchInline).toBe(false);
    expect(p.properties).toHaveLength(602);
  });

  it('the boundary is the URL budget, measured as sent: comma-separated dated URLs fit more properties than repeated keys', () => {
    const names = catalog(280);
    expect(plan(names, '2026-09').strategy).toBe('inline');
    expect(plan(names, 'legacy').strategy).toBe('by-ids');
  });

  it('a selection that leaves out most properties can make a big catalog fit again', () => {
    const names = catalog(600);
    expect(plan(names, '2026-09', `contacts:${names.slice(0, 20).join(',')}`)).toMatchObject({ strategy: 'inline', searchInline: true });
  });

  it('a small URL budget (tests) forces by ids', () => {
    expect(plan(catalog(3), '2026-09', '', 100).strategy).toBe('by-ids');
  });
});
