import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../../src/db/database.js';
import { acquireRunLock } from '../../../src/run/run-lock.js';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';
import { runCli } from '../../helpers/cli-process.js';

const handle = useTestDatabase('cli');
const TOKEN = 'canary-token-7f3a9c51-do-not-print';
let sim: RunningSimulator;
let db: Database;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  sim = await startSimulator({ preset: 'small', seed: 3, token: TOKEN });
  cleanup.push(() => sim.close());
  db = await openMigrated(handle);
  cleanup.push(() => db.close());
}, 120_000);
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('extract on the command line', () => {
  it('HUBSPOT_MAX_REQUESTS_PER_10S=abc: one line naming the variable, exit 2, no database touched', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hx-'));
    try {
      const r = await runCli(['extract'], { HUBSPOT_MAX_REQUESTS_PER_10S: 'abc', HUBSPOT_ACCESS_TOKEN: TOKEN }, dir);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: HUBSPOT_MAX_REQUESTS_PER_10S: expected a positive whole number/);
      expect(r.stdout).toBe('');
      expect(existsSync(path.join(dir, '.data'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every bad setting at once', async () => {
    const r = await runCli(['extract'], { HUBSPOT_TIER: 'gold', LOG_LEVEL: 'loud', HUBSPOT_SAFETY_MARGIN: '2' });
    expect(r.code).toBe(2);
    for (const key of ['HUBSPOT_TIER', 'LOG_LEVEL', 'HUBSPOT_SAFETY_MARGIN']) expect(r.stderr).toContain(key);
  });

  it('no token and no --demo: a clear line and exit 2', async () => {
    const r = await runCli(['extract'], { DATABASE_URL: handle.url });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: HUBSPOT_ACCESS_TOKEN is not set: .*--demo/);
  });

  it('an unknown object type names the valid ones, exit 2', async () => {
    const r = await runCli(['extract', '--objects', 'contacts,tickets'], { HUBSPOT_ACCESS_TOKEN: TOKEN, DATABASE_URL: handle.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"tickets"');
    expect(r.stderr).toContain('contacts, companies');
  });

  it('a second run while one holds the lock says who holds it and exits 3', async () => {
    const lock = await acquireRunLock(db);
    try {
      const r = await runCli(['extract'], { HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_BASE_URL: sim.url, DATABASE_URL: handle.url });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/another run holds the lock for schema "hubspot"/);
    } finally {
      await lock.release();
    }
  });

  it('never prints the access token or the database password, even at debug level and on errors', async () => {
    const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'hx-')), 'requests.ndjson');
    const password = new URL(handle.url).password;
    const env = { HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_BASE_URL: sim.url, DATABASE_URL: handle.url, LOG_LEVEL: 'debug', HUBSPOT_SEARCH_LAG_MS: '0' };
    const ok = await runCli(['extract', '--objects', 'contacts,companies', '--request-log', logFile], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('contacts');
    // The token stops working mid-run: the 401 path must not echo it either.
    sim.setOptions({ tokenExpiresAfter: sim.requests().length + 3 });
    const failed = await runCli(['extract', '--full-refresh'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr + failed.stdout).toMatch(/token/i);
    // A database URL with a wrong password: the error names the problem, not the password.
    const badDb = new URL(handle.url);
    badDb.password = 'wrong-password-5e1d';
    const dbFail = await runCli(['extract'], { ...env, DATABASE_URL: badDb.toString() });
    expect(dbFail.code).not.toBe(0);
    const everything = [ok, failed, dbFail].map((r) => r.stdout + r.stderr).join('\n') + readFileSync(logFile, 'utf8');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('wrong-password-5e1d');
    if (password.length >= 4) expect(everything).not.toContain(password);
    const rows = await db.query(`select * from hubspot.runs`);
    expect(JSON.stringify(rows.rows)).not.toContain(TOKEN);
    sim.setOptions({ tokenExpiresAfter: 0 });
  }, 120_000);
});
