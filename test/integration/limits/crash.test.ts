import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { LimitTimeoutError } from '../../../src/limits/errors.js';
import { limitsCommand } from '../../../src/limits/command.js';
import { ensureLimit, SharedLimits } from '../../../src/limits/pg-shared-limits.js';
import { holdersOf } from '../../../src/limits/pg-store.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { spawnWorker, type WorkerProcess } from './spawn-worker.js';

/** A holder killed with SIGKILL never releases: its slots must come back when its lease runs out. */
const LEASE_MS = 3000;

const handle = useTestDatabase('limits_crash');
let db: Database;
let worker: WorkerProcess | undefined;
let survivor: SharedLimits | undefined;

beforeAll(async () => {
  db = await openMigrated(handle, 'hubspot');
});

afterAll(async () => {
  worker?.kill('SIGKILL');
  await survivor?.close();
  await db?.close();
});

async function inspect(name: string): Promise<string> {
  let printed = '';
  await limitsCommand({ openDb: () => openMigrated(handle, 'hubspot'), stdout: (t) => (printed += t) }).parseAsync(['inspect', name], {
    from: 'user',
  });
  return printed;
}

describe('a holder that crashes', () => {
  it('keeps its slots (and shows in inspect) until its lease expires, then gives them back', async () => {
    await ensureLimit(db, 'crashy', { limit: 3 });
    worker = spawnWorker({
      DATABASE_URL: handle.url,
      WORKER_MODE: 'hold',
      WORKER_LIMIT: 'crashy',
      WORKER_HOLD_SLOTS: '2',
      WORKER_LEASE_MS: String(LEASE_MS),
    });
    const holder = (await worker.line(/^held /)).slice('held '.length);
    expect(holder).toContain(`pid ${worker.child.pid}`);
    expect(await inspect('crashy')).toMatch(new RegExp(`${escape(holder)}\\s+2\\s+2\\s+in \\d+\\.\\d s`));

    // Alive and renewing, it keeps its slots well past one lease.
    survivor = new SharedLimits(db, { leaseMs: LEASE_MS, maxPollMs: 100 });
    await expect(survivor.limiter('crashy').acquire(3, { timeoutMs: LEASE_MS + 500 })).rejects.toBeInstanceOf(LimitTimeoutError);

    worker.kill('SIGKILL');
    await new Promise((resolve) => worker!.child.once('exit', resolve));
    // Dead, but its lease still runs: inspect still names it and the slots are still taken.
    expect(await inspect('crashy')).toContain(holder);
    await expect(survivor.limiter('crashy').acquire(3, { timeoutMs: 200 })).rejects.toBeInstanceOf(LimitTimeoutError);

    // Within one lease (plus a poll) the slots come back.
    const release = await survivor.limiter('crashy').acquire(3, { timeoutMs: LEASE_MS + 1000 });
    expect((await holdersOf(db, db.schema, 'crashy')).map((h) => [h.holder, h.heldSlots])).toEqual([[survivor.holder, 3]]);
    const after = await inspect('crashy');
    expect(after).not.toContain(holder);
    expect(after).toContain('in use   3 of 3');
    release();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
