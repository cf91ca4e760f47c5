import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../../src/sim/index.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { portalDifferences } from '../../helpers/portal-equality.js';
import { extractOnce, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';

/**
 * HUBSPOT_API_VERSION end to end against the simulator's dated paths, the numbered ones switched off as after
 * their sunset: every CRM request goes to the version's own paths (`apiRequest`, comma-separated properties,
 * `archived` in the batch-read query, the big-integer parser, 2026-09's batch reads answering 200 with errors in
 * the body). With the realistic catalogs contacts are read by ids and the other types inline, at both versions.
 */
const handle = useTestDatabase('dated');
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const DATED = /^\/crm\/(objects|properties|associations|owners|pipelines)\/(2026-09|2026-03)(\/|\?|$)/;

describe('the dated API versions', () => {
  it.each(['2026-09', '2026-03'] as const)(
    '%s: a full then an incremental run make the database equal to the portal, on its dated paths only',
    async (version) => {
      const sim = await startSimulator({
        rateLimitWindowMs: TEST_WINDOW_MS,
        preset: 'small',
        seed: 61,
        legacyPaths: false,
        size: { contacts: 250, companies: 20, deals: 30, engagements: 200, forms: 2, submissions: 30 },
      });
      cleanup.push(() => sim.close());
      const db = await openMigrated(handle, `dated_${version.replace('-', '_')}`);
      cleanup.push(() => db.close());
      const run = { settings: { HUBSPOT_API_VERSION: version }, includeArchived: true };
      const strategies = new Map<string, string | undefined>();
      const full = await extractOnce(sim, db, { ...run, onEvent: (e) => e.type === 'extractor:start' && strategies.set(e.extractor, e.strategy) });
      expect(full.error).toBeUndefined();
      expect(strategies.get('contacts')).toBe('by-ids');
      expect(strategies.get('deals')).toBe('inline');
      expect(await portalDifferences(db, sim.manifest(), { includeArchived: true })).toEqual([]);
      for (let i = 0; i < 8; i++) for (const kind of ['update', 'create', 'associate', 'delete', 'submit'] as const) sim.portal.apply(kind, Date.now());
      await new Promise((r) => setTimeout(r, 5));
      const inc = await extractOnce(sim, db, { ...run, sweepDeletes: true });
      expect(inc.error).toBeUndefined();
      expect(inc.mode).toBe('incremental');
      expect(await portalDifferences(db, sim.manifest(), { includeArchived: true })).toEqual([]);
      const crm = sim.requests().filter((r) => r.path.startsWith('/crm/'));
      expect(crm.length).toBeGreaterThan(0);
      expect(
        crm.filter((r) => !DATED.test(r.path) || !new RegExp(`/${version}(/|\\?|$)`).test(r.path) || r.status === 404).map((r) => `${r.status} ${r.path}`),
      ).toEqual([]);
    },
    180_000,
  );
});
