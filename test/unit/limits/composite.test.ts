import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { CompositeLimiter } from '../../../src/limits/library/composite.js';
import { LimitTimeoutError } from '../../../src/limits/errors.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';
import { Semaphore } from '../../../src/limits/library/semaphore.js';
import type { Release } from '../../../src/limits/types.js';

function hubspotLike(clock: FakeClock) {
  const burst = new RollingWindowLimiter({ name: 'burst', limit: 3, windowMs: 1000 }, clock);
  const daily = new RollingWindowLimiter({ name: 'daily', limit: 5, windowMs: 100_000 }, clock);
  const concurrency = new Semaphore({ name: 'conc', limit: 2 }, clock);
  return { burst, daily, concurrency, all: new CompositeLimiter([burst, daily, concurrency], clock, 'hubspot') };
}

describe('CompositeLimiter', () => {
  it('takes every part or none: a blocked part leaves the others untouched', async () => {
    const clock = new FakeClock();
    const { burst, daily, concurrency, all } = hubspotLike(clock);
    const a = await all.acquire();
    const b = await all.acquire();
    expect(concurrency.inUse()).toBe(2);
    let c: Release | undefined;
    void all.acquire().then((r) => (c = r));
    await clock.advance(10);
    // Waiting on concurrency, it holds nothing of the windows.
    expect(burst.inUse()).toBe(2);
    expect(daily.inUse()).toBe(2);
    a();
    await clock.advance(0);
    expect(c).toBeTypeOf('function');
    expect(burst.inUse()).toBe(3);
    b();
    c!();
  });

  it('waits for the latest of the parts’ free times', async () => {
    const clock = new FakeClock();
    const burst = new RollingWindowLimiter({ name: 'burst', limit: 1, windowMs: 1000 }, clock);
    const slow = new RollingWindowLimiter({ name: 'slow', limit: 1, windowMs: 5000 }, clock);
    const all = new CompositeLimiter([burst, slow], clock);
    (await all.acquire())();
    let next: Release | undefined;
    void all.acquire().then((r) => (next = r));
    expect(all.readyAt(1)).toBe(5000);
    await clock.advance(4999);
    expect(next).toBeUndefined();
    await clock.advance(1);
    expect(next).toBeTypeOf('function');
  });

  it('two composites sharing parts in opposite orders do not deadlock', async () => {
    const clock = new FakeClock();
    const x = new Semaphore({ name: 'x', limit: 1 }, clock);
    const y = new Semaphore({ name: 'y', limit: 1 }, clock);
    const xy = new CompositeLimiter([x, y], clock);
    const yx = new CompositeLimiter([y, x], clock);
    let done = 0;
    const work = async (limiter: CompositeLimiter) => {
      for (let i = 0; i < 20; i++) {
        const release = await limiter.acquire();
        await clock.sleep(3);
        release();
        done++;
      }
    };
    const all = Promise.all([work(xy), work(yx), work(xy)]);
    while (await clock.tick());
    await all;
    expect(done).toBe(60);
    expect(x.inUse()).toBe(0);
    expect(y.inUse()).toBe(0);
  });

  it('respects a part’s own queue instead of jumping it', async () => {
    const clock = new FakeClock();
    const sem = new Semaphore({ name: 'sem', limit: 2 }, clock);
    const window = new RollingWindowLimiter({ name: 'w', limit: 10, windowMs: 1000 }, clock);
    const all = new CompositeLimiter([window, sem], clock);
    const first = await sem.acquire(1);
    const order: string[] = [];
    void sem.acquire(2).then((r) => {
      order.push('direct');
      r();
    });
    void all.acquire(1).then((r) => {
      order.push('composite');
      r();
    });
    await clock.advance(0);
    expect(order).toEqual([]);
    first();
    await clock.advance(0);
    expect(order).toEqual(['direct', 'composite']);
  });

  it('acquireEach hands back one release per part', async () => {
    const clock = new FakeClock();
    const { burst, concurrency, all } = hubspotLike(clock);
    const [burstRelease, , concurrencyRelease] = await all.acquireEach(1);
    concurrencyRelease();
    expect(concurrency.inUse()).toBe(0);
    expect(burst.heldCount()).toBe(1);
    burstRelease();
    expect(burst.heldCount()).toBe(0);
    expect(all.inUse()).toBe(1); // the daily part is still held through the composite
  });

  it('times out as a whole with LimitTimeoutError and takes nothing', async () => {
    const clock = new FakeClock();
    const { burst, daily, all } = hubspotLike(clock);
    await all.acquire();
    await all.acquire();
    const failed = all.acquire(1, { timeoutMs: 30 }).catch((e: unknown) => e);
    await clock.advance(30);
    expect(await failed).toBeInstanceOf(LimitTimeoutError);
    expect(burst.inUse()).toBe(2);
    expect(daily.inUse()).toBe(2);
  });

  it('reports stats for itself and each part', async () => {
    const clock = new FakeClock();
    const { all } = hubspotLike(clock);
    await all.acquire();
    const stats = all.stats();
    expect(stats.acquisitions).toBe(1);
    expect(stats.parts.map((p) => [p.name, p.inUse])).toEqual([
      ['burst', 1],
      ['daily', 1],
      ['conc', 1],
    ]);
    expect(stats.limit).toBe(2);
  });
});
