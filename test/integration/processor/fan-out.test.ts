import { afterEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../config/settings.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { ZERO_FAULTS } from '../../../src/sim/options.js';
import { FatalRunError } from '../../../src/processor/errors.js';
import { createRunContext, type RunContext } from '../../../src/run/run-context.js';

/**
 * The acceptance run, scaled in time: HubSpot's window is 190 per 10 s with another app taking 30 per
 * 10 s (30/190 = 15.8%). Here the window is 640 per 2 s and the other app takes 100 per 2 s (15.6%),
 * so a 10,000-item fan-out finishes in about 40 s instead of 11 minutes. What matters is each ratio to
 * the window: the other app's share; latency (loopback on a loaded 2-core machine, ~10-100 ms, against
 * HubSpot's ~200 ms per 10 s); the request timeout (1 s here, 30 s per 10 s there) and the
 * backoff/breaker times, scaled like the window.
 */
const WINDOW_MS = 2000;
const LIMIT = 640;
const BACKGROUND = 100;

let sim: RunningSimulator | undefined;
let ctx: RunContext | undefined;
afterEach(async () => {
  await ctx?.close();
  await sim?.close();
  ctx = undefined;
  sim = undefined;
});

function contextFor(s: RunningSimulator, extra: Record<string, string> = {}) {
  const settings = parseSettings({
    HUBSPOT_ACCESS_TOKEN: s.token,
    HUBSPOT_BASE_URL: s.url,
    HUBSPOT_MAX_REQUESTS_PER_10S: String(LIMIT),
    HUBSPOT_REQUEST_TIMEOUT_MS: '1000',
    HUBSPOT_MAX_ATTEMPTS: '8',
    HUBSPOT_MAX_CONCURRENCY: '32',
    ...extra,
  });
  return createRunContext(settings, {
    windowMs: WINDOW_MS,
    // Backoff and breaker scaled like the window (defaults: 250 ms base, 5 s cool-down per 10 s window).
    backoff: { baseMs: 50, maxMs: 2000 },
    breaker: { failureThreshold: 8, coolDownMs: 1000 },
  });
}

describe('ParallelProcessor against the simulator', () => {
  it("fans 10,000 items out through 5% 5xx, 1% timeouts, 1% resets and another app's load", { timeout: 180_000 }, async () => {
    sim = await startSimulator({
      tenSecondLimit: LIMIT,
      rateLimitWindowMs: WINDOW_MS,
      backgroundLoad: BACKGROUND,
      retryAfter: false,
      faults: { ...ZERO_FAULTS, serverError: 0.05, timeout: 0.01, reset: 0.01 },
      timeoutHoldMs: 10_000,
    });
    ctx = contextFor(sim);
    const { api, processor } = ctx;
    const calls = new Uint8Array(10_000);
    const items = Array.from({ length: 10_000 }, (_, i) => i);
    const result = await processor.processBatch(
      items,
      async (i) => {
        calls[i]++;
        const page = await api.listObjectsPage('contacts', { limit: 1 });
        return page.results.length;
      },
      { desc: 'fan-out' },
    );

    // Failures first: their errors say more than a count.
    expect(result.failed.slice(0, 5)).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(result.processed).toBe(10_000);
    expect(calls.every((c) => c === 1)).toBe(true);

    const log = sim.requests();
    const ours = log.filter((e) => e.source !== 'background');
    const stats = ctx.stats();
    expect(ours.length).toBe(stats.requests);
    // Faults happened and were recovered from.
    expect(stats.retriesByCause['server-error']).toBeGreaterThan(0);
    expect(stats.retriesByCause.timeout).toBeGreaterThan(0);
    expect(stats.retriesByCause['connection-reset']).toBeGreaterThan(0);

    // Our own arrivals never exceed what the other app leaves in any window of the server's.
    const ourTimes = ours.map((e) => e.t).sort((a, b) => a - b);
    let head = 0;
    let maxOursInWindow = 0;
    for (let i = 0; i < ourTimes.length; i++) {
      while (ourTimes[head] <= ourTimes[i] - WINDOW_MS) head++;
      maxOursInWindow = Math.max(maxOursInWindow, i - head + 1);
    }
    expect(maxOursInWindow).toBeLessThanOrEqual(LIMIT);
    // No 429 is caused by our traffic being over the window. The executor spends what the server says is
    // left, so when the other app's timer runs late (a loaded machine) we may take a slot it left idle, and
    // if it then catches up inside the same window the server refuses one request. That is the only 429
    // allowed: our own count at that moment within 2% of the share the other app nominally leaves, and rare.
    const oursInWindowAt = (t: number) => ourTimes.filter((x) => x > t - WINDOW_MS && x <= t).length;
    const our429 = ours.filter((e) => e.status === 429);
    for (const e of our429) expect(oursInWindowAt(e.t)).toBeLessThanOrEqual(Math.floor((LIMIT - BACKGROUND) * 1.02));
    expect(our429.length).toBeLessThanOrEqual(3);

    // Throughput against what the other app leaves us.
    const seconds = (ourTimes[ourTimes.length - 1] - ourTimes[0]) / 1000;
    const achieved = ours.length / seconds;
    const leftByOtherApp = ((LIMIT - BACKGROUND) * 1000) / WINDOW_MS;
    const ratio = achieved / leftByOtherApp;
    const background = log.filter((e) => e.source === 'background' && e.status !== 429).length;
    console.log(
      JSON.stringify({
        requests: ours.length,
        seconds,
        achieved: Math.round(achieved),
        leftByOtherApp,
        ratio: Number(ratio.toFixed(3)),
        backgroundServedPerWindow: Math.round((background / seconds) * (WINDOW_MS / 1000)),
        maxOursInWindow,
        stats,
      }),
    );
    // The ratio is printed, not asserted: it is a wall-clock figure, and tests never assert those (with the suite's
    // other file beside it on 2 cores it measured 0.887-0.891, alone 0.92). `npm run bench:processor` measures this
    // same scenario (other app + 5% 5xx, 1% timeouts, 1% resets) against its goal.
  });

  it("waits out a 477's Retry-After and retries the edge's 524s, through the official client", { timeout: 60_000 }, async () => {
    sim = await startSimulator({
      tenSecondLimit: LIMIT,
      rateLimitWindowMs: WINDOW_MS,
      faults: { ...ZERO_FAULTS, migration: 0.03, migrationRetryAfterSeconds: 1, originTimeout: 0.05 },
    });
    ctx = contextFor(sim);
    const { api, processor, events } = ctx;
    const migrationDelays: number[] = [];
    events.on((e) => {
      if (e.type === 'retry' && e.cause === 'migration') migrationDelays.push(e.delayMs);
    });
    const result = await processor.processBatch(
      Array.from({ length: 300 }, (_, i) => i),
      async () => {
        return (await api.listObjectsPage('contacts', { limit: 1 })).results.length;
      },
      { desc: 'contacts' },
    );
    expect(result.processed).toBe(300);
    expect(result.failed).toEqual([]);
    const stats = ctx.stats();
    expect(stats.retriesByCause.migration).toBeGreaterThan(0);
    expect(stats.retriesByCause['server-error']).toBeGreaterThan(0);
    const log = sim.requests();
    expect(log.filter((e) => e.status === 477).length).toBe(stats.retriesByCause.migration);
    expect(log.filter((e) => e.status === 524).length).toBe(stats.retriesByCause['server-error']);
    // Every retry after a 477 waited at least the second its Retry-After asked for.
    expect(migrationDelays).toHaveLength(stats.retriesByCause.migration);
    for (const delay of migrationDelays) expect(delay).toBeGreaterThanOrEqual(1000);
  });

  it('stops the run with the clear message when the token expires mid-run', { timeout: 60_000 }, async () => {
    sim = await startSimulator({ tenSecondLimit: LIMIT, rateLimitWindowMs: WINDOW_MS, tokenExpiresAfter: 300 });
    ctx = contextFor(sim);
    const { api, processor } = ctx;
    let started = 0;
    const err = await processor
      .processBatch(
        Array.from({ length: 2000 }, (_, i) => i),
        async () => {
          started++;
          await api.listObjectsPage('contacts', { limit: 1 });
        },
        { desc: 'contacts' },
      )
      .catch((e) => e);
    expect(err).toBeInstanceOf(FatalRunError);
    expect(err.message).toBe(
      'HubSpot rejected the access token (expired or revoked): create a new Service Key (or private-app token) and set HUBSPOT_ACCESS_TOKEN',
    );
    expect(err.message).not.toContain(sim.token);
    expect(started).toBeLessThan(2000);
    const unauthorized = sim.requests().filter((e) => e.status === 401).length;
    // Only the requests already in flight when the first 401 came back can also have drawn one; the pool is
    // re-sized during the run, so the bound is its cap (HUBSPOT_MAX_CONCURRENCY), not its size at the end.
    expect(unauthorized).toBeGreaterThanOrEqual(1);
    expect(unauthorized).toBeLessThanOrEqual(ctx.settings.maxConcurrency + 1);
  });

  it('skips and records an item whose request is invalid (400), the others complete', { timeout: 60_000 }, async () => {
    sim = await startSimulator({ tenSecondLimit: LIMIT, rateLimitWindowMs: WINDOW_MS });
    ctx = contextFor(sim);
    const { api, processor } = ctx;
    const result = await processor.processBatch(
      Array.from({ length: 50 }, (_, i) => i),
      async (i) => {
        // Paging past the search API's 10,000-result cap is a 400 (contract §1.3).
        if (i === 7) return (await api.searchObjects('contacts', { after: 9950, limit: 100 })).results.length;
        return (await api.listObjectsPage('contacts', { limit: 1 })).results.length;
      },
      { desc: 'contacts' },
    );
    expect(result.processed).toBe(49);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]).toMatchObject({ index: 7, item: 7, status: 400 });
    expect(result.failed).toEqual([]);
    expect(sim.requests().filter((e) => e.status === 400)).toHaveLength(1);
  });
});
