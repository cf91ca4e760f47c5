import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { CompositeLimiter } from '../../../src/limits/library/composite.js';
import { DecayingRateLimiter } from '../../../src/limits/library/decaying-rate-limit.js';
import { TokenBucketLimiter } from '../../../src/limits/library/token-bucket.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import { Semaphore } from '../../../src/limits/library/semaphore.js';
import type { Limiter, Release } from '../../../src/limits/types.js';

/**
 * Random arrival patterns, latencies, sizes, cancellations and timeouts, replayed on a fake clock.
 * Every request records when it called acquire, when it was granted or gave up, and when it released;
 * the invariants are then checked against that history alone.
 */

interface RequestPlan {
  at: number;
  n: number;
  latency: number;
  abortAfter: number | undefined;
  timeoutMs: number | undefined;
  releaseTwice: boolean;
}

interface Outcome {
  plan: RequestPlan;
  callSeq: number;
  calledAt: number;
  acquiredAt?: number;
  releasedAt?: number;
  gaveUpAt?: number;
}

/** A capacity rule checked on the history: which outcomes count at time t, and against what limit. */
interface Rule {
  limit: number;
  counts(o: Outcome, t: number): boolean;
}

const rollingRule = (limit: number, windowMs: number): Rule => ({
  limit,
  counts: (o, t) => o.acquiredAt !== undefined && o.acquiredAt <= t && (o.releasedAt ?? Infinity) + windowMs > t,
});

const concurrencyRule = (limit: number): Rule => ({
  limit,
  counts: (o, t) => o.acquiredAt !== undefined && o.acquiredAt <= t && (o.releasedAt ?? Infinity) > t,
});

function used(outcomes: readonly Outcome[], rule: Rule, t: number): number {
  let sum = 0;
  for (const o of outcomes) if (rule.counts(o, t)) sum += o.plan.n;
  return sum;
}

const planArb = (maxN: number) =>
  fc.record({
    at: fc.integer({ min: 0, max: 3000 }),
    n: fc.integer({ min: 1, max: maxN }),
    latency: fc.integer({ min: 0, max: 1500 }),
    abortAfter: fc.option(fc.integer({ min: 0, max: 2500 }), { nil: undefined, freq: 4 }),
    timeoutMs: fc.option(fc.integer({ min: 0, max: 2500 }), { nil: undefined, freq: 5 }),
    releaseTwice: fc.boolean(),
  });

async function replay(limiter: Limiter, clock: FakeClock, plans: readonly RequestPlan[], onRelease: () => void) {
  const outcomes: Outcome[] = [];
  const grantOrder: number[] = [];
  let calls = 0;
  const run = async (plan: RequestPlan) => {
    await clock.sleep(plan.at);
    const outcome: Outcome = { plan, callSeq: calls++, calledAt: clock.now() };
    outcomes.push(outcome);
    const controller = new AbortController();
    if (plan.abortAfter !== undefined) {
      void clock.sleep(plan.abortAfter).then(() => controller.abort(new Error('cancelled')));
    }
    let release: Release;
    try {
      release = await limiter.acquire(plan.n, { signal: controller.signal, timeoutMs: plan.timeoutMs }).then((r) => {
        outcome.acquiredAt = clock.now();
        grantOrder.push(outcome.callSeq);
        return r;
      });
    } catch {
      outcome.gaveUpAt = clock.now();
      return;
    }
    await clock.sleep(plan.latency);
    outcome.releasedAt = clock.now();
    release();
    if (plan.releaseTwice) release();
    onRelease();
  };
  const all = Promise.all(plans.map(run));
  while (await clock.tick());
  await all;
  return { outcomes, grantOrder };
}

function checkHistory(outcomes: readonly Outcome[], grantOrder: readonly number[], rules: readonly Rule[]) {
  const granted = outcomes.filter((o) => o.acquiredAt !== undefined);
  // Never more than the limit counted, checked right after every grant (the count only rises then).
  for (const g of granted) for (const rule of rules) expect(used(outcomes, rule, g.acquiredAt!)).toBeLessThanOrEqual(rule.limit);
  // Everyone either got slots or gave up; every grant was released.
  for (const o of outcomes) {
    expect(o.acquiredAt !== undefined || o.gaveUpAt !== undefined).toBe(true);
    if (o.acquiredAt !== undefined) expect(o.releasedAt).toBeDefined();
  }
  // FIFO: grants happen in call order.
  expect(grantOrder).toEqual([...grantOrder].sort((a, b) => a - b));
  // No needless waiting: just before a waiter was granted, either someone called earlier was still queued
  // or its request did not fit. This is what "an aborted waiter frees its place" needs.
  for (const o of granted) {
    if (o.acquiredAt === o.calledAt) continue;
    const t = o.acquiredAt! - 1;
    const blockedByEarlier = outcomes.some((e) => e.callSeq < o.callSeq && e.calledAt <= t && (e.acquiredAt ?? Infinity) > t && (e.gaveUpAt ?? Infinity) > t);
    const fits = rules.every((rule) => used(outcomes, rule, t) + o.plan.n <= rule.limit);
    expect(blockedByEarlier || !fits).toBe(true);
  }
}

describe('limiter invariants (property-based, fake clock)', () => {
  it('rolling window: never over the limit for any arrival between acquire and release; FIFO; releases exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.array(planArb(8), { minLength: 1, maxLength: 25 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 25, maxLength: 25 }),
        async (limit, windowMs, rawPlans, arrivalFractions) => {
          const plans = rawPlans.map((p) => ({ ...p, n: Math.min(p.n, limit) }));
          const clock = new FakeClock(0);
          const limiter = new RollingWindowLimiter({ name: 'w', limit, windowMs }, clock);
          const heldSeen: number[] = [];
          const { outcomes, grantOrder } = await replay(limiter, clock, plans, () => heldSeen.push(limiter.heldCount()));
          checkHistory(outcomes, grantOrder, [rollingRule(limit, windowMs)]);
          // Release accounting: held is exactly the granted-and-unreleased slots, so never negative, and 0 at the end.
          expect(heldSeen.every((h) => h >= 0)).toBe(true);
          expect(limiter.heldCount()).toBe(0);
          await clock.advance(windowMs);
          expect(limiter.inUse()).toBe(0);
          // What the server sees: arrivals anywhere in [acquire, release]; no window (t - W, t] holds more than the limit.
          const arrivals = outcomes
            .filter((o) => o.acquiredAt !== undefined)
            .map((o, i) => ({ t: o.acquiredAt! + arrivalFractions[i % 25] * (o.releasedAt! - o.acquiredAt!), n: o.plan.n }));
          for (const a of arrivals) {
            const inWindow = arrivals.filter((b) => b.t > a.t - windowMs && b.t <= a.t).reduce((s, b) => s + b.n, 0);
            expect(inWindow).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("rolling window with other apps' reservations and floors: ours plus theirs never over the limit, nobody stuck", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.array(planArb(8), { minLength: 1, maxLength: 25 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 3000 }),
            slots: fc.integer({ min: 0, max: 8 }),
            lastsMs: fc.integer({ min: 1, max: 2500 }),
            floor: fc.boolean(),
          }),
          { maxLength: 8 },
        ),
        async (limit, windowMs, rawPlans, reports) => {
          const plans = rawPlans.map((p) => ({ ...p, n: Math.min(p.n, limit) }));
          const clock = new FakeClock(0);
          const limiter = new RollingWindowLimiter({ name: 'w', limit, windowMs }, clock);
          // Theirs over time: timed reservations, and a floor that stands until the next one (as the executor
          // sets it: never the whole window); the last report clears the floor so every waiter can finish.
          const timed: { from: number; until: number; slots: number }[] = [];
          const floors: { from: number; slots: number }[] = [{ from: 0, slots: 0 }];
          const sorted = [...reports].sort((a, b) => a.at - b.at);
          for (const r of sorted) {
            void clock.sleep(r.at).then(() => {
              if (r.floor) {
                const slots = Math.min(r.slots, limit - 1);
                floors.push({ from: clock.now(), slots });
                limiter.setExternalFloor(slots);
              } else if (r.slots > 0) {
                timed.push({ from: clock.now(), until: clock.now() + r.lastsMs, slots: r.slots });
                limiter.reserveExternal(r.slots, clock.now() + r.lastsMs);
              }
            });
          }
          void clock.sleep(3001).then(() => {
            floors.push({ from: clock.now(), slots: 0 });
            limiter.setExternalFloor(0);
          });
          const theirs = (t: number) => {
            const reserved = timed.filter((r) => r.from <= t && r.until > t).reduce((sum, r) => sum + r.slots, 0);
            const floor = [...floors].reverse().find((f) => f.from <= t)!.slots;
            return Math.max(reserved, floor);
          };
          const { outcomes } = await replay(limiter, clock, plans, () => {});
          for (const o of outcomes) expect(o.acquiredAt !== undefined || o.gaveUpAt !== undefined).toBe(true);
          const rule = rollingRule(limit, windowMs);
          for (const g of outcomes.filter((o) => o.acquiredAt !== undefined)) {
            expect(used(outcomes, rule, g.acquiredAt!) + theirs(g.acquiredAt!)).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('concurrency: never more slots held than the limit; FIFO; aborted waiters free their place', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(planArb(5), { minLength: 1, maxLength: 25 }), async (limit, rawPlans) => {
        const plans = rawPlans.map((p) => ({ ...p, n: Math.min(p.n, limit) }));
        const clock = new FakeClock(0);
        const sem = new Semaphore({ name: 's', limit }, clock);
        const heldSeen: number[] = [];
        const { outcomes, grantOrder } = await replay(sem, clock, plans, () => heldSeen.push(sem.inUse()));
        checkHistory(outcomes, grantOrder, [concurrencyRule(limit)]);
        expect(heldSeen.every((h) => h >= 0 && h <= limit)).toBe(true);
        expect(sem.inUse()).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('composite window AND concurrency: both invariants hold, all-or-none, parts end empty', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(planArb(4), { minLength: 1, maxLength: 20 }),
        async (limit, windowMs, slots, rawPlans) => {
          const plans = rawPlans.map((p) => ({ ...p, n: Math.min(p.n, limit, slots) }));
          const clock = new FakeClock(0);
          const window = new RollingWindowLimiter({ name: 'w', limit, windowMs }, clock);
          const sem = new Semaphore({ name: 's', limit: slots }, clock);
          const both = new CompositeLimiter([window, sem], clock);
          const { outcomes, grantOrder } = await replay(both, clock, plans, () => {});
          checkHistory(outcomes, grantOrder, [rollingRule(limit, windowMs), concurrencyRule(slots)]);
          expect(sem.inUse()).toBe(0);
          expect(window.heldCount()).toBe(0);
          expect(both.inUse()).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('token bucket and decaying rate limit: never more than burst + rate × elapsed granted in any interval', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('bucket', 'decaying'),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 3000 }),
            n: fc.integer({ min: 1, max: 6 }),
            abortAfter: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
          }),
          {
            minLength: 1,
            maxLength: 25,
          },
        ),
        async (kind, limit, ratePerSecond, rawPlans) => {
          const clock = new FakeClock(0);
          const limiter =
            kind === 'bucket'
              ? new TokenBucketLimiter({ name: 'b', capacity: limit, refillPerSecond: ratePerSecond }, clock)
              : new DecayingRateLimiter({ name: 'd', limit, slotDecayPerSecond: ratePerSecond }, clock);
          const grants: { t: number; n: number }[] = [];
          const run = async (plan: { at: number; n: number; abortAfter: number | undefined }) => {
            await clock.sleep(plan.at);
            const controller = new AbortController();
            if (plan.abortAfter !== undefined) void clock.sleep(plan.abortAfter).then(() => controller.abort());
            const n = Math.min(plan.n, limit);
            // Rate-limit use: slots are taken and never released; they refill / decay on their own.
            await limiter.acquire(n, { signal: controller.signal }).then(
              () => grants.push({ t: clock.now(), n }),
              () => {},
            );
          };
          const all = Promise.all(rawPlans.map(run));
          while (await clock.tick());
          await all;
          for (const a of grants) {
            for (const b of grants) {
              if (b.t < a.t) continue;
              const granted = grants.filter((g) => g.t >= a.t && g.t <= b.t).reduce((s, g) => s + g.n, 0);
              expect(granted).toBeLessThanOrEqual(limit + (ratePerSecond * (b.t - a.t)) / 1000 + 1e-6);
            }
          }
          expect(limiter.isWaiting()).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });
});
