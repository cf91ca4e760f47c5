import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRequestLog } from '../../../src/processor/request-log.js';
import { FakeClock } from '../../../src/clock.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import { DailyBudget } from '../../../src/processor/daily-budget.js';
import { DailyBudgetExhausted, FatalRunError, RetriesExhaustedError, SkippedItemError } from '../../../src/processor/errors.js';
import { EngineEvents, type EngineEvent } from '../../../src/processor/events.js';
import { LatencyEstimator } from '../../../src/processor/pool-size.js';
import { RequestExecutor, type CallResponse, type ExecutorOptions } from '../../../src/processor/request-executor.js';

type Step = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang' | 'reset';

function setup(overrides: Partial<ExecutorOptions> = {}, windowLimit = 10, windowMs = 1000) {
  const clock = new FakeClock(0);
  const window = new RollingWindowLimiter({ name: 'window', limit: windowLimit, windowMs }, clock);
  const search = new RollingWindowLimiter({ name: 'search', limit: 5, windowMs: 1000 }, clock);
  const events = new EngineEvents();
  const seen: EngineEvent[] = [];
  events.on((e) => seen.push(e));
  const executor = new RequestExecutor({
    limits: { standard: window, search, window, ratePerSecond: (windowLimit * 1000) / windowMs },
    clock,
    random: () => 0.5,
    events,
    timeoutMs: 5000,
    maxAttempts: 4,
    backoff: { baseMs: 100, maxMs: 10_000 },
    breaker: { failureThreshold: 100, coolDownMs: 1000 },
    ...overrides,
  });
  const sentAt: number[] = [];
  const script = (steps: Step[]) => {
    let i = 0;
    return {
      endpoint: 'GET /x',
      method: 'GET',
      path: '/x',
      send: (): Promise<CallResponse<string>> => {
        sentAt.push(clock.now());
        const step = steps[Math.min(i++, steps.length - 1)];
        if (step === 'hang') return new Promise(() => {});
        if (step === 'reset') return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        if (step.status >= 200 && step.status < 300) return Promise.resolve({ status: step.status, headers: step.headers ?? {}, data: 'ok' });
        return Promise.reject(Object.assign(new Error(`HTTP ${step.status}`), { code: step.status, body: step.body ?? {}, headers: step.headers ?? {} }));
      },
    };
  };
  return { clock, window, executor, seen, sentAt, script };
}

async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => {});
  for (let i = 0; i < 1000 && !done; i++) {
    if (!(await clock.tick())) await Promise.resolve();
  }
  return tracked;
}

describe('RequestExecutor', () => {
  it('retries 5xx and resets with exact full-jitter delays, then succeeds', async () => {
    const { clock, executor, sentAt, seen, script } = setup();
    const res = await settle(clock, executor.execute(script([{ status: 503 }, 'reset', { status: 502 }, { status: 200 }])));
    expect(res.data).toBe('ok');
    // random 0.5 -> half the cap: 50, 100, 200 ms.
    expect(sentAt).toEqual([0, 50, 150, 350]);
    expect(seen.filter((e) => e.type === 'retry').map((e) => (e as { cause: string }).cause)).toEqual(['server-error', 'connection-reset', 'server-error']);
    const stats = executor.stats();
    expect(stats.requests).toBe(4);
    expect(stats.retriesByCause).toMatchObject({ 'server-error': 2, 'connection-reset': 1 });
  });

  it('gives up after maxAttempts transient failures', async () => {
    const { clock, executor, sentAt, script } = setup();
    await expect(settle(clock, executor.execute(script([{ status: 500 }])))).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(sentAt).toHaveLength(4);
  });

  it('aborts a request that does not answer in time and retries it', async () => {
    const { clock, executor, sentAt, seen, script } = setup();
    const res = await settle(clock, executor.execute(script(['hang', { status: 200 }])));
    expect(res.status).toBe(200);
    expect(sentAt).toEqual([0, 5050]);
    expect(seen.find((e) => e.type === 'retry')).toMatchObject({ cause: 'timeout' });
  });

  it('skips 400/404 after one attempt', async () => {
    const { clock, executor, sentAt, script } = setup();
    const err = await settle(clock, executor.execute(script([{ status: 404, body: { category: 'OBJECT_NOT_FOUND', message: 'gone' } }]))).catch((e) => e);
    expect(err).toBeInstanceOf(SkippedItemError);
    expect(err.status).toBe(404);
    expect(err.reason).toBe('OBJECT_NOT_FOUND: gone');
    expect(sentAt).toHaveLength(1);
    expect(executor.stats().skipped).toBe(1);
  });

  it('stops the run on 401 and fails every later call without sending', async () => {
    const { clock, executor, sentAt, script } = setup();
    const err = await settle(clock, executor.execute(script([{ status: 401 }]))).catch((e) => e);
    expect(err).toBeInstanceOf(FatalRunError);
    expect(err.message).toMatch(/expired or revoked.*HUBSPOT_ACCESS_TOKEN/);
    await expect(settle(clock, executor.execute(script([{ status: 200 }])))).rejects.toBe(err);
    expect(sentAt).toHaveLength(1);
  });

  it('reserves phantom slots when the server counts more than we sent', async () => {
    const { clock, executor, window, seen, script } = setup({ latency: new LatencyEstimator({ initialMs: 100 }) }, 100, 1000);
    const headers = { 'x-hubspot-ratelimit-max': '100', 'x-hubspot-ratelimit-remaining': '92', 'x-hubspot-ratelimit-interval-milliseconds': '1000' };
    await settle(clock, executor.execute(script([{ status: 200, headers }])));
    // Server: 8 used; ours when it was sent: 1 -> 7 are someone else's, plus a guard of
    // ceil(7 x 2 x 100 ms latency / 1000 ms) + 1 = 3 for their requests we have not heard of yet.
    expect(seen.find((e) => e.type === 'server-sync')).toMatchObject({ external: 7, guard: 3, reserved: 10 });
    expect(window.stats().external).toBe(10);
    // A later response that shows no new traffic of theirs reserves nothing more.
    await settle(clock, executor.execute(script([{ status: 200, headers: { ...headers, 'x-hubspot-ratelimit-remaining': '91' } }])));
    expect(window.stats().external).toBe(10);
  });

  it("keeps the other app's last reported level after its timed reservation lapses, until a newer report", async () => {
    const { clock, executor, window, script } = setup({ latency: new LatencyEstimator({ initialMs: 100 }) }, 100, 1000);
    const headers = (remaining: number) => ({
      'x-hubspot-ratelimit-max': '100',
      'x-hubspot-ratelimit-remaining': String(remaining),
      'x-hubspot-ratelimit-interval-milliseconds': '1000',
    });
    await settle(clock, executor.execute(script([{ status: 200, headers: headers(92) }])));
    expect(window.stats().external).toBe(10);
    // No response for two windows (every request of ours waiting): the reservation made at the report has
    // lapsed, but their traffic is a level and is still counted.
    await clock.advance(2000);
    expect(window.stats().external).toBe(10);
    // A report that they are gone frees the slots.
    await settle(clock, executor.execute(script([{ status: 200, headers: headers(99) }])));
    expect(window.stats().external).toBe(0);
  });

  it('after a TEN_SECONDLY 429 without Retry-After, waits in the limiter until the window frees', async () => {
    const { clock, executor, sentAt, script } = setup({}, 10, 1000);
    const full = { 'x-hubspot-ratelimit-max': '10', 'x-hubspot-ratelimit-remaining': '0', 'x-hubspot-ratelimit-interval-milliseconds': '1000' };
    const res = await settle(clock, executor.execute(script([{ status: 429, body: { policyName: 'TEN_SECONDLY_ROLLING' }, headers: full }, { status: 200 }])));
    expect(res.status).toBe(200);
    expect(sentAt[0]).toBe(0);
    expect(sentAt[1]).toBeGreaterThanOrEqual(1000);
    expect(executor.stats().rateLimited).toBe(1);
    expect(executor.stats().retriesByCause['rate-limit']).toBe(1);
  });

  it('honours Retry-After on a 429', async () => {
    const { clock, executor, sentAt, script } = setup();
    await settle(
      clock,
      executor.execute(script([{ status: 429, body: { policyName: 'TEN_SECONDLY_ROLLING' }, headers: { 'retry-after': '3' } }, { status: 200 }])),
    );
    expect(sentAt).toEqual([0, 3000]);
  });

  it('stops cleanly before the daily share reserved for other apps', async () => {
    const { clock, executor, sentAt, script } = setup({ dailyBudget: new DailyBudget(1000, 0.1) });
    const headers = { 'x-hubspot-ratelimit-daily': '1000', 'x-hubspot-ratelimit-daily-remaining': '102' };
    await settle(clock, executor.execute(script([{ status: 200, headers }])));
    await settle(clock, executor.execute(script([{ status: 200 }])));
    // 101 left, floor 100: one more would leave 100, which is allowed; the next would not be.
    await settle(clock, executor.execute(script([{ status: 200 }])));
    const err = await settle(clock, executor.execute(script([{ status: 200 }]))).catch((e) => e);
    expect(err).toBeInstanceOf(DailyBudgetExhausted);
    expect(err.message).toContain('HUBSPOT_DAILY_RESERVE');
    expect(sentAt).toHaveLength(3);
    expect(executor.fatalError()).toBe(err);
  });

  it('a DAILY 429 is fatal at once', async () => {
    const { clock, executor, sentAt, script } = setup();
    const err = await settle(clock, executor.execute(script([{ status: 429, body: { policyName: 'DAILY' } }]))).catch((e) => e);
    expect(err).toBeInstanceOf(DailyBudgetExhausted);
    expect(sentAt).toHaveLength(1);
  });

  it('opens the breaker after consecutive failures and probes after the cool-down', async () => {
    const { clock, executor, sentAt, seen, script } = setup({ breaker: { failureThreshold: 2, coolDownMs: 1000 }, maxAttempts: 5 });
    await settle(clock, executor.execute(script([{ status: 500 }, { status: 500 }, { status: 200 }])));
    expect(sentAt[0]).toBe(0);
    expect(sentAt[1]).toBe(50);
    // Opened at 50; the probe goes at 1050 although backoff alone would have allowed 150.
    expect(sentAt[2]).toBe(1050);
    expect(seen.filter((e) => e.type === 'breaker').map((e) => (e as { to: string }).to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('counts the most requests it sent inside any window', async () => {
    const { clock, executor, script } = setup({}, 3, 1000);
    for (let i = 0; i < 7; i++) await settle(clock, executor.execute(script([{ status: 200 }])));
    expect(executor.stats().maxInWindow).toBe(3);
    expect(executor.stats().requests).toBe(7);
  });

  it("sends the run's first request alone, then lets the others go once it has answered", async () => {
    const { clock, executor, sentAt } = setup();
    let answerFirst: (r: CallResponse<string>) => void = () => {};
    const spec = (first: boolean) => ({
      endpoint: 'GET /x',
      method: 'GET',
      path: '/x',
      send: () => {
        sentAt.push(clock.now());
        return first ? new Promise<CallResponse<string>>((r) => (answerFirst = r)) : Promise.resolve({ status: 200, headers: {}, data: 'ok' });
      },
    });
    const first = executor.execute(spec(true));
    const others = [executor.execute(spec(false)), executor.execute(spec(false))];
    await clock.advance(100);
    expect(sentAt).toEqual([0]);
    answerFirst({ status: 200, headers: { 'x-hubspot-ratelimit-max': '10', 'x-hubspot-ratelimit-remaining': '9' }, data: 'ok' });
    await clock.advance(1);
    await Promise.all([first, ...others]);
    expect(sentAt).toEqual([0, 100, 100]);
  });

  it('appends one NDJSON line per attempt to the request log', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'hx-log-')), 'requests.ndjson');
    const { clock, executor, script } = setup({ requestLog: openRequestLog(file) });
    await settle(clock, executor.execute(script([{ status: 503 }, 'reset', { status: 200 }])));
    await executor.close();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { t: 0, method: 'GET', path: '/x', status: 503 },
      { t: 50, method: 'GET', path: '/x', status: 0 },
      { t: 150, method: 'GET', path: '/x', status: 200 },
    ]);
  });
});
