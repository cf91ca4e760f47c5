import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.js';
import { resolveCredential } from '../../../src/fleet/credentials.js';
import { getPortal } from '../../../src/fleet/registry.js';
import { KeyRing, parseKey } from '../../../src/fleet/secret-box.js';
import { cliEnv, CLI, REPO_ROOT, runCli } from '../../helpers/cli-process.js';
import { newKey, portals } from '../../helpers/fleet.js';
import { useTestDatabase } from '../../helpers/postgres.js';

/**
 * The portal registry from the CLI: add, ls, inspect, update, remove, rotate-key; every bad input refused with
 * one line and exit 2 before anything is touched; a token never in the database, the output or argv.
 */
const handle = useTestDatabase('fleet_registry');
const keyA = newKey();
const keyB = newKey();
let db: Database;
let env: NodeJS.ProcessEnv;
// Shaped like a private-app token (built so that no token-shaped literal is committed).
const TOKEN = ['pat', 'na1', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'].join('-');
const REFRESH = 'na1-refresh-9a8b7c6d-5e4f-3a2b-1c0d-ffeeddccbbaa';

beforeAll(async () => {
  env = { DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: keyA };
  db = await openDatabase({ url: handle.url, schema: 'hubspot_fleet', poolSize: 2 });
});
afterAll(async () => {
  await db?.close();
});

/** Every value stored in the fleet's schema, as text (bytea both as hex and as raw bytes read as latin1). */
async function everythingStored(): Promise<string> {
  const { rows } = await db.query<{ t: string }>(
    `select coalesce(string_agg(x, E'\\n'), '') as t from (
       select p::text as x from hubspot_fleet.portals p union all select l::text from hubspot_fleet.limits l) s`,
  );
  const { rows: raw } = await db.query<{ c: Buffer | null; a: Buffer | null }>(
    'select credential_ciphertext as c, access_ciphertext as a from hubspot_fleet.portals',
  );
  return [
    rows[0].t,
    ...raw
      .flatMap((r) => [r.c, r.a])
      .filter((b): b is Buffer => b !== null)
      .map((b) => b.toString('latin1')),
  ].join('\n');
}

describe('portals add / ls / inspect', () => {
  it('adds a private app whose token is in an environment variable, with its schema, limits and schedule', async () => {
    const added = await portals(
      ['add', 'acme', '--token-env', 'HUBSPOT_TOKEN_ACME', '--tier', 'enterprise', '--schedule', '*/15 * * * *', '--objects', 'contacts,companies'],
      env,
    );
    expect(added.error).toBeUndefined();
    expect(added.stdout).toContain('added portal acme: schema hubspot_acme');
    expect(added.stdout).toContain('190 requests per 10 s, 1,000,000 per day');
    const portal = (await getPortal(db, 'hubspot_fleet', 'acme'))!;
    expect(portal).toMatchObject({
      schema: 'hubspot_acme',
      auth: 'private_app',
      tier: 'enterprise',
      objects: 'contacts,companies',
      schedule: '*/15 * * * *',
      status: 'active',
      credential: { kind: 'env', ref: 'HUBSPOT_TOKEN_ACME' },
    });
    expect(portal.nextRunAt!.getUTCMinutes() % 15).toBe(0);
    // Its limits are shared limits named after it.
    const { rows } = await db.query<{ name: string; limit: number; window_ms: number }>(
      `select name, "limit", window_ms from hubspot_fleet.limits where name like 'acme%' order by name`,
    );
    expect(rows).toEqual([
      { name: 'acme', limit: 190, window_ms: 10_000 },
      { name: 'acme-search', limit: 5, window_ms: 1000 },
    ]);
    const ls = await portals(['ls'], env);
    expect(ls.stdout).toMatch(/^NAME\s+AUTH\s+STATE/);
    expect(ls.stdout).toMatch(/acme\s+private\s+never run\s+\*\/15 \* \* \* \*/);
    const inspect = await portals(['inspect', 'acme'], env);
    expect(inspect.stdout).toContain('token       environment variable HUBSPOT_TOKEN_ACME');
    expect(inspect.stdout).toContain('limits      190 per 10 s (shared limit "acme"), 1,000,000 per day');
  });

  it('adds a portal whose token is read from stdin and stored encrypted: the token is nowhere in the database or the output', async () => {
    const added = await portals(['add', 'beta', '--token-stdin', '--schema', 'beta_data'], env, `${TOKEN}\n`);
    expect(added.error).toBeUndefined();
    const portal = (await getPortal(db, 'hubspot_fleet', 'beta'))!;
    expect(portal.credential.kind).toBe('encrypted');
    expect(portal.credential.sealed!.keyId).toBe(parseKey(keyA).id);
    expect(await resolveCredential(portal, KeyRing.fromSettings({ key: keyA }))).toBe(TOKEN);
    const stored = await everythingStored();
    expect(stored).toContain('beta_data');
    expect(stored).not.toContain(TOKEN);
    expect(stored).not.toContain(Buffer.from(TOKEN).toString('hex'));
    expect(stored).not.toContain(Buffer.from(TOKEN).toString('base64'));
    for (const args of [['ls'], ['ls', '--json'], ['inspect', 'beta'], ['inspect', 'beta', '--json']]) {
      const shown = await portals(args, env);
      expect(shown.error).toBeUndefined();
      expect(shown.stdout).not.toContain(TOKEN);
    }
    expect((await portals(['inspect', 'beta'], env)).stdout).toContain(`token       encrypted in the registry (key ${parseKey(keyA).id})`);
  });

  it('adds an OAuth install: 110 per 10 s, no daily limit, its refresh token from a file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'fleet-'));
    const file = path.join(dir, 'refresh-token');
    await writeFile(file, `${REFRESH}\n`, { mode: 0o600 });
    const added = await portals(['add', 'gamma', '--oauth', '--refresh-token-file', file], env);
    expect(added.error).toBeUndefined();
    expect(added.stdout).toContain('OAuth install, 110 requests per 10 s, no daily limit; refresh token from file');
    const portal = (await getPortal(db, 'hubspot_fleet', 'gamma'))!;
    expect(portal).toMatchObject({ auth: 'oauth', tier: undefined, credential: { kind: 'file', ref: file } });
    expect(await resolveCredential(portal, KeyRing.fromSettings({}))).toBe(REFRESH);
    const json = JSON.parse((await portals(['inspect', 'gamma', '--json'], env)).stdout);
    expect(json).toMatchObject({
      name: 'gamma',
      auth: 'oauth',
      limits: { per10s: 110, daily: null },
      credential: { kind: 'file', ref: file },
      accessToken: { cached: false },
    });
  });

  it('resolves each kind of credential on the worker, and says which one is missing where', async () => {
    const keys = KeyRing.fromSettings({ key: keyA });
    const acme = (await getPortal(db, 'hubspot_fleet', 'acme'))!;
    expect(await resolveCredential(acme, keys, { HUBSPOT_TOKEN_ACME: ' tok-from-env \n' })).toBe('tok-from-env');
    await expect(resolveCredential(acme, keys, {})).rejects.toThrow('portal acme: environment variable HUBSPOT_TOKEN_ACME is not set on this worker');
    await expect(resolveCredential({ name: 'x', credential: { kind: 'file', ref: '/nonexistent/token' } }, keys)).rejects.toThrow(
      'cannot read token file /nonexistent/token on this worker (ENOENT)',
    );
    const beta = (await getPortal(db, 'hubspot_fleet', 'beta'))!;
    await expect(resolveCredential(beta, KeyRing.fromSettings({}))).rejects.toThrow(/HUBSPOT_FLEET_KEY is not set/);
  });
});

describe('bad input: one line, exit 2, nothing stored', () => {
  const cases: [string, string[], RegExp, string?][] = [
    ['a bad name', ['add', 'Bad-Name', '--token-env', 'X'], /portal name "Bad-Name": expected a lower-case letter/],
    [
      'an unknown tier',
      ['add', 'p1', '--token-env', 'X', '--tier', 'gold'],
      /--tier: expected one of free\|starter\|professional\|enterprise\|api-addon, got "gold"/,
    ],
    ['a bad cron', ['add', 'p1', '--token-env', 'X', '--schedule', 'every day'], /--schedule: "every day" is not a cron expression/],
    ['an unknown object', ['add', 'p1', '--token-env', 'X', '--objects', 'contacts,widgets'], /--objects: unknown object type "widgets"/],
    ['a zero limit', ['add', 'p1', '--token-env', 'X', '--max-requests-per-10s', '0'], /--max-requests-per-10s: expected a positive whole number/],
    ['no token', ['add', 'p1'], /a portal needs its token: --token-env VAR, --token-file PATH or --token-stdin/],
    ['two tokens', ['add', 'p1', '--token-env', 'X', '--token-file', '/t'], /give the token one way only/],
    ['a relative token file', ['add', 'p1', '--token-file', 'token.txt'], /--token-file: expected an absolute path/],
    ['a bad variable name', ['add', 'p1', '--token-env', 'MY-TOKEN'], /--token-env: expected the name of an environment variable/],
    ['OAuth with a private token', ['add', 'p1', '--oauth', '--token-env', 'X'], /--oauth takes the install's refresh token/],
    ['a refresh token without --oauth', ['add', 'p1', '--refresh-token-env', 'X'], /--refresh-token-… goes with --oauth/],
    ['OAuth with a tier', ['add', 'p1', '--oauth', '--refresh-token-env', 'X', '--tier', 'starter'], /--tier: OAuth installs have the public-app limit/],
    ['an empty stdin', ['add', 'p1', '--token-stdin'], /no token on stdin/, ''],
    ['the fleet schema', ['add', 'p1', '--token-env', 'X', '--schema', 'hubspot_fleet'], /belongs to the fleet itself/],
    ['a taken name', ['add', 'acme', '--token-env', 'X', '--schema', 'other'], /a portal named "acme" already exists/],
    ['a taken schema', ['add', 'p1', '--token-env', 'X', '--schema', 'hubspot_acme'], /another portal already loads into schema "hubspot_acme"/],
    ['an unknown option (a token as an argument)', ['add', 'p1', '--token', TOKEN], /unknown option '--token'/],
    ['updating an unknown portal', ['update', 'nobody', '--pause'], /no portal named "nobody"/],
    ['moving a schema', ['update', 'acme', '--schema', 'x'], /a portal keeps its schema/],
    ['an empty update', ['update', 'acme'], /nothing to update/],
    ['switching to OAuth without a refresh token', ['update', 'acme', '--oauth'], /an OAuth install needs its refresh token/],
    ['run with neither name nor --all', ['run'], /give a portal name or --all/],
    ['removing without --yes off a terminal', ['remove', 'acme'], /without confirmation: not a terminal, pass --yes/],
    ['rotating without the old key', ['rotate-key'], /HUBSPOT_FLEET_KEY_OLD is not set/],
  ];
  for (const [what, args, message, stdin] of cases) {
    it(what, async () => {
      const before = await everythingStored();
      const result = await portals(args, env, stdin);
      expect(result.code).toBe(2);
      expect(result.error).toMatch(message);
      expect(result.error!.split('\n')).toHaveLength(1);
      expect(result.error).not.toContain(TOKEN);
      expect(await everythingStored()).toBe(before);
    });
  }

  it('without HUBSPOT_FLEET_KEY a token from stdin is refused before stdin is read', async () => {
    const result = await portals(['add', 'p2', '--token-stdin'], { DATABASE_URL: handle.url }, TOKEN);
    expect(result.code).toBe(2);
    expect(result.error).toMatch(/HUBSPOT_FLEET_KEY is not set/);
  });

  it('as a real process: one line on stderr, exit 2; a token read from stdin never reaches argv or the output', async () => {
    const bad = await runCli(['portals', 'add', 'p3', '--token-env', 'X', '--tier', 'gold'], { DATABASE_URL: handle.url });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['error: --tier: expected one of free|starter|professional|enterprise|api-addon, got "gold"']);
    const unknown = await runCli(['portals', 'add', 'p3', '--token', TOKEN], { DATABASE_URL: handle.url });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).not.toContain(TOKEN);

    const args = [
      '--import',
      pathToFileURL(path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href,
      CLI,
      'portals',
      'add',
      'delta',
      '--token-stdin',
    ];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: cliEnv({ DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: keyA }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.stdin.end(TOKEN);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(out).toContain('added portal delta');
    expect(code).toBe(0);
    expect(child.spawnargs.join(' ')).not.toContain(TOKEN);
    expect(out).not.toContain(TOKEN);
    const delta = (await getPortal(db, 'hubspot_fleet', 'delta'))!;
    expect(await resolveCredential(delta, KeyRing.fromSettings({ key: keyA }))).toBe(TOKEN);
  });
});

describe('portals update / remove', () => {
  it('changes limits (and the shared limit with them), schedule, objects; pauses and resumes', async () => {
    const updated = await portals(['update', 'acme', '--max-requests-per-10s', '150', '--no-schedule', '--objects', 'all', '--pause'], env);
    expect(updated.error).toBeUndefined();
    let portal = (await getPortal(db, 'hubspot_fleet', 'acme'))!;
    expect(portal).toMatchObject({ maxRequestsPer10s: 150, schedule: undefined, nextRunAt: undefined, objects: undefined, status: 'paused' });
    const { rows } = await db.query<{ limit: number }>(`select "limit" from hubspot_fleet.limits where name = 'acme'`);
    expect(rows[0].limit).toBe(150);
    expect((await portals(['run', 'acme'], env)).error).toMatch(/portal acme is paused: resume it first/);
    await portals(['update', 'acme', '--resume', '--schedule', '0 * * * *'], env);
    portal = (await getPortal(db, 'hubspot_fleet', 'acme'))!;
    expect(portal).toMatchObject({ status: 'active', schedule: '0 * * * *' });
    expect(portal.nextRunAt!.getUTCMinutes()).toBe(0);
  });

  it('a new credential replaces the old one (and brings a needs_reauth portal back)', async () => {
    await db.query(`update hubspot_fleet.portals set status = 'needs_reauth', status_reason = 'refused' where name = 'gamma'`);
    const updated = await portals(['update', 'gamma', '--refresh-token-stdin'], env, 'na1-new-refresh-token');
    expect(updated.error).toBeUndefined();
    const portal = (await getPortal(db, 'hubspot_fleet', 'gamma'))!;
    expect(portal).toMatchObject({ status: 'active', statusReason: undefined, credential: { kind: 'encrypted' } });
    expect(await resolveCredential(portal, KeyRing.fromSettings({ key: keyA }))).toBe('na1-new-refresh-token');
  });

  it('removes a portal with its limits; its data schema is kept', async () => {
    await db.query('create schema if not exists hubspot_delta');
    const removed = await portals(['remove', 'delta', '--yes'], env);
    expect(removed.stdout).toContain('removed portal delta; its data stays in schema hubspot_delta');
    expect(await getPortal(db, 'hubspot_fleet', 'delta')).toBeUndefined();
    expect((await db.query(`select 1 from hubspot_fleet.limits where name like 'delta%'`)).rowCount).toBe(0);
    expect((await db.query(`select 1 from information_schema.schemata where schema_name = 'hubspot_delta'`)).rowCount).toBe(1);
  });
});

describe('key rotation', () => {
  it('re-encrypts every stored token under the new key in one go; the old key is then no longer needed', async () => {
    const before = (await getPortal(db, 'hubspot_fleet', 'beta'))!;
    const rotated = await portals(['rotate-key'], { DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: keyB, HUBSPOT_FLEET_KEY_OLD: keyA });
    expect(rotated.error).toBeUndefined();
    expect(rotated.stdout).toContain(`re-encrypted 2 stored token(s) and 0 cached access token(s) under key ${parseKey(keyB).id}`);
    const beta = (await getPortal(db, 'hubspot_fleet', 'beta'))!;
    expect(beta.credential.sealed!.keyId).toBe(parseKey(keyB).id);
    expect(beta.credential.sealed!.ciphertext.equals(before.credential.sealed!.ciphertext)).toBe(false);
    expect(await resolveCredential(beta, KeyRing.fromSettings({ key: keyB }))).toBe(TOKEN);
    await expect(resolveCredential(beta, KeyRing.fromSettings({ key: keyA }))).rejects.toThrow(/sealed with key .* but HUBSPOT_FLEET_KEY is key/);
    // Nothing left under the old key: running it again changes nothing.
    const again = await portals(['rotate-key'], { DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: keyB, HUBSPOT_FLEET_KEY_OLD: keyA });
    expect(again.stdout).toContain('re-encrypted 0 stored token(s)');
  });

  it('a token under a key nobody gave stops the rotation and changes nothing', async () => {
    const keyC = newKey();
    await portals(['add', 'epsilon', '--token-stdin'], { DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: keyC }, 'tok-under-c');
    const before = await everythingStored();
    const rotated = await portals(['rotate-key'], { DATABASE_URL: handle.url, HUBSPOT_FLEET_KEY: newKey(), HUBSPOT_FLEET_KEY_OLD: keyB });
    expect(rotated.code).toBe(2);
    expect(rotated.error).toMatch(new RegExp(`sealed with key ${parseKey(keyC).id}`));
    expect(await everythingStored()).toBe(before);
  });
});
