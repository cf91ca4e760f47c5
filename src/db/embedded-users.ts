import { link, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, UserFacingError } from '../exit-codes.js';

/**
 * Coordination between the processes sharing one embedded Postgres data directory, through files beside it
 * (no server to ask yet):
 * - a start lock (`<dir>.lock`), held while a process starts, initialises or stops the server, so two
 *   processes starting together never race for the data directory or the port;
 * - a users folder (`<dir>.users/`), one file per process using the server, so the last one out stops it and
 *   nobody stops it under another.
 * A process is named by its pid and, where /proc tells it, its start time: a pid reused by an unrelated
 * process after a crash is not taken for the one that wrote the file.
 */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); '' where unknown. */
  start: string;
}

export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

export function thisProcess(): ProcessIdentity {
  return { pid: process.pid, start: processStart(process.pid) };
}

export function isAlive(who: ProcessIdentity): boolean {
  try {
    process.kill(who.pid, 0);
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!who.start) return true;
  const now = processStart(who.pid);
  return now === '' || now === who.start;
}

function parseIdentity(text: string): ProcessIdentity | undefined {
  try {
    const v = JSON.parse(text) as Partial<ProcessIdentity>;
    return typeof v.pid === 'number' && v.pid > 0 ? { pid: v.pid, start: typeof v.start === 'string' ? v.start : '' } : undefined;
  } catch {
    return undefined;
  }
}

/** A lock file being written this moment is empty for an instant: only an old unreadable one is stale. */
const UNREADABLE_LOCK_STALE_MS = 10_000;

/**
 * Runs `fn` holding the start lock of the data directory. Waits for a live holder (up to `timeoutMs`); a lock
 * left by a dead process is broken.
 */
export async function withStartLock<T>(databaseDir: string, fn: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const lockPath = `${databaseDir}.lock`;
  const me = JSON.stringify(thisProcess());
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(me);
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const content = await readFile(lockPath, 'utf8').catch(() => undefined);
    if (content === undefined) continue;
    const holder = parseIdentity(content);
    const stale = holder ? !isAlive(holder) : await olderThan(lockPath, UNREADABLE_LOCK_STALE_MS);
    if (stale) {
      await breakStaleLock(lockPath, content);
      continue;
    }
    if (Date.now() > deadline) {
      throw new UserFacingError(
        `the embedded Postgres under ${databaseDir} is being started or stopped by process ${holder?.pid ?? '?'} for longer than ${Math.round(timeoutMs / 1000)} s; if no such process runs, remove ${lockPath}`,
        ExitCode.runFailed,
      );
    }
    await sleep(50 + Math.floor(Math.random() * 50));
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => {});
  }
}

async function olderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return false;
  }
}

/**
 * Moves the stale lock aside before deleting it, so that two processes breaking the same stale lock at once
 * cannot delete the fresh lock one of them just took: the one that finds a fresh lock in its hands puts it back.
 */
async function breakStaleLock(lockPath: string, staleContent: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = await readFile(aside, 'utf8').catch(() => staleContent);
  if (moved !== staleContent) await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}

/** Registers this process as a user of the server; returns the registration's file. Call under the start lock. */
export async function registerUser(databaseDir: string): Promise<string> {
  const folder = `${databaseDir}.users`;
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const file = path.join(folder, `${process.pid}-${randomBytes(3).toString('hex')}`);
  await writeFile(file, JSON.stringify(thisProcess()), { mode: 0o600 });
  return file;
}

/**
 * Removes a registration and returns how many live users remain (registrations of dead processes are
 * removed on the way). Call under the start lock.
 */
export async function unregisterUser(databaseDir: string, file: string): Promise<number> {
  await unlink(file).catch(() => {});
  const folder = `${databaseDir}.users`;
  let live = 0;
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const entry = path.join(folder, name);
    const who = parseIdentity(await readFile(entry, 'utf8').catch(() => ''));
    if (who && isAlive(who)) live++;
    else if (who || (await olderThan(entry, UNREADABLE_LOCK_STALE_MS))) await unlink(entry).catch(() => {});
  }
  return live;
}
