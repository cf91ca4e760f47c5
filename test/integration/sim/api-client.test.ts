import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGAGEMENT_TYPES } from '../../../src/sim/schema.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/simulator.js';

/**
 * The unmodified official client, pointed at the simulator with basePath, reads every object type, the
 * associations, forms and submissions through its own typed API without errors.
 */

describe('@hubspot/api-client against the simulator', () => {
  let sim: RunningSimulator;
  let client: Client;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 17, rateLimit: false });
    client = new Client({ accessToken: sim.token, basePath: sim.url });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pages contacts, companies and deals with basicApi.getPage', async () => {
    for (const [name, api] of [
      ['contacts', client.crm.contacts.basicApi],
      ['companies', client.crm.companies.basicApi],
      ['deals', client.crm.deals.basicApi],
    ] as const) {
      const first = await api.getPage(20, undefined, ['hs_object_id'], undefined, ['contacts'], false);
      expect(first.results).toHaveLength(20);
      const second = await api.getPage(20, first.paging!.next!.after);
      const expected = sim
        .manifest()
        .objects[name].filter((r) => !r.archived)
        .map((r) => r.id);
      expect([...first.results, ...second.results].map((r) => r.id)).toEqual(expected.slice(0, 40));
      expect(first.results[0].createdAt).toBeInstanceOf(Date);
    }
  });

  it('pages every engagement type with crm.objects.<type>.basicApi.getPage and the generic objects API', async () => {
    for (const type of ENGAGEMENT_TYPES) {
      const page = await client.crm.objects[type].basicApi.getPage(50);
      expect(page.results.length).toBe(50);
      const generic = await client.crm.objects.basicApi.getPage(type, 50);
      expect(generic.results.map((r) => r.id)).toEqual(page.results.map((r) => r.id));
    }
  });

  it('reads a batch and searches', async () => {
    const ids = sim
      .manifest()
      .objects.contacts.filter((r) => !r.archived)
      .slice(0, 10)
      .map((r) => ({ id: r.id }));
    const batch = await client.crm.contacts.batchApi.read({ inputs: ids, properties: ['email'], propertiesWithHistory: [] });
    expect(batch.results.map((r) => r.id).sort()).toEqual(ids.map((i) => i.id).sort());
    const search = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE' as never, value: '0' }] }],
      // The docs send sort objects; the client types sorts as string[] (contract §2.3).
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }] as unknown as string[],
      properties: ['email'],
      limit: 200,
      after: '0',
    });
    expect(search.results).toHaveLength(200);
    expect(search.total).toBeGreaterThan(200);
    const notes = await client.crm.objects.notes.searchApi.doSearch({ filterGroups: [], sorts: [], properties: [], limit: 10, after: '0' });
    expect(notes.results).toHaveLength(10);
  });

  it('reads v4 associations with basicApi.getPage and batchApi.getPage', async () => {
    const hub = sim.portal.records('companies')[0].id;
    const page = await client.crm.associations.v4.basicApi.getPage('companies', hub, 'contacts', undefined, 500);
    expect(page.results).toHaveLength(500);
    const rest = await client.crm.associations.v4.basicApi.getPage('companies', hub, 'contacts', page.paging!.next!.after, 500);
    expect(page.results.length + rest.results.length).toBe(sim.portal.associatedIds('companies', 'contacts', hub).length);
    expect(page.results[0].associationTypes[0].category).toBe('HUBSPOT_DEFINED');
    const contact = sim.portal.records('contacts')[1].id;
    const batch = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: contact }, { id: '999' }] });
    expect(batch.results.length).toBe(1);
    expect((batch as { numErrors?: number }).numErrors).toBe(1);
    const labels = await client.crm.associations.v4.schema.definitionsApi.getAll('contacts', 'companies');
    expect(labels.results.map((l) => l.typeId)).toContain(279);
  });

  it('lists forms with formsApi.getPage and reads submissions with apiRequest', async () => {
    const forms = await client.marketing.forms.formsApi.getPage(undefined, 100);
    expect(forms.results.length).toBeGreaterThan(1);
    expect(forms.results.every((f) => (f as { formType: string }).formType === 'hubspot')).toBe(true);
    const form = forms.results[0];
    const response = await client.apiRequest({ method: 'GET', path: `/form-integrations/v1/submissions/forms/${form.id}`, qs: { limit: 50 } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { results: Array<{ conversionId: string; submittedAt: number }> };
    expect(body.results.map((s) => s.conversionId)).toEqual(
      sim
        .manifest()
        .submissions[form.id].slice(0, 50)
        .map((s) => s.conversionId),
    );
  });

  it("shows the client's own limit: its typed forms API cannot deserialize non-hubspot form types", async () => {
    // The client's discriminator maps only formType "hubspot" (its generated models follow the spec's enum), so
    // formTypes=all must be read with apiRequest. This pins that behaviour so the extractor does not rely on it.
    await expect(client.marketing.forms.formsApi.getPage(undefined, 100, false, ['all' as never])).rejects.toThrow(TypeError);
    const response = await client.apiRequest({ method: 'GET', path: '/marketing/v3/forms', qs: { formTypes: 'all', limit: 100 } });
    const body = (await response.json()) as { results: Array<{ formType: string }> };
    expect(new Set(body.results.map((f) => f.formType)).size).toBe(4);
  });

  it('surfaces a simulated 429 as an ApiException carrying the body and lower-cased headers', async () => {
    const limited = await startSimulator({ seed: 17, tenSecondLimit: 1 });
    try {
      const c = new Client({ accessToken: limited.token, basePath: limited.url });
      await c.crm.contacts.basicApi.getPage(1);
      const error = await c.crm.contacts.basicApi.getPage(1).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 429, body: { policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' } });
      expect((error as { headers: Record<string, string> }).headers['x-hubspot-ratelimit-remaining']).toBe('0');
    } finally {
      await limited.close();
    }
  });
});
