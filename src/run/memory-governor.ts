import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Keeps a long run's memory flat. Pages of long engagement bodies (up to 65,536 characters, stored as
 * two-byte strings over 128 KB) land in V8's large-object space, which only a full collection frees, and
 * V8 defers full collections while its heap limit (a share of this machine's RAM) is far away. So peak RSS
 * grew with the length of a run, not with what it holds. Past a soft cap this forces a full collection,
 * at most once a second (a full GC of a few hundred MB takes tens of milliseconds).
 */
export interface MemoryGovernor {
  stop(): void;
  /** Full collections forced so far. */
  readonly collections: number;
}

export function startMemoryGovernor(softCapMb = 200, everyMs = 1000): MemoryGovernor {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  let collections = 0;
  const timer = setInterval(() => {
    if (process.memoryUsage.rss() / 1_048_576 > softCapMb) {
      gc();
      collections++;
    }
  }, everyMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    get collections() {
      return collections;
    },
  };
}
