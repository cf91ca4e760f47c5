import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../src/sim/simulator.js';
import { OBJECT_TYPES, OBJECT_TYPE_IDS } from '../../../src/sim/schema.js';
import { call } from './http-client.js';
import { DATED, declared, expectValid, loadSpec, operationId, specFile } from './spec-validation.js';
import type { OpenAPIBackend } from 'openapi-backend';

/**
 * Contract test: responses of every endpoint, validated by openapi-backend (ajv) against HubSpot's official
 * OpenAPI specs, read from ../shared/hubspot-openapi/ (never copied into the repo).
 * The documented deviations from the specs are applied in `spec-validation.ts`.
 * Some specs (deals) name their paths by type id (/crm/v3/objects/0-3); the simulator serves both spellings.
 * The dated versions (2026-03, 2026-09) are validated against their own specs in `2026-03/` and `2026-09/`,
 * including the properties API (`properties.json`). The legacy form-submissions have no spec in the collection;
 * their shapes are checked against the contract in api-client.test.ts and http.test.ts instead.
 */

describe('responses validate against the official HubSpot OpenAPI specs', () => {
  let sim: RunningSimulator;
  const specs = new Map<string, OpenAPIBackend>();
  beforeAll(async () => {
    sim = await startSimulator({ seed: 21, rateLimit: false });
    const perVersion = [...OBJECT_TYPES.map(specFile), 'objects.json', 'associations.json', 'associationsSchema.json', 'properties.json'];
    for (const file of [...perVersion, 'forms.json', ...DATED.flatMap((v) => perVersion.map((f) => `${v}/${f}`))]) {
      specs.set(file, await loadSpec(file));
    }
  });
  afterAll(async () => {
    await sim.close();
  });

  it.each(OBJECT_TYPES)('%s: list (incl. archived and inline associations), batch read (200 and 207), search', async (type) => {
    const api = specs.get(specFile(type))!;
    const byName = `/crm/v3/objects/${type}`;
    const base = api.getOperations().some((op) => op.path === byName) ? byName : `/crm/v3/objects/${OBJECT_TYPE_IDS[type]}`;
    const list = await call(sim.url, 'GET', `${base}?limit=50&associations=contacts,companies`);
    expect(list.status).toBe(200);
    expectValid(api, 'get', base, list);
    const archived = await call(sim.url, 'GET', `${base}?limit=20&archived=true`);
    expectValid(api, 'get', base, archived);
    const ids = list
      .json()
      .results.slice(0, 5)
      .map((r: { id: string }) => ({ id: r.id }));
    const batch = await call(sim.url, 'POST', `${base}/batch/read`, { body: { inputs: ids, properties: ['hs_object_id'], propertiesWithHistory: [] } });
    expect(batch.status).toBe(200);
    expectValid(api, 'post', `${base}/batch/read`, batch);
    const partial = await call(sim.url, 'POST', `${base}/batch/read`, { body: { inputs: [...ids, { id: '1' }], properties: [], propertiesWithHistory: [] } });
    expect(partial.status).toBe(207);
    expectValid(api, 'post', `${base}/batch/read`, partial);
    const search = await call(sim.url, 'POST', `${base}/search`, {
      body: { filterGroups: [], sorts: [], properties: [], limit: 20, after: '0' },
    });
    expect(search.status).toBe(200);
    expectValid(api, 'post', `${base}/search`, search);
    // The generic objects spec describes the same endpoints with {objectType}.
    expectValid(specs.get('objects.json')!, 'get', '/crm/v3/objects/{objectType}', list);
  });

  it("errors (400, 401) match the spec's Error schema", async () => {
    const api = specs.get('contacts.json')!;
    const bad = await call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=101');
    expect(bad.status).toBe(400);
    expectValid(api, 'get', '/crm/v3/objects/contacts', bad);
    const unauthorized = await call(sim.url, 'GET', '/crm/v3/objects/contacts', { token: 'nope' });
    expect(unauthorized.status).toBe(401);
    expectValid(api, 'get', '/crm/v3/objects/contacts', unauthorized);
  });

  it('associations v4: per-object page, batch read (200 and 207) and labels', async () => {
    const api = specs.get('associations.json')!;
    const hub = sim.portal.records('companies')[0].id;
    const page = await call(sim.url, 'GET', `/crm/v4/objects/companies/${hub}/associations/contacts?limit=100`);
    expect(page.json().paging.next.after).toBeTypeOf('string');
    expectValid(api, 'get', '/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}', page);
    const contact = sim.portal.records('contacts')[0].id;
    const full = await call(sim.url, 'POST', '/crm/v4/associations/contacts/companies/batch/read', { body: { inputs: [{ id: contact }] } });
    expect(full.status).toBe(200);
    expectValid(api, 'post', '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read', full);
    const partial = await call(sim.url, 'POST', '/crm/v4/associations/contacts/calls/batch/read', { body: { inputs: [{ id: contact }, { id: '77' }] } });
    expect(partial.status).toBe(207);
    expectValid(api, 'post', '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read', partial);
    const labels = await call(sim.url, 'GET', '/crm/associations/v4/contacts/companies/labels');
    expectValid(specs.get('associationsSchema.json')!, 'get', '/crm/associations/v4/{fromObjectType}/{toObjectType}/labels', labels);
  });

  it('marketing forms: every form type, with paging', async () => {
    const api = specs.get('forms.json')!;
    const first = await call(sim.url, 'GET', '/marketing/v3/forms?formTypes=all&limit=3');
    expect(first.json().paging.next.after).toBeTypeOf('string');
    expectValid(api, 'get', '/marketing/v3/forms', first);
    const rest = await call(sim.url, 'GET', `/marketing/v3/forms?formTypes=all&limit=100&after=${first.json().paging.next.after}`);
    expectValid(api, 'get', '/marketing/v3/forms', rest);
    const archived = await call(sim.url, 'GET', '/marketing/v3/forms?archived=true&formTypes=all');
    expect(archived.json().results.length).toBeGreaterThan(0);
    expectValid(api, 'get', '/marketing/v3/forms', archived);
  });

  it("properties API (v3): every type's full catalog", async () => {
    const api = specs.get('properties.json')!;
    for (const type of OBJECT_TYPES) {
      const reply = await call(sim.url, 'GET', `/crm/v3/properties/${type}`);
      // Products have the fewest defaults (about 60); contacts the most.
      expect(reply.json().results.length).toBeGreaterThan(55);
      expectValid(api, 'get', '/crm/v3/properties/{objectType}', reply);
    }
  });

  describe.each(DATED)('dated version %s', (version) => {
    it.each(OBJECT_TYPES)('%s: list, by id, batch read (complete and partial), search; errors', async (type) => {
      const generic = specs.get(`${version}/objects.json`)!;
      const own = specs.get(`${version}/${specFile(type)}`)!;
      const base = `/crm/objects/${version}`;
      const ownBase = declared(own, 'get', [`${base}/${type}`, `${base}/${OBJECT_TYPE_IDS[type]}`, `${base}/{objectType}`]);
      const list = await call(sim.url, 'GET', `${base}/${type}?limit=50&associations=contacts,companies&properties=hs_object_id,hs_createdate`);
      expect(list.status).toBe(200);
      expectValid(generic, 'get', `${base}/{objectType}`, list);
      expectValid(own, 'get', ownBase, list);
      expectValid(generic, 'get', `${base}/{objectType}`, await call(sim.url, 'GET', `${base}/${type}?limit=20&archived=true`));
      const first = list.json().results[0].id;
      const one = await call(sim.url, 'GET', `${base}/${type}/${first}?properties=hs_object_id`);
      expect(one.status).toBe(200);
      expectValid(generic, 'get', `${base}/{objectType}/{objectId}`, one);
      const ids = list
        .json()
        .results.slice(0, 5)
        .map((r: { id: string }) => ({ id: r.id }));
      const catalog = (await call(sim.url, 'GET', `/crm/properties/${version}/${type}`)).json().results.map((d: { name: string }) => d.name);
      const batch = await call(sim.url, 'POST', `${base}/${type}/batch/read`, { body: { inputs: ids, properties: catalog, propertiesWithHistory: [] } });
      expect(batch.status).toBe(200);
      expectValid(generic, 'post', `${base}/{objectType}/batch/read`, batch);
      expectValid(own, 'post', `${ownBase}/batch/read`, batch);
      const partial = await call(sim.url, 'POST', `${base}/${type}/batch/read`, {
        body: { inputs: [...ids, { id: '1' }], properties: [], propertiesWithHistory: [] },
      });
      expect(partial.status).toBe(version === '2026-09' ? 200 : 207);
      expect(partial.json().numErrors).toBe(1);
      expectValid(generic, 'post', `${base}/{objectType}/batch/read`, partial);
      const search = await call(sim.url, 'POST', `${base}/${type}/search`, { body: { filterGroups: [], sorts: [], properties: [], limit: 20, after: '0' } });
      expect(search.status).toBe(200);
      expectValid(generic, 'post', `${base}/{objectType}/search`, search);
      expectValid(own, 'post', `${ownBase}/search`, search);
      const bad = await call(sim.url, 'GET', `${base}/${type}?limit=101`);
      expect(bad.status).toBe(400);
      expectValid(generic, 'get', `${base}/{objectType}`, bad);
    });

    it('associations: batch read (complete and partial) and labels; the per-object read where the version has it', async () => {
      const api = specs.get(`${version}/associations.json`)!;
      const hub = sim.portal.records('companies')[0].id;
      const contact = sim.portal.records('contacts')[0].id;
      const full = await call(sim.url, 'POST', `/crm/associations/${version}/companies/contacts/batch/read`, { body: { inputs: [{ id: hub }] } });
      expect(full.status).toBe(200);
      expect(full.json().results[0].paging.next.after).toBeTypeOf('string');
      expectValid(api, 'post', `/crm/associations/${version}/{fromObjectType}/{toObjectType}/batch/read`, full);
      const partial = await call(sim.url, 'POST', `/crm/associations/${version}/contacts/calls/batch/read`, {
        body: { inputs: [{ id: contact }, { id: '77' }] },
      });
      expect(partial.status).toBe(version === '2026-09' ? 200 : 207);
      expectValid(api, 'post', `/crm/associations/${version}/{fromObjectType}/{toObjectType}/batch/read`, partial);
      const labels = await call(sim.url, 'GET', `/crm/associations/${version}/contacts/companies/labels`);
      expectValid(specs.get(`${version}/associationsSchema.json`)!, 'get', `/crm/associations/${version}/{fromObjectType}/{toObjectType}/labels`, labels);
      const perObject = await call(sim.url, 'GET', `/crm/objects/${version}/companies/${hub}/associations/contacts?limit=100`);
      if (version === '2026-03') {
        expect(perObject.json().paging.next.after).toBeTypeOf('string');
        expectValid(api, 'get', `/crm/objects/${version}/{objectType}/{objectId}/associations/{toObjectType}`, perObject);
      } else {
        expect(perObject.status).toBe(404);
        expect(api.getOperations().some((op) => op.method === 'get' && op.path.endsWith('/associations/{toObjectType}'))).toBe(false);
      }
    });

    it("properties API: every type's full catalog", async () => {
      const api = specs.get(`${version}/properties.json`)!;
      for (const type of OBJECT_TYPES) {
        const reply = await call(sim.url, 'GET', `/crm/properties/${version}/${type}`);
        // Products have the fewest defaults (about 60); contacts the most.
        expect(reply.json().results.length).toBeGreaterThan(55);
        expectValid(api, 'get', `/crm/properties/${version}/{objectType}`, reply);
      }
    });
  });

  it('the validator itself rejects a reply that breaks the spec', () => {
    const api = specs.get('contacts.json')!;
    const id = operationId(api, 'get', '/crm/v3/objects/contacts');
    const broken = api.validateResponse({ results: [{ id: 1, properties: {}, archived: 'no' }] }, id, 200);
    expect(broken.valid).toBe(false);
    // Error replies are checked too (against the Error schema), and so is a status a version does not declare.
    expect(api.validateResponse({ status: 'error', message: 'x' }, id, 400).valid).toBe(false);
    const september = specs.get('2026-09/objects.json')!;
    const batch = operationId(september, 'post', '/crm/objects/2026-09/{objectType}/batch/read');
    const partial = { status: 'COMPLETE', results: [], startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:00:00Z', numErrors: 0, errors: [] };
    expect(september.validateResponse(partial, batch, 200).valid).toBe(true);
    expect(september.validateResponse(partial, batch, 207).valid).toBe(false);
  });
});
