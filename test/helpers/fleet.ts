import { randomBytes } from 'node:crypto';
import { CommanderError, type Command } from 'commander';
import { portalsCommand, fleetCommand } from '../../src/fleet/command.js';
import { UserFacingError } from '../../src/exit-codes.js';
import { ExitCode } from '../../src/exit-codes.js';
import { startCli, type CliResult } from './cli-process.js';
import type { ChildProcess } from 'node:child_process';

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

async function runIn(build: (deps: object) => { parseAsync(argv: string[], o: { from: 'user' }): Promise<unknown> }, args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<CommandResult> {
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

/** A real `hubspot-extract worker` process (pino JSON lines on stderr). */
export function startWorker(env: Record<string, string | undefined>): WorkerProcess {
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
  return {
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
}

export async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.done));
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
