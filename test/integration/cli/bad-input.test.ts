import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../../src/db/embedded.js';
import { runCli, type CliResult } from '../../helpers/cli-process.js';

/**
 * Issue 17, "Bad input": each mistake is one line naming what was wrong and what to do, exit 2, before
 * anything is touched. Every case here failed on d2812c8 (it ran on, and failed or hung later, or
 * silently did something else). The CLI runs in an empty folder, so "nothing touched" means the folder
 * stays empty; DATABASE_URL points at a closed port, so code that goes past validation fails fast
 * instead of creating an embedded database.
 */
const folders: string[] = [];
let deadDatabase: string;

beforeAll(async () => {
  deadDatabase = `postgres://nobody:secret-pw@127.0.0.1:${await freePort()}/nowhere`;
});

function freshFolder(): string {
  const folder = mkdtempSync(path.join(tmpdir(), 'hx-bad-'));
  folders.push(folder);
  return folder;
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const baseEnv = () => ({ HUBSPOT_ACCESS_TOKEN: 'pat-na1-bad-input-test', DATABASE_URL: deadDatabase, HUBSPOT_BASE_URL: 'http://127.0.0.1:9' });

function expectUsageLine(r: CliResult, pattern: RegExp, folder: string, keep: string[] = []): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stdout).toBe('');
  expect(readdirSync(folder).filter((f) => !keep.includes(f))).toEqual([]);
}

describe('bad input: one line, exit 2, nothing touched', () => {
  it('--request-log into a missing folder (fails on d2812c8: the whole run, then exit 1 and the log lost)', async () => {
    const folder = freshFolder();
    const r = await runCli(['extract', '--request-log', 'no/such/folder/requests.ndjson'], baseEnv(), folder);
    expectUsageLine(r, /--request-log .*folder .* does not exist/, folder);
  });

  it('--schema pg_x, a prefix Postgres reserves (fails on d2812c8)', async () => {
    const folder = freshFolder();
    const r = await runCli(['extract', '--schema', 'pg_x'], baseEnv(), folder);
    expectUsageLine(r, /HUBSPOT_DB_SCHEMA: .*pg_.*reserved/, folder);
  });

  it('--metrics-port 70000 (fails on d2812c8)', async () => {
    const folder = freshFolder();
    const r = await runCli(['extract', '--metrics-port', '70000'], baseEnv(), folder);
    expectUsageLine(r, /METRICS_PORT: expected a TCP port from 1 to 65535 .*got "70000"/, folder);
  });

  it('HUBSPOT_LIMITS_LEASE_MS=50 names the minimum (fails on d2812c8)', async () => {
    const folder = freshFolder();
    const r = await runCli(['extract', '--shared-limits'], { ...baseEnv(), HUBSPOT_LIMITS_LEASE_MS: '50' }, folder);
    expectUsageLine(r, /HUBSPOT_LIMITS_LEASE_MS: expected at least 1000/, folder);
  });

  it('--objects , names no object type (fails on d2812c8: a run of nothing)', async () => {
    const folder = freshFolder();
    const r = await runCli(['extract', '--objects', ','], baseEnv(), folder);
    expectUsageLine(r, /--objects: "," names no object type/, folder);
  });

  it('a cron that never fires, 0 0 31 2 * (fails on d2812c8: waits forever)', async () => {
    const folder = freshFolder();
    const r = await runCli(['extract', '--schedule', '0 0 31 2 *'], baseEnv(), folder);
    expectUsageLine(r, /--schedule: "0 0 31 2 \*" never fires/, folder);
  });

  it('a .env that exists but cannot be read (fails on d2812c8: ignored, and an embedded database created instead)', async () => {
    const folder = freshFolder();
    // Root reads any file whatever its mode, so unreadable here means a folder, and a link to nowhere.
    mkdirSync(path.join(folder, '.env'));
    const env = { HUBSPOT_ACCESS_TOKEN: 'pat-na1-bad-input-test', HUBSPOT_BASE_URL: 'http://127.0.0.1:9' };
    const r = await runCli(['extract'], env, folder);
    expectUsageLine(r, /\.env: exists but cannot be read \(EISDIR\)/, folder, ['.env']);
    rmSync(path.join(folder, '.env'), { recursive: true });
    symlinkSync(path.join(folder, 'gone.env'), path.join(folder, '.env'));
    const dangling = await runCli(['extract'], env, folder);
    expectUsageLine(dangling, /\.env: exists but cannot be read \(ENOENT\)/, folder, ['.env']);
    expect(existsSync(path.join(folder, '.data'))).toBe(false);
  });

  it('an unknown HUBSPOT_* key in .env is a warning naming the close match, not an error (fails on d2812c8: silently ignored)', async () => {
    const folder = freshFolder();
    writeFileSync(path.join(folder, '.env'), 'HUBSPOT_MAX_REQUEST_PER_10S=100\nHUBSPOT_TIER=gold\n');
    const r = await runCli(['extract'], baseEnv(), folder);
    // HUBSPOT_TIER=gold makes it stop at validation, so the warning is seen without a run.
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warning: .*\.env: unknown setting HUBSPOT_MAX_REQUEST_PER_10S is ignored; did you mean HUBSPOT_MAX_REQUESTS_PER_10S\?/);
    expect(lines[1]).toMatch(/^error: HUBSPOT_TIER: /);
  });

  it('limit names with control characters (fails on d2812c8: created, and `limits ls` lines broken)', async () => {
    const folder = freshFolder();
    for (const name of ['bad\nname', 'tab\there', 'esc\u001b[31m']) {
      const r = await runCli(['limits', 'create', name, '--limit', '5'], { DATABASE_URL: deadDatabase }, folder);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: Invalid limit name ".*": it contains a control character/);
    }
    expect(readdirSync(folder)).toEqual([]);
  });
});
