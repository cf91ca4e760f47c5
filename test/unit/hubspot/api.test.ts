import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@hubspot/api-client';
import { systemClock } from '../../../src/clock.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import { HubSpotApi, modifiedDateProperty } from '../../../src/hubspot/api.js';
import { createHubSpotClient } from '../../../src/hubspot/client.js';
import { FatalRunError, ObjectTypeUnavailableError, RequestTooLongError, SkippedItemError } from '../../../src/processor/errors.js';
import type { ApiVersion } from '../../../src/hubspot/endpoints.js';
import { listUrlBytes, searchBodyChars } from '../../../src/hubspot/request-size.js';
import { EngineEvents, type EngineEvent } from '../../../src/processor/events.js';
import { RequestExecutor } from '../../../src/processor/request-executor.js';

/** A loopback stand-in answering exactly what each test needs; the full simulator is tested elsewhere. */
interface Seen {
  method: string;
  url: string;
  body: string;
  auth?: string;
  closedEarly: boolean;
}
const seen: Seen[] = [];
let handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string, record: Seen) => void = () => {};
let server: http.Server;
let baseUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const record: Seen = { method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization, closedEarly: false };
      res.on('close', () => {
        if (!res.writableFinished) record.closedEarly = true;
      });
      seen.push(record);
      handler(req, res, body, record);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function json(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function makeApi(timeoutMs = 5000, version: ApiVersion = 'legacy') {
  const window = new RollingWindowLimiter({ name: 'w', limit: 100, windowMs: 1000 }, systemClock);
  const search = new RollingWindowLimiter({ name: 's', limit: 5, windowMs: 1000 }, systemClock);
  const events = new EngineEvents();
  const log: EngineEvent[] = [];
  events.on((e) => log.push(e));
  const executor = new RequestExecutor({
    limits: { standard: window, search, window, ratePerSecond: 100 },
    clock: systemClock,
    random: () => 0,
    events,
    timeoutMs,
    maxAttempts: 3,
    backoff: { baseMs: 1, maxMs: 5 },
  });
  const client = createHubSpotClient({ accessToken: 'test-token-123', baseUrl });
  return { api: new HubSpotApi(client, executor, version), executor, log, window };
}

describe('HubSpotApi against a loopback server', () => {
  it('lists a page through the typed client with our paging and normalised objects', async () => {
    seen.length = 0;
    handler = (_req, res) =>
      json(
        res,
        200,
        JSON.stringify({
          results: [
            {
              id: '101',
              properties: { email: 'a@b.c', lastmodifieddate: null },
              createdAt: '2024-01-02T03:04:05.678Z',
              updatedAt: '2024-02-02T03:04:05.678Z',
              archived: false,
            },
          ],
          paging: { next: { after: '102', link: 'x' } },
        }),
        { 'x-hubspot-ratelimit-max': '100', 'x-hubspot-ratelimit-remaining': '99', 'x-hubspot-ratelimit-interval-milliseconds': '1000' },
      );
    const { api } = makeApi();
    const page = await api.listObjectsPage('contacts', { after: '100', properties: ['email', 'lastmodifieddate'] });
    expect(page).toEqual({
      results: [
        {
          id: '101',
          properties: { email: 'a@b.c', lastmodifieddate: null },
          createdAt: '2024-01-02T03:04:05.678Z',
          updatedAt: '2024-02-02T03:04:05.678Z',
          archived: false,
        },
      ],
      nextAfter: '102',
    });
    const url = new URL(seen[0].url, baseUrl);
    expect(url.pathname).toBe('/crm/v3/objects/contacts');
    expect(url.searchParams.get('limit')).toBe('100');
    expect(url.searchParams.get('after')).toBe('100');
    expect(url.searchParams.getAll('properties').join(',')).toBe('email,lastmodifieddate');
    expect(seen[0].auth).toBe('Bearer test-token-123');
  });

  it('reads v4 association batches with ids above 2^53 exact and 207 NO_ASSOCIATIONS_FOUND as empty', async () => {
    seen.length = 0;
    handler = (_req, res) =>
      json(
        res,
        207,
        `{"status":"COMPLETE","results":[{"from":{"id":"11"},"to":[{"toObjectId":18014398509481985,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]},{"toObjectId":42,"associationTypes":[]}],"paging":{"next":{"after":"MjA=","link":null}}}],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","subCategory":"crm.associations.NO_ASSOCIATIONS_FOUND","message":"No company is associated with contact 12.","context":{"fromObjectId":["12"],"fromObjectType":["contact"],"toObjectType":["company"]}}]}`,
      );
    const { api } = makeApi();
    const entries = await api.batchReadAssociations('contacts', 'companies', [{ id: '11' }, { id: '12', after: 'abc' }]);
    expect(entries).toEqual([
      {
        fromId: '11',
        to: [
          { toObjectId: '18014398509481985', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] },
          { toObjectId: '42', associationTypes: [] },
        ],
        nextAfter: 'MjA=',
      },
      { fromId: '12', to: [] },
    ]);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe('/crm/v4/associations/contacts/companies/batch/read');
    expect(JSON.parse(seen[0].body)).toEqual({ inputs: [{ id: '11' }, { id: '12', after: 'abc' }] });
  });

  it('classifies apiRequest statuses itself: a 400 form-submissions page is a skip', async () => {
    seen.length = 0;
    handler = (_req, res) =>
      json(res, 400, JSON.stringify({ status: 'error', category: 'VALIDATION_ERROR', subCategory: 'FORM_TYPE_NOT_ALLOWED', message: 'blog comments' }));
    const { api } = makeApi();
    const err = await api.listFormSubmissionsPage('guid-1').catch((e) => e);
    expect(err).toBeInstanceOf(SkippedItemError);
    expect(err.reason).toContain('FORM_TYPE_NOT_ALLOWED');
    expect(seen[0].url).toBe('/form-integrations/v1/submissions/forms/guid-1?limit=50');
  });

  it('retries an apiRequest 503 with an empty body, then reads the page', async () => {
    seen.length = 0;
    let n = 0;
    handler = (_req, res) => {
      if (n++ === 0) {
        res.writeHead(503);
        res.end();
      } else
        json(
          res,
          200,
          JSON.stringify({
            results: [{ conversionId: 'c1', submittedAt: 1700000000000, values: [{ name: 'email', value: 'x@y.z' }] }],
            paging: { next: { after: 'n1' } },
          }),
        );
    };
    const { api, executor } = makeApi();
    const page = await api.listFormSubmissionsPage('guid-2', 'cursor');
    expect(page.nextAfter).toBe('n1');
    expect(page.results[0].conversionId).toBe('c1');
    expect(seen.map((s) => s.url)).toEqual([
      '/form-integrations/v1/submissions/forms/guid-2?limit=50&after=cursor',
      '/form-integrations/v1/submissions/forms/guid-2?limit=50&after=cursor',
    ]);
    expect(executor.stats().retriesByCause['server-error']).toBe(1);
  });

  it('aborts a request that hangs (the server sees the socket close) and retries it', async () => {
    seen.length = 0;
    let n = 0;
    handler = (_req, res) => {
      if (n++ === 0) return; // never answer
      json(res, 200, JSON.stringify({ results: [], paging: undefined }));
    };
    const { api, log } = makeApi(150);
    const page = await api.listFormsPage();
    expect(page.results).toEqual([]);
    expect(seen).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen[0].closedEarly).toBe(true);
    expect(new URL(seen[1].url, baseUrl).searchParams.get('formTypes')).toBe('all');
    expect(log.find((e) => e.type === 'retry')).toMatchObject({ cause: 'timeout' });
  });

  it('sends searches through the search limiter, not the ten-secondly window', async () => {
    seen.length = 0;
    handler = (_req, res) =>
      json(
        res,
        200,
        JSON.stringify({
          total: 1,
          results: [{ id: '5', properties: {}, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', archived: false }],
        }),
      );
    const { api, window } = makeApi();
    const before = window.stats().acquisitions;
    const page = await api.searchObjects('deals', {
      filterGroups: [{ filters: [{ propertyName: modifiedDateProperty('deals'), operator: 'GT', value: '0' }] }],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      limit: 500,
    });
    expect(page.total).toBe(1);
    expect(window.stats().acquisitions).toBe(before);
    const body = JSON.parse(seen[0].body);
    expect(body.limit).toBe(200);
    expect(body.sorts).toEqual([{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }]);
  });

  it('maps the search cursor property: contacts differ from everything else', () => {
    expect(modifiedDateProperty('contacts')).toBe('lastmodifieddate');
    expect(['companies', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'].map(modifiedDateProperty)).toEqual(Array(7).fill('hs_lastmodifieddate'));
  });

  it('keeps its API groups undecorated when another Client with retries is built later (singleton gotcha)', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 500, JSON.stringify({ status: 'error', message: 'boom', category: 'INTERNAL_ERROR' }));
    const ours = createHubSpotClient({ accessToken: 'test-token-123', baseUrl });
    // Another client in the process turns on the library's retry decorator for everything decorated from now on.
    void new Client({ accessToken: 'other', basePath: baseUrl, numberOfApiCallRetries: 3 });
    const err = await ours.crm.objects.basicApi.getPage('contacts', 1).catch((e) => e);
    expect(err.code).toBe(500);
    // One attempt: the library's retry (3 attempts, 200 ms apart) never ran on our client.
    expect(seen).toHaveLength(1);
  });
});

describe('request sizes as sent (measured against what the server receives)', () => {
  const properties = Array.from({ length: 40 }, (_, i) => `prop_${i}_${'x'.repeat(i % 7)}`);

  it.each(['legacy', '2026-09', '2026-03'] as const)('%s: the list URL computed is byte for byte the one sent', async (version) => {
    seen.length = 0;
    handler = (_req, res) => json(res, 200, JSON.stringify({ results: [] }));
    const { api } = makeApi(5000, version);
    for (const after of [undefined, '18014398509481985']) {
      await api.listObjectsPage('contacts', { after, properties, archived: after !== undefined });
      const query = { limit: 100, after, properties, archived: after !== undefined };
      expect(seen[seen.length - 1].url).toBe(api.listRequestTarget('contacts', query));
      expect(Buffer.byteLength(seen[seen.length - 1].url)).toBe(listUrlBytes(version, baseUrl, 'contacts', query));
    }
  });

  it('dated list URLs carry properties comma-separated with literal commas (a third of the bytes per separator)', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 200, JSON.stringify({ results: [] }));
    const { api } = makeApi(5000, '2026-09');
    await api.listObjectsPage('contacts', { properties: ['email', 'firstname'] });
    expect(seen[0].url).toBe('/crm/objects/2026-09/contacts?limit=100&properties=email,firstname&archived=false');
    expect(listUrlBytes('legacy', baseUrl, 'contacts', { limit: 100, properties })).toBeGreaterThan(
      listUrlBytes('2026-09', baseUrl, 'contacts', { limit: 100, properties }) + 300,
    );
  });

  it.each(['legacy', '2026-09'] as const)('%s: the search body length computed is the one sent', async (version) => {
    seen.length = 0;
    handler = (_req, res) => json(res, 200, JSON.stringify({ total: 0, results: [] }));
    const { api } = makeApi(5000, version);
    const request = {
      filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'BETWEEN', value: '1700000000000', highValue: '1800000000000' }] }],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' as const }],
      properties,
      limit: 200,
    };
    await api.searchObjects('deals', request);
    expect(seen[0].body.length).toBe(searchBodyChars(request));
  });
});

describe("replies that are not the endpoint's shape are retried, never read as a page", () => {
  type Call = (api: HubSpotApi) => Promise<unknown>;
  const good: Record<string, string> = {
    list: JSON.stringify({ results: [{ id: '1', properties: {} }] }),
    search: JSON.stringify({ total: 1, results: [{ id: '1', properties: {} }] }),
    batch: JSON.stringify({ status: 'COMPLETE', results: [{ id: '1', properties: {} }] }),
    assoc: JSON.stringify({ status: 'COMPLETE', results: [{ from: { id: '1' }, to: [] }] }),
    properties: JSON.stringify({ results: [{ name: 'email', type: 'string' }] }),
    forms: JSON.stringify({ results: [{ id: 'g1', name: 'f', formType: 'hubspot' }] }),
    submissions: JSON.stringify({ results: [{ conversionId: 'c', submittedAt: 1, values: [] }] }),
    owners: JSON.stringify({ results: [{ id: '7', email: 'a@example.com', archived: false, createdAt: '2020-01-01T00:00:00Z' }] }),
    pipelines: JSON.stringify({
      results: [{ id: 'default', label: 'Sales', displayOrder: 0, archived: false, stages: [{ id: 'won', label: 'Won', metadata: {}, archived: false }] }],
    }),
    history: JSON.stringify({
      status: 'COMPLETE',
      results: [{ id: '1', properties: {}, propertiesWithHistory: { dealstage: [{ value: 'a', timestamp: '2025-01-01T00:00:00Z', sourceType: 'API' }] } }],
    }),
  };
  const calls: [string, ApiVersion, Call, string][] = [
    ['list (typed client)', 'legacy', (api) => api.listObjectsPage('contacts'), 'list'],
    ['list (dated)', '2026-09', (api) => api.listObjectsPage('contacts'), 'list'],
    ['search (typed client)', 'legacy', (api) => api.searchObjects('contacts', { limit: 1 }), 'search'],
    ['search (dated)', '2026-09', (api) => api.searchObjects('contacts', { limit: 1 }), 'search'],
    ['batch read (typed client)', 'legacy', (api) => api.batchReadObjects('contacts', ['1'], []), 'batch'],
    ['batch read (dated)', '2026-03', (api) => api.batchReadObjects('contacts', ['1'], []), 'batch'],
    ['association batch', '2026-09', (api) => api.batchReadAssociations('companies', 'contacts', [{ id: '1' }]), 'assoc'],
    ['properties (legacy)', 'legacy', (api) => api.getProperties('contacts'), 'properties'],
    ['owners (typed client)', 'legacy', (api) => api.listOwnersPage(false), 'owners'],
    ['owners (dated)', '2026-09', (api) => api.listOwnersPage(true), 'owners'],
    ['pipelines (typed client)', 'legacy', (api) => api.getPipelines('deals'), 'pipelines'],
    ['pipelines (dated)', '2026-09', (api) => api.getPipelines('deals'), 'pipelines'],
    ['history (typed client)', 'legacy', (api) => api.batchReadHistory('deals', ['1'], ['dealstage']), 'history'],
    ['history (dated)', '2026-09', (api) => api.batchReadHistory('deals', ['1'], ['dealstage']), 'history'],
    ['properties (dated)', '2026-09', (api) => api.getProperties('contacts'), 'properties'],
    ['forms', '2026-09', (api) => api.listFormsPage(), 'forms'],
    ['submissions', '2026-09', (api) => api.listFormSubmissionsPage('g1'), 'submissions'],
  ];
  const bad: [string, string, string][] = [
    ['a 200 HTML edge page', 'text/html', '<!DOCTYPE html><html><body>Just a moment...</body></html>'],
    ['200 {}', 'application/json', '{}'],
    ['a JSON string', 'application/json', '"maintenance"'],
    ['results that are not an array', 'application/json', '{"results":"x","total":1}'],
  ];
  for (const [name, version, call, kind] of calls) {
    it.each(bad)(`${name}: %s, then the real page`, async (_bad, contentType, body) => {
      seen.length = 0;
      let n = 0;
      handler = (_req, res) => {
        if (n++ === 0) {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        } else json(res, 200, good[kind]);
      };
      const { api, executor } = makeApi(5000, version);
      const result = await call(api);
      expect(result).toBeDefined();
      expect(seen).toHaveLength(2);
      expect(executor.stats().retriesByCause['malformed-response']).toBe(1);
    });
  }

  it('a reply that stays malformed fails the call after the attempts: it never becomes an empty page', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 200, '{}');
    const { api } = makeApi(5000, '2026-09');
    await expect(api.listObjectsPage('contacts')).rejects.toThrow(/still failing after 3 attempt\(s\): malformed-response/);
    expect(seen).toHaveLength(3);
  });
});

describe('HubSpotApi: dated paths, 414, association errors', () => {
  it('a 414 (an HTML page from the edge) is one RequestTooLongError naming the URL length, not retried', async () => {
    seen.length = 0;
    handler = (_req, res) => {
      res.writeHead(414, { 'content-type': 'text/html' });
      res.end('<html><body><h1>414 Request-URI Too Large</h1></body></html>');
    };
    for (const version of ['legacy', '2026-09'] as const) {
      seen.length = 0;
      const { api } = makeApi(5000, version);
      const err = await api.listObjectsPage('contacts', { properties: ['a', 'b'] }).catch((e) => e);
      expect(err).toBeInstanceOf(RequestTooLongError);
      expect(err.urlBytes).toBe(Buffer.byteLength(seen[0].url));
      expect(seen).toHaveLength(1);
    }
  });

  it('dated calls go to the dated paths through apiRequest, batch reads with archived in the query', async () => {
    seen.length = 0;
    handler = (req, res) => {
      if (req.url!.includes('/search')) return json(res, 200, JSON.stringify({ total: 0, results: [] }));
      if (req.url!.includes('/batch/read') && req.url!.startsWith('/crm/associations')) return json(res, 200, JSON.stringify({ results: [] }));
      if (req.url!.includes('/batch/read'))
        return json(
          res,
          207,
          JSON.stringify({ status: 'COMPLETE', results: [{ id: '7', properties: {} }], errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['8'] } }] }),
        );
      return json(res, 200, JSON.stringify({ results: [{ name: 'email' }] }));
    };
    const { api } = makeApi(5000, '2026-09');
    await api.searchObjects('deals', { limit: 10 });
    const read = await api.batchReadObjects('deals', ['7', '8', '9'], ['dealname'], true);
    await api.getProperties('deals');
    await api.batchReadAssociations('deals', 'contacts', [{ id: '7' }]);
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /crm/objects/2026-09/deals/search',
      'POST /crm/objects/2026-09/deals/batch/read?archived=true',
      'GET /crm/properties/2026-09/deals?archived=false',
      'POST /crm/associations/2026-09/deals/contacts/batch/read',
    ]);
    expect(JSON.parse(seen[1].body)).toEqual({ inputs: [{ id: '7' }, { id: '8' }, { id: '9' }], properties: ['dealname'], propertiesWithHistory: [] });
    // Missing means not returned, whatever the errors list says (here it names only 8).
    expect(read.missingIds).toEqual(['8', '9']);
  });

  it('an association input named by another error, or not in the reply at all, comes back with error set', async () => {
    seen.length = 0;
    handler = (_req, res) =>
      json(
        res,
        207,
        JSON.stringify({
          status: 'COMPLETE',
          results: [{ from: { id: '1' }, to: [{ toObjectId: 5, associationTypes: [] }] }],
          errors: [
            {
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
              message: 'none',
              context: { fromObjectId: ['2'] },
            },
            { status: 'error', category: 'INTERNAL_ERROR', message: 'try again', context: { fromObjectId: ['3'] } },
          ],
        }),
      );
    const { api } = makeApi(5000, 'legacy');
    const entries = await api.batchReadAssociations('companies', 'contacts', [{ id: '1' }, { id: '2' }, { id: '3' }, { id: '4' }]);
    expect(entries).toEqual([
      { fromId: '1', to: [{ toObjectId: '5', associationTypes: [] }] },
      { fromId: '2', to: [] },
      { fromId: '3', to: [], error: 'INTERNAL_ERROR: try again' },
      { fromId: '4', to: [], error: 'missing from the reply (neither in results nor in errors)' },
    ]);
  });
});

describe('HubSpotApi: custom object schemas and types a portal lacks', () => {
  const SCHEMA = {
    id: '3589506',
    objectTypeId: '2-3589506',
    name: 'projects',
    fullyQualifiedName: 'p20000001_projects',
    archived: false,
    labels: { singular: 'Project', plural: 'Projects' },
    requiredProperties: [],
    searchableProperties: [],
    secondaryDisplayProperties: [],
    allowsSensitiveProperties: false,
    properties: [],
    associations: [{ id: '1700', fromObjectTypeId: '2-3589506', toObjectTypeId: '0-1', name: 'projects_to_contacts' }],
  };

  it('lists the schemas at the dated path, association definitions in, property definitions out', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 200, JSON.stringify({ results: [SCHEMA] }));
    const { api } = makeApi(5000, '2026-09');
    expect(await api.listSchemas()).toEqual([
      {
        objectTypeId: '2-3589506',
        name: 'projects',
        fullyQualifiedName: 'p20000001_projects',
        archived: false,
        associations: [{ id: '1700', fromObjectTypeId: '2-3589506', toObjectTypeId: '0-1' }],
      },
    ]);
    const url = new URL(seen[0].url, baseUrl);
    expect(url.pathname).toBe('/crm-object-schemas/2026-09/schemas');
    expect(url.searchParams.get('includeAssociationDefinitions')).toBe('true');
    expect(url.searchParams.get('includePropertyDefinitions')).toBe('false');
  });

  it('a schemas reply that is not the shape is retried, never read as "no custom objects"', async () => {
    seen.length = 0;
    let n = 0;
    handler = (_req, res) =>
      n++ === 0 ? json(res, 200, JSON.stringify({ results: [{ name: 'projects' }] })) : json(res, 200, JSON.stringify({ results: [SCHEMA] }));
    const { api } = makeApi(5000, '2026-09');
    expect((await api.listSchemas()).map((s) => s.objectTypeId)).toEqual(['2-3589506']);
    expect(seen).toHaveLength(2);
  });

  const refused = JSON.stringify({
    status: 'error',
    message: "This app hasn't been granted all required scopes to make this call.",
    category: 'MISSING_SCOPES',
    errors: [{ context: { requiredGranularScopes: ['crm.objects.leads.read'] } }],
  });
  const table: [string, (api: HubSpotApi) => Promise<unknown>, readonly string[]][] = [
    ['the properties of leads', (api) => api.getProperties('leads'), ['leads']],
    ['a list page of a custom object', (api) => api.listObjectsPage('2-3589506', {}), ['2-3589506']],
    ['a search of products', (api) => api.searchObjects('products', { limit: 1 }), ['products']],
    ['companies -> leads associations (only leads may be missing)', (api) => api.batchReadAssociations('companies', 'leads', [{ id: '1' }]), ['leads']],
    ['the schemas API (no custom object scopes)', (api) => api.listSchemas(), ['custom_objects']],
  ];
  it.each(table)('403 on %s: the type is unavailable, the run is not stopped', async (_name, call, types) => {
    handler = (_req, res) => json(res, 403, refused);
    const { api, executor } = makeApi(5000, '2026-09');
    const error = await call(api).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectTypeUnavailableError);
    expect((error as ObjectTypeUnavailableError).types).toEqual(types);
    expect(executor.fatalError()).toBeUndefined();
  });

  it('403 on contacts still stops the run: a key without a core scope', async () => {
    handler = (_req, res) => json(res, 403, refused);
    const { api, executor } = makeApi(5000, '2026-09');
    await expect(api.getProperties('contacts')).rejects.toBeInstanceOf(FatalRunError);
    expect(executor.fatalError()).toBeInstanceOf(FatalRunError);
  });
});

describe('owners are optional: a missing scope skips them, never the run', () => {
  it.each(['legacy', '2026-09'] as const)('%s: a 403 on owners is a skipped call, and the next call still goes out', async (version) => {
    seen.length = 0;
    handler = (req, res) => {
      if (req.url!.includes('/owners')) {
        json(
          res,
          403,
          JSON.stringify({
            status: 'error',
            message: "This app hasn't been granted all required scopes to make this call.",
            category: 'MISSING_SCOPES',
            correlationId: 'x',
          }),
        );
      } else json(res, 200, JSON.stringify({ results: [{ name: 'email', type: 'string' }] }));
    };
    const { api, executor } = makeApi(5000, version);
    await expect(api.listOwnersPage(false)).rejects.toBeInstanceOf(SkippedItemError);
    expect(executor.fatalError()).toBeUndefined();
    expect(await api.getProperties('contacts')).toHaveLength(1);
    expect(seen).toHaveLength(2);
  });

  it('a 403 anywhere else still stops the run', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 403, JSON.stringify({ status: 'error', message: 'missing scopes', category: 'MISSING_SCOPES' }));
    const { api, executor } = makeApi(5000, '2026-09');
    await expect(api.getPipelines('deals')).rejects.toBeInstanceOf(FatalRunError);
    expect(executor.fatalError()).toBeInstanceOf(FatalRunError);
  });
});
