import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { compareIds } from '../../../src/sim/ids.js';
import { ZERO_FAULTS, type SimulatorOptions } from '../../../src/sim/options.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/simulator.js';
import { call } from './http-client.js';

/** What a real portal does that a small fixture does not (contract §6): size limits, drift, edge pages, versions. */

const TINY = { contacts: 300, companies: 40, deals: 20, engagements: 100, forms: 4, submissions: 20 };

/** A GET of contacts whose path+query is exactly `bytes` long (padding with a property name HubSpot ignores). */
function contactsUrlOf(bytes: number): string {
  const head = '/crm/v3/objects/contacts?limit=1&properties=email,';
  return head + 'x'.repeat(bytes - head.length);
}

describe('request size limits', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 31, size: TINY });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers a path+query over 8,192 bytes with the edge's 414 HTML page, not counted in the window but logged", async () => {
    const atLimit = await call(sim.url, 'GET', contactsUrlOf(8192));
    expect(atLimit.status).toBe(200);
    expect(atLimit.headers['x-hubspot-ratelimit-remaining']).toBe('189');
    const over = await call(sim.url, 'GET', contactsUrlOf(8193));
    expect(over.status).toBe(414);
    expect(over.headers['content-type']).toBe('text/html');
    expect(over.text).toContain('414 Request-URI Too Large');
    expect(() => over.json()).toThrow();
    expect(over.headers['x-hubspot-ratelimit-remaining']).toBeUndefined();
    // Far past Node's own 16 KB header limit, still the edge's 414 (never a 431).
    const huge = await call(sim.url, 'GET', contactsUrlOf(40_000));
    expect(huge.status).toBe(414);
    const after = await call(sim.url, 'GET', '/crm/v3/objects/contacts?limit=1');
    expect(after.headers['x-hubspot-ratelimit-remaining']).toBe('188');
    const log = sim.requests();
    expect(log.map((e) => [e.status, e.window, e.edge])).toEqual([
      [200, 1, undefined],
      [414, 1, 'uri-too-long'],
      [414, 1, 'uri-too-long'],
      [200, 2, undefined],
    ]);
  });

  it('honours a configured limit', async () => {
    sim.setOptions({ maxUrlBytes: 100 });
    try {
      expect((await call(sim.url, 'GET', contactsUrlOf(100))).status).toBe(200);
      expect((await call(sim.url, 'GET', contactsUrlOf(101))).status).toBe(414);
    } finally {
      sim.setOptions({ maxUrlBytes: 8192 });
    }
  });

  it('answers a search body over 3,000 characters with 400 VALIDATION_ERROR and one of 3,000 with results', async () => {
    const bodyOf = (chars: number) => {
      const base = JSON.stringify({ limit: 1, properties: [''] });
      return { limit: 1, properties: ['y'.repeat(chars - base.length)] };
    };
    expect(JSON.stringify(bodyOf(3000)).length).toBe(3000);
    const ok = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: bodyOf(3000) });
    expect(ok.status).toBe(200);
    const tooLong = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: bodyOf(3001) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });
});

describe("a 200 from the edge that is not the API's JSON", () => {
  it('sends an HTML challenge or maintenance page with status 200, logged as a fault', async () => {
    const sim = await startSimulator({ seed: 32, size: TINY, rateLimit: false, faults: { ...ZERO_FAULTS, edgePage200: 1 } });
    try {
      const replies = await Promise.all(Array.from({ length: 12 }, () => call(sim.url, 'GET', '/crm/v3/objects/contacts')));
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(reply.headers['content-type']).toContain('text/html');
        expect(reply.text).toMatch(/^<!DOCTYPE html>/);
        expect(() => reply.json()).toThrow();
      }
      expect(new Set(replies.map((r) => (r.text.includes('Just a moment') ? 'challenge' : 'maintenance'))).size).toBe(2);
      expect(sim.requests().every((e) => e.fault === 'edge-page-200' && e.status === 200)).toBe(true);
    } finally {
      await sim.close();
    }
  });
});

describe('the numbered CRM paths switched off, as after the sunset', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 33, size: TINY, rateLimit: false, legacyPaths: false });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("answers every v3/v4 CRM path with HubSpot's JSON 404 for an unrouted path; the dated paths, forms and submissions still work", async () => {
    const contact = sim.portal.records('contacts')[0].id;
    const hub = sim.portal.records('companies')[0].id;
    const retired = await Promise.all([
      call(sim.url, 'GET', '/crm/v3/objects/contacts'),
      call(sim.url, 'GET', `/crm/v3/objects/contacts/${contact}`),
      call(sim.url, 'POST', '/crm/v3/objects/contacts/batch/read', { body: { inputs: [{ id: contact }], properties: [] } }),
      call(sim.url, 'POST', '/crm/v3/objects/contacts/search', { body: {} }),
      call(sim.url, 'GET', '/crm/v3/properties/contacts'),
      call(sim.url, 'GET', `/crm/v4/objects/companies/${hub}/associations/contacts`),
      call(sim.url, 'POST', '/crm/v4/associations/contacts/companies/batch/read', { body: { inputs: [{ id: contact }] } }),
      call(sim.url, 'GET', '/crm/associations/v4/contacts/companies/labels'),
    ]);
    for (const reply of retired) {
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toContain('application/json');
      const body = reply.json();
      expect(body).toMatchObject({ status: 'error', message: 'resource not found' });
      expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(body).not.toHaveProperty('category');
    }
    const form = sim.portal.forms.find((f) => f.formType === 'hubspot')!;
    const working = await Promise.all([
      call(sim.url, 'GET', '/crm/objects/2026-09/contacts'),
      call(sim.url, 'GET', '/crm/objects/2026-03/contacts'),
      call(sim.url, 'GET', '/crm/properties/2026-09/contacts'),
      call(sim.url, 'POST', '/crm/associations/2026-09/contacts/companies/batch/read', { body: { inputs: [{ id: contact }] } }),
      call(sim.url, 'GET', '/marketing/v3/forms'),
      call(sim.url, 'GET', `/form-integrations/v1/submissions/forms/${form.id}`),
    ]);
    expect(working.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('switches back at run time', async () => {
    sim.setOptions({ legacyPaths: true });
    try {
      expect((await call(sim.url, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
    } finally {
      sim.setOptions({ legacyPaths: false });
    }
    expect((await call(sim.url, 'GET', '/crm/v3/objects/contacts')).status).toBe(404);
  });
});

describe('dated API versions beside v3/v4', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 34, size: TINY, rateLimit: false, batchAssociationPageSize: 100 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it("serve the same records at v3, 2026-03 and 2026-09, with paging links on each version's own path", async () => {
    const pages = await Promise.all(
      ['/crm/v3/objects/deals', '/crm/objects/2026-03/deals', '/crm/objects/2026-09/0-3'].map((p) =>
        call(sim.url, 'GET', `${p}?limit=5&properties=dealname,amount`),
      ),
    );
    const [v3, march, september] = pages.map((p) => p.json());
    expect(march.results).toEqual(v3.results);
    expect(september.results).toEqual(v3.results);
    expect(v3.paging.next.link).toContain('/crm/v3/objects/deals?');
    expect(march.paging.next.link).toContain('/crm/objects/2026-03/deals?');
    expect(september.paging.next.link).toContain('/crm/objects/2026-09/0-3?');
  });

  it('answer a partial object batch read with 207 at v3 and 2026-03, and with 200 carrying errors at 2026-09', async () => {
    const id = sim.portal.records('contacts')[3].id;
    const body = { inputs: [{ id }, { id: '1' }], properties: ['email'], propertiesWithHistory: [] };
    const statuses: Record<string, number> = {};
    for (const base of ['/crm/v3/objects', '/crm/objects/2026-03', '/crm/objects/2026-09']) {
      const reply = await call(sim.url, 'POST', `${base}/contacts/batch/read`, { body });
      statuses[base] = reply.status;
      expect(reply.json()).toMatchObject({ status: 'COMPLETE', numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['1'] } }] });
      expect(reply.json().results.map((r: { id: string }) => r.id)).toEqual([id]);
    }
    expect(statuses).toEqual({ '/crm/v3/objects': 207, '/crm/objects/2026-03': 207, '/crm/objects/2026-09': 200 });
  });

  it('page associations per input at every version; 2026-09 has no per-object read and answers missing ones with 200', async () => {
    const hub = sim.portal.records('companies')[0].id;
    const body = { inputs: [{ id: hub }, { id: '77' }] };
    const v4 = await call(sim.url, 'POST', '/crm/v4/associations/companies/contacts/batch/read', { body });
    const march = await call(sim.url, 'POST', '/crm/associations/2026-03/companies/contacts/batch/read', { body });
    const september = await call(sim.url, 'POST', '/crm/associations/2026-09/companies/contacts/batch/read', { body });
    expect([v4.status, march.status, september.status]).toEqual([207, 207, 200]);
    expect(september.json()).toMatchObject({ numErrors: 1, errors: [{ subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND' }] });
    expect(september.json().results[0].to).toEqual(v4.json().results[0].to);
    expect(v4.json().results[0].paging.next.link).toContain('/crm/v4/objects/companies/');
    expect(march.json().results[0].paging.next.link).toContain('/crm/objects/2026-03/companies/');
    expect(september.json().results[0].paging.next).toEqual({ after: v4.json().results[0].paging.next.after });
    expect((await call(sim.url, 'GET', `/crm/objects/2026-03/companies/${hub}/associations/contacts`)).status).toBe(200);
    expect((await call(sim.url, 'GET', `/crm/objects/2026-09/companies/${hub}/associations/contacts`)).status).toBe(404);
    const labels = await call(sim.url, 'GET', '/crm/associations/2026-09/contacts/companies/labels');
    expect(labels.json().results.map((r: { typeId: number }) => r.typeId)).toEqual([279, 1]);
  });

  it("answer an unknown dated version with HubSpot's 404", async () => {
    const reply = await call(sim.url, 'GET', '/crm/objects/2025-01/contacts');
    expect(reply.status).toBe(404);
    expect(reply.json().message).toBe('resource not found');
  });
});

describe('property catalogs over HTTP', () => {
  it('list the full catalog (>= 600 contact properties in medium) at every version, narrowed by properties=', async () => {
    const sim = await startSimulator({ preset: 'medium', seed: 35, rateLimit: false, size: TINY });
    try {
      const v3 = (await call(sim.url, 'GET', '/crm/v3/properties/contacts')).json().results;
      expect(v3.length).toBeGreaterThanOrEqual(600);
      expect(v3.length).toBe(sim.portal.catalog('contacts').definitions.length);
      for (const version of ['2026-03', '2026-09']) {
        expect((await call(sim.url, 'GET', `/crm/properties/${version}/contacts`)).json().results).toEqual(v3);
      }
      const two = (await call(sim.url, 'GET', '/crm/v3/properties/contacts?properties=email,firstname')).json().results;
      expect(two.map((d: { name: string }) => d.name).sort()).toEqual(['email', 'firstname']);
      expect((await call(sim.url, 'GET', '/crm/v3/properties/contacts?archived=true')).json().results).toEqual([]);
      expect((await call(sim.url, 'GET', '/crm/v3/properties/contacts?dataSensitivity=sensitive')).json().results).toEqual([]);
      // Every property of a record comes back when asked for (through batch read: the names exceed any URL).
      const names = v3.map((d: { name: string }) => d.name);
      const id = sim.portal.records('contacts')[5].id;
      const batch = await call(sim.url, 'POST', '/crm/v3/objects/contacts/batch/read', {
        body: { inputs: [{ id }], properties: names, propertiesWithHistory: [] },
      });
      expect(Object.keys(batch.json().results[0].properties).sort()).toEqual([...names].sort());
      expect(batch.json().results[0].properties).toEqual(sim.manifest().objects.contacts[5].properties);
    } finally {
      await sim.close();
    }
  });

  it('search filters and sorts on properties holding values invalid for their type without failing', async () => {
    const sim = await startSimulator({ seed: 36, rateLimit: false, size: TINY });
    try {
      const catalog = sim.portal.catalog('contacts');
      const values = sim.portal.records('contacts').map((r) => sim.portal.properties(r));
      const invalidOf = (kind: string, valid: (v: string) => boolean) =>
        catalog.specs.find((spec) => spec.kind === kind && values.some((v) => v[spec.name] !== null && !valid(v[spec.name]!)))!.name;
      const number = invalidOf('number', (v) => Number.isFinite(Number(v)) && v.trim() === v);
      const date = invalidOf('date', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v));
      const select = catalog.specs.find(
        (spec) => spec.kind === 'select' && values.some((v) => v[spec.name] !== null && !spec.options.includes(v[spec.name]!)),
      )!;
      const filters = [
        { propertyName: number, operator: 'GT', value: '5' },
        { propertyName: number, operator: 'EQ', value: 'N/A' },
        { propertyName: date, operator: 'BETWEEN', value: '1700000000000', highValue: '1900000000000' },
        { propertyName: date, operator: 'LT', value: '31/02/2025' },
        { propertyName: select.name, operator: 'IN', values: [select.options[0], 'legacy_value_removed'] },
        { propertyName: 'hs_buying_role', operator: 'CONTAINS_TOKEN', value: 'champion' },
      ];
      for (const filter of filters) {
        const reply = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', {
          body: {
            filterGroups: [{ filters: [filter] }],
            sorts: [{ propertyName: filter.propertyName, direction: 'DESCENDING' }],
            properties: [filter.propertyName],
            limit: 100,
          },
        });
        expect(reply.status, JSON.stringify(filter)).toBe(200);
      }
      const gt = await call(sim.url, 'POST', '/crm/v3/objects/contacts/search', {
        body: { filterGroups: [{ filters: [filters[0]] }], properties: [number], limit: 200 },
      });
      for (const r of gt.json().results as Array<{ properties: Record<string, string> }>) expect(Number(r.properties[number])).toBeGreaterThan(5);
    } finally {
      await sim.close();
    }
  });
});

describe('lists that drift while paged', () => {
  const WINDOW = 60_000;

  async function driftingPortal(extra: Partial<SimulatorOptions> = {}) {
    const clock = new FakeClock(Date.UTC(2026, 3, 1));
    const sim = await startSimulator({ clock, seed: 37, rateLimit: false, size: TINY, pageDrift: 1, pageDriftWindowMs: WINDOW, ...extra });
    const contacts = sim.portal.records('contacts').filter((r) => r.archivedAt === undefined);
    // A third of the live contacts changed 10 s ago (inside the window), another third 5 minutes ago (outside).
    contacts.forEach((record, n) => {
      if (n % 3 === 1) sim.portal.update(record, clock.now() - 10_000);
      if (n % 3 === 2) sim.portal.update(record, clock.now() - 300_000);
    });
    return { sim, clock, live: contacts.map((r) => r.id), recent: new Set(contacts.filter((_, n) => n % 3 === 1).map((r) => r.id)) };
  }

  async function walk(sim: RunningSimulator, path = '/crm/v3/objects/contacts'): Promise<string[][]> {
    const pages: string[][] = [];
    let after: string | undefined;
    do {
      const reply = await call(sim.url, 'GET', `${path}?limit=25${after ? `&after=${after}` : ''}`);
      const body = reply.json();
      pages.push(body.results.map((r: { id: string }) => r.id));
      after = body.paging?.next?.after;
    } while (after);
    return pages;
  }

  it("repeats the previous page's last records and skips only records modified within the window", async () => {
    const { sim, live, recent } = await driftingPortal();
    try {
      const pages = await walk(sim);
      const seen = pages.flat();
      // Skipped: exactly the recently modified records. Everything modified earlier came at least once.
      const missing = live.filter((id) => !seen.includes(id));
      expect(missing.length).toBeGreaterThan(0);
      expect(new Set(missing)).toEqual(recent);
      expect(seen.every((id) => !recent.has(id))).toBe(true);
      // Repeats: a page starts with the previous page's last 1–3 records.
      let repeats = 0;
      for (let i = 1; i < pages.length; i++) {
        const again = pages[i].filter((id) => pages[i - 1].includes(id));
        expect(again.length).toBeGreaterThanOrEqual(1);
        expect(again.length).toBeLessThanOrEqual(3);
        expect(again).toEqual(pages[i].slice(0, again.length));
        expect(again).toEqual(pages[i - 1].slice(-again.length));
        repeats += again.length;
      }
      expect(seen.length).toBe(live.length - recent.size + repeats);
      // Pages stay in ascending id order; the log says what each page did.
      for (const page of pages) expect([...page].sort(compareIds)).toEqual(page);
      const logged = sim.requests().map((e) => e.drift);
      expect(logged.every((d) => d !== undefined)).toBe(true);
      expect(logged.reduce((sum, d) => sum + d!.repeated, 0)).toBe(repeats);
      expect(logged[0]!.repeated).toBe(0);
    } finally {
      await sim.close();
    }
  });

  it('drifts the same way for the same seed, at the dated paths too', async () => {
    const one = await driftingPortal({ pageDrift: 0.5 });
    const two = await driftingPortal({ pageDrift: 0.5 });
    try {
      expect(await walk(two.sim, '/crm/objects/2026-09/contacts')).toEqual(await walk(one.sim));
    } finally {
      await one.sim.close();
      await two.sim.close();
    }
  });

  it('never drifts with pageDrift 0, recent changes or not', async () => {
    const { sim, live } = await driftingPortal({ pageDrift: 0 });
    try {
      expect((await walk(sim)).flat()).toEqual(live);
      expect(sim.requests().every((e) => e.drift === undefined)).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
