import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../../src/clock.js';
import { LimitTimeoutError } from '../../../src/limits/errors.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import type { Limiter } from '../../../src/limits/types.js';
import { classifyStatus, LONGEST_IN_RUN_WAIT_MS } from '../../../src/processor/classify.js';
import { FatalRunError, RunStopped } from '../../../src/processor/errors.js';
import { EngineEvents, type EngineEvent } from '../../../src/processor/events.js';
import { ParallelProcessor } from '../../../src/processor/parallel-processor.js';
import { LatencyEstimator } from '../../../src/processor/pool-size.js';
import { RequestExecutor, type CallResponse, type ExecutorOptions } from '../../../src/processor/request-executor.js';

/**
 * Issue 17.8 and the breaker leak of 17 "Leaks": every wait inside a run is capped (LONGEST_IN_RUN_WAIT_MS) and
 * ended by the stop signal. Each test here fails on d2812c8, where a Retry-After was slept whatever its length,
 * no wait listened to SIGTERM, and a probe the limiter refused kept the breaker half-open for good.
 */

type Step = { status: number; body?: unknown; headers?: Record<string, string> };

const NOW = 1_000_000;
const DAY_SECONDS = '86400';
/** Over 2^31 ms: a timer this long fires after 1 ms. */
const TWENTY_FIVE_DAYS_SECONDS = String(25 * 86_400);

function setup(overrides: Partial<ExecutorOptions> = {}) {
  const clock = new FakeClock(0);
  const window = new RollingWindowLimiter({ name: 'window', limit: 10, windowMs: 1000 }, clock);
  const search = new RollingWindowLimiter({ name: 'search', limit: 5, windowMs: 1000 }, clock);
  const events = new EngineEvents();
  const seen: EngineEvent[] = [];
  events.on((e) => seen.push(e));
  const executor = new RequestExecutor({
    limits: { standard: window, search, window, ratePerSecond: 10 },
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
        if (step.status >= 200 && step.status < 300) return Promise.resolve({ status: step.status, headers: step.headers ?? {}, data: 'ok' });
        return Promise.reject(Object.assign(new Error(`HTTP ${step.status}`), { code: step.status, body: step.body ?? {}, headers: step.headers ?? {} }));
      },
    };
  };
  return { clock, window, search, executor, seen, sentAt, script };
}

type Outcome<T> = { settled: false } | { settled: true; value?: T; error?: unknown };

/** Fires the fake clock's timers one by one until `promise` settles or `maxTicks` have fired, and says which. */
async function outcomeOf<T>(clock: FakeClock, promise: Promise<T>, maxTicks = 200): Promise<Outcome<T>> {
  let outcome: Outcome<T> = { settled: false };
  promise.then(
    (value) => (outcome = { settled: true, value }),
    (error: unknown) => (outcome = { settled: true, error }),
  );
  await flushMicrotasks();
  for (let i = 0; i < maxTicks && !outcome.settled; i++) {
    if (!(await clock.tick())) await flushMicrotasks();
  }
  return outcome;
}

describe('a server that asks for a longer wait than the run takes stops the run, resumable', () => {
  it.each([
    ['429', { status: 429, body: { policyName: 'TEN_SECONDLY_ROLLING' }, headers: { 'retry-after': DAY_SECONDS } }],
    ['503', { status: 503, headers: { 'retry-after': DAY_SECONDS } }],
    ['423', { status: 423, headers: { 'retry-after': DAY_SECONDS } }],
    ['429 past 24.8 days', { status: 429, body: { policyName: 'TEN_SECONDLY_ROLLING' }, headers: { 'retry-after': TWENTY_FIVE_DAYS_SECONDS } }],
  ])(
    'a %s whose Retry-After is longer than LONGEST_IN_RUN_WAIT_MS: no sleep, the run stops and says when to run again (fails on d2812c8)',
    async (_name, step) => {
      const { clock, executor, sentAt, script } = setup();
      const outcome = await outcomeOf(clock, executor.execute(script([step, { status: 200 }])));
      expect(outcome.settled).toBe(true);
      const error = outcome.settled ? outcome.error : undefined;
      expect(error).toBeInstanceOf(FatalRunError);
      expect(error).toMatchObject({ reason: 'server-wait', status: step.status });
      const waitMs = Number(step.headers['retry-after']) * 1000;
      expect((error as Error).message).toContain(`asks to wait until ${new Date(waitMs).toISOString()}`);
      expect((error as Error).message).toContain('run again after that');
      // Nothing slept, nothing retried, and every later call of the run fails fast with the same error.
      expect(sentAt).toEqual([0]);
      expect(clock.now()).toBe(0);
      expect(executor.fatalError()).toBe(error);
    },
  );

  it('classifies every Retry-After status alike, the 477 as before, and up to the cap they stay retryable (fails on d2812c8)', () => {
    const day = { 'retry-after': DAY_SECONDS };
    for (const status of [429, 500, 503, 423]) {
      expect(classifyStatus(status, { policyName: 'TEN_SECONDLY_ROLLING' }, day, NOW)).toMatchObject({ kind: 'fatal', status, reason: 'server-wait' });
    }
    expect(classifyStatus(477, {}, day, NOW)).toMatchObject({ kind: 'fatal', reason: 'migration' });
    const atCap = { 'retry-after': String(LONGEST_IN_RUN_WAIT_MS / 1000) };
    expect(classifyStatus(503, {}, atCap, NOW)).toMatchObject({ kind: 'retryable', minDelayMs: LONGEST_IN_RUN_WAIT_MS });
    expect(classifyStatus(423, {}, atCap, NOW)).toMatchObject({ kind: 'retryable', minDelayMs: LONGEST_IN_RUN_WAIT_MS });
    expect(classifyStatus(429, {}, atCap, NOW)).toMatchObject({ kind: 'retryable', rateLimit: { kind: 'sleep', ms: LONGEST_IN_RUN_WAIT_MS } });
    // A Retry-After past the last date a Date can hold still gives a message, not a RangeError.
    expect(classifyStatus(503, {}, { 'retry-after': '9'.repeat(25) }, NOW)).toMatchObject({ kind: 'fatal', reason: 'server-wait' });
  });
});

describe('the executor caps its own waits', () => {
  it('a backoff configured longer than LONGEST_IN_RUN_WAIT_MS waits the cap (fails on d2812c8)', async () => {
    const { clock, executor, sentAt, script } = setup({ backoff: { baseMs: 3_600_000, maxMs: 3_600_000 } });
    const outcome = await outcomeOf(clock, executor.execute(script([{ status: 500 }, { status: 200 }])));
    expect(outcome).toMatchObject({ settled: true, value: { data: 'ok' } });
    // Full jitter at 0.5 would be 30 minutes.
    expect(sentAt).toEqual([0, LONGEST_IN_RUN_WAIT_MS]);
  });
});

describe('the stop signal ends every wait between attempts', () => {
  const cases: [string, Partial<ExecutorOptions>, Step[], number][] = [
    ['a backoff', { backoff: { baseMs: 60_000, maxMs: 60_000 } }, [{ status: 500 }, { status: 200 }], 1],
    ['a 5xx Retry-After', {}, [{ status: 503, headers: { 'retry-after': '120' } }, { status: 200 }], 1],
    ['a 429 Retry-After', {}, [{ status: 429, body: { policyName: 'TEN_SECONDLY_ROLLING' }, headers: { 'retry-after': '120' } }, { status: 200 }], 1],
    ['a 423', {}, [{ status: 423 }, { status: 200 }], 1],
  ];

  it.each(cases)('%s: SIGTERM gives the request up at once with RunStopped (fails on d2812c8)', async (_name, overrides, steps, sends) => {
    const stop = new AbortController();
    const { clock, executor, sentAt, script } = setup({ ...overrides, signal: stop.signal });
    const call = executor.execute(script(steps));
    call.catch(() => {});
    await flushMicrotasks();
    expect(sentAt).toHaveLength(sends);
    expect(clock.pending()).toBeGreaterThan(0);
    stop.abort();
    const outcome = await outcomeOf(clock, call, 0);
    expect(outcome.settled).toBe(true);
    expect(outcome.settled && outcome.error).toBeInstanceOf(RunStopped);
    expect(clock.now()).toBe(0);
    expect(sentAt).toHaveLength(sends);
    // Stopping is not a failure of the run: nothing fatal is recorded.
    expect(executor.fatalError()).toBeUndefined();
  });

  it("an open breaker's cool-down: SIGTERM ends the wait for it (fails on d2812c8)", async () => {
    const stop = new AbortController();
    const { clock, executor, sentAt, script } = setup({ breaker: { failureThreshold: 1, coolDownMs: 60_000 }, maxAttempts: 1, signal: stop.signal });
    await outcomeOf(clock, executor.execute(script([{ status: 500 }])), 0);
    const waiting = executor.execute(script([{ status: 200 }]));
    waiting.catch(() => {});
    await flushMicrotasks();
    expect(sentAt).toEqual([0]);
    stop.abort();
    const outcome = await outcomeOf(clock, waiting, 0);
    expect(outcome.settled && outcome.error).toBeInstanceOf(RunStopped);
    expect(sentAt).toEqual([0]);
  });

  it('the processor stops the task on RunStopped (no new items, no failed items) and rejects with it', async () => {
    const clock = new FakeClock(0);
    const processor = new ParallelProcessor({
      clock,
      events: new EngineEvents(),
      ratePerSecond: 10,
      latency: new LatencyEstimator({ initialMs: 100 }),
      maxConcurrency: 2,
    });
    const started: number[] = [];
    const stopped = new RunStopped();
    const error = await processor
      .processBatch(
        Array.from({ length: 50 }, (_, i) => i),
        async (i) => {
          started.push(i);
          await flushMicrotasks(2);
          if (i === 1) throw stopped;
        },
        { desc: 'stop' },
      )
      .catch((e: unknown) => e);
    expect(error).toBe(stopped);
    expect(started.length).toBeLessThan(50);
  });
});

describe('the circuit breaker', () => {
  it('gets its half-open probe back when the limiter refuses it, so the endpoint is not blocked for good (fails on d2812c8)', async () => {
    const { clock, window, search, sentAt, script } = setup();
    let refuseNext = false;
    const refusing: Limiter = {
      name: 'refusing',
      acquire: (n, options) => {
        if (refuseNext) {
          refuseNext = false;
          return Promise.reject(new LimitTimeoutError('refusing', 1, 10));
        }
        return window.acquire(n, options);
      },
    };
    const executor = new RequestExecutor({
      limits: { standard: refusing, search, window, ratePerSecond: 10 },
      clock,
      random: () => 0.5,
      timeoutMs: 5000,
      maxAttempts: 1,
      breaker: { failureThreshold: 1, coolDownMs: 1000, probePollMs: 100 },
    });
    // One failure opens the breaker.
    await outcomeOf(clock, executor.execute(script([{ status: 500 }])));
    await clock.advance(1000);
    // Half-open: this call is the probe, and the limiter refuses it before anything is sent.
    refuseNext = true;
    const refused = await outcomeOf(clock, executor.execute(script([{ status: 200 }])));
    expect(refused.settled && refused.error).toBeInstanceOf(LimitTimeoutError);
    expect(sentAt).toEqual([0]);
    // The next call probes, succeeds and closes the breaker.
    const next = await outcomeOf(clock, executor.execute(script([{ status: 200 }])));
    expect(next).toMatchObject({ settled: true, value: { data: 'ok' } });
    expect(sentAt).toEqual([0, 1000]);
  });
});
