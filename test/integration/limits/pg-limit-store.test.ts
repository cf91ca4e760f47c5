import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { LimitTimeoutError, UnknownLimitError } from '../../../src/limits/errors.js';
import { LimitRegistry } from '../../../src/limits/library/named-limits.js';
import { PgLimitStore } from '../../../src/limits/library/pg-limit-store.js';
import { ensureLimit, SharedLimits } from '../../../src/limits/pg-shared-limits.js';
import { limitUsage, waitersOf } from '../../../src/limits/pg-store.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';

const handle = useTestDatabase('pg_limit_store');
let db: Database;
const opened: SharedLimits[] = [];

function sharedProcess(options: ConstructorParameters<typeof SharedLimits>[1] = {}): SharedLimits {
  const shared = new SharedLimits(db, { leaseMs: 2000, maxPollMs: 100, ...options });
  opened.push(shared);
  return shared;
}

beforeAll(async () => {
  db = await openMigrated(handle, 'hubspot');
});

afterAll(async () => {
  for (const shared of opened) await shared.close();
  await db.close();
});

describe('LimitRegistry on the Postgres store', () => {
  it('creates, updates, lists and deletes definitions shared by two registries', async () => {
    const a = new LimitRegistry({ store: new PgLimitStore(db, sharedProcess()) });
    const b = new LimitRegistry({ store: new PgLimitStore(db, sharedProcess()) });
    await a.create('api', { limit: 10, windowMs: 1000 });
    await a.create('pool', { limit: 2, slotDecayPerSecond: 4, active: false });
    expect(await b.get('api')).toEqual({ name: 'api', limit: 10, slotDecayPerSecond: 0, active: true, windowMs: 1000 });
    await b.update('pool', { active: true });
    expect((await a.get('pool'))?.active).toBe(true);
    expect((await a.list()).map((d) => d.name)).toEqual(['api', 'pool']);
    expect(await b.delete('pool')).toBe(true);
    expect(await a.get('pool')).toBeUndefined();
  });

  it('holds concurrency slots across registries while the work runs', async () => {
    const a = new LimitRegistry({ store: new PgLimitStore(db, sharedProcess()) });
    const b = new LimitRegistry({ store: new PgLimitStore(db, sharedProcess()) });
    await a.create('writers', { limit: 1 });
    let finish!: () => void;
    const running = a.concurrency('writers', 1, () => new Promise<void>((resolve) => (finish = resolve)));
    await expect.poll(async () => (await a.usage('writers'))?.inUse).toBe(1);
    await expect(b.concurrency('writers', 1, () => 'never', { timeoutMs: 150 })).rejects.toBeInstanceOf(LimitTimeoutError);
    finish();
    await running;
    expect(await b.concurrency('writers', 1, () => 'ran')).toBe('ran');
  });

  it('rate-limits through a window and tags, creating unknown names inactive (strict: refusing them)', async () => {
    const registry = new LimitRegistry({
      store: new PgLimitStore(db, sharedProcess()),
      tags: { outbound: ['burst', 'daily'] },
    });
    await registry.create('burst', { limit: 3, windowMs: 300 });
    await registry.create('daily', { limit: 100, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await registry.rateLimit(registry.limitNamesForTags(['outbound']));
    expect((await registry.usage('burst'))?.inUse).toBe(3);
    expect((await registry.usage('daily'))?.inUse).toBe(3);
    await registry.rateLimit(['burst', 'daily']);
    expect((await registry.usage('daily'))?.inUse).toBe(4);
    await registry.rateLimit('brand-new');
    expect(await registry.get('brand-new')).toMatchObject({ active: false });
    const strict = new LimitRegistry({ store: new PgLimitStore(db, sharedProcess()), strict: true });
    await expect(strict.rateLimit('also-new')).rejects.toBeInstanceOf(UnknownLimitError);
  });
});

describe('invariants under random concurrent use (fast-check)', () => {
  const request = fc.record({
    process: fc.integer({ min: 0, max: 2 }),
    slots: fc.integer({ min: 1, max: 4 }),
    holdMs: fc.integer({ min: 0, max: 25 }),
    startMs: fc.integer({ min: 0, max: 60 }),
    abortAfterMs: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
  });

  it('never holds more than the limit, releases every slot once and frees abandoned places', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4, max: 6 }), fc.array(request, { minLength: 1, maxLength: 14 }), async (limit, requests) => {
        const name = `prop-${run++}`;
        await ensureLimit(db, name, { limit });
        const processes = [0, 1, 2].map(() => sharedProcess({ maxPollMs: 50 }));
        let held = 0;
        let maxHeld = 0;
        await Promise.all(
          requests.map(async (r) => {
            await new Promise((resolve) => setTimeout(resolve, r.startMs));
            const controller = new AbortController();
            if (r.abortAfterMs !== undefined) setTimeout(() => controller.abort(new Error('gave up')), r.abortAfterMs);
            let release;
            try {
              release = await processes[r.process].limiter(name).acquire(r.slots, { signal: controller.signal });
            } catch (error) {
              expect((error as Error).message).toBe('gave up');
              return;
            }
            held += r.slots;
            maxHeld = Math.max(maxHeld, held);
            await new Promise((resolve) => setTimeout(resolve, r.holdMs));
            held -= r.slots;
            release();
            release();
          }),
        );
        for (const p of processes) await p.flushReleases();
        expect(maxHeld).toBeLessThanOrEqual(limit);
        expect((await limitUsage(db, db.schema, name))?.inUse).toBe(0);
        await expect.poll(async () => (await waitersOf(db, db.schema, name)).length).toBe(0);
        for (const p of processes) await p.close();
      }),
      { numRuns: 6 },
    );
  });

  it('counts window slots from acquisition to completion + window: never more than the limit in any window', async () => {
    const WINDOW_MS = 100;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.array(request, { minLength: 4, maxLength: 10 }), async (limit, requests) => {
        const name = `window-prop-${run++}`;
        await ensureLimit(db, name, { limit, windowMs: WINDOW_MS });
        const processes = [0, 1, 2].map(() => sharedProcess({ maxPollMs: 50 }));
        // [granted, completed + window) per acquired slot: inside the interval the database counted it.
        const intervals: { from: number; to: number; slots: number }[] = [];
        await Promise.all(
          requests.map(async (r) => {
            await new Promise((resolve) => setTimeout(resolve, r.startMs));
            const slots = Math.min(r.slots, limit);
            const release = await processes[r.process].limiter(name).acquire(slots);
            const from = Date.now();
            await new Promise((resolve) => setTimeout(resolve, r.holdMs));
            const to = Date.now() + WINDOW_MS;
            release();
            intervals.push({ from, to, slots });
          }),
        );
        for (const point of intervals.map((i) => i.from)) {
          const counted = intervals.filter((i) => i.from <= point && point < i.to).reduce((sum, i) => sum + i.slots, 0);
          expect(counted).toBeLessThanOrEqual(limit);
        }
        for (const p of processes) await p.close();
      }),
      { numRuns: 4 },
    );
  });
});
