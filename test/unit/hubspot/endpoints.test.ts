import { describe, expect, it } from 'vitest';
import { API_VERSIONS, endpointLabel, endpointPath, type ApiVersion, type Endpoint } from '../../../src/hubspot/endpoints.js';

describe('every logical endpoint has one path per API version', () => {
  const params = { type: 'contacts', from: 'companies', to: 'deals', guid: 'f-1' };
  const table: [ApiVersion, Endpoint, string][] = [
    ['legacy', 'objects.list', '/crm/v3/objects/contacts'],
    ['legacy', 'objects.batchRead', '/crm/v3/objects/contacts/batch/read'],
    ['legacy', 'objects.search', '/crm/v3/objects/contacts/search'],
    ['legacy', 'properties', '/crm/v3/properties/contacts'],
    ['legacy', 'associations.batchRead', '/crm/v4/associations/companies/deals/batch/read'],
    ['legacy', 'associations.labels', '/crm/v4/associations/companies/deals/labels'],
    ['2026-09', 'objects.list', '/crm/objects/2026-09/contacts'],
    ['2026-09', 'objects.batchRead', '/crm/objects/2026-09/contacts/batch/read'],
    ['2026-09', 'objects.search', '/crm/objects/2026-09/contacts/search'],
    ['2026-09', 'properties', '/crm/properties/2026-09/contacts'],
    ['2026-09', 'associations.batchRead', '/crm/associations/2026-09/companies/deals/batch/read'],
    ['2026-09', 'associations.labels', '/crm/associations/2026-09/companies/deals/labels'],
    ['2026-03', 'objects.list', '/crm/objects/2026-03/contacts'],
    ['2026-03', 'objects.batchRead', '/crm/objects/2026-03/contacts/batch/read'],
    ['2026-03', 'objects.search', '/crm/objects/2026-03/contacts/search'],
    ['2026-03', 'properties', '/crm/properties/2026-03/contacts'],
    ['2026-03', 'associations.batchRead', '/crm/associations/2026-03/companies/deals/batch/read'],
    ['2026-03', 'associations.labels', '/crm/associations/2026-03/companies/deals/labels'],
    ['legacy', 'owners.list', '/crm/v3/owners'],
    ['legacy', 'pipelines.list', '/crm/v3/pipelines/contacts'],
    ['2026-09', 'owners.list', '/crm/owners/2026-09'],
    ['2026-09', 'pipelines.list', '/crm/pipelines/2026-09/contacts'],
    ['2026-03', 'owners.list', '/crm/owners/2026-03'],
    ['2026-03', 'pipelines.list', '/crm/pipelines/2026-03/contacts'],
  ];
  it.each(table)('%s %s -> %s', (version, endpoint, path) => {
    expect(endpointPath(version, endpoint, params)).toBe(path);
  });

  it('forms and submissions have no dated version: the same path whatever the setting', () => {
    for (const version of API_VERSIONS) {
      expect(endpointPath(version, 'forms.list')).toBe('/marketing/v3/forms');
      expect(endpointPath(version, 'submissions.list', { guid: 'a b' })).toBe('/form-integrations/v1/submissions/forms/a%20b');
    }
  });

  it('labels keep the method and the template (breaker keys and statistics)', () => {
    expect(endpointLabel('legacy', 'objects.list')).toBe('GET /crm/v3/objects/{type}');
    expect(endpointLabel('2026-09', 'objects.search')).toBe('POST /crm/objects/2026-09/{type}/search');
    expect(endpointLabel('2026-03', 'associations.batchRead')).toBe('POST /crm/associations/2026-03/{from}/{to}/batch/read');
  });

  it('a missing path parameter is a bug, said so', () => {
    expect(() => endpointPath('legacy', 'objects.list')).toThrow(/missing path parameter type/);
  });
});
