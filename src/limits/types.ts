/**
 * The one small interface every limiter implements, in-process or shared through Postgres.
 * `acquire` resolves once `n` slots are held and returns the function that gives them back.
 * For rolling-window limiters the release marks the moment the work completed: the slot stays
 * counted until completion + window, because the server counts requests on arrival, which
 * can be any time between acquisition and the response.
 */
export type Release = () => void;

export interface AcquireOptions {
  signal?: AbortSignal;
  /** Give up after this many ms of waiting with a LimitTimeoutError. */
  timeoutMs?: number;
  /**
   * Waiters of higher priority are served first, FIFO among equals (default 0). The run gives sequential
   * page chains priority over parallel fan-out, so the fan-out fills the end of a run instead of the chains.
   */
  priority?: number;
}

export interface Limiter {
  readonly name: string;
  acquire(n?: number, options?: AcquireOptions): Promise<Release>;
}

export interface WaitTimePercentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LimiterStats {
  name: string;
  limit: number;
  /** Successful acquisitions (each counts once whatever its `n`). */
  acquisitions: number;
  /** Acquisitions that had to queue before being granted. */
  waits: number;
  timeouts: number;
  aborts: number;
  /** Over recent acquisitions, including the ones that did not wait (0 ms). */
  waitMs: WaitTimePercentiles;
  /** Slots counted right now (held, or still inside the window, or not yet decayed). */
  inUse: number;
  available: number;
  /** Highest `inUse` seen at any acquisition. */
  peak: number;
  /** Callers queued right now. */
  waiting: number;
}

/**
 * Emitted when a limiter starts making callers wait and when its queue drains, so the processor
 * can show a "waiting for rate limit" state with an ETA.
 */
export type LimiterEvent =
  { type: 'waiting'; limiter: string; requested: number; waiters: number; readyAt: number | undefined } | { type: 'ready'; limiter: string };

/** A limiter that can be inspected and observed. */
export interface ManagedLimiter extends Limiter {
  readonly limit: number;
  available(): number;
  inUse(): number;
  stats(): LimiterStats;
  /** True while at least one caller is queued. */
  isWaiting(): boolean;
  /**
   * Clock time at which `n` slots are expected to be free without any further release, `now` when they
   * are free already, undefined when that depends on work still in flight. Ignores the queue.
   */
  readyAt(n?: number): number | undefined;
  onEvent(listener: (event: LimiterEvent) => void): () => void;
}

/**
 * True for a limiter that reports its state (every limiter in this folder, in-process or shared), so a caller can
 * tell a wait is coming; a plain `Limiter` (a test double, a wrapper) only acquires.
 */
export function isManagedLimiter(limiter: Limiter): limiter is ManagedLimiter {
  const candidate = limiter as Partial<ManagedLimiter>;
  return typeof candidate.available === 'function' && typeof candidate.isWaiting === 'function' && typeof candidate.readyAt === 'function';
}

/** A limiter whose limit can be changed at run time (server sync, the shared store). */
export interface AdjustableLimiter extends ManagedLimiter {
  setLimit(limit: number): void;
}

/**
 * How slots are given back (named limits, in memory or shared through Postgres):
 * - `concurrency`: held while the work runs; the Release frees them.
 * - `rate`: taken and left to decay (slot pools) or to age out of the window (rolling windows);
 *   the caller never releases them.
 */
export type SlotMode = 'concurrency' | 'rate';
