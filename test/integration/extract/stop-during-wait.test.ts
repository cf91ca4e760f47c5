import { describe, expect, it } from 'vitest';
import { ZERO_FAULTS } from '../../../src/sim/options.js';
import { extractOnce } from '../../helpers/extract-harness.js';
import { usePortalFixture } from '../../helpers/portal-fixture.js';

/**
 * Issue 17.8: SIGTERM must reach a request that waits to be retried. Every request here draws a 477 whose
 * Retry-After (2 minutes) is under the run's cap, so the run waits it out between attempts; the stop signal
 * ends that wait at once. On d2812c8 the run slept through every Retry-After (this test times out there).
 */
const portal = usePortalFixture('stop-wait', { preset: 'small', faults: { ...ZERO_FAULTS, migration: 1, migrationRetryAfterSeconds: 120 } });

describe('a stop signal during a Retry-After wait', () => {
  it('ends the wait at once: the run stops (not failed), nothing more is sent (fails on d2812c8)', async () => {
    const stop = new AbortController();
    const running = extractOnce(portal.sim, portal.db, { objects: 'contacts', signal: stop.signal });
    while (!portal.sim.requests().some((r) => r.status === 477)) await new Promise((r) => setTimeout(r, 20));
    const sentBeforeStop = portal.sim.requests().length;
    stop.abort();
    const summary = await running;
    expect(summary.status).toBe('stopped');
    expect(summary.error).toBeUndefined();
    expect(summary.exitCode).toBe(0);
    // The waits were cut short, not retried: every request sent got its 477, none came after the stop.
    expect(portal.sim.requests().length).toBe(sentBeforeStop);
    const { rows } = await portal.db.query<{ status: string }>('select status from hubspot.runs order by id');
    expect(rows.map((r) => r.status)).toEqual(['stopped']);
  });
});
