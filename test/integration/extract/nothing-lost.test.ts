import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../../src/sim/index.js';
import type { ExtractorEvent } from '../../../extractors/types.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { duplicateCounts, portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS, type HarnessRun } from '../../helpers/extract-harness.js';
import { jsonReply, parseBody, startRewritingProxy, type ProxiedRequest, type ProxyRule, type RewritingProxy } from '../../helpers/rewriting-proxy.js';
import { createHash } from 'node:crypto';
import { endpointPath } from '../../../src/hubspot/endpoints.js';
import { SIMULATOR_API_VERSION } from '../../helpers/cli-process.js';

/**
 * Issues 13 (points 1 and 2) and 17 (items 1 to 4): replies that are not data, records repeated while a list
 * is paged, association errors, archived records, odd submissions. Each test names the commit it fails on.
 * A test-only proxy in front of the simulator rewrites the replies the simulator cannot produce.
 */
const handle = useTestDatabase('nothing_lost');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const SIZE = { contacts: 300, companies: 30, deals: 40, engagements: 400, forms: 4, submissions: 160 };

interface Portal {
  sim: RunningSimulator;
  proxy: RewritingProxy;
  db: Database;
  /** Runs an extraction through the proxy. */
  extract(run?: HarnessRun): ReturnType<typeof extractOnce>;
}

async function portal(schema: string, seed: number, options: Partial<SimulatorOptions> = {}): Promise<Portal> {
  const sim = await startSimulator({ rateLimitWindowMs: TEST_WINDOW_MS, preset: 'small', seed, size: SIZE, ...options });
  cleanup.push(() => sim.close());
  const proxy = await startRewritingProxy(sim.url);
  cleanup.push(() => proxy.close());
  const db = await openMigrated(handle, schema);
  cleanup.push(() => db.close());
  const via = { ...sim, url: proxy.url };
  return { sim, proxy, db, extract: (run = {}) => extractOnce(via, db, run) };
}

/** A rule for the `n`th request matching `match` only (1-based); the others go through. */
function nth(match: (r: ProxiedRequest) => boolean, n: number, reply: ProxyRule): ProxyRule {
  let seen = 0;
  return async (req, forward) => (match(req) && ++seen === n ? reply(req, forward) : undefined);
}

/** Paths as the run sends them to the simulator (at its API version). */
const path = (endpoint: Parameters<typeof endpointPath>[1], params: Parameters<typeof endpointPath>[2] = {}) =>
  endpointPath(SIMULATOR_API_VERSION, endpoint, params);
const listOf = (type: string) => (r: { method: string; path: string }) => r.method === 'GET' && r.path === path('objects.list', { type });
const idsOnly = (r: { query: URLSearchParams }) => r.query.getAll('properties').join(',') === 'hs_object_id';
const emptyObject = async () => jsonReply(200, {});

async function deletedCount(db: Database, schema: string, type: string): Promise<number> {
  return (await db.query<{ n: number }>(`select count(*)::int as n from ${schema}.${type} where deleted_at is not null`)).rows[0].n;
}

describe('issue 13: real portals (what the simulator does not produce; the rest is in real-portals.test.ts)', () => {
  it('1. a record repeated within a page and on the next page loads once, the later copy winning (fails on d2812c8: ON CONFLICT ... a second time)', async () => {
    const p = await portal('repeats', 31);
    const last = new Map<string, unknown>();
    p.proxy.rule = async (req, forward) => {
      const type = ['companies', 'deals', 'calls'].find((t) => listOf(t)(req));
      if (!type) return undefined;
      const reply = await forward();
      const page = parseBody(reply) as { results: unknown[] };
      const previous = last.get(type);
      if (page.results.length > 0) last.set(type, page.results[page.results.length - 1]);
      // What a list paged while records change looks like: the previous page's last record again, and a repeat inside the page.
      if (previous !== undefined && req.query.get('after')) page.results.unshift(previous);
      if (page.results.length > 1) page.results.push(page.results[0]);
      return { ...reply, body: JSON.stringify(page) };
    };
    const summary = await p.extract({ objects: 'companies,deals,calls' });
    expect(summary.error).toBeUndefined();
    expect(summary.status).toBe('succeeded');
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['companies', 'deals', 'calls'], forms: false })).toEqual([]);
    expect(Object.values(await duplicateCounts(p.db)).every((n) => n === 0)).toBe(true);
  }, 120_000);
});

describe("issue 17 item 1: a 2xx reply without the endpoint's shape", () => {
  it('a sweep page answered 200 {} is retried: no live record marked deleted, no association dropped (fails on d2812c8)', async () => {
    const p = await portal('sweep_empty', 33);
    expect((await p.extract({ objects: 'contacts,companies' })).status).toBe('succeeded');
    const before = (await p.db.query<{ n: number }>('select count(*)::int as n from sweep_empty.associations')).rows[0].n;
    p.proxy.rule = nth((r) => listOf('contacts')(r) && idsOnly(r) && r.query.get('after') !== null, 1, emptyObject);
    const summary = await p.extract({ objects: 'contacts,companies', sweepDeletes: true });
    expect(summary.status).toBe('succeeded');
    expect(await deletedCount(p.db, 'sweep_empty', 'contacts')).toBe(0);
    expect((await p.db.query<{ n: number }>('select count(*)::int as n from sweep_empty.associations')).rows[0].n).toBe(before);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts', 'companies'], forms: false })).toEqual([]);
  }, 120_000);

  it('an incremental search answered 200 {} is retried: the cursor does not jump past the changes (fails on d2812c8)', async () => {
    const p = await portal('search_empty', 34);
    expect((await p.extract({ objects: 'deals' })).status).toBe('succeeded');
    for (let i = 0; i < 15; i++) p.sim.portal.apply('update', Date.now());
    await new Promise((r) => setTimeout(r, 5));
    p.proxy.rule = nth((r) => r.method === 'POST' && r.path === path('objects.search', { type: 'deals' }) && r.body.includes('BETWEEN'), 1, emptyObject);
    expect((await p.extract({ objects: 'deals' })).status).toBe('succeeded');
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['deals'], forms: false, associations: false })).toEqual([]);
  }, 120_000);

  it('the forms list answered 200 {} is retried: no form marked deleted (fails on d2812c8)', async () => {
    const p = await portal('forms_empty', 35);
    expect((await p.extract({ objects: 'forms' })).status).toBe('succeeded');
    p.proxy.rule = nth((r) => r.path === path('forms.list'), 1, emptyObject);
    expect((await p.extract({ objects: 'forms' })).status).toBe('succeeded');
    expect(await deletedCount(p.db, 'forms_empty', 'forms')).toBe(0);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: [], associations: false })).toEqual([]);
  }, 120_000);

  it('a submissions page answered 200 {} is retried: older submissions are read (fails on d2812c8)', async () => {
    const p = await portal('subs_empty', 36);
    p.proxy.rule = nth((r) => r.path.startsWith(path('submissions.list', { guid: '' })) && r.query.get('after') !== null, 1, emptyObject);
    expect((await p.extract({ objects: 'forms' })).status).toBe('succeeded');
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: [], associations: false })).toEqual([]);
  }, 120_000);

  it('the sweep clears deleted_at for ids it sees, reading them again (fails on d2812c8: once set, never cleared)', async () => {
    const p = await portal('revive', 37);
    expect((await p.extract({ objects: 'contacts' })).status).toBe('succeeded');
    await p.db.query(
      `update revive.contacts set deleted_at = now(), properties = '{}' where id in (select id from revive.contacts where not archived order by id limit 5)`,
    );
    expect((await p.extract({ objects: 'contacts', sweepDeletes: true })).status).toBe('succeeded');
    expect(await deletedCount(p.db, 'revive', 'contacts')).toBe(0);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts'], forms: false, associations: false })).toEqual([]);
  }, 120_000);

  it('a listing that misses most of a table marks nothing and says why; with the guard raised, batch/read finds them all alive (fails on d2812c8)', async () => {
    const p = await portal('share_guard', 38);
    expect((await p.extract({ objects: 'contacts' })).status).toBe('succeeded');
    // A proxy that cuts the sweep's list to one short page: well-formed, but most ids are absent.
    p.proxy.rule = async (req, forward) => {
      if (!(listOf('contacts')(req) && idsOnly(req))) return undefined;
      const reply = await forward();
      const page = parseBody(reply) as { results: unknown[]; paging?: unknown };
      return { ...reply, body: JSON.stringify({ results: page.results.slice(0, 10) }) };
    };
    const events: ExtractorEvent[] = [];
    const refused = await p.extract({ objects: 'contacts', sweepDeletes: true, onEvent: (e) => events.push(e) });
    expect(refused.status).toBe('succeeded');
    expect(await deletedCount(p.db, 'share_guard', 'contacts')).toBe(0);
    expect(events.some((e) => e.type === 'extractor:note' && /not listed by this pass: more than HUBSPOT_MAX_DELETE_SHARE=0.5/.test(e.message))).toBe(true);
    const confirmed: ExtractorEvent[] = [];
    const raised = await p.extract({ objects: 'contacts', sweepDeletes: true, settings: { HUBSPOT_MAX_DELETE_SHARE: '1' }, onEvent: (e) => confirmed.push(e) });
    expect(raised.status).toBe('succeeded');
    expect(await deletedCount(p.db, 'share_guard', 'contacts')).toBe(0);
    const loaded = confirmed.reduce((n, e) => n + (e.type === 'deletes:confirmed' ? e.loaded : 0), 0);
    expect(loaded).toBeGreaterThan(200);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts'], forms: false, associations: false })).toEqual([]);
  }, 120_000);

  it('confirmation tells deleted from archived: archived records stay, marked archived; deleted ones are marked deleted', async () => {
    const p = await portal('confirm_kinds', 39);
    const types = ['contacts', 'companies', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'] as const;
    const objects = types.join(',');
    expect((await p.extract({ objects })).status).toBe('succeeded');
    for (let i = 0; i < 12; i++) p.sim.portal.apply('delete', Date.now());
    for (let i = 0; i < 12; i++) p.sim.portal.apply('archive', Date.now());
    const events: ExtractorEvent[] = [];
    expect((await p.extract({ objects, sweepDeletes: true, onEvent: (e) => events.push(e) })).status).toBe('succeeded');
    const totals = events.reduce((t, e) => (e.type === 'deletes:confirmed' ? { archived: t.archived + e.archived, deleted: t.deleted + e.deleted } : t), {
      archived: 0,
      deleted: 0,
    });
    let deletedRows = 0;
    let archivedRows = 0;
    for (const type of types) {
      deletedRows += await deletedCount(p.db, 'confirm_kinds', type);
      archivedRows += (await p.db.query<{ n: number }>(`select count(*)::int as n from confirm_kinds.${type} where archived and deleted_at is null`)).rows[0].n;
    }
    expect(totals.deleted).toBe(12);
    expect(deletedRows).toBe(12);
    expect(totals.archived).toBe(12);
    expect(archivedRows).toBe(12);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: [...types], forms: false })).toEqual([]);
  }, 120_000);
});

describe('issue 17 item 2: association batches answered 207 with other errors', () => {
  it('inputs named by another error or missing from the reply keep their rows and stay queued; the run reports them (fails on d2812c8)', async () => {
    const p = await portal('assoc_207', 40);
    expect((await p.extract({ objects: 'contacts,companies' })).status).toBe('succeeded');
    const storedRows = async () =>
      new Map(
        (
          await p.db.query<{ id: string; n: number }>(
            `select from_id::text as id, count(*)::int as n from assoc_207.associations where from_type = 'companies' and to_type = 'contacts' group by from_id`,
          )
        ).rows.map((r) => [r.id, r.n]),
      );
    const before = await storedRows();
    let hit: string[] = [];
    p.proxy.rule = nth(
      (r) => r.method === 'POST' && r.path === path('associations.batchRead', { from: 'companies', to: 'contacts' }),
      1,
      async (_req, forward) => {
        const reply = await forward();
        const body = parseBody(reply) as { results: { from: { id: string } }[]; errors?: unknown[] };
        const [errored, missing] = body.results.slice(0, 2);
        hit = [errored.from.id, missing.from.id];
        body.results = body.results.slice(2);
        body.errors = [
          ...(body.errors ?? []),
          { status: 'error', category: 'INTERNAL_ERROR', message: 'Something went wrong', context: { fromObjectId: [errored.from.id] } },
        ];
        return jsonReply(207, body);
      },
    );
    const summary = await p.extract({ objects: 'contacts,companies', refreshAssociations: true });
    expect(summary.status).toBe('succeeded');
    expect(hit).toHaveLength(2);
    const after = await storedRows();
    for (const id of hit) {
      expect(before.get(id)).toBeGreaterThan(0);
      expect(after.get(id)).toBe(before.get(id));
    }
    expect(summary.associationInputsKept).toBe(2);
    const queued = (
      await p.db.query<{ id: string }>(
        `select from_id::text as id from assoc_207.association_queue where from_type = 'companies' and to_type = 'contacts' order by from_id`,
      )
    ).rows.map((r) => r.id);
    expect(queued.sort()).toEqual([...hit].sort());
    // Read again by the next run.
    p.proxy.rule = undefined;
    const next = await p.extract({ objects: 'contacts,companies', refreshAssociations: false, settings: { HUBSPOT_ASSOCIATIONS_REFRESH_HOURS: '24' } });
    expect(next.associationInputsKept).toBe(0);
    expect((await p.db.query('select 1 from assoc_207.association_queue')).rowCount).toBe(0);
    expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts', 'companies'], forms: false })).toEqual([]);
  }, 120_000);
});

describe('issue 17 item 3: --include-archived with the delete sweep', () => {
  it('archived records are listed by the sweep and never marked deleted, run after run (fails on d2812c8)', async () => {
    const p = await portal('archived_sweep', 41);
    expect((await p.extract({ objects: 'contacts,companies', includeArchived: true })).status).toBe('succeeded');
    const archived = (await p.db.query<{ n: number }>('select count(*)::int as n from archived_sweep.contacts where archived')).rows[0].n;
    expect(archived).toBeGreaterThan(0);
    for (let run = 0; run < 2; run++) {
      expect((await p.extract({ objects: 'contacts,companies', includeArchived: true, sweepDeletes: true })).status).toBe('succeeded');
      expect(await deletedCount(p.db, 'archived_sweep', 'contacts')).toBe(0);
      expect((await p.db.query<{ n: number }>('select count(*)::int as n from archived_sweep.contacts where archived')).rows[0].n).toBe(archived);
      expect(await portalDifferences(p.db, p.sim.manifest(), { types: ['contacts', 'companies'], includeArchived: true, forms: false })).toEqual([]);
    }
  }, 120_000);
});

describe('issue 17 item 4: form submissions without conversionId or submittedAt', () => {
  it('are stored under stable derived keys, never dropped, never looping; a rerun duplicates nothing (fails on d2812c8)', async () => {
    const p = await portal('odd_subs', 42);
    // The same submissions lack the same fields on every read, as a real portal's would.
    const bucket = (id: unknown) => createHash('sha256').update(String(id)).digest()[0];
    let stripped = 0;
    p.proxy.rule = async (req, forward) => {
      if (!req.path.startsWith(path('submissions.list', { guid: '' }))) return undefined;
      const reply = await forward();
      if (reply.status !== 200) return reply;
      const page = parseBody(reply) as { results: Record<string, unknown>[] };
      for (const s of page.results) {
        const b = bucket(s.conversionId);
        if (b % 3 === 0) delete s.conversionId;
        if (b % 5 === 0) delete s.submittedAt;
        if (b % 3 === 0 || b % 5 === 0) stripped++;
      }
      return { ...reply, body: JSON.stringify(page) };
    };
    const counts = async () => (await p.db.query<{ n: number }>('select count(*)::int as n from odd_subs.form_submissions')).rows[0].n;
    const portalCount = Object.values(p.sim.manifest().submissions).reduce((sum, subs) => sum + subs.length, 0);
    expect((await p.extract({ objects: 'forms' })).status).toBe('succeeded');
    expect(stripped).toBeGreaterThan(15);
    expect(await counts()).toBe(portalCount);
    expect(
      (await p.db.query<{ n: number }>(`select count(*)::int as n from odd_subs.form_submissions where conversion_id like 'derived:%'`)).rows[0].n,
    ).toBeGreaterThan(0);
    expect((await p.db.query<{ n: number }>('select count(*)::int as n from odd_subs.form_submissions where submitted_at is null')).rows[0].n).toBeGreaterThan(
      0,
    );
    expect((await p.extract({ objects: 'forms', fullRefresh: true })).status).toBe('succeeded');
    expect(await counts()).toBe(portalCount);
    expect((await p.extract({ objects: 'forms' })).status).toBe('succeeded');
    expect(await counts()).toBe(portalCount);
  }, 120_000);
});

describe('pagination that does not advance', () => {
  it('a list answering the same next cursor again fails the run with one line instead of looping (fails on d2812c8: never ends)', async () => {
    // Calls are listed inline (their catalog fits a list URL); 300 of them make three pages.
    const p = await portal('loop', 43, { size: { ...SIZE, engagements: 1200 } });
    p.proxy.rule = async (req, forward) => {
      if (!listOf('calls')(req)) return undefined;
      const reply = await forward();
      const page = parseBody(reply) as { paging?: { next?: { after?: string } } };
      if (req.query.get('after') && page.paging?.next) page.paging.next.after = req.query.get('after')!;
      return { ...reply, body: JSON.stringify(page) };
    };
    const summary = await p.extract({ objects: 'calls' });
    expect(summary.status).toBe('failed');
    expect(summary.exitCode).toBe(1);
    expect(summary.error).toMatch(/^objects:calls: pagination repeated cursor \d+; stopped instead of looping/);
  }, 120_000);
});
