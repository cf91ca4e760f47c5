import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import { ExitCode, UserFacingError } from '../../../src/exit-codes.js';
import { limitsCommand, type LimitsCommandDeps } from '../../../src/limits/command.js';
import { ensureLimit, SharedLimits } from '../../../src/limits/pg-shared-limits.js';
import { getLimit, waitersOf } from '../../../src/limits/pg-store.js';
import { openMigrated, useTestDatabase } from '../../helpers/postgres.js';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const handle = useTestDatabase('limits_cli');
let db: Database;

beforeAll(async () => {
  db = await openMigrated(handle, 'hubspot');
});

afterAll(async () => {
  await db.close();
});

/** Runs `limits …` in-process against the test database; returns what it printed. */
async function run(args: string[], deps: Partial<LimitsCommandDeps> = {}): Promise<string> {
  let printed = '';
  const command = limitsCommand({
    openDb: () => openMigrated(handle, 'hubspot'),
    stdout: (text) => {
      printed += text;
    },
    isInteractive: () => false,
    ...deps,
  });
  for (const sub of [command, ...command.commands]) sub.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  await command.parseAsync(args, { from: 'user' });
  return printed;
}

/** The error a command fails with, and the exit code the CLI turns it into. */
async function failure(args: string[], deps: Partial<LimitsCommandDeps> = {}): Promise<{ message: string; exitCode: number }> {
  try {
    await run(args, deps);
  } catch (error) {
    if (error instanceof UserFacingError) return { message: error.message, exitCode: error.exitCode };
    // src/cli.ts maps every commander parse error to the usage exit code.
    if (error instanceof CommanderError) return { message: error.message, exitCode: ExitCode.usage };
    throw error;
  }
  throw new Error(`expected limits ${args.join(' ')} to fail`);
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'limits', ...args], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: handle.url, HUBSPOT_DB_SCHEMA: 'hubspot', ...env },
    timeout: 30_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('limits create / ls / inspect / update / delete', () => {
  it('creates limits of each kind and lists them', async () => {
    expect(await run(['create', 'hubspot', '--limit', '190', '--window-ms', '10000'])).toBe('created limit hubspot: rolling window: 190 per 10000 ms\n');
    expect(await run(['create', 'db writers', '--limit', '4'])).toContain('concurrency: 4 slots');
    expect(await run(['create', 'search', '--limit', '5', '--slot-decay-per-second', '5', '--disable'])).toContain('(inactive)');
    const table = (await run(['ls'])).split('\n');
    expect(table[0]).toMatch(/^NAME\s+KIND\s+IN USE\s+HOLDERS\s+WAITING\s+ACTIVE$/);
    expect(table.find((l) => l.startsWith('hubspot '))).toMatch(/rolling window: 190 per 10000 ms\s+0\/190\s+0\s+0\s+yes/);
    expect(table.find((l) => l.startsWith('search '))).toMatch(/decaying 5\/s\s+0\/5\s+0\s+0\s+no/);
    const json = JSON.parse(await run(['ls', '--json'])) as { name: string }[];
    expect(json.map((l) => l.name)).toEqual(['db writers', 'hubspot', 'search']);
  });

  it('inspects holders with their lease expiry, waiters and recent denials', async () => {
    await ensureLimit(db, 'inspected', { limit: 2 });
    const holder = new SharedLimits(db, { leaseMs: 5000, holder: 'worker-a pid 1' });
    const waiter = new SharedLimits(db, { leaseMs: 5000, holder: 'worker-b pid 2' });
    try {
      const release = await holder.limiter('inspected').acquire(2);
      const waiting = waiter.limiter('inspected').acquire(1);
      await expect.poll(async () => (await waitersOf(db, db.schema, 'inspected')).length).toBe(1);
      const text = await run(['inspect', 'inspected']);
      expect(text).toContain('in use   2 of 2');
      expect(text).toMatch(/worker-a pid 1\s+2\s+2\s+in \d+\.\d s/);
      expect(text).toMatch(/waiting \(1\):\n.*\n\s+\d+\s+worker-b pid 2\s+1/);
      expect(text).toMatch(/recent denials \(latest 1\):\n.*\n\s+\S+\s+worker-b pid 2\s+1\s+waiting/);
      release();
      (await waiting)();
    } finally {
      await holder.close();
      await waiter.close();
    }
    const after = await run(['inspect', 'inspected']);
    expect(after).toContain('in use   0 of 2');
    expect(after).toContain('holders: none');
  });

  it('updates the limit, decay and activity', async () => {
    await run(['create', 'changing', '--limit', '3']);
    expect(await run(['update', 'changing', '--limit', '7', '--slot-decay-per-second', '0.5', '--disable'])).toBe(
      'updated limit changing: slot pool: 7 slots, decaying 0.5/s (inactive)\n',
    );
    expect(await getLimit(db, db.schema, 'changing')).toMatchObject({ limit: 7, slotDecayPerSecond: 0.5, active: false });
    await run(['update', 'changing', '--enable']);
    expect(await getLimit(db, db.schema, 'changing')).toMatchObject({ active: true });
  });

  it('deletes only with confirmation', async () => {
    await run(['create', 'doomed', '--limit', '1']);
    expect(await failure(['delete', 'doomed'])).toEqual({
      message: 'not deleting limit "doomed" without confirmation: not a terminal, pass --yes',
      exitCode: ExitCode.usage,
    });
    const questions: string[] = [];
    const ask = (answer: boolean) => ({
      isInteractive: () => true,
      confirm: async (q: string) => {
        questions.push(q);
        return answer;
      },
    });
    expect(await run(['delete', 'doomed'], ask(false))).toBe('kept limit doomed\n');
    expect(questions[0]).toMatch(/^Delete limit doomed \(concurrency: 1 slots, 0 in use\)\? \[y\/N\] $/);
    expect(await getLimit(db, db.schema, 'doomed')).toBeDefined();
    expect(await run(['delete', 'doomed'], ask(true))).toBe('deleted limit doomed\n');
    expect(await getLimit(db, db.schema, 'doomed')).toBeUndefined();
    await run(['create', 'doomed', '--limit', '1']);
    expect(await run(['delete', 'doomed', '--yes'])).toBe('deleted limit doomed\n');
  });
});

describe('bad input: one clear line, exit 2', () => {
  it.each([
    [['create', 'x', '--limit', '-3'], /argument '-3' is invalid\. expected a whole number >= 0/],
    [['create', 'x', '--limit', 'many'], /expected a whole number >= 0/],
    [['create', 'x', '--limit', '3', '--window-ms', '0'], /expected a positive whole number of milliseconds/],
    [['create', 'x', '--limit', '3', '--slot-decay-per-second', '-1'], /expected a number of slots per second >= 0/],
    [['create', 'x', '--limit', '3', '--slot-decay-per-second', '1', '--window-ms', '1000'], /either --window-ms or --slot-decay-per-second/],
    [['create', 'a/b', '--limit', '3'], /Invalid limit name "a\/b": it contains the character '\/'/],
    [['create', '', '--limit', '3'], /names must not be empty/],
    [['create', 'x'], /required option '--limit <n>' not specified/],
    [['inspect', 'no-such-limit'], /^no limit named "no-such-limit"/],
    [['update', 'no-such-limit', '--limit', '3'], /^no limit named "no-such-limit"/],
    [['delete', 'no-such-limit', '--yes'], /^no limit named "no-such-limit"/],
    [['update', 'x<y', '--limit', '3'], /contains the character '<'/],
    [['update', 'hubspot'], /^nothing to update/],
    [['update', 'hubspot', '--enable', '--disable'], /not both/],
    [['update', 'hubspot', '--slot-decay-per-second', '2'], /is a rolling window; its slots cannot decay/],
    [['create', 'hubspot', '--limit', '3'], /already exists/],
  ])('limits %j', async (args, message) => {
    const { message: got, exitCode } = await failure(args as string[]);
    expect(exitCode).toBe(ExitCode.usage);
    expect(got).toMatch(message);
    expect(got).not.toContain('\n');
  });

  it('exits 2 with one line from the real command line', async () => {
    const bad = await cli(['create', 'bad&name', '--limit', '1']);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr.trim().split('\n')).toEqual([
      'error: Invalid limit name "bad&name": it contains the character \'&\'; limit names may not contain any of / % & > <',
    ]);
    const negative = await cli(['update', 'hubspot', '--limit', '-1']);
    expect(negative.code).toBe(ExitCode.usage);
    expect(negative.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('lists options and the environment it reads in every --help', async () => {
    const command = limitsCommand();
    for (const sub of command.commands) {
      let help = '';
      sub.configureOutput({ writeOut: (t) => (help += t) });
      sub.outputHelp();
      expect(help, sub.name()).toContain('DATABASE_URL');
      expect(help, sub.name()).toContain('HUBSPOT_DB_SCHEMA');
      expect(help, sub.name()).toContain('--schema <name>');
    }
    const help = await cli(['update', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--limit <n>[\s\S]*--slot-decay-per-second <x>[\s\S]*--enable[\s\S]*--disable/);
  });

  it('never prints the database password', async () => {
    const unreachable = 'postgres://someone:hunter2-secret@127.0.0.1:1/nowhere';
    const result = await cli(['ls'], { DATABASE_URL: unreachable });
    expect(result.code).toBe(ExitCode.runFailed);
    expect(result.stderr).toMatch(/^error: cannot open the database: .*127\.0\.0\.1:1 \(check DATABASE_URL\)$/m);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
  });
});
