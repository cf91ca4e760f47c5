import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/sim/index.js';
import type { ExtractorEvent } from '../../../extractors/types.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS, type HarnessRun } from '../../helpers/extract-harness.js';
import { startRewritingProxy, type RewritingProxy } from '../../helpers/rewriting-proxy.js';
import { runCli, SIMULATOR_API_VERSION } from '../../helpers/cli-process.js';
import { endpointPath } from '../../../src/hubspot/endpoints.js';

/** Paths as the run sends them to the simulator (at its API version). */
const path = (endpoint: Parameters<typeof endpointPath>[1], params: Parameters<typeof endpointPath>[2] = {}) =>
  endpointPath(SIMULATOR_API_VERSION, endpoint, params);
const isList = (p: { method: string; path: string }) => p.method === 'GET' && TYPES.some((type) => p.path === path('objects.list', { type }));

/**
 * The by-ids strategy (ids from the search keyset, records from batch/read) and the switch to it after a 414.
 * With the simulator's default catalogs only contacts are past the URL limit; 450 custom properties on every
 * type put every type past it (and every incremental search past 3,000 characters), as on a portal whose
 * admins added many.
 */
const handle = useTestDatabase('strategies');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const SIZE = { contacts: 450, companies: 30, deals: 40, engagements: 300, forms: 2, submissions: 20 };
const TYPES = ['contacts', 'companies', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'] as const;
const OBJECTS = TYPES.join(',');

async function portal(
  schema: string,
  seed: number,
  options: Partial<SimulatorOptions> = {},
): Promise<{ sim: RunningSimulator; proxy: RewritingProxy; db: Database; extract(run?: HarnessRun): ReturnType<typeof extractOnce> }> {
  const sim = await startSimulator({ rateLimitWindowMs: TEST_WINDOW_MS, preset: 'small', seed, size: SIZE, ...options });
  cleanup.push(() => sim.close());
  const proxy = await startRewritingProxy(sim.url);
  cleanup.push(() => proxy.close());
  const db = await openMigrated(handle, schema);
  cleanup.push(() => db.close());
  const via = { ...sim, url: proxy.url };
  return { sim, proxy, db, extract: (run = {}) => extractOnce(via, db, run) };
}

/** Every type's catalog past the URL limit and the search body's. */
const MANY_PROPERTIES = { customProperties: 450 };

describe('reading by ids', () => {
  it('full, incremental (ids-only searches), archived and sweep passes by ids make the database equal to the portal', async () => {
    const p = await portal('by_ids', 51, MANY_PROPERTIES);
    const events: ExtractorEvent[] = [];
    const from = p.sim.requests().length;
    const lists: URLSearchParams[] = [];
    p.proxy.rule = async (req) => {
      if (isList(req)) lists.push(req.query);
      return undefined;
    };
    const full = await p.extract({ objects: OBJECTS, includeArchived: true, onEvent: (e) => events.push(e) });
    p.proxy.rule = undefined;
    expect(full.error).toBeUndefined();
    expect(full.status).toBe('succeeded');
    expect(events.filter((e) => e.type === 'extractor:start').every((e) => e.type === 'extractor:start' && e.strategy === 'by-ids')).toBe(true);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: [...TYPES], includeArchived: true, forms: false })).toEqual([]);
    const requests = p.sim.requests().slice(from);
    // No live list page: ids from the search keyset (the search budget), records from batch/read (the window);
    // archived ones (never in search) are listed, ids only.
    expect(lists.length).toBeGreaterThan(0);
    expect(lists.filter((q) => q.get('archived') !== 'true' || q.getAll('properties').join(',') !== 'hs_object_id')).toEqual([]);
    const searches = requests.filter((r) => r.method === 'POST' && r.path.endsWith('/search'));
    const reads = requests.filter((r) => r.method === 'POST' && TYPES.some((type) => r.path === path('objects.batchRead', { type })));
    const live = TYPES.reduce((n, t) => n + p.sim.manifest().objects[t].filter((r) => !r.archived).length, 0);
    expect(reads.length).toBeGreaterThanOrEqual(Math.ceil(live / 100));
    expect(searches.length).toBeGreaterThanOrEqual(TYPES.length);
    // The minimum counts the keyset pages in the search budget and the reads in the window.
    expect(full.minimum!.search).toBe(TYPES.reduce((n, t) => n + Math.floor(p.sim.manifest().objects[t].filter((r) => !r.archived).length / 200) + 1, 0));
    expect(full.calls / full.minimumCalls!).toBeLessThanOrEqual(1.02);

    for (const kind of ['update', 'update', 'create', 'archive', 'restore', 'delete'] as const) {
      for (let i = 0; i < 6; i++) p.sim.portal.apply(kind, Date.now());
    }
    await new Promise((r) => setTimeout(r, 5));
    const before = p.sim.requests().length;
    const inc = await p.extract({ objects: OBJECTS, includeArchived: true, sweepDeletes: true });
    expect(inc.error).toBeUndefined();
    expect(inc.mode).toBe('incremental');
    const incRequests = p.sim.requests().slice(before);
    expect(incRequests.filter((r) => r.method === 'POST' && r.path.endsWith('/search')).length).toBeGreaterThan(0);
    // Ids-only searches (the properties are past 3,000 characters), then batch/read.
    expect(incRequests.filter((r) => r.status === 400)).toEqual([]);
    expect(incRequests.filter((r) => r.method === 'POST' && TYPES.some((type) => r.path === path('objects.batchRead', { type }))).length).toBeGreaterThan(0);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: [...TYPES], includeArchived: true, forms: false })).toEqual([]);
    expect(Object.values(await duplicateCounts(p.db)).every((n) => n === 0)).toBe(true);
  }, 240_000);

  it('a full pass by ids that is stopped resumes from its committed keyset position without re-reading committed pages', async () => {
    const p = await portal('by_ids_resume', 52);
    const stop = new AbortController();
    // Id pages after the first come late, so the first page is committed (its progress event) before the next
    // arrives; the stop then comes with the rest of the keyset still unread.
    p.proxy.rule = async (req) => {
      if (req.path === path('objects.search', { type: 'contacts' }) && req.body.includes('"GT"')) await new Promise((r) => setTimeout(r, 1000));
      return undefined;
    };
    const onEvent = (e: ExtractorEvent) => {
      if (e.type === 'extractor:progress' && e.extractor === 'contacts') stop.abort();
    };
    const stopped = await p.extract({ objects: 'contacts', signal: stop.signal, onEvent });
    expect(stopped.status).toBe('stopped');
    const { rows } = await p.db.query<{ cursor: { full?: { after?: string; strategy?: string } } }>(
      `select cursor from by_ids_resume.sync_state where stream = 'objects:contacts'`,
    );
    const after = rows[0]?.cursor.full?.after;
    expect(rows[0]?.cursor.full?.strategy).toBe('by-ids');
    expect(after).toBeDefined();
    const searches: string[] = [];
    p.proxy.rule = async (req) => {
      if (req.path === path('objects.search', { type: 'contacts' })) searches.push(req.body);
      return undefined;
    };
    expect((await p.extract({ objects: 'contacts' })).status).toBe('succeeded');
    // The keyset goes on after the last committed id: committed pages are not fetched again.
    const filters = JSON.parse(searches[0]).filterGroups as { filters: { propertyName: string; operator: string; value: string }[] }[];
    expect(filters).toEqual([{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: after }] }]);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts'], forms: false, associations: false })).toEqual([]);
  }, 120_000);
});

describe('414 URI Too Long', () => {
  it("an inline list answered 414 (the edge's HTML page, here below HubSpot's 8 KB) switches the type to by-ids for the run, with a warning", async () => {
    // Deals' list URL (about 5.9 KB with every property) fits the run's budget but not this edge's 5,000 bytes.
    const p = await portal('uri_too_long', 53, { maxUrlBytes: 5000 });
    const from = p.sim.requests().length;
    const events: ExtractorEvent[] = [];
    const summary = await p.extract({ objects: 'contacts,deals', includeArchived: true, onEvent: (e) => events.push(e) });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    const refused = p.sim
      .requests()
      .slice(from)
      .filter((r) => r.status === 414);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((r) => r.edge === 'uri-too-long' && r.path === path('objects.list', { type: 'deals' }))).toBe(true);
    const warnings = events.filter((e) => e.type === 'extractor:note' && e.level === 'warn').map((e) => (e as { message: string }).message);
    expect(warnings.some((m) => /414 URI Too Long .*: reading deals by ids \(batch\/read\) for the rest of this run/.test(m))).toBe(true);
    expect(events.some((e) => e.type === 'extractor:strategy' && e.extractor === 'deals' && e.strategy === 'by-ids')).toBe(true);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts', 'deals'], includeArchived: true, forms: false })).toEqual([]);
    // The archived pass of an incremental run switches the same way.
    const before = p.sim.requests().length;
    expect((await p.extract({ objects: 'contacts,deals', includeArchived: true })).status).toBe('succeeded');
    expect(
      p.sim
        .requests()
        .slice(before)
        .filter((r) => r.status === 414).length,
    ).toBeGreaterThanOrEqual(1);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts', 'deals'], includeArchived: true, forms: false })).toEqual([]);
  }, 120_000);
});

describe('HUBSPOT_PROPERTIES', () => {
  it('reads only the properties asked for (plus the cursor field and id), leaves out excluded ones, and names unknown ones', async () => {
    const p = await portal('selection', 54);
    const events: ExtractorEvent[] = [];
    const summary = await p.extract({
      objects: 'contacts,deals',
      settings: { HUBSPOT_PROPERTIES: 'contacts:email,firstname,nickname;deals:-amount' },
      onEvent: (e) => events.push(e),
    });
    expect(summary.status).toBe('succeeded');
    const keys = async (type: string) =>
      new Set((await p.db.query<{ k: string }>(`select distinct jsonb_object_keys(properties) as k from selection.${type}`)).rows.map((r) => r.k));
    const contactKeys = await keys('contacts');
    expect(contactKeys.has('email') && contactKeys.has('firstname') && contactKeys.has('lastmodifieddate') && contactKeys.has('hs_object_id')).toBe(true);
    expect(contactKeys.has('lastname')).toBe(false);
    const dealKeys = await keys('deals');
    expect(dealKeys.has('amount')).toBe(false);
    expect(dealKeys.has('dealname')).toBe(true);
    expect(events.some((e) => e.type === 'extractor:note' && e.level === 'warn' && e.message.includes('nickname'))).toBe(true);
  }, 120_000);

  it('an unknown object type in --properties is one line and exit 2, before anything is touched', async () => {
    const r = await runCli(['extract', '--properties', 'contacts:email;tickets:subject;widgets:size'], {
      HUBSPOT_ACCESS_TOKEN: 'x',
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: HUBSPOT_PROPERTIES\/--properties: unknown object type "widgets"; expected one of contacts, .*line_items/);
  }, 60_000);

  it('bad syntax is one line naming the setting, exit 2', async () => {
    const r = await runCli(['extract'], { HUBSPOT_ACCESS_TOKEN: 'x', HUBSPOT_PROPERTIES: 'contacts:email,-phone' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: HUBSPOT_PROPERTIES: contacts: mixes included and excluded/);
  }, 60_000);
});
