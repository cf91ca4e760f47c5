import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeClock } from '../../../src/clock.js';
import { Semaphore } from '../../../src/limits/library/semaphore.js';
import { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';

describe('waiter priority', () => {
  it('serves higher priority first and FIFO among equals', async () => {
    const clock = new FakeClock();
    const sem = new Semaphore({ limit: 1 }, clock);
    const first = await sem.acquire(1);
    const order: string[] = [];
    const wait = (label: string, priority?: number) =>
      sem.acquire(1, { priority }).then((release) => {
        order.push(label);
        release();
      });
    const all = [wait('low-1', -1), wait('normal-1'), wait('low-2', -1), wait('high', 1), wait('normal-2')];
    first();
    await Promise.all(all);
    expect(order).toEqual(['high', 'normal-1', 'normal-2', 'low-1', 'low-2']);
  });

  it('a waiter that jumps ahead of a waiting rolling window is woken in time', async () => {
    const clock = new FakeClock();
    const window = new RollingWindowLimiter({ limit: 1, windowMs: 1000 }, clock);
    (await window.acquire(1))();
    const low = window.acquire(1, { priority: -1 });
    const high = window.acquire(1);
    let highAt = -1;
    void high.then((release) => {
      highAt = clock.now();
      release();
    });
    await clock.advance(1000);
    expect(highAt).toBe(1000);
    await clock.advance(1000);
    await expect(low).resolves.toBeTypeOf('function');
  });

  it('orders any interleaving of priorities as a stable sort by priority', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 1, maxLength: 30 }), async (priorities) => {
        const clock = new FakeClock();
        const sem = new Semaphore({ limit: 1 }, clock);
        const first = await sem.acquire(1);
        const served: number[] = [];
        const waits = priorities.map((priority, i) =>
          sem.acquire(1, { priority }).then((release) => {
            served.push(i);
            release();
          }),
        );
        first();
        await Promise.all(waits);
        const expected = priorities
          .map((p, i) => ({ p, i }))
          .sort((a, b) => b.p - a.p || a.i - b.i)
          .map((x) => x.i);
        expect(served).toEqual(expected);
      }),
    );
  });
});
