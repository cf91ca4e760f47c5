import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { LimitCapacityError, LimitTimeoutError, UnknownLimitError } from '../../../src/limits/errors.js';
import { ensureLimit, SharedLimits } from '../../../src/limits/pg-shared-limits.js';
import { acquireSlots, getLimit, holdersOf, limitUsage, recentDenials, updateLimit, waitersOf } from '../../../src/limits/pg-store.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';

const handle = useTestDatabase('pg_limiter');
let db: Database;
const opened: SharedLimits[] = [];

/** One SharedLimits stands for one process (its own holder, renewer and LISTEN session). */
function process(options: ConstructorParameters<typeof SharedLimits>[1] = {}): SharedLimits {
  const shared = new SharedLimits(db, { leaseMs: 2000, ...options });
  opened.push(shared);
  return shared;
}

async function usage(name: string): Promise<number> {
  return (await limitUsage(db, db.schema, name))!.inUse;
}

beforeAll(async () => {
  db = await openMigrated(handle, 'hubspot');
});

afterAll(async () => {
  for (const shared of opened) await shared.close();
  await db.close();
});

describe('shared concurrency limits', () => {
  it('holds slots until released and wakes a waiter in another process through NOTIFY', async () => {
    await ensureLimit(db, 'pool', { limit: 2 });
    // The waiter never polls on its own within the test: only a notification can wake it.
    const a = process();
    const b = process({ maxPollMs: 60_000 });
    const r1 = await a.limiter('pool').acquire();
    const r2 = await a.limiter('pool').acquire();
    expect(await usage('pool')).toBe(2);
    let granted = false;
    const waiting = b
      .limiter('pool')
      .acquire()
      .then((release) => {
        granted = true;
        return release;
      });
    await expect.poll(async () => (await waitersOf(db, db.schema, 'pool')).length).toBe(1);
    expect(granted).toBe(false);
    r1();
    const r3 = await waiting;
    expect(await usage('pool')).toBe(2);
    const holders = await holdersOf(db, db.schema, 'pool');
    expect(holders.map((h) => [h.holder, h.heldSlots]).sort()).toEqual(
      [
        [a.holder, 1],
        [b.holder, 1],
      ].sort(),
    );
    r2();
    r3();
    r3(); // releasing twice gives back once
    await a.flushReleases();
    await b.flushReleases();
    expect(await usage('pool')).toBe(0);
    expect((await recentDenials(db, db.schema, 'pool'))[0]).toMatchObject({ holder: b.holder, slots: 1 });
  });

  it('serves a large request before later small ones (no starvation)', async () => {
    await ensureLimit(db, 'fair', { limit: 4 });
    const a = process();
    const big = process();
    const small = process();
    const held = await a.limiter('fair').acquire(3);
    const order: string[] = [];
    const bigDone = big
      .limiter('fair')
      .acquire(4)
      .then((r) => {
        order.push('big');
        return r;
      });
    await expect.poll(async () => (await waitersOf(db, db.schema, 'fair')).length).toBe(1);
    // One slot is free, but the large request ahead reserves it.
    const smallDone = small
      .limiter('fair')
      .acquire(1)
      .then((r) => {
        order.push('small');
        return r;
      });
    await expect.poll(async () => (await waitersOf(db, db.schema, 'fair')).length).toBe(2);
    expect(order).toEqual([]);
    held();
    const releaseBig = await bigDone;
    expect(order).toEqual(['big']);
    releaseBig();
    (await smallDone)();
    expect(order).toEqual(['big', 'small']);
  });

  it('takes processes in turn: a busy process does not keep the front of the line', async () => {
    await ensureLimit(db, 'turns', { limit: 1 });
    const busy = process();
    const other = process();
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    const work = (who: string, shared: SharedLimits) =>
      shared
        .limiter('turns')
        .acquire()
        .then((release) => {
          order.push(who);
          releases.set(who, release);
        });
    await work('busy-1', busy);
    const queued = [2, 3, 4].map((i) => work(`busy-${i}`, busy));
    await expect.poll(async () => (await waitersOf(db, db.schema, 'turns')).length).toBe(1);
    const others = work('other', other);
    await expect.poll(async () => (await waitersOf(db, db.schema, 'turns')).length).toBe(2);
    // Each time the slot frees, the holder of the front ticket takes it; one served goes to the back.
    for (let served = 1; served <= 4; served++) {
      releases.get(order[served - 1])!();
      await expect.poll(() => order.length).toBe(served + 1);
    }
    releases.get(order[4])!();
    await Promise.all([...queued, others]);
    expect(order).toEqual(['busy-1', 'busy-2', 'other', 'busy-3', 'busy-4']);
  });

  it('rejects requests larger than the limit, times out, and aborts', async () => {
    await ensureLimit(db, 'tiny', { limit: 1 });
    const a = process();
    await expect(a.limiter('tiny').acquire(2)).rejects.toBeInstanceOf(LimitCapacityError);
    const held = await a.limiter('tiny').acquire();
    const b = process();
    await expect(b.limiter('tiny').acquire(1, { timeoutMs: 150 })).rejects.toBeInstanceOf(LimitTimeoutError);
    const controller = new AbortController();
    const aborted = b.limiter('tiny').acquire(1, { signal: controller.signal });
    await expect.poll(async () => (await waitersOf(db, db.schema, 'tiny')).length).toBe(1);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    // The abandoned place in line is given up.
    await expect.poll(async () => (await waitersOf(db, db.schema, 'tiny')).length).toBe(0);
    // Denials are kept for `limits inspect` (the timeout's is written in the background).
    await expect
      .poll(async () => (await recentDenials(db, db.schema, 'tiny')).map((d) => d.reason).sort())
      .toEqual(['capacity', 'timeout', 'waiting', 'waiting']);
    held();
  });

  it('applies a limit raised from outside to processes already waiting', async () => {
    await ensureLimit(db, 'raise', { limit: 1 });
    const a = process();
    const b = process({ maxPollMs: 60_000 });
    const held = await a.limiter('raise').acquire();
    const waiting = b.limiter('raise').acquire();
    await expect.poll(async () => (await waitersOf(db, db.schema, 'raise')).length).toBe(1);
    await updateLimit(db, db.schema, 'raise', { limit: 2 });
    const second = await waiting;
    expect(await usage('raise')).toBe(2);
    held();
    second();
  });

  it('never blocks on an inactive limit, and creates unknown names inactive unless strict', async () => {
    await ensureLimit(db, 'off', { limit: 1, active: false });
    const a = process();
    const releases = await Promise.all([1, 2, 3].map(() => a.limiter('off').acquire()));
    expect(releases).toHaveLength(3);
    releases.forEach((r) => r());
    await expect(a.limiter('never-created', { strict: true }).acquire()).rejects.toBeInstanceOf(UnknownLimitError);
    (await a.limiter('auto-created').acquire())();
    expect(await getLimit(db, db.schema, 'auto-created')).toMatchObject({ active: false });
  });

  it('takes slots on several limits all or none', async () => {
    await ensureLimit(db, 'left', { limit: 2 });
    await ensureLimit(db, 'right', { limit: 1 });
    const a = process();
    const both = await a.limiter(['right', 'left']).acquire();
    expect([await usage('left'), await usage('right')]).toEqual([1, 1]);
    const second = a.limiter(['left', 'right']).acquire(1, { timeoutMs: 150 });
    await expect(second).rejects.toBeInstanceOf(LimitTimeoutError);
    // `right` was full, so `left` was not taken either.
    expect(await usage('left')).toBe(1);
    both();
  });

  it("returns a holder's slots when its lease lapses", async () => {
    await ensureLimit(db, 'lapse', { limit: 1 });
    // A holder that never renews: a process that died right after acquiring.
    const ghost = await acquireSlots(db, db.schema, {
      names: ['lapse'],
      holder: 'ghost',
      slots: [1],
      rate: false,
      leaseMs: 300,
      recordDenial: false,
    });
    expect(ghost.status).toBe('granted');
    const a = process({ maxPollMs: 100 });
    const release = await a.limiter('lapse').acquire();
    expect((await holdersOf(db, db.schema, 'lapse')).map((h) => h.holder)).toEqual([a.holder]);
    release();
  });

  it('keeps renewed leases alive past their first expiry', async () => {
    await ensureLimit(db, 'renewed', { limit: 1 });
    const a = process({ leaseMs: 200 });
    const release = await a.limiter('renewed').acquire();
    expect((await a.renewNow()).leases).toBe(1);
    const b = process({ maxPollMs: 50 });
    // Several leases long: the renewer keeps the slot, so the other process times out.
    await expect(b.limiter('renewed').acquire(1, { timeoutMs: 700 })).rejects.toBeInstanceOf(LimitTimeoutError);
    expect((await holdersOf(db, db.schema, 'renewed')).map((h) => h.holder)).toEqual([a.holder]);
    release();
  });
});

describe('shared rolling windows and decaying rate limits', () => {
  it('counts a window slot from acquisition until completion + window', async () => {
    await ensureLimit(db, 'window', { limit: 2, windowMs: 400 });
    const a = process();
    const r1 = await a.limiter('window').acquire();
    const r2 = await a.limiter('window').acquire();
    r1();
    r2();
    await a.flushReleases();
    // Released, yet still counted: the server may have seen the requests just now.
    expect(await usage('window')).toBe(2);
    const b = process();
    const third = await b.limiter('window').acquire();
    // Granted only once the window passed.
    expect(await usage('window')).toBe(1);
    third();
  });

  it('lets rate slots decay at slot_decay_per_second and never exceeds the limit', async () => {
    await ensureLimit(db, 'decay', { limit: 3, slotDecayPerSecond: 20 });
    const a = process({ maxPollMs: 200 });
    const limiter = a.limiter('decay', { mode: 'rate' });
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      await limiter.acquire();
      seen.push(limiter.inUse());
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(3 + 1e-9);
    expect(limiter.stats().acquisitions).toBe(8);
    expect(limiter.stats().waits).toBeGreaterThan(0);
  });

  it('keeps a long window cheap by merging released rows, without counting any slot for less time', async () => {
    await ensureLimit(db, 'daily', { limit: 1500, windowMs: 3_600_000 });
    const limiter = process().limiter('daily', { mode: 'rate' });
    await Promise.all(Array.from({ length: 1400 }, () => limiter.acquire()));
    const { rows } = await db.query<{ rows: string; earliest: Date; acquired: Date }>(
      `select count(*) as rows, min(counted_until) as earliest, min(acquired_at) as acquired from hubspot.limit_leases where limit_name = 'daily'`,
    );
    expect(Number(rows[0].rows)).toBeLessThan(1024);
    expect(rows[0].earliest.getTime()).toBeGreaterThanOrEqual(rows[0].acquired.getTime() + 3_600_000);
    expect(await usage('daily')).toBe(1400);
    await Promise.all(Array.from({ length: 100 }, () => limiter.acquire()));
    await expect(limiter.acquire(1, { timeoutMs: 100 })).rejects.toBeInstanceOf(LimitTimeoutError);
    expect(await usage('daily')).toBe(1500);
  });

  it('rejects rate mode on a pool that never decays', async () => {
    await ensureLimit(db, 'static', { limit: 3 });
    await expect(process().limiter('static', { mode: 'rate' }).acquire()).rejects.toThrow(/never gives slots back/);
  });
});
