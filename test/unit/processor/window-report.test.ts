import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import { RequestExecutor, type CallResponse } from '../../../src/processor/request-executor.js';
import { formatRunSummary } from '../../../src/progress/run-summary.js';

/**
 * Issue 17, "Reports that mislead": d2812c8 printed "max in window 191 requests in any 10 s" for a 190 limit,
 * because it counted searches, which HubSpot exempts from the ten-second window. The report counts what
 * the server counts, beside the limit, and searches against their own limit.
 */
describe('the window report', () => {
  it('counts searches apart from the ten-second window, each beside its limit (fails on d2812c8)', async () => {
    const clock = new FakeClock(0);
    const window = new RollingWindowLimiter({ name: 'hubspot-ten-secondly', limit: 190, windowMs: 10_000 }, clock);
    const search = new RollingWindowLimiter({ name: 'hubspot-search', limit: 5, windowMs: 1000 }, clock);
    const executor = new RequestExecutor({
      limits: { standard: window, search, window, ratePerSecond: 19 },
      clock,
      random: () => 0.5,
      timeoutMs: 5000,
      maxAttempts: 1,
    });
    const ok = (): Promise<CallResponse<string>> => Promise.resolve({ status: 200, headers: {}, data: 'ok' });
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 190; i++) calls.push(executor.execute({ endpoint: 'GET /list', method: 'GET', path: '/list', send: ok }));
    for (let i = 0; i < 5; i++) calls.push(executor.execute({ endpoint: 'POST /search', method: 'POST', path: '/search', search: true, send: ok }));
    for (let i = 0; i < 200 && clock.now() < 5000; i++) {
      await Promise.resolve();
      await clock.advance(10);
    }
    await Promise.all(calls);
    const stats = executor.stats();
    expect([stats.maxInWindow, stats.windowLimit, stats.maxSearchInWindow, stats.searchLimit]).toEqual([190, 190, 5, 5]);
    const text = formatRunSummary(stats);
    expect(text).toContain('max in window   190 of 190 requests in any 10 s (searches apart)');
    expect(text).toContain('max searches    5 of 5 in any 1 s');
  });
});
