/**
 * What the benches that run the tool as separate OS processes share: starting `src/cli.ts` under tsx, waiting for a
 * simulator to listen, and reading CPU time from /proc (Linux: clock ticks of 100 per second).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = pathToFileURL(path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
/** Clock ticks per second of /proc (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** `node --import tsx <args>` in the repository, stdin closed. */
export function spawnTsx(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stdout: 'pipe' | 'ignore' = 'pipe',
  stderr: 'pipe' | 'inherit' | 'ignore' = 'pipe',
): ChildProcess {
  return spawn(process.execPath, ['--import', tsx, ...args], { cwd: repoRoot, env, stdio: ['ignore', stdout, stderr] });
}

/** `src/cli.ts sim <args>` in its own process, once it listens. */
export async function startSimulatorProcess(
  simArgs: string[],
  options: { env?: NodeJS.ProcessEnv; stderr?: 'pipe' | 'inherit' | 'ignore' } = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawnTsx(['src/cli.ts', 'sim', ...simArgs], options.env, 'pipe', options.stderr);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
  return { url, child };
}

/** A process's name, parent and CPU seconds (user + system; `childrenSeconds`: of its reaped children), or undefined once it is gone. */
export function processCpu(pid: number): { comm: string; ppid: number; seconds: number; childrenSeconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    // Fields after the name start at state (field 3); utime, stime, cutime, cstime are fields 14-17.
    const f = stat.slice(close + 2).split(' ');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(f[1]),
      seconds: (Number(f[11]) + Number(f[12])) / TICKS,
      childrenSeconds: (Number(f[13]) + Number(f[14])) / TICKS,
    };
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine (every process on it) since boot, from /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // Busy is everything but idle and waiting for I/O (guest time is already inside user).
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  return { busy: busy / TICKS, total: (busy + idle + iowait) / TICKS };
}
