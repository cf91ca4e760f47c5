import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(REPO_ROOT, 'src', 'cli.ts');
/** tsx's loader by absolute path, so the child can run from any working directory. */
const TSX_LOADER = pathToFileURL(path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The API version tests read the simulator at: the tool's default, the dated 2026-09 (the simulator serves the
 * dated paths beside v3/v4). Child CLIs, the in-process harness and the tests' own paths (`endpointPath`) follow it.
 */
export const SIMULATOR_API_VERSION = '2026-09';

/** Environment for a child CLI: the parent's PATH and nothing of its HubSpot settings, plus `env`. */
export function cliEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
    HUBSPOT_API_VERSION: SIMULATOR_API_VERSION,
  };
  return { ...base, ...env };
}

/** Starts the real CLI as a separate OS process. */
export function startCli(args: string[], env: Record<string, string | undefined>, cwd = REPO_ROOT): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI, ...args], { cwd, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string | undefined>, cwd?: string): Promise<CliResult> {
  return startCli(args, env, cwd).done;
}
