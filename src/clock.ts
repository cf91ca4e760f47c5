/**
 * Time is injected so the limiter, backoff and scheduler can be driven by a fake clock in tests.
 * Nothing under src/limits may call Date.now, setTimeout or Math.random directly. It sits at the bottom of
 * the layers (beside src/db/): the limits, the executor, the extractors and the simulator all take a Clock.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin for fake clocks). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if aborted first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type Random = () => number;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};

export const systemRandom: Random = () => Math.random();

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A manual clock for deterministic tests: time only moves when the test calls `advance`/`tick`.
 * Sleepers wake in (deadline, insertion) order and microtasks are flushed between wake-ups,
 * so code awaiting a sleep runs before the next deadline fires.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private sleepers: Sleeper[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const sleeper: Sleeper = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve: () => {} };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal!));
      };
      sleeper.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of sleeps not yet due. */
  pending(): number {
    return this.sleepers.length;
  }

  /** Earliest deadline of a pending sleep, or undefined. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const s of this.sleepers) if (min === undefined || s.at < min) min = s.at;
    return min;
  }

  /** Moves time forward by `ms`, waking every sleeper whose deadline passes, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.t = Math.max(this.t, due.at);
      due.resolve();
    }
    this.t = target;
    await flushMicrotasks();
  }

  /** Advances to the next pending deadline (if any) and wakes it. Returns false when nothing is pending. */
  async tick(): Promise<boolean> {
    await flushMicrotasks();
    const next = this.nextDeadline();
    if (next === undefined) return false;
    await this.advance(Math.max(0, next - this.t));
    return true;
  }
}

export async function flushMicrotasks(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** A seeded PRNG (mulberry32) so tests, the simulator and benchmarks can replay the same randomness. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
