import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const workerScript = path.join(import.meta.dirname, 'worker.ts');

export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line matching `pattern`. */
  line(pattern: RegExp): Promise<string>;
  /** Sends `go` and resolves with the JSON summary the worker prints at the end. */
  run<T>(): Promise<T>;
  stderr(): string;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts test/integration/limits/worker.ts as a separate OS process (see its header for the env). */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const seen: string[] = [];
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    seen.push(line);
    for (const w of [...waiting]) {
      if (w.pattern.test(line)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const found = seen.find((l) => pattern.test(l));
      if (found) return resolve(found);
      waiting.push({ pattern, resolve });
      exited.then((code) => reject(new Error(`worker exited (${code}) before printing ${pattern}: ${errors}`)));
    });
  return {
    child,
    line,
    async run<T>() {
      child.stdin.write('go\n');
      return JSON.parse(await line(/^\{/)) as T;
    },
    stderr: () => errors,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
