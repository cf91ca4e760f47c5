import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/sim/index.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';
import { startRewritingProxy } from '../../helpers/rewriting-proxy.js';

/**
 * HUBSPOT_API_VERSION=2026-09 end to end, before the simulator serves the dated paths: a proxy maps each dated
 * path onto the v3/v4 one with the same shapes (contract §2.9), so the dated code path (apiRequest, comma-separated
 * properties, `archived` in the batch-read query, the big-integer parser) is exercised against the simulator.
 * The shapes of the dated replies themselves are the simulator's to check against the dated specs.
 */
const handle = useTestDatabase('dated');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const DATED = /^\/crm\/(objects|properties|associations)\/2026-(09|03)\//;
const toLegacy = (target: string) =>
  target
    .replace(/^\/crm\/objects\/2026-(09|03)\//, '/crm/v3/objects/')
    .replace(/^\/crm\/properties\/2026-(09|03)\//, '/crm/v3/properties/')
    .replace(/^\/crm\/associations\/2026-(09|03)\//, '/crm/v4/associations/');

describe('the dated API version', () => {
  it.each([
    ['2026-09, inline', '2026-09', {}],
    ['2026-03, by ids', '2026-03', { urlBudgetBytes: 60, searchBudgetChars: 100 }],
  ] as const)('%s: a full then an incremental run make the database equal to the portal, on dated paths only', async (_name, version, budgets) => {
    const sim = await startSimulator({ rateLimitWindowMs: TEST_WINDOW_MS, preset: 'small', seed: 61, size: { contacts: 250, companies: 20, deals: 30, engagements: 200, forms: 2, submissions: 30 } });
    cleanup.push(() => sim.close());
    const proxy = await startRewritingProxy(sim.url, { mapTarget: toLegacy });
    cleanup.push(() => proxy.close());
    const paths: string[] = [];
    proxy.rule = async (req) => {
      paths.push(req.path);
      return undefined;
    };
    const db = await openMigrated(handle, `dated_${version.replace('-', '_')}`);
    cleanup.push(() => db.close());
    const run = { settings: { HUBSPOT_API_VERSION: version }, includeArchived: true, ...budgets };
    const via = { ...sim, url: proxy.url };
    expect((await extractOnce(via, db, run)).error).toBeUndefined();
    expect(await portalDifferences(db, sim.manifest(), { includeArchived: true })).toEqual([]);
    for (let i = 0; i < 8; i++) for (const kind of ['update', 'create', 'associate', 'submit'] as const) sim.portal.apply(kind, Date.now());
    await new Promise((r) => setTimeout(r, 5));
    const inc = await extractOnce(via, db, { ...run, sweepDeletes: true });
    expect(inc.error).toBeUndefined();
    expect(await portalDifferences(db, sim.manifest(), { includeArchived: true })).toEqual([]);
    const crm = paths.filter((p) => p.startsWith('/crm/'));
    expect(crm.length).toBeGreaterThan(0);
    expect(crm.filter((p) => !DATED.test(p) || !p.includes(`/${version}/`))).toEqual([]);
  }, 180_000);
});
