import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acquireRunLock } from '../../../src/run/run-lock.js';
import { usePortalFixture } from '../../helpers/portal-fixture.js';
import { runCli } from '../../helpers/cli-process.js';
import { SETTINGS } from '../../../config/settings.js';

const TOKEN = 'canary-token-7f3a9c51-do-not-print';
const portal = usePortalFixture('cli', { preset: 'small', seed: 3, token: TOKEN });

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

  it('--help lists the options and every environment variable the settings read', async () => {
    const r = await runCli(['extract', '--help'], {});
    expect(r.code).toBe(0);
    for (const option of ['--demo', '--objects', '--full-refresh', '--include-archived', '--request-log', '--shared-limits', '--schedule', '--metrics-port']) {
      expect(r.stdout).toContain(option);
    }
    for (const key of Object.keys(SETTINGS)) expect(r.stdout).toContain(key);
  });

  it('reports every bad setting at once', async () => {
    const r = await runCli(['extract'], { HUBSPOT_TIER: 'gold', LOG_LEVEL: 'loud', HUBSPOT_SAFETY_MARGIN: '2' });
    expect(r.code).toBe(2);
    for (const key of ['HUBSPOT_TIER', 'LOG_LEVEL', 'HUBSPOT_SAFETY_MARGIN']) expect(r.stderr).toContain(key);
  });

  it('no token and no --demo: a clear line and exit 2', async () => {
    const r = await runCli(['extract'], { DATABASE_URL: portal.handle.url });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error: HUBSPOT_ACCESS_TOKEN is not set: .*--demo/);
  });

  it('an unknown object type names the valid ones, exit 2', async () => {
    // tickets is one since issue 14; widgets is no type HubSpot has.
    const r = await runCli(['extract', '--objects', 'contacts,tickets,widgets'], { HUBSPOT_ACCESS_TOKEN: TOKEN, DATABASE_URL: portal.handle.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown object type "widgets";');
    expect(r.stderr).toContain('contacts, companies');
    expect(r.stderr).toContain('line_items, quotes, leads, forms, custom_objects');
  });

  it('a second run while one holds the lock says who holds it and exits 3', async () => {
    const lock = await acquireRunLock(portal.db);
    try {
      const r = await runCli(['extract'], { HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_BASE_URL: portal.sim.url, DATABASE_URL: portal.handle.url });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/another run holds the lock for schema "hubspot"/);
    } finally {
      await lock.release();
    }
  });

  it('a first run estimates each type at its size in the portal, whatever the run writes meanwhile', async () => {
    const env = { HUBSPOT_ACCESS_TOKEN: TOKEN, HUBSPOT_BASE_URL: portal.sim.url, DATABASE_URL: portal.handle.url, HUBSPOT_DB_SCHEMA: 'estimate_first' };
    const r = await runCli(['extract', '--objects', 'contacts,companies,deals,calls,notes'], env);
    expect(r.code).toBe(0);
    const line = r.stderr.split('\n').find((l) => l.includes('this run will cost about'));
    expect(line).toBeDefined();
    const estimate = JSON.parse(line!) as { records: Record<string, number> };
    const loaded: Record<string, number> = {};
    for (const type of ['contacts', 'companies', 'deals', 'calls', 'notes']) {
      const { rows } = await portal.db.query<{ n: number }>(`select count(*)::int as n from estimate_first.${type} where not archived`);
      loaded[type] = rows[0].n;
    }
    expect(Object.values(loaded).every((n) => n > 0)).toBe(true);
    expect(estimate.records).toEqual(loaded);
  });

  it('never prints the access token or the database password, even at debug level and on errors', async () => {
    const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'hx-')), 'requests.ndjson');
    const password = new URL(portal.handle.url).password;
    const env = {
      HUBSPOT_ACCESS_TOKEN: TOKEN,
      HUBSPOT_BASE_URL: portal.sim.url,
      DATABASE_URL: portal.handle.url,
      LOG_LEVEL: 'debug',
      HUBSPOT_SEARCH_LAG_MS: '0',
    };
    const ok = await runCli(['extract', '--objects', 'contacts,companies', '--request-log', logFile], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('contacts');
    // The token stops working mid-run: the 401 path must not echo it either.
    portal.sim.setOptions({ tokenExpiresAfter: portal.sim.requests().length + 3 });
    const failed = await runCli(['extract', '--full-refresh'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr + failed.stdout).toMatch(/token/i);
    // A database URL with a wrong password: the error names the problem, not the password.
    const badDb = new URL(portal.handle.url);
    badDb.password = 'wrong-password-5e1d';
    const dbFail = await runCli(['extract'], { ...env, DATABASE_URL: badDb.toString() });
    expect(dbFail.code).not.toBe(0);
    const everything = [ok, failed, dbFail].map((r) => r.stdout + r.stderr).join('\n') + readFileSync(logFile, 'utf8');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('wrong-password-5e1d');
    if (password.length >= 4) expect(everything).not.toContain(password);
    const rows = await portal.db.query(`select * from hubspot.runs`);
    expect(JSON.stringify(rows.rows)).not.toContain(TOKEN);
    portal.sim.setOptions({ tokenExpiresAfter: 0 });
  }, 120_000);
});
