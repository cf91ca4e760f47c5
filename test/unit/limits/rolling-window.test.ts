import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { LimitCapacityError, LimitTimeoutError } from '../../../src/limits/errors.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import type { LimiterEvent, Release } from '../../../src/limits/types.js';

function setup(limit = 3, windowMs = 1000) {
  const clock = new FakeClock(0);
  const limiter = new RollingWindowLimiter({ name: 'w', limit, windowMs }, clock);
  return { clock, limiter };
}

describe('RollingWindowLimiter', () => {
  it('grants up to the limit at once and counts a slot until release + window', async () => {
    const { clock, limiter } = setup(2, 1000);
    const a = await limiter.acquire();
    await limiter.acquire();
    expect(limiter.available()).toBe(0);
    let third: Release | undefined;
    void limiter.acquire().then((r) => (third = r));
    await clock.advance(5000);
    expect(third).toBeUndefined(); // nobody released: held slots never expire by themselves
    a();
    await clock.advance(999);
    expect(third).toBeUndefined();
    await clock.advance(1);
    expect(third).toBeTypeOf('function');
    expect(limiter.inUse()).toBe(2);
  });

  it('a second release is a no-op', async () => {
    const { clock, limiter } = setup(1, 100);
    const r = await limiter.acquire();
    r();
    r();
    expect(limiter.heldCount()).toBe(0);
    expect(limiter.inUse()).toBe(1);
    await clock.advance(100);
    expect(limiter.inUse()).toBe(0);
  });

  it('is FIFO: a large request at the head blocks later small ones', async () => {
    const { clock, limiter } = setup(3, 1000);
    const first = await limiter.acquire(2);
    const order: string[] = [];
    void limiter.acquire(3).then((r) => {
      order.push('big');
      r();
    });
    void limiter.acquire(1).then((r) => {
      order.push('small');
      r();
    });
    await clock.advance(10);
    expect(order).toEqual([]); // one slot is free, but the small request may not overtake
    first();
    await clock.advance(1000);
    expect(order).toEqual(['big']);
    await clock.advance(1000);
    expect(order).toEqual(['big', 'small']);
  });

  it('rejects with LimitTimeoutError after timeoutMs and lets the next waiter through', async () => {
    const { clock, limiter } = setup(2, 1000);
    const held = await limiter.acquire(1);
    await limiter.acquire(1);
    const big = limiter.acquire(2, { timeoutMs: 50 });
    const bigResult = big.catch((e: unknown) => e);
    let small: Release | undefined;
    void limiter.acquire(1).then((r) => (small = r));
    held();
    await clock.advance(50);
    const error = await bigResult;
    expect(error).toBeInstanceOf(LimitTimeoutError);
    expect((error as LimitTimeoutError).timeoutMs).toBe(50);
    expect(small).toBeUndefined();
    await clock.advance(950);
    expect(small).toBeTypeOf('function');
    expect(limiter.stats().timeouts).toBe(1);
  });

  it('rejects with the signal reason on abort, and the waiter behind proceeds at once', async () => {
    const { clock, limiter } = setup(2, 1000);
    await limiter.acquire(1);
    const controller = new AbortController();
    const big = limiter.acquire(2, { signal: controller.signal }).catch((e: unknown) => e);
    let small: Release | undefined;
    void limiter.acquire(1).then((r) => (small = r));
    await clock.advance(1);
    expect(small).toBeUndefined();
    const reason = new Error('stop');
    controller.abort(reason);
    expect(await big).toBe(reason);
    await clock.advance(0);
    expect(small).toBeTypeOf('function');
    expect(limiter.stats().aborts).toBe(1);
  });

  it('rejects an already aborted signal without queueing', async () => {
    const { limiter } = setup(1, 1000);
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(limiter.acquire(1, { signal: controller.signal })).rejects.toThrow('already');
    expect(limiter.isWaiting()).toBe(false);
  });

  it('rejects requests larger than the limit with LimitCapacityError', async () => {
    const { limiter } = setup(3, 1000);
    await expect(limiter.acquire(4)).rejects.toBeInstanceOf(LimitCapacityError);
  });

  it('reserveExternal occupies phantom slots until the given time', async () => {
    const { clock, limiter } = setup(3, 1000);
    limiter.reserveExternal(2, 500);
    expect(limiter.available()).toBe(1);
    expect(limiter.externalInUse()).toBe(2);
    await limiter.acquire(1);
    let next: Release | undefined;
    void limiter.acquire(2).then((r) => (next = r));
    expect(limiter.readyAt(2)).toBe(500);
    await clock.advance(499);
    expect(next).toBeUndefined();
    await clock.advance(1);
    expect(next).toBeTypeOf('function');
    expect(limiter.externalInUse()).toBe(0);
  });

  it('an external floor holds its slots after timed reservations lapse, until it is set again', async () => {
    const { clock, limiter } = setup(5, 1000);
    limiter.reserveExternal(3, 500);
    limiter.setExternalFloor(2);
    expect(limiter.externalInUse()).toBe(3);
    await limiter.acquire(2);
    // The lapse at 500 frees only the slot above the floor.
    expect(limiter.readyAt(1)).toBe(500);
    expect(limiter.readyAt(2)).toBeUndefined();
    let one: Release | undefined;
    let two: Release | undefined;
    void limiter.acquire(1).then((r) => (one = r));
    await clock.advance(500);
    expect(one).toBeTypeOf('function');
    expect(limiter.externalInUse()).toBe(2);
    void limiter.acquire(1).then((r) => (two = r));
    await clock.advance(5000);
    expect(two).toBeUndefined();
    // A newer report of less traffic frees the rest at once.
    limiter.setExternalFloor(1);
    await clock.advance(0);
    expect(two).toBeTypeOf('function');
    expect(limiter.externalInUse()).toBe(1);
    expect(limiter.available()).toBe(0);
  });

  it('a lowered floor wakes a waiter whose slots a timed reservation will free later', async () => {
    // Found by the property test: lowering the floor changed nothing at once, so nobody set a timer.
    const { clock, limiter } = setup(2, 1);
    limiter.setExternalFloor(1);
    let got: Release | undefined;
    void limiter.acquire(2).then((r) => (got = r));
    await clock.advance(117);
    limiter.reserveExternal(1, 302);
    await clock.advance(184);
    limiter.setExternalFloor(0);
    await clock.advance(0);
    expect(got).toBeUndefined();
    await clock.advance(1);
    expect(got).toBeTypeOf('function');
  });

  it('setLimit raises capacity for waiters and rejects ones that can no longer fit', async () => {
    const { clock, limiter } = setup(2, 1000);
    await limiter.acquire(2);
    let got: Release | undefined;
    void limiter.acquire(1).then((r) => (got = r));
    const tooBig = limiter.acquire(2).catch((e: unknown) => e);
    limiter.setLimit(3);
    await clock.advance(0);
    expect(got).toBeTypeOf('function');
    limiter.setLimit(1);
    expect(await tooBig).toBeInstanceOf(LimitCapacityError);
  });

  it('reports when n slots will be free, and emits waiting/ready events', async () => {
    const { clock, limiter } = setup(2, 1000);
    const events: LimiterEvent[] = [];
    limiter.onEvent((e) => events.push(e));
    const a = await limiter.acquire();
    const b = await limiter.acquire();
    expect(limiter.readyAt(1)).toBeUndefined();
    await clock.advance(100);
    a();
    expect(limiter.readyAt(1)).toBe(1100);
    expect(limiter.readyAt(2)).toBeUndefined();
    void limiter.acquire(1);
    expect(limiter.isWaiting()).toBe(true);
    expect(events).toEqual([{ type: 'waiting', limiter: 'w', requested: 1, waiters: 1, readyAt: 1100 }]);
    await clock.advance(1000);
    expect(limiter.isWaiting()).toBe(false);
    expect(events[1]).toEqual({ type: 'ready', limiter: 'w' });
    b();
  });

  it('keeps stats: acquisitions, waits, percentiles, peak', async () => {
    const { clock, limiter } = setup(1, 100);
    (await limiter.acquire())();
    const waited = limiter.acquire();
    await clock.advance(100);
    (await waited)();
    const stats = limiter.stats();
    expect(stats.acquisitions).toBe(2);
    expect(stats.waits).toBe(1);
    expect(stats.waitMs.max).toBe(100);
    expect(stats.waitMs.p50).toBe(0);
    expect(stats.peak).toBe(1);
    expect(stats.held).toBe(0);
    expect(stats.inUse).toBe(1);
  });

  it('rounds expiries up to the resolution, never down', async () => {
    const clock = new FakeClock(0);
    const limiter = new RollingWindowLimiter({ name: 'day', limit: 1, windowMs: 86_400_000 }, clock);
    await clock.advance(1);
    (await limiter.acquire())();
    expect(limiter.readyAt(1)).toBeGreaterThanOrEqual(86_400_001);
    expect(limiter.readyAt(1)).toBeLessThan(86_400_001 + 8640 + 1);
  });
});

describe('RollingWindowLimiter.reconcileServerRemaining', () => {
  it('reserves only what our own count cannot explain, for one window', async () => {
    const clock = new FakeClock(0);
    const limiter = new RollingWindowLimiter({ name: 'w', limit: 10, windowMs: 1000 }, clock);
    (await limiter.acquire(3))();
    // The server says 4 remain of 10: 6 counted, we explain 3.
    expect(limiter.reconcileServerRemaining(4)).toBe(3);
    expect(limiter.available()).toBe(4);
    // Saying the same again is now explained by the reservation.
    expect(limiter.reconcileServerRemaining(4)).toBe(0);
    await clock.advance(1000);
    expect(limiter.available()).toBe(10);
  });

  it('uses the server maximum when we run below it with a safety margin', async () => {
    const clock = new FakeClock(0);
    const limiter = new RollingWindowLimiter({ name: 'w', limit: 180, windowMs: 10_000 }, clock);
    await limiter.acquire(5);
    expect(limiter.reconcileServerRemaining(185, 190)).toBe(0);
    expect(limiter.reconcileServerRemaining(180, 190)).toBe(5);
  });
});
