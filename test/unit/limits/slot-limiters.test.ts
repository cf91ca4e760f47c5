import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { DecayingRateLimiter } from '../../../src/limits/library/decaying-rate-limit.js';
import { LimitTimeoutError } from '../../../src/limits/errors.js';
import { Semaphore } from '../../../src/limits/library/semaphore.js';
import { TokenBucketLimiter } from '../../../src/limits/library/token-bucket.js';
import type { Release } from '../../../src/limits/types.js';

describe('Semaphore', () => {
  it('holds slots until release and frees them immediately', async () => {
    const clock = new FakeClock();
    const sem = new Semaphore({ name: 's', limit: 2 }, clock);
    const a = await sem.acquire();
    await sem.acquire();
    let third: Release | undefined;
    void sem.acquire().then((r) => (third = r));
    await clock.advance(10_000);
    expect(third).toBeUndefined();
    expect(sem.readyAt(1)).toBeUndefined();
    a();
    await clock.advance(0);
    expect(third).toBeTypeOf('function');
    expect(sem.inUse()).toBe(2);
    a(); // idempotent
    expect(sem.inUse()).toBe(2);
  });

  it('times out with LimitTimeoutError carrying the limit name', async () => {
    const clock = new FakeClock();
    const sem = new Semaphore({ name: 'db', limit: 1 }, clock);
    await sem.acquire();
    const failed = sem.acquire(1, { timeoutMs: 20 }).catch((e: unknown) => e);
    await clock.advance(20);
    const error = await failed;
    expect(error).toBeInstanceOf(LimitTimeoutError);
    expect((error as LimitTimeoutError).limiter).toBe('db');
    expect(sem.isWaiting()).toBe(false);
  });

  it('setLimit lets queued waiters in', async () => {
    const clock = new FakeClock();
    const sem = new Semaphore({ name: 's', limit: 1 }, clock);
    await sem.acquire();
    let second: Release | undefined;
    void sem.acquire().then((r) => (second = r));
    sem.setLimit(2);
    await clock.advance(0);
    expect(second).toBeTypeOf('function');
  });
});

describe('TokenBucketLimiter', () => {
  it('allows a burst of capacity then refills at the rate', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketLimiter({ name: 'b', capacity: 5, refillPerSecond: 10 }, clock);
    for (let i = 0; i < 5; i++) await bucket.acquire();
    let sixth: Release | undefined;
    void bucket.acquire().then((r) => (sixth = r));
    expect(bucket.readyAt(1)).toBe(100);
    await clock.advance(99);
    expect(sixth).toBeUndefined();
    await clock.advance(1);
    expect(sixth).toBeTypeOf('function');
    await clock.advance(10_000);
    expect(bucket.available()).toBe(5); // capped at capacity
  });

  it('a multi-token request waits for enough refill', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucketLimiter({ name: 'b', capacity: 4, refillPerSecond: 2, initialTokens: 0 }, clock);
    let got: Release | undefined;
    void bucket.acquire(3).then((r) => (got = r));
    await clock.advance(1499);
    expect(got).toBeUndefined();
    await clock.advance(1);
    expect(got).toBeTypeOf('function');
  });
});

describe('DecayingRateLimiter', () => {
  it('frees occupied slots at slotDecayPerSecond', async () => {
    const clock = new FakeClock();
    const limit = new DecayingRateLimiter({ name: 'd', limit: 2, slotDecayPerSecond: 0.5 }, clock);
    await limit.acquire(2);
    let next: Release | undefined;
    void limit.acquire(1).then((r) => (next = r));
    expect(limit.readyAt(1)).toBe(2000);
    await clock.advance(1999);
    expect(next).toBeUndefined();
    await clock.advance(1);
    expect(next).toBeTypeOf('function');
    expect(limit.occupiedSlots()).toBeCloseTo(2, 9);
  });

  it('release removes still-occupied slots but never goes below zero', async () => {
    const clock = new FakeClock();
    const limit = new DecayingRateLimiter({ name: 'd', limit: 3, slotDecayPerSecond: 1 }, clock);
    const release = await limit.acquire(2);
    await clock.advance(1500);
    expect(limit.occupiedSlots()).toBeCloseTo(0.5, 9);
    release();
    expect(limit.occupiedSlots()).toBe(0);
  });

  it('without decay it behaves as a concurrency pool', async () => {
    const clock = new FakeClock();
    const limit = new DecayingRateLimiter({ name: 'd', limit: 1, slotDecayPerSecond: 0 }, clock);
    const release = await limit.acquire();
    expect(limit.readyAt(1)).toBeUndefined();
    let next: Release | undefined;
    void limit.acquire().then((r) => (next = r));
    await clock.advance(60_000);
    expect(next).toBeUndefined();
    release();
    await clock.advance(0);
    expect(next).toBeTypeOf('function');
  });
});
