import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/simulator.js';
import { call } from './http-client.js';

/** The issue-14 streams over HTTP: property history limits, owners and pipelines end to end, run-time schema changes, a missing type. */

const SIZE = { contacts: 120, companies: 12, deals: 80, engagements: 100, forms: 1, submissions: 1 };

describe('property history over HTTP', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 31, rateLimit: false, size: SIZE });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('lowers a list page to 50 records: 50 is served, 51 is a 400; without history 100 is fine', async () => {
    const ok = await call(sim.url, 'GET', '/crm/v3/objects/deals?limit=50&propertiesWithHistory=dealstage');
    expect(ok.status).toBe(200);
    expect(ok.json().results).toHaveLength(50);
    expect(ok.json().paging.next.link).toContain('/crm/v3/objects/deals');
    const over = await call(sim.url, 'GET', '/crm/v3/objects/deals?limit=51&propertiesWithHistory=dealstage');
    expect(over.status).toBe(400);
    expect(over.json().category).toBe('VALIDATION_ERROR');
    expect((await call(sim.url, 'GET', '/crm/objects/2026-09/deals?limit=51&propertiesWithHistory=dealstage')).status).toBe(400);
    expect((await call(sim.url, 'GET', '/crm/v3/objects/deals?limit=100')).status).toBe(200);
  });

  it('lowers a batch read to 50 inputs when history is asked for', async () => {
    const ids = sim.portal
      .records('deals')
      .filter((r) => r.archivedAt === undefined)
      .slice(0, 51)
      .map((r) => ({ id: r.id }));
    const over = await call(sim.url, 'POST', '/crm/v3/objects/deals/batch/read', {
      body: { inputs: ids, properties: [], propertiesWithHistory: ['dealstage'] },
    });
    expect(over.status).toBe(400);
    const ok = await call(sim.url, 'POST', '/crm/v3/objects/deals/batch/read', {
      body: { inputs: ids.slice(0, 50), properties: [], propertiesWithHistory: ['dealstage', 'no_such_property'] },
    });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.json().results[0].propertiesWithHistory)).toEqual(['dealstage']);
    expect(
      (await call(sim.url, 'POST', '/crm/v3/objects/deals/batch/read', { body: { inputs: ids.slice(0, 100), properties: [], propertiesWithHistory: [] } }))
        .status,
    ).toBe(200);
  });

  it('returns the same history as the manifest, newest first, and grows when a deal changes; search has none', async () => {
    const deal = sim.portal.records('deals')[4];
    const read = async () =>
      (await call(sim.url, 'GET', `/crm/v3/objects/deals/${deal.id}?propertiesWithHistory=dealstage,amount&properties=dealstage`)).json();
    const first = await read();
    const manifest = sim.manifest({ history: { deals: ['dealstage', 'amount'] } });
    expect(first.propertiesWithHistory).toEqual(manifest.objects.deals.find((r) => r.id === deal.id)!.propertiesWithHistory);
    expect(first.propertiesWithHistory.dealstage[0].value).toBe(first.properties.dealstage);
    for (let k = 0; k < 5; k++) sim.portal.update(deal, Date.now() + k);
    const later = await read();
    expect(later.propertiesWithHistory.dealstage.length + later.propertiesWithHistory.amount.length).toBeGreaterThan(
      first.propertiesWithHistory.dealstage.length + first.propertiesWithHistory.amount.length,
    );
    const search = await call(sim.url, 'POST', '/crm/v3/objects/deals/search', {
      body: { limit: 5, properties: ['dealstage'], propertiesWithHistory: ['dealstage'] },
    });
    expect(search.status).toBe(200);
    expect(search.json().results.every((r: Record<string, unknown>) => r.propertiesWithHistory === undefined)).toBe(true);
    const streamed = await call(sim.url, 'GET', '/__sim/manifest?history=deals:dealstage');
    expect(streamed.json().objects.deals.find((r: { id: string }) => r.id === deal.id).propertiesWithHistory.dealstage).toEqual(
      later.propertiesWithHistory.dealstage,
    );
  });
});

describe('owners, pipelines and schemas over HTTP', () => {
  let sim: RunningSimulator;
  const clock = new FakeClock(Date.UTC(2026, 3, 1));
  beforeAll(async () => {
    sim = await startSimulator({ seed: 32, rateLimit: false, size: { ...SIZE, owners: 40 }, clock });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('pages every owner exactly once, live and archived apart, as the manifest has them', async () => {
    const seen: Array<{ id: string; archived: boolean }> = [];
    for (const archived of [false, true]) {
      let after: string | undefined;
      do {
        const page = (await call(sim.url, 'GET', `/crm/v3/owners?limit=7&archived=${archived}${after ? `&after=${after}` : ''}`)).json();
        seen.push(...page.results);
        after = page.paging?.next?.after;
      } while (after);
    }
    const manifest = sim.manifest().owners;
    expect(seen.map((o) => o.id).sort()).toEqual(manifest.map((o) => o.id as string).sort());
    expect(seen.filter((o) => o.archived).length).toBe(manifest.filter((o) => o.archived).length);
    const first = manifest.find((o) => o.email !== undefined)!;
    expect(
      (await call(sim.url, 'GET', `/crm/v3/owners?email=${encodeURIComponent(String(first.email).toUpperCase())}`))
        .json()
        .results.map((o: { id: string }) => o.id),
    ).toEqual([first.id]);
  });

  it('lists live pipelines and stages; every deal, ticket and lead points at a pipeline and stage the manifest knows', async () => {
    const listed = (await call(sim.url, 'GET', '/crm/v3/pipelines/deals')).json().results;
    expect(listed.every((p: { archived: boolean; stages: Array<{ archived: boolean }> }) => !p.archived && p.stages.every((s) => !s.archived))).toBe(true);
    const manifest = sim.manifest();
    for (const [type, pipelineProperty, stageProperty] of [
      ['deals', 'pipeline', 'dealstage'],
      ['tickets', 'hs_pipeline', 'hs_pipeline_stage'],
      ['leads', 'hs_pipeline', 'hs_pipeline_stage'],
    ] as const) {
      const known = new Map(manifest.pipelines[type].map((p) => [p.id as string, new Set((p.stages as Array<{ id: string }>).map((s) => s.id))]));
      for (const record of manifest.objects[type]) {
        expect(known.get(record.properties[pipelineProperty]!)?.has(record.properties[stageProperty]!), `${type} ${record.id}`).toBe(true);
      }
    }
    expect(manifest.objects.deals.some((r) => r.properties.pipeline === '52341087')).toBe(true);
    expect(listed.some((p: { id: string }) => p.id === '52341087')).toBe(false);
  });

  it('shows a schema created at run time and a property added to a schema, in the schemas, properties and records', async () => {
    const before = (await call(sim.url, 'GET', '/crm-object-schemas/v3/schemas')).json().results;
    await clock.advance(60_000);
    const schema = sim.portal.addSchema(clock.now())!;
    const after = (await call(sim.url, 'GET', '/crm-object-schemas/2026-09/schemas')).json().results;
    expect(after.map((s: { objectTypeId: string }) => s.objectTypeId)).toEqual([
      ...before.map((s: { objectTypeId: string }) => s.objectTypeId),
      schema.objectTypeId,
    ]);
    expect((await call(sim.url, 'GET', `/crm/v3/objects/${schema.name}`)).json().results).toEqual([]);
    expect((await call(sim.url, 'GET', '/crm/v3/schemas')).json().results).toHaveLength(after.length);

    const projects = sim.portal.schemas[0];
    await clock.advance(60_000);
    const name = sim.portal.addSchemaProperty(projects, clock.now());
    const definitions = (await call(sim.url, 'GET', `/crm/properties/2026-03/${projects.objectTypeId}`)).json().results.map((d: { name: string }) => d.name);
    expect(definitions).toContain(name);
    expect(
      (await call(sim.url, 'GET', `/crm-object-schemas/v3/schemas/${projects.objectTypeId}`)).json().properties.map((d: { name: string }) => d.name),
    ).toContain(name);
    const record = sim.portal.records(projects.objectTypeId)[1];
    const read = async () => (await call(sim.url, 'GET', `/crm/v3/objects/p_projects/${record.id}?properties=${name}`)).json().properties[name];
    expect(await read()).toBeNull();
    let filled = false;
    for (let k = 0; k < 40 && !filled; k++) {
      await clock.advance(1000);
      sim.portal.update(record, clock.now());
      filled = (await read()) !== null;
    }
    expect(filled).toBe(true);
  });
});

describe('a portal without leads', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 33, rateLimit: false, size: SIZE, without: ['leads'] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('answers 403 MISSING_SCOPES for every leads endpoint, the OAuth wording for an OAuth token, and serves the rest', async () => {
    for (const [method, path] of [
      ['GET', '/crm/v3/objects/leads'],
      ['GET', '/crm/objects/2026-09/0-136'],
      ['POST', '/crm/v3/objects/leads/search'],
      ['GET', '/crm/v3/properties/leads'],
      ['GET', '/crm/pipelines/2026-03/leads'],
      ['POST', '/crm/associations/2026-09/contacts/leads/batch/read'],
    ] as const) {
      const reply = await call(sim.url, method, path, method === 'POST' ? { body: { inputs: [{ id: '1' }] } } : {});
      expect(reply.status, path).toBe(403);
      expect(reply.json(), path).toMatchObject({ category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: ['crm.objects.leads.read'] } }] });
    }
    const refresh = sim.oauth.install();
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: sim.oauth.config.clientId,
      client_secret: sim.oauth.config.clientSecret,
      refresh_token: refresh,
    });
    const token = (
      await fetch(`${sim.url}/oauth/v1/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })
    ).json() as Promise<{ access_token: string }>;
    const oauth = await call(sim.url, 'GET', '/crm/v3/objects/leads', { token: (await token).access_token });
    expect(oauth.status).toBe(403);
    expect(oauth.json().category).toBeUndefined();
    expect(oauth.json().message).toMatch(/legacyObjectType=LEAD.*requires one of \[crm\.objects\.leads\.read\]/);
    expect((await call(sim.url, 'GET', '/crm/v3/objects/tickets')).status).toBe(200);
    expect(sim.manifest().unavailableTypes).toEqual(['leads']);
  });
});
