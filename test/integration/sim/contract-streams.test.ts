import type { OpenAPIBackend } from 'openapi-backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../src/sim/simulator.js';
import { call } from './http-client.js';
import { DATED, expectValid, loadSpec, operationId } from './spec-validation.js';

/**
 * Contract test for the streams of issue 14: owners, pipelines, custom object schemas and records, property
 * history, labelled associations, archived properties and the 403 of a type the portal lacks, validated against
 * the v3 specs and the dated ones (`2026-03/`, `2026-09/`) in ../shared/hubspot-openapi/.
 */

type Version = 'numbered' | (typeof DATED)[number];
const VERSIONS: Version[] = ['numbered', ...DATED];
const dir = (version: Version) => (version === 'numbered' ? '' : `${version}/`);

describe('issue 14 streams validate against the official specs', () => {
  let sim: RunningSimulator;
  let without: RunningSimulator;
  const specs = new Map<string, OpenAPIBackend>();
  const spec = (version: Version, file: string) => specs.get(`${dir(version)}${file}`)!;
  let custom: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 22, rateLimit: false });
    without = await startSimulator({
      seed: 23,
      rateLimit: false,
      without: ['leads'],
      size: { contacts: 40, companies: 5, deals: 6, engagements: 20, forms: 1, submissions: 1 },
    });
    custom = sim.portal.schemas[0].objectTypeId;
    const files = [
      'crmOwners.json',
      'pipelines.json',
      'schemas.json',
      'customObjects.json',
      'objects.json',
      'deals.json',
      'associations.json',
      'associationsSchema.json',
      'properties.json',
      'leads.json',
    ];
    for (const version of VERSIONS) for (const file of files) specs.set(`${dir(version)}${file}`, await loadSpec(`${dir(version)}${file}`));
    // A property archived at run time, for `archived=true`.
    expect(sim.portal.apply('property-archive', Date.now(), ['deals'])).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await sim?.close();
    await without?.close();
  });

  it('the validator rejects what these specs forbid: a numeric owner id, a numeric stage probability, a schema without labels', () => {
    const owners = spec('numbered', 'crmOwners.json');
    expect(
      owners.validateResponse(
        { results: [{ id: 1, type: 'PERSON', archived: false, createdAt: '2020-01-01T00:00:00Z', updatedAt: '2020-01-01T00:00:00Z' }] },
        operationId(owners, 'get', '/crm/v3/owners'),
        200,
      ).valid,
    ).toBe(false);
    const pipelines = spec('2026-09', 'pipelines.json');
    const stage = {
      id: 's',
      label: 'l',
      displayOrder: 0,
      metadata: { probability: 0.2 },
      createdAt: '2020-01-01T00:00:00Z',
      updatedAt: '2020-01-01T00:00:00Z',
      archived: false,
      writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
    };
    const pipeline = {
      id: 'p',
      label: 'l',
      displayOrder: 0,
      createdAt: '2020-01-01T00:00:00Z',
      updatedAt: '2020-01-01T00:00:00Z',
      archived: false,
      stages: [stage],
    };
    expect(pipelines.validateResponse({ results: [pipeline] }, operationId(pipelines, 'get', '/crm/pipelines/2026-09/{objectType}'), 200).valid).toBe(false);
    const schemas = spec('numbered', 'schemas.json');
    expect(
      schemas.validateResponse(
        { results: [{ id: '1', name: 'x', associations: [], properties: [], requiredProperties: [] }] },
        operationId(schemas, 'get', '/crm-object-schemas/v3/schemas'),
        200,
      ).valid,
    ).toBe(false);
  });

  describe.each(VERSIONS)('%s', (version) => {
    const owners = version === 'numbered' ? '/crm/v3/owners' : `/crm/owners/${version}`;
    const pipelines = version === 'numbered' ? '/crm/v3/pipelines' : `/crm/pipelines/${version}`;
    const schemas = version === 'numbered' ? '/crm-object-schemas/v3/schemas' : `/crm-object-schemas/${version}/schemas`;
    const objects = version === 'numbered' ? '/crm/v3/objects' : `/crm/objects/${version}`;
    const associations = version === 'numbered' ? '/crm/v4/associations' : `/crm/associations/${version}`;
    const labelsBase = version === 'numbered' ? '/crm/associations/v4' : `/crm/associations/${version}`;
    const properties = version === 'numbered' ? '/crm/v3/properties' : `/crm/properties/${version}`;

    it('owners: pages, archived ones, one by id and by user id, and a 404', async () => {
      const api = spec(version, 'crmOwners.json');
      const first = await call(sim.url, 'GET', `${owners}?limit=5`);
      expect(first.json().paging.next.after).toBeTypeOf('string');
      expectValid(api, 'get', owners, first);
      const rest = await call(sim.url, 'GET', `${owners}?limit=500&after=${first.json().paging.next.after}`);
      expectValid(api, 'get', owners, rest);
      const archived = await call(sim.url, 'GET', `${owners}?archived=true`);
      expect(archived.json().results.length).toBeGreaterThan(0);
      expect(archived.json().results.every((o: { archived: boolean; userId?: number }) => o.archived && o.userId === undefined)).toBe(true);
      expectValid(api, 'get', owners, archived);
      const person = first.json().results.find((o: { userId?: number }) => o.userId !== undefined);
      const one = await call(sim.url, 'GET', `${owners}/${person.id}`);
      expect(one.json().id).toBe(person.id);
      expectValid(api, 'get', `${owners}/{ownerId}`, one);
      const byUser = await call(sim.url, 'GET', `${owners}/${person.userId}?idProperty=userId`);
      expect(byUser.json().id).toBe(person.id);
      const gone = await call(sim.url, 'GET', `${owners}/${archived.json().results[0].id}`);
      expect(gone.status).toBe(404);
      expectValid(api, 'get', `${owners}/{ownerId}`, gone);
      expectValid(api, 'get', `${owners}/{ownerId}`, await call(sim.url, 'GET', `${owners}/${archived.json().results[0].id}?archived=true`));
      expect((await call(sim.url, 'GET', `${owners}?limit=501`)).status).toBe(400);
    });

    it('pipelines: every type with pipelines, one pipeline, its stages, one stage; an archived pipeline is a 404', async () => {
      const api = spec(version, 'pipelines.json');
      for (const type of ['deals', 'tickets', 'leads', custom]) {
        const list = await call(sim.url, 'GET', `${pipelines}/${type}`);
        expect(list.json().results.length, type).toBeGreaterThan(0);
        expectValid(api, 'get', `${pipelines}/{objectType}`, list);
      }
      const deals = (await call(sim.url, 'GET', `${pipelines}/deals`)).json().results;
      expect(deals.map((p: { id: string }) => p.id)).toEqual(['default', '71834920']);
      const one = await call(sim.url, 'GET', `${pipelines}/deals/71834920`);
      expectValid(api, 'get', `${pipelines}/{objectType}/{pipelineId}`, one);
      const stages = await call(sim.url, 'GET', `${pipelines}/deals/default/stages`);
      expectValid(api, 'get', `${pipelines}/{objectType}/{pipelineId}/stages`, stages);
      const stage = await call(sim.url, 'GET', `${pipelines}/tickets/0/stages/4`);
      expect(stage.json().metadata).toEqual({ ticketState: 'CLOSED' });
      expectValid(api, 'get', `${pipelines}/{objectType}/{pipelineId}/stages/{stageId}`, stage);
      const archived = await call(sim.url, 'GET', `${pipelines}/deals/52341087`);
      expect(archived.status).toBe(404);
      expectValid(api, 'get', `${pipelines}/{objectType}/{pipelineId}`, archived);
    });

    it('schemas: the list, one by objectTypeId and by fully qualified name, without property definitions', async () => {
      const api = spec(version, 'schemas.json');
      const list = await call(sim.url, 'GET', schemas);
      expect(list.json().results.map((s: { objectTypeId: string }) => s.objectTypeId)).toEqual([custom]);
      expectValid(api, 'get', schemas, list);
      const one = await call(sim.url, 'GET', `${schemas}/${custom}`);
      expectValid(api, 'get', `${schemas}/{objectType}`, one);
      const byName = await call(sim.url, 'GET', `${schemas}/${one.json().fullyQualifiedName}?includePropertyDefinitions=false`);
      expect(byName.json().properties).toEqual([]);
      expectValid(api, 'get', `${schemas}/{objectType}`, byName);
      const missing = await call(sim.url, 'GET', `${schemas}/2-1`);
      expect(missing.status).toBe(404);
      expectValid(api, 'get', `${schemas}/{objectType}`, missing);
    });

    it('custom object records: list with associations, by id, batch read (complete and partial) and search, by every name', async () => {
      const api = spec(version, 'customObjects.json');
      const generic = `${objects}/{objectType}`;
      const list = await call(sim.url, 'GET', `${objects}/${custom}?limit=50&associations=contacts,companies,deals`);
      expectValid(api, 'get', generic, list);
      const byName = await call(sim.url, 'GET', `${objects}/p_projects?limit=50`);
      expect(byName.json().results.map((r: { id: string }) => r.id)).toEqual(list.json().results.map((r: { id: string }) => r.id));
      const first = list.json().results[0].id;
      expectValid(api, 'get', `${generic}/{objectId}`, await call(sim.url, 'GET', `${objects}/projects/${first}`));
      const ids = list
        .json()
        .results.slice(0, 5)
        .map((r: { id: string }) => ({ id: r.id }));
      const batch = await call(sim.url, 'POST', `${objects}/${custom}/batch/read`, {
        body: { inputs: ids, properties: ['project_name'], propertiesWithHistory: [] },
      });
      expectValid(api, 'post', `${generic}/batch/read`, batch);
      const partial = await call(sim.url, 'POST', `${objects}/${custom}/batch/read`, {
        body: { inputs: [...ids, { id: '1' }], properties: [], propertiesWithHistory: [] },
      });
      expect(partial.status).toBe(version === '2026-09' ? 200 : 207);
      expectValid(api, 'post', `${generic}/batch/read`, partial);
      const search = await call(sim.url, 'POST', `${objects}/${custom}/search`, {
        body: { filterGroups: [], sorts: [], properties: ['project_name'], limit: 20, after: '0' },
      });
      expectValid(api, 'post', `${generic}/search`, search);
    });

    it('property history on a list page, one record and a batch read', async () => {
      const api = spec(version, 'objects.json');
      const generic = `${objects}/{objectType}`;
      const list = await call(sim.url, 'GET', `${objects}/deals?limit=50&propertiesWithHistory=dealstage,amount,hs_lastmodifieddate`);
      expect(list.status).toBe(200);
      expect(list.json().results[0].propertiesWithHistory.dealstage.length).toBeGreaterThan(0);
      expectValid(api, 'get', generic, list);
      const id = list.json().results[0].id;
      expectValid(api, 'get', `${generic}/{objectId}`, await call(sim.url, 'GET', `${objects}/deals/${id}?propertiesWithHistory=dealstage`));
      const ids = list
        .json()
        .results.slice(0, 50)
        .map((r: { id: string }) => ({ id: r.id }));
      const batch = await call(sim.url, 'POST', `${objects}/tickets/batch/read`, {
        body: { inputs: ids.slice(0, 3), properties: [], propertiesWithHistory: ['hs_pipeline_stage'] },
      });
      expectValid(api, 'post', `${generic}/batch/read`, batch);
      const tooMany = await call(sim.url, 'GET', `${objects}/deals?limit=51&propertiesWithHistory=dealstage`);
      expect(tooMany.status).toBe(400);
      expectValid(api, 'get', generic, tooMany);
    });

    it('associations of the new pairs, with user-defined and primary labels, and their label definitions', async () => {
      const api = spec(version, 'associations.json');
      const ticket = sim.portal
        .records('tickets')
        .find((r) => sim.portal.associationTypes('tickets', 'contacts', r.id, sim.portal.associatedIds('tickets', 'contacts', r.id)[0] ?? '0').length > 1);
      expect(ticket).toBeDefined();
      const read = await call(sim.url, 'POST', `${associations}/tickets/contacts/batch/read`, { body: { inputs: [{ id: ticket!.id }] } });
      const types = read.json().results[0].to.flatMap((t: { associationTypes: Array<{ category: string }> }) => t.associationTypes.map((a) => a.category));
      expect(types).toContain('USER_DEFINED');
      expectValid(api, 'post', `${associations}/{fromObjectType}/{toObjectType}/batch/read`, read);
      const project = sim.portal.records(custom)[0].id;
      expectValid(
        api,
        'post',
        `${associations}/{fromObjectType}/{toObjectType}/batch/read`,
        await call(sim.url, 'POST', `${associations}/${custom}/companies/batch/read`, { body: { inputs: [{ id: project }] } }),
      );
      expectValid(
        api,
        'post',
        `${associations}/{fromObjectType}/{toObjectType}/batch/read`,
        await call(sim.url, 'POST', `${associations}/quotes/line_items/batch/read`, {
          body: {
            inputs: sim.portal
              .records('quotes')
              .slice(0, 10)
              .map((r) => ({ id: r.id })),
          },
        }),
      );
      const labels = await call(sim.url, 'GET', `${labelsBase}/tickets/contacts/labels`);
      expect(labels.json().results.map((l: { typeId: number }) => l.typeId)).toEqual([16, 1605]);
      expectValid(spec(version, 'associationsSchema.json'), 'get', `${labelsBase}/{fromObjectType}/{toObjectType}/labels`, labels);
      expectValid(
        spec(version, 'associationsSchema.json'),
        'get',
        `${labelsBase}/{fromObjectType}/{toObjectType}/labels`,
        await call(sim.url, 'GET', `${labelsBase}/companies/${custom}/labels`),
      );
    });

    it("properties: a custom object's catalog, and archived properties with archived=true", async () => {
      const api = spec(version, 'properties.json');
      const own = await call(sim.url, 'GET', `${properties}/${custom}`);
      expect(own.json().results.map((d: { name: string }) => d.name)).toContain('project_name');
      expectValid(api, 'get', `${properties}/{objectType}`, own);
      const archived = await call(sim.url, 'GET', `${properties}/deals?archived=true`);
      expect(archived.json().results).toHaveLength(1);
      expect(archived.json().results[0]).toMatchObject({ archived: true, archivedAt: expect.any(String) });
      expectValid(api, 'get', `${properties}/{objectType}`, archived);
    });

    it('a type the portal lacks answers 403 MISSING_SCOPES (the Error schema) on every endpoint', async () => {
      const leads = spec(version, 'leads.json');
      const path = leads.getOperations().find((op) => op.method === 'get' && /\/leads$|\{objectType\}$/.test(op.path))!.path;
      const list = await call(without.url, 'GET', `${objects}/leads?limit=5`);
      expect(list.status).toBe(403);
      expect(list.json().category).toBe('MISSING_SCOPES');
      expectValid(leads, 'get', path, list);
      expect((await call(without.url, 'GET', `${properties}/leads`)).status).toBe(403);
      expect((await call(without.url, 'GET', `${pipelines}/leads`)).status).toBe(403);
      expect((await call(without.url, 'POST', `${associations}/leads/contacts/batch/read`, { body: { inputs: [{ id: '1' }] } })).status).toBe(403);
    });
  });
});
