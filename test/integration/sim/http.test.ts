import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { compareIds } from '../../../src/sim/ids.js';
import { ZERO_FAULTS, type FaultRates } from '../../../src/sim/options.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/simulator.js';
import { call } from './http-client.js';

const RATE_HEADERS = [
  'x-hubspot-ratelimit-max',
  'x-hubspot-ratelimit-remaining',
  'x-hubspot-ratelimit-interval-milliseconds',
  'x-hubspot-ratelimit-daily',
  'x-hubspot-ratelimit-daily-remaining',
];

describe('rate limits over HTTP', () => {
  it('answers exactly one of 191 in-window requests on a Professional token with the 429 body and headers', async () => {
    const sim = await startSimulator({ tier: 'professional', seed: 5 });
    try {
      const replies = await Promise.all(Array.from({ length: 191 }, () => call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=1')));
      const limited = replies.filter((r) => r.status === 429);
      expect(limited).toHaveLength(1);
      expect(replies.filter((r) => r.status === 200)).toHaveLength(190);
      const [reply] = limited;
      expect(reply.headers['content-type']).toContain('application/json');
      const body = reply.json();
      expect(body).toMatchObject({
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      });
      expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body).not.toHaveProperty('category');
      expect(reply.headers['x-hubspot-ratelimit-max']).toBe('190');
      expect(reply.headers['x-hubspot-ratelimit-remaining']).toBe('0');
      expect(reply.headers['x-hubspot-ratelimit-interval-milliseconds']).toBe('10000');
      expect(reply.headers['x-hubspot-ratelimit-daily']).toBe('625000');
      expect(reply.headers['x-hubspot-ratelimit-daily-remaining']).toBe('624810');
      expect(reply.headers['retry-after']).toBe('10');
      const log = sim.requests();
      expect(log).toHaveLength(191);
      expect(log.filter((e) => e.status === 429).map((e) => [e.window, e.policy])).toEqual([[191, 'TEN_SECONDLY_ROLLING']]);
      expect(Math.max(...log.filter((e) => e.status === 200).map((e) => e.window))).toBe(190);
    } finally {
      await sim.close();
    }
  });

  it('uses a settable window on the injected clock and frees slots as arrivals age out', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5));
    const sim = await startSimulator({ clock, tenSecondLimit: 50, rateLimitWindowMs: 2000, retryAfter: false });
    try {
      const first = await Promise.all(Array.from({ length: 51 }, () => call(sim.url, 'GET', '/crm/v3/objects/deals?limit=1')));
      expect(first.filter((r) => r.status === 429)).toHaveLength(1);
      expect(first.find((r) => r.status === 429)!.headers['retry-after']).toBeUndefined();
      await clock.advance(2000);
      const later = await call(sim.url, 'GET', '/crm/v3/objects/deals?limit=1');
      expect(later.status).toBe(200);
      expect(later.headers['x-hubspot-ratelimit-remaining']).toBe('49');
    } finally {
      await sim.close();
    }
  });

  it('limits search to 5 per second with SECONDLY, outside the 10 s window and without rate-limit headers', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5));
    const sim = await startSimulator({ clock, tenSecondLimit: 3 });
    try {
      const replies = await Promise.all(Array.from({ length: 6 }, () => call(sim.url, 'POST', '/crm/v3/objects/companies/search', { body: { limit: 1 } })));
      expect(replies.filter((r) => r.status === 200)).toHaveLength(5);
      const limited = replies.find((r) => r.status === 429)!;
      expect(limited.json()).toMatchObject({ policyName: 'SECONDLY', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' });
      for (const reply of replies) for (const header of RATE_HEADERS) expect(reply.headers[header]).toBeUndefined();
      const standard = await Promise.all(Array.from({ length: 3 }, () => call(sim.url, 'GET', '/crm/v3/objects/companies')));
      expect(standard.every((r) => r.status === 200)).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('lets background load from another app eat the same window, logged as such', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5));
    const sim = await startSimulator({ clock, tenSecondLimit: 1000, rateLimitWindowMs: 200, backgroundLoad: 20 });
    try {
      // The other app was already running: its previous window (19 before this instant) counts from the start.
      const first = await call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=1');
      const log = sim.requests();
      const ours = log.findIndex((e) => e.source !== 'background');
      const loggedBefore = log.slice(0, ours).length;
      expect(log[ours].window).toBe(19 + loggedBefore + 1);
      expect(Number(first.headers['x-hubspot-ratelimit-remaining'])).toBe(1000 - log[ours].window!);
      await new Promise((resolve) => setTimeout(resolve, 120));
      const reply = await call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=1');
      expect(sim.requests().filter((e) => e.source === 'background').length).toBeGreaterThan(0);
      expect(Number(reply.headers['x-hubspot-ratelimit-remaining'])).toBeLessThan(999);
    } finally {
      await sim.close();
    }
  });

  it('writes the request log as NDJSON and serves it at /__sim/requests', async () => {
    const file = path.join(tmpdir(), `sim-log-${process.pid}-${Date.now()}.ndjson`);
    const sim = await startSimulator({ requestLogFile: file });
    try {
      await call(sim.url, 'GET', '/crm/v3/objects/notes?limit=2');
      await call(sim.url, 'POST', '/crm/v3/objects/notes/search', { body: {} });
      await call(sim.url, 'GET', '/crm/v3/objects/notes', { token: 'wrong' });
      const served = (await call(sim.url, 'GET', '/__sim/requests')).json();
      expect(served.map((e: { status: number }) => e.status)).toEqual([200, 200, 401]);
      await sim.close();
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toEqual(served);
      expect(lines[0]).toMatchObject({ method: 'GET', path: '/crm/v3/objects/notes', status: 200, window: 1 });
      expect(lines[1]).toMatchObject({ method: 'POST', kind: 'search', searchWindow: 1 });
      expect(typeof lines[0].t).toBe('number');
    } finally {
      await sim.close().catch(() => undefined);
      await rm(file, { force: true });
    }
  });
});

describe('portal endpoints over HTTP', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 9, rateLimit: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers a missing or wrong token with 401 and HubSpot's body", async () => {
    for (const token of [null, 'not-the-token']) {
      const reply = await call(sim.url, 'GET', '/crm/v3/objects/contacts', { token });
      expect(reply.status).toBe(401);
      expect(reply.headers['content-type']).toContain('application/json');
      expect(reply.json()).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      expect(reply.json().correlationId).toBeTypeOf('string');
      expect(reply.text).not.toContain('sim-token');
    }
  });

  it('answers out-of-range limits and oversize batches with 400 VALIDATION_ERROR', async () => {
    const hub = sim.portal.records('companies')[0].id;
    const replies = await Promise.all([
      call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=101'),
      call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=0'),
      call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: { limit: 201 } }),
      call(sim.url, 'POST', '/crm/v3/objects/contacts/batch/read', {
        body: { inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) })), properties: [] },
      }),
      call(sim.url, 'GET', `/crm/v4/objects/companies/${hub}/associations/contacts?limit=501`),
      call(sim.url, 'POST', '/crm/v4/associations/companies/contacts/batch/read', {
        body: { inputs: Array.from({ length: 1001 }, (_, i) => ({ id: String(i + 1) })) },
      }),
      call(sim.url, 'GET', `/form-integrations/v1/submissions/forms/${sim.portal.forms[0].id}?limit=51`),
      call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: { sorts: [{ propertyName: 'createdate' }, { propertyName: 'lastmodifieddate' }] } }),
      call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: { filterGroups: Array.from({ length: 6 }, () => ({ filters: [] })) } }),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBe(400);
      expect(reply.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    }
  });

  it('pages lists by ascending id with after = the next record id, archived separately', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const reply = await call(sim.url, 'GET', `/crm/v3/objects/deals?limit=7${after ? `&after=${after}` : ''}`);
      const body = reply.json();
      seen.push(...body.results.map((r: { id: string }) => r.id));
      after = body.paging?.next?.after;
      if (after) expect(body.paging.next.link).toContain(`after=${after}`);
    } while (after);
    const expected = sim
      .manifest()
      .objects.deals.filter((r) => !r.archived)
      .map((r) => r.id);
    expect(seen).toEqual(expected);
    const archived = (await call(sim.url, 'GET', '/crm/v3/objects/deals?limit=100&archived=true')).json();
    expect(archived.results.map((r: { id: string }) => r.id)).toEqual(
      sim
        .manifest()
        .objects.deals.filter((r) => r.archived)
        .map((r) => r.id),
    );
    expect(archived.results.every((r: { archived: boolean; archivedAt?: string }) => r.archived && r.archivedAt)).toBe(true);
  });

  it('accepts properties comma-separated and as repeated keys, and returns ids as strings', async () => {
    const a = (await call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=3&properties=phone,biography')).json();
    const b = (await call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=3&properties=phone&properties=biography')).json();
    expect(a).toEqual(b);
    expect(Object.keys(a.results[0].properties).sort()).toEqual(['biography', 'createdate', 'hs_object_id', 'lastmodifieddate', 'phone']);
    expect(a.results[0].id).toBeTypeOf('string');
  });

  it('returns association lists longer than one page whole across pages of the per-object endpoint', async () => {
    const hub = sim.portal.records('companies')[0].id;
    const expected = sim.portal.associatedIds('companies', 'contacts', hub);
    expect(expected.length).toBeGreaterThan(500);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const reply = await call(sim.url, 'GET', `/crm/v4/objects/companies/${hub}/associations/contacts${after ? `?after=${after}` : ''}`);
      // Read the ids from the JSON text: they are bare numbers, some beyond 2^53.
      seen.push(...[...reply.text.matchAll(/"toObjectId":(\d+)/g)].map((m) => m[1]));
      after = reply.json().paging?.next?.after;
      pages++;
    } while (after);
    expect(pages).toBe(2);
    expect(seen).toEqual(expected);
  });

  it('returns long association lists whole across per-input pages of v4 batch read, with 207 for inputs without any', async () => {
    const hubContact = sim.portal.records('contacts')[0].id;
    const expected = sim.portal.associatedIds('contacts', 'calls', hubContact);
    expect(expected.length).toBeGreaterThan(500);
    const seen: string[] = [];
    let after: string | undefined;
    let first = true;
    do {
      const inputs = first ? [{ id: hubContact }, { id: '12345' }] : [{ id: hubContact, after }];
      const reply = await call(sim.url, 'POST', '/crm/v4/associations/contacts/calls/batch/read', { body: { inputs } });
      const body = reply.json();
      if (first) {
        expect(reply.status).toBe(207);
        expect(body.numErrors).toBe(1);
        expect(body.errors[0]).toMatchObject({
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          context: { fromObjectId: ['12345'] },
        });
      } else expect(reply.status).toBe(200);
      seen.push(...[...reply.text.matchAll(/"toObjectId":(\d+)/g)].map((m) => m[1]));
      after = body.results[0].paging?.next?.after;
      first = false;
    } while (after);
    expect(seen).toEqual(expected);
  });

  it('writes toObjectId as a JSON number that keeps ids above 2^53 exact in the text', async () => {
    const edges = sim.manifest().associations.find((a) => a.pair === 'deals->contacts')!.edges;
    const [deal, contact] = edges.find(([, to]) => BigInt(to) > 2n ** 53n)!;
    const reply = await call(sim.url, 'GET', `/crm/v4/objects/deals/${deal}/associations/contacts`);
    expect(reply.text).toContain(`"toObjectId":${contact},`);
  });

  it('serves forms of the asked types (hubspot by default) and blocks blog_comment submissions', async () => {
    const all = (await call(sim.url, 'GET', '/marketing/v3/forms?formTypes=all&limit=100')).json();
    const byDefault = (await call(sim.url, 'GET', '/marketing/v3/forms?limit=100')).json();
    const repeated = (await call(sim.url, 'GET', '/marketing/v3/forms?formTypes=captured&formTypes=flow&limit=100')).json();
    expect(byDefault.results.every((f: { formType: string }) => f.formType === 'hubspot')).toBe(true);
    expect(new Set(all.results.map((f: { formType: string }) => f.formType))).toEqual(new Set(['hubspot', 'captured', 'flow', 'blog_comment']));
    expect(new Set(repeated.results.map((f: { formType: string }) => f.formType))).toEqual(new Set(['captured', 'flow']));
    const blog = all.results.find((f: { formType: string }) => f.formType === 'blog_comment');
    const refused = await call(sim.url, 'GET', `/form-integrations/v1/submissions/forms/${blog.id}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('FORM_TYPE_NOT_ALLOWED');
  });

  it('pages submissions newest first with an opaque after, matching the manifest', async () => {
    const manifest = sim.manifest();
    const [formId, expected] = Object.entries(manifest.submissions).sort((a, b) => b[1].length - a[1].length)[0];
    expect(expected.length).toBeGreaterThan(50);
    const seen: unknown[] = [];
    let after: string | undefined;
    do {
      const body = (await call(sim.url, 'GET', `/form-integrations/v1/submissions/forms/${formId}?limit=50${after ? `&after=${after}` : ''}`)).json();
      seen.push(...body.results);
      after = body.paging?.next?.after;
    } while (after);
    expect(seen).toEqual(expected.map((s) => ({ conversionId: s.conversionId, submittedAt: s.submittedAt, values: s.values, pageUrl: s.pageUrl })));
  });

  it('serves byte-identical manifests for the same seed', async () => {
    const twin = await startSimulator({ seed: 9 });
    try {
      const a = await call(sim.url, 'GET', '/__sim/manifest');
      const b = await call(twin.url, 'GET', '/__sim/manifest');
      expect(a.text.length).toBeGreaterThan(1000);
      expect(a.text).toBe(b.text);
    } finally {
      await twin.close();
    }
  });
});

describe('search over HTTP', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({
      seed: 3,
      rateLimit: false,
      size: { contacts: 10_600, companies: 5, deals: 5, engagements: 25, forms: 1, submissions: 0 },
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  const everything = { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '0' }] }] };

  it('makes the 10,000th result the last one reachable: after=9800 limit=200 works, after=10000 is a 400', async () => {
    const expected = sim
      .manifest()
      .objects.contacts.filter((r) => !r.archived)
      .map((r) => r.id);
    expect(expected.length).toBeGreaterThan(10_000);
    const page = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: { ...everything, limit: 200, after: '9800' } });
    expect(page.status).toBe(200);
    const body = page.json();
    expect(body.total).toBe(expected.length);
    expect(body.results.map((r: { id: string }) => r.id)).toEqual(expected.slice(9800, 10_000));
    expect(body.paging.next.after).toBe('10000');
    const beyond = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: { ...everything, limit: 200, after: body.paging.next.after } });
    expect(beyond.status).toBe(400);
    expect(beyond.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('filters and sorts on the modified date (lastmodifieddate for contacts) and hs_object_id', async () => {
    const records = sim.manifest().objects.contacts.filter((r) => !r.archived);
    const times = records.map((r) => Date.parse(r.updatedAt)).sort((a, b) => a - b);
    const low = times[100];
    const high = times[150];
    const reply = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', {
      body: {
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'BETWEEN', value: String(low), highValue: String(high) }] }],
        sorts: [{ propertyName: 'lastmodifieddate', direction: 'DESCENDING' }],
        limit: 200,
        properties: ['email'],
      },
    });
    const body = reply.json();
    const expected = records
      .filter((r) => Date.parse(r.updatedAt) >= low && Date.parse(r.updatedAt) <= high)
      .sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || compareIds(a.id, b.id));
    expect(body.results.map((r: { id: string }) => r.id)).toEqual(expected.map((r) => r.id));
    expect(body.results[0].properties.email).toBe(expected[0].properties.email);
    const wrongCursor = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', {
      body: { filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: '0' }] }] },
    });
    expect(wrongCursor.json().total).toBe(0);
    const ids = [records[3].id, records[4].id];
    const byId = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', {
      body: { filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'IN', values: ids }] }] },
    });
    expect(byId.json().results.map((r: { id: string }) => r.id)).toEqual(ids);
  });

  it('lags writes by the configured delay and never shows archived records', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 1));
    const lagging = await startSimulator({ clock, rateLimit: false, searchLagMs: 5000 });
    try {
      const created = lagging.portal.create('tasks', clock.now());
      const query = { filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: created.id }] }] };
      const before = (await call(lagging.url, 'POST', '/crm/v3/objects/tasks/search', { body: query })).json();
      expect(before.total).toBe(0);
      const listed = (await call(lagging.url, 'GET', `/crm/v3/objects/tasks?after=${created.id}`)).json();
      expect(listed.results[0].id).toBe(created.id);
      await clock.advance(5001);
      const after = (await call(lagging.url, 'POST', '/crm/v3/objects/tasks/search', { body: query })).json();
      expect(after.total).toBe(1);
      const archivedIds = new Set(
        lagging
          .manifest()
          .objects.tasks.filter((r) => r.archived)
          .map((r) => r.id),
      );
      const all = (await call(lagging.url, 'POST', '/crm/v3/objects/tasks/search', { body: { limit: 200 } })).json();
      expect(all.results.some((r: { id: string }) => archivedIds.has(r.id))).toBe(false);
    } finally {
      await lagging.close();
    }
  });
});

describe('faults over HTTP', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 4, rateLimit: false, timeoutHoldMs: 5000 });
  });
  afterAll(async () => {
    await sim.close();
  });
  const fault = (faults: Partial<FaultRates>) => sim.setOptions({ faults: { ...ZERO_FAULTS, ...faults } });

  it('resets connections', async () => {
    fault({ reset: 1 });
    await expect(call(sim.url, 'GET', '/crm/v3/objects/contacts')).rejects.toThrow();
    expect(sim.requests().at(-1)).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('holds requests without ever answering until the client gives up', async () => {
    fault({ timeout: 1 });
    await expect(call(sim.url, 'GET', '/crm/v3/objects/contacts', { timeoutMs: 200 })).rejects.toThrow('client timeout');
    expect(sim.requests().at(-1)).toMatchObject({ status: 0, fault: 'timeout' });
  });

  it('sends truncated JSON with status 200: the first half of the real page, by characters', async () => {
    // A page of every property is encoded record by record (jsonPage); its cut is still the text's first half.
    const path = '/crm/v3/objects/contacts?limit=20&properties=firstname,lastname,biography,email';
    fault({});
    const whole = (await call(sim.url, 'GET', path)).text;
    fault({ malformed: 1 });
    const reply = await call(sim.url, 'GET', path);
    expect(reply.status).toBe(200);
    expect(() => reply.json()).toThrow();
    // Through UTF-8 as on the wire (a cut inside an emoji leaves a lone surrogate, sent as U+FFFD).
    expect(reply.text).toBe(Buffer.from(whole.slice(0, Math.floor(whole.length / 2)), 'utf8').toString('utf8'));
  });

  it('sends 5xx with JSON, HTML or empty bodies', async () => {
    fault({ serverError: 1 });
    const replies = await Promise.all(Array.from({ length: 40 }, () => call(sim.url, 'GET', '/crm/v3/objects/contacts')));
    const statuses = new Set(replies.map((r) => r.status));
    expect([...statuses].sort()).toEqual([500, 502, 503, 504]);
    expect(replies.find((r) => r.status === 503)!.text).toBe('');
    expect(replies.find((r) => r.status === 502)!.headers['content-type']).toBe('text/html');
  });

  it('sends bursts of 429 and 423 Locked', async () => {
    fault({ burst429: 1, burst429Length: 3 });
    const burst = await call(sim.url, 'GET', '/crm/v3/objects/contacts');
    expect(burst.status).toBe(429);
    expect(burst.json().policyName).toBe('TEN_SECONDLY_ROLLING');
    fault({ locked: 1 });
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push((await call(sim.url, 'GET', '/crm/v3/objects/contacts')).status);
    // The burst started above still has two 429s to send before the lock fault takes over.
    expect(replies).toEqual([429, 429, 423]);
  });

  it("sends 477 Migration in Progress with Retry-After in seconds, and the edge's 524 as HTML", async () => {
    fault({ migration: 1, migrationRetryAfterSeconds: 30 });
    const migrating = await call(sim.url, 'GET', '/crm/v3/objects/contacts');
    expect(migrating.status).toBe(477);
    expect(migrating.headers['retry-after']).toBe('30');
    expect(migrating.json()).toMatchObject({ status: 'error', category: 'MIGRATION_IN_PROGRESS' });
    expect(sim.requests().at(-1)).toMatchObject({ status: 477, fault: 'migration' });
    fault({ originTimeout: 1 });
    const edge = await call(sim.url, 'GET', '/crm/v3/objects/contacts');
    expect(edge.status).toBe(524);
    expect(edge.headers['content-type']).toContain('text/html');
    expect(edge.text).toContain('Error code 524');
  });

  it('expires the token mid-run with 401 EXPIRED_AUTHENTICATION', async () => {
    fault({});
    sim.setOptions({ tokenExpiresAfter: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await call(sim.url, 'GET', '/crm/v3/objects/contacts'));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 401]);
    expect(statuses[2].json().category).toBe('EXPIRED_AUTHENTICATION');
    sim.setOptions({ tokenExpiresAfter: 0 });
    expect((await call(sim.url, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });
});

describe('changes while paging', () => {
  it('shows a record on two consecutive search pages when an update moves it ahead of the cursor', async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1));
    const sim = await startSimulator({ clock, rateLimit: false, seed: 12 });
    try {
      const query = (after: string) => ({
        filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: '0' }] }],
        sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'DESCENDING' }],
        limit: 10,
        after,
      });
      const first = (await call(sim.url, 'POST', '/crm/v3/objects/deals/search', { body: query('0') })).json();
      const pageTwo = (await call(sim.url, 'POST', '/crm/v3/objects/deals/search', { body: query('10') })).json();
      // Another user edits a deal on page two: it jumps to the head of the order and pushes page one down by one.
      sim.portal.update(sim.portal.get('deals', pageTwo.results[4].id)!, clock.now());
      const second = (await call(sim.url, 'POST', '/crm/v3/objects/deals/search', { body: query(first.paging.next.after) })).json();
      expect(second.results[0].id).toBe(first.results.at(-1).id);
      const gone = sim.portal.get('deals', first.results[0].id)!;
      sim.portal.hardDelete(gone, clock.now());
      const missing = await call(sim.url, 'GET', `/crm/v3/objects/deals/${gone.id}`);
      expect(missing.status).toBe(404);
      expect(sim.manifest().deleted.deals).toContain(gone.id);
    } finally {
      await sim.close();
    }
  });
});
