import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../../src/clock.js';
import { InvalidLimitNameError, LimitConfigurationError, LimitTimeoutError, UnknownLimitError } from '../../../src/limits/errors.js';
import { MemoryLimitStore } from '../../../src/limits/library/memory-limit-store.js';
import { LimitRegistry } from '../../../src/limits/library/named-limits.js';
import type { RollingWindowLimiter } from '../../../src/limits/rolling-window.js';

function registry(options: { strict?: boolean; tags?: Record<string, string[]> } = {}) {
  const clock = new FakeClock(0);
  const store = new MemoryLimitStore(clock);
  return { clock, store, limits: new LimitRegistry({ store, clock, ...options }) };
}

describe('LimitRegistry', () => {
  it.each(['/', '%', '&', '>', '<'])('rejects a name containing %s and names the character', async (ch) => {
    const { limits } = registry();
    const name = `bad${ch}name`;
    const attempt = limits.create(name, { limit: 1 });
    await expect(attempt).rejects.toBeInstanceOf(InvalidLimitNameError);
    await expect(limits.create(name, { limit: 1 })).rejects.toThrow(`contains the character '${ch}'`);
  });

  it('rejects empty names, including when used by work', async () => {
    const { limits } = registry();
    await expect(limits.create('', { limit: 1 })).rejects.toThrow('must not be empty');
    await expect(limits.concurrency('', 1, () => 1)).rejects.toBeInstanceOf(InvalidLimitNameError);
  });

  it('create, get, update, list, delete', async () => {
    const { limits } = registry();
    await limits.create('hubspot', { limit: 10 });
    await limits.create('db', { limit: 5, slotDecayPerSecond: 2, active: false });
    await expect(limits.create('db', { limit: 1 })).rejects.toBeInstanceOf(LimitConfigurationError);
    expect(await limits.get('hubspot')).toEqual({ name: 'hubspot', limit: 10, slotDecayPerSecond: 0, active: true });
    expect((await limits.update('db', { active: true })).active).toBe(true);
    expect((await limits.list()).map((d) => d.name)).toEqual(['db', 'hubspot']);
    expect(await limits.delete('db')).toBe(true);
    expect(await limits.get('db')).toBeUndefined();
    await expect(limits.update('nope', { limit: 1 })).rejects.toBeInstanceOf(UnknownLimitError);
  });

  it('concurrency holds slots while fn runs and frees them after, even when fn throws', async () => {
    const { clock, limits } = registry();
    await limits.create('db', { limit: 1 });
    const log: string[] = [];
    const first = limits.concurrency('db', 1, async () => {
      log.push('first start');
      await clock.sleep(100);
      log.push('first end');
    });
    const second = limits.concurrency('db', 1, async () => {
      log.push('second start');
      throw new Error('boom');
    });
    await clock.advance(50);
    expect(log).toEqual(['first start']);
    expect(await limits.usage('db')).toEqual({ inUse: 1, available: 0 });
    await clock.advance(50);
    await first;
    await expect(second).rejects.toThrow('boom');
    expect(log).toEqual(['first start', 'first end', 'second start']);
    expect(await limits.usage('db')).toEqual({ inUse: 0, available: 1 });
  });

  it('an inactive limit never blocks', async () => {
    const { limits } = registry();
    await limits.create('paused', { limit: 1, active: false });
    const results = await Promise.all([1, 2, 3].map((i) => limits.concurrency('paused', 1, () => i)));
    expect(results).toEqual([1, 2, 3]);
  });

  it('an unknown name is created inactive on first use', async () => {
    const { limits } = registry();
    expect(await limits.concurrency('new-one', 5, () => 'ran')).toBe('ran');
    expect(await limits.get('new-one')).toMatchObject({ name: 'new-one', active: false });
  });

  it('strict mode throws UnknownLimitError for an unknown name', async () => {
    const { limits } = registry({ strict: true });
    await expect(limits.concurrency('missing', 1, () => 1)).rejects.toBeInstanceOf(UnknownLimitError);
    expect(await limits.get('missing')).toBeUndefined();
  });

  it('rateLimit takes slots that decay', async () => {
    const { clock, limits } = registry();
    await limits.create('api', { limit: 2, slotDecayPerSecond: 1 });
    await limits.rateLimit('api', 2);
    let third = false;
    void limits.rateLimit('api', 1).then(() => (third = true));
    await clock.advance(999);
    expect(third).toBe(false);
    await clock.advance(1);
    expect(third).toBe(true);
  });

  it('rateLimit on a rolling-window limit counts the request for one window', async () => {
    const { clock, limits } = registry();
    await limits.create('burst', { limit: 2, windowMs: 1000 });
    await limits.rateLimit('burst');
    await limits.rateLimit('burst');
    const late = limits.rateLimit('burst', 1, { timeoutMs: 999 });
    await clock.advance(999);
    await expect(late).rejects.toBeInstanceOf(LimitTimeoutError);
    let third = false;
    void limits.rateLimit('burst').then(() => (third = true));
    await flushMicrotasks(100);
    expect(third).toBe(false);
    await clock.advance(1);
    await flushMicrotasks(100);
    expect(third).toBe(true);
  });

  it('rateLimit refuses a limit whose slots would never come back', async () => {
    const { limits } = registry();
    await limits.create('stuck', { limit: 5 });
    await expect(limits.rateLimit('stuck')).rejects.toBeInstanceOf(LimitConfigurationError);
  });

  it('tags map work to several limits at once, all or none', async () => {
    const { clock, limits, store } = registry({ tags: { hubspot: ['hubspot-burst', 'hubspot-concurrency'] } });
    await limits.create('hubspot-burst', { limit: 10, windowMs: 10_000 });
    await limits.create('hubspot-concurrency', { limit: 2 });
    await limits.create('database', { limit: 1 });
    expect(limits.limitNamesForTags(['hubspot', 'database'])).toEqual(['hubspot-burst', 'hubspot-concurrency', 'database']);
    let inside = 0;
    const job = () =>
      limits.withTags(['hubspot', 'database'], 1, async () => {
        inside++;
        expect(store.limiter('hubspot-concurrency')!.inUse()).toBe(1);
        await clock.sleep(10);
      });
    const jobs = Promise.all([job(), job()]);
    await flushMicrotasks(200);
    await clock.advance(5);
    // The second job waits for the database slot and meanwhile holds no hubspot slot.
    expect(inside).toBe(1);
    expect((store.limiter('hubspot-burst') as RollingWindowLimiter).heldCount()).toBe(1);
    while (await clock.tick()) await flushMicrotasks(200);
    await jobs;
    expect(inside).toBe(2);
    expect(store.limiter('hubspot-burst')!.inUse()).toBe(2);
    expect(store.limiter('database')!.inUse()).toBe(0);
  });

  it('update changes the live limit without resetting held slots', async () => {
    const { clock, limits, store } = registry();
    await limits.create('db', { limit: 1 });
    let released = false;
    const holder = limits.concurrency('db', 1, () => clock.sleep(100).then(() => (released = true)));
    await clock.advance(1);
    let second = false;
    const waiter = limits.concurrency('db', 1, () => (second = true));
    await clock.advance(1);
    expect(second).toBe(false);
    await limits.update('db', { limit: 2 });
    await clock.advance(0);
    expect(second).toBe(true);
    expect(released).toBe(false);
    expect(store.limiter('db')!.inUse()).toBe(1);
    await clock.advance(100);
    await Promise.all([holder, waiter]);
  });
});
