import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import { RequestExecutor, type CallResponse } from '../../../src/processor/request-executor.js';

/**
 * The invariant the limits exist for: the requests a server may count in any rolling window never exceed the
 * limit, whenever each request reaches it. A server counts a request when it reads it. An answered request was
 * read between its send and its answer. A request our timeout gave up on was not answered, so it may still be
 * read later: a server too slow to answer within the timeout is taken to get to it within as long again
 * (request-executor.ts `holdUnanswered`), i.e. up to twice the timeout after its send. The histories below are
 * replayed on a fake clock; the check looks at every window against every request's whole interval of possible
 * arrival (the worst a server could do), not at one chosen arrival time.
 *
 * Fails on 473cff8, where a given-up request's slot was released at the give-up: a retry sent a window later
 * was counted beside a late arrival of the request it replaced.
 */

const LIMIT = 3;
const WINDOW_MS = 1000;
const TIMEOUT_MS = 400;

/** What the server does with the n-th request it is sent: answer after a latency, or never (we time out). */
type Behaviour = { answerAfterMs: number } | 'unanswered';

interface Sent {
  at: number;
  /** The latest moment the server may count it; set when its attempt ends. */
  latestArrival?: number;
}

async function replay(tasks: number, callsPerTask: number, behaviours: readonly Behaviour[]): Promise<Sent[]> {
  const clock = new FakeClock(0);
  const window = new RollingWindowLimiter({ name: 'window', limit: LIMIT, windowMs: WINDOW_MS }, clock);
  const search = new RollingWindowLimiter({ name: 'search', limit: 5, windowMs: 1000 }, clock);
  const executor = new RequestExecutor({
    limits: { standard: window, search, window, ratePerSecond: (LIMIT * 1000) / WINDOW_MS },
    clock,
    random: () => 0.5,
    timeoutMs: TIMEOUT_MS,
    maxAttempts: 3,
    backoff: { baseMs: 10, maxMs: 50 },
    breaker: { failureThreshold: 1000, coolDownMs: 1000 },
  });
  const sent: Sent[] = [];
  const spec = {
    endpoint: 'GET /x',
    method: 'GET',
    path: '/x',
    send: (): Promise<CallResponse<string>> => {
      const request: Sent = { at: clock.now() };
      sent.push(request);
      const behaviour = behaviours[(sent.length - 1) % behaviours.length];
      if (behaviour === 'unanswered') {
        // Never answered: our timeout gives up on it at `at + TIMEOUT_MS`, and a slow server may read it until as late again.
        request.latestArrival = request.at + 2 * TIMEOUT_MS;
        return new Promise(() => {});
      }
      return clock.sleep(behaviour.answerAfterMs).then(() => {
        request.latestArrival = clock.now();
        return { status: 200, headers: {}, data: 'ok' };
      });
    },
  };
  const calls = Array.from({ length: tasks }, async () => {
    for (let i = 0; i < callsPerTask; i++) await executor.execute(spec).catch(() => {});
  });
  let done = false;
  const all = Promise.all(calls).finally(() => (done = true));
  for (let i = 0; i < 100_000 && !done; i++) if (!(await clock.tick())) await Promise.resolve();
  await all;
  // The holds end on their own; the last of them releases within one timeout after the last give-up.
  await clock.advance(2 * TIMEOUT_MS + WINDOW_MS);
  expect(executor.unansweredHeld()).toBe(0);
  await executor.close();
  return sent;
}

/** The most requests whose possible arrival falls in one window (t - window, t], over every t. */
function mostCountable(sent: readonly Sent[]): number {
  let most = 0;
  // The count can only rise at a send, so the sends are the moments to look at.
  for (const { at: t } of sent) {
    const n = sent.filter((r) => r.at <= t && (r.latestArrival ?? Infinity) > t - WINDOW_MS).length;
    most = Math.max(most, n);
  }
  return most;
}

describe('requests given up on keep their slot while the server may still count them', () => {
  it.each([
    { name: 'one request never answered, the others answered at once', tasks: 3, calls: 6, behaviours: ['unanswered', ...Array(8).fill({ answerAfterMs: 0 })] },
    { name: 'every request answered late, some never', tasks: 4, calls: 4, behaviours: [{ answerAfterMs: 350 }, 'unanswered', { answerAfterMs: 50 }] },
    { name: 'a server that answers nothing', tasks: 2, calls: 2, behaviours: ['unanswered'] },
  ] as { name: string; tasks: number; calls: number; behaviours: Behaviour[] }[])('$name', async ({ tasks, calls, behaviours }) => {
    const sent = await replay(tasks, calls, behaviours);
    expect(sent.length).toBeGreaterThan(tasks * calls - 1);
    expect(mostCountable(sent)).toBeLessThanOrEqual(LIMIT);
  });

  it('holds for any mix of answers, latencies and give-ups', async () => {
    const behaviour = fc.oneof(
      fc.constant<Behaviour>('unanswered'),
      fc.integer({ min: 0, max: TIMEOUT_MS + 100 }).map<Behaviour>((ms) => ({ answerAfterMs: ms })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(behaviour, { minLength: 1, maxLength: 12 }),
        async (tasks, calls, behaviours) => {
          const sent = await replay(tasks, calls, behaviours);
          expect(mostCountable(sent)).toBeLessThanOrEqual(LIMIT);
        },
      ),
      { numRuns: 60 },
    );
  });
});
