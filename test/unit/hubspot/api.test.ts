import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@hubspot/api-client';
import { systemClock } from '../../../src/clock.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import { HubSpotApi, modifiedDateProperty } from '../../../src/hubspot/api.js';
import { createHubSpotClient } from '../../../src/hubspot/client.js';
import { SkippedItemError } from '../../../src/processor/errors.js';
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

function makeApi(timeoutMs = 5000) {
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
  return { api: new HubSpotApi(client, executor), executor, log, window };
}

describe('HubSpotApi against a loopback server', () => {
  it('lists a page through the typed client with our paging and normalised objects', async () => {
    seen.length = 0;
    handler = (_req, res) =>
      json(res, 200, JSON.stringify({
        results: [{ id: '101', properties: { email: 'a@b.c', lastmodifieddate: null }, createdAt: '2024-01-02T03:04:05.678Z', updatedAt: '2024-02-02T03:04:05.678Z', archived: false }],
        paging: { next: { after: '102', link: 'x' } },
      }), { 'x-hubspot-ratelimit-max': '100', 'x-hubspot-ratelimit-remaining': '99', 'x-hubspot-ratelimit-interval-milliseconds': '1000' });
    const { api } = makeApi();
    const page = await api.listObjectsPage('contacts', { after: '100', properties: ['email', 'lastmodifieddate'] });
    expect(page).toEqual({
      results: [{ id: '101', properties: { email: 'a@b.c', lastmodifieddate: null }, createdAt: '2024-01-02T03:04:05.678Z', updatedAt: '2024-02-02T03:04:05.678Z', archived: false }],
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
      json(res, 207, `{"status":"COMPLETE","results":[{"from":{"id":"11"},"to":[{"toObjectId":18014398509481985,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]},{"toObjectId":42,"associationTypes":[]}],"paging":{"next":{"after":"MjA=","link":null}}}],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","subCategory":"crm.associations.NO_ASSOCIATIONS_FOUND","message":"No company is associated with contact 12.","context":{"fromObjectId":["12"],"fromObjectType":["contact"],"toObjectType":["company"]}}]}`);
    const { api } = makeApi();
    const entries = await api.batchReadAssociations('contacts', 'companies', [{ id: '11' }, { id: '12', after: 'abc' }]);
    expect(entries).toEqual([
      { fromId: '11', to: [{ toObjectId: '18014398509481985', associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }] }, { toObjectId: '42', associationTypes: [] }], nextAfter: 'MjA=' },
      { fromId: '12', to: [] },
    ]);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe('/crm/v4/associations/contacts/companies/batch/read');
    expect(JSON.parse(seen[0].body)).toEqual({ inputs: [{ id: '11' }, { id: '12', after: 'abc' }] });
  });

  it('classifies apiRequest statuses itself: a 400 form-submissions page is a skip', async () => {
    seen.length = 0;
    handler = (_req, res) => json(res, 400, JSON.stringify({ status: 'error', category: 'VALIDATION_ERROR', subCategory: 'FORM_TYPE_NOT_ALLOWED', message: 'blog comments' }));
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
      } else json(res, 200, JSON.stringify({ results: [{ conversionId: 'c1', submittedAt: 1700000000000, values: [{ name: 'email', value: 'x@y.z' }] }], paging: { next: { after: 'n1' } } }));
    };
    const { api, executor } = makeApi();
    const page = await api.listFormSubmissionsPage('guid-2', 'cursor');
    expect(page.nextAfter).toBe('n1');
    expect(page.results[0].conversionId).toBe('c1');
    expect(seen.map((s) => s.url)).toEqual(['/form-integrations/v1/submissions/forms/guid-2?limit=50&after=cursor', '/form-integrations/v1/submissions/forms/guid-2?limit=50&after=cursor']);
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
    handler = (_req, res) => json(res, 200, JSON.stringify({ total: 1, results: [{ id: '5', properties: {} , createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', archived: false }] }));
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
