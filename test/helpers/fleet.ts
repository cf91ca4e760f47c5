import { randomBytes } from 'node:crypto';
import { CommanderError, type Command } from 'commander';
import { portalsCommand, fleetCommand } from '../../src/fleet/command.js';
import { UserFacingError } from '../../src/exit-codes.js';
import { ExitCode } from '../../src/exit-codes.js';
import { startCli, type CliResult } from './cli-process.js';
import type { ChildProcess } from 'node:child_process';
import type { Queryable } from '../../src/db/database.js';
import { ident } from '../../src/db/database.js';
import type { ObjectCursor } from '../../extractors/passes/cursor.js';

/**
 * Helpers for the fleet's tests: the `portals`/`fleet` commands run in-process (fast, output captured), and
 * real worker processes started as `hubspot-extract worker`.
 */
export const newKey = () => randomBytes(32).toString('base64');

export interface CommandResult {
  code: number;
  stdout: string;
  error?: string;
}

async function runIn(
  build: (deps: object) => { parseAsync(argv: string[], o: { from: 'user' }): Promise<unknown> },
  args: string[],
  env: NodeJS.ProcessEnv,
  stdin = '',
): Promise<CommandResult> {
  let stdout = '';
  const deps = { env, stdout: (t: string) => void (stdout += t), readStdin: async () => stdin, isInteractive: () => false };
  try {
    await build(deps).parseAsync(args, { from: 'user' });
    return { code: ExitCode.ok, stdout };
  } catch (error) {
    if (error instanceof CommanderError) return { code: ExitCode.usage, stdout, error: error.message };
    if (error instanceof UserFacingError) return { code: error.exitCode, stdout, error: error.message };
    if ((error as { name?: string }).name === 'SettingsError') return { code: ExitCode.usage, stdout, error: (error as Error).message };
    throw error;
  }
}

/** `portals …` in this process, with this environment and stdin. */
/** Commander's own messages (unknown option...) come back in the result, not on the test's stderr. */
function silenced<C extends Command>(command: C): C {
  command.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  for (const sub of command.commands) silenced(sub);
  return command;
}

export function portals(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<CommandResult> {
  return runIn((deps) => silenced(portalsCommand(deps)), args, env, stdin);
}

export function fleet(args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return runIn((deps) => silenced(fleetCommand(deps)), args, env);
}

export interface WorkerProcess {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Log lines (JSON) seen on stderr so far. */
  lines(): Record<string, unknown>[];
  waitFor(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  stderr(): string;
}

/**
 * What a test or a suite started (workers, simulators, pools), stopped in the reverse order when it ends,
 * whether it passed or not: a worker left running after a failed assertion would keep taking the next test's
 * jobs. Every step runs even when one fails.
 */
export class CleanupStack {
  private readonly steps: (() => unknown)[] = [];

  defer(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} clean-up steps failed`);
  }
}

/**
 * Runs `body`, then everything it deferred, last first. A clean-up failure is reported only when the body
 * passed (otherwise the body's own failure is the one that matters).
 */
export async function withCleanup<T>(body: (stack: CleanupStack) => Promise<T>): Promise<T> {
  const stack = new CleanupStack();
  let passed = false;
  try {
    const result = await body(stack);
    passed = true;
    return result;
  } finally {
    await stack.run().catch((error: unknown) => {
      if (passed) throw error;
    });
  }
}

/** A real `hubspot-extract worker` process (pino JSON lines on stderr); killed by `stack` when it unwinds. */
export function startWorker(env: Record<string, string | undefined>, stack?: CleanupStack): WorkerProcess {
  const { child, done } = startCli(['worker'], { LOG_LEVEL: 'info', ...env });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const lines = () =>
    err
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  const worker: WorkerProcess = {
    child,
    done,
    lines,
    stderr: () => err,
    async waitFor(predicate, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = lines().find(predicate);
        if (hit) return hit;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker exited before the expected line:\n${err}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for a worker line:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
  stack?.defer(() => stopWorker(worker));
  return worker;
}

/** SIGKILL unless it already exited; resolves once it has. */
export async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.done;
}

export async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  await Promise.all(workers.map(stopWorker));
}

export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * What a portal's schema holds as committed: each object type's cursor, and each of its rows with the time
 * the transaction that last wrote it started (`synced_at`, moved by every merge of the row). A run that reads
 * a record again, by whatever path or strategy, moves its `synced_at`; one that resumes from the committed
 * cursor leaves the rows committed before it alone.
 */
export interface CommittedState {
  cursors: Map<string, ObjectCursor>;
  rows: Map<string, Map<string, string>>;
}

export async function committedState(q: Queryable, schema: string): Promise<CommittedState> {
  const s = ident(schema);
  const { rows: streams } = await q.query<{ stream: string; cursor: ObjectCursor }>(`select stream, cursor from ${s}.sync_state where stream like 'objects:%'`);
  const state: CommittedState = { cursors: new Map(), rows: new Map() };
  for (const { stream, cursor } of streams) {
    const type = stream.slice('objects:'.length);
    state.cursors.set(type, cursor);
    // As text: a JS Date would drop the microseconds that tell two transactions apart.
    const { rows } = await q.query<{ id: string; synced: string }>(`select id::text as id, synced_at::text as synced from ${s}.${ident(type)}`);
    state.rows.set(type, new Map(rows.map((r) => [r.id, r.synced])));
  }
  return state;
}

/** Rows of `before` that `after` shows written again (`type id`), i.e. records read again after the commit. */
export function rewrittenRows(before: CommittedState, after: CommittedState): string[] {
  const again: string[] = [];
  for (const [type, rows] of before.rows) {
    const now = after.rows.get(type) ?? new Map<string, string>();
    for (const [id, synced] of rows) if (now.get(id) !== synced) again.push(`${type} ${id}`);
  }
  return again;
}

/** The types whose full pass has committed some of its live pages and not finished it. */
export function passesUnderWay(state: CommittedState): string[] {
  return [...state.cursors].filter(([, c]) => c.full?.after !== undefined && !c.full.archived).map(([type]) => type);
}
