import pLimit, { type LimitFunction } from 'p-limit';
import type { Clock } from '../clock.js';
import { FatalRunError, RunStopped, SkippedItemError } from './errors.js';
import type { EngineEvents } from './events.js';
import { LatencyEstimator, poolSize } from './pool-size.js';
import { currentTask, runInTask } from './task-context.js';

export interface ProcessorOptions {
  clock: Clock;
  events: EngineEvents;
  /** Requests per second the portal's limits allow (PortalLimits.ratePerSecond). */
  ratePerSecond: number;
  /** The executor's `serviceTime`: how long a call keeps a pool slot busy (retries included, limiter waits not). */
  latency: LatencyEstimator;
  /** HUBSPOT_MAX_CONCURRENCY. */
  maxConcurrency: number;
  /**
   * Little's-law headroom over rate x latency. Default 4: the window frees slots in bursts (W after the
   * responses of an earlier burst), and timeouts and backoff hold workers meanwhile; a pool too small to
   * refill a burst leaves slots unused, while a worker too many only waits in the limiter. Measured on the
   * fan-out test's setup: 0.938-0.947 of the rate left by another app at 4, 0.895-0.933 at 2.
   */
  headroom?: number;
  /** Re-size the pool after this many finished items. Default 20. */
  resizeEvery?: number;
  /** At most one task-progress event per task per this many ms (plus one at the end). Default 250. */
  progressIntervalMs?: number;
  /** Items a stream may pull beyond the pool size. Default 2. */
  streamLookahead?: number;
  /** Stops every task early when set (e.g. by the executor after a 401). */
  fatalError?: () => FatalRunError | undefined;
}

export interface TaskOptions {
  /** Task name: the progress bar label and the `desc` of every event and request made for it. */
  desc: string;
  /** Limiter priority of the task's requests; fan-out that can fill any gap runs below sequential chains. */
  priority?: number;
  /** Known total for a stream (a batch knows its own). */
  total?: number;
}

export interface SkippedItem<T> {
  index: number;
  item: T;
  status: number;
  reason: string;
}

export interface FailedItem<T> {
  index: number;
  item: T;
  error: string;
}

export interface TaskSummary<T> {
  desc: string;
  processed: number;
  skipped: SkippedItem<T>[];
  failed: FailedItem<T>[];
  elapsedMs: number;
}

export interface BatchResult<T, R> extends TaskSummary<T> {
  /** In input order; undefined where the item was skipped or failed. */
  results: (R | undefined)[];
}

export type ItemFn<T, R> = (item: T, index: number) => Promise<R>;

/**
 * Progress for work that is not a fan-out (a sequential page loop): the same task events as
 * processBatch, counted by the caller. Requests made inside `run` are attributed to the task.
 */
export interface TaskHandle {
  readonly desc: string;
  run<R>(fn: () => Promise<R>): Promise<R>;
  /** Adds finished units (records, pages...) to the counts. */
  add(processed: number, skipped?: number, failed?: number): void;
  setTotal(total: number): void;
  /** Emits task-end; pass the error that stopped the task, if any. */
  end(error?: unknown): void;
}

interface TaskState {
  desc: string;
  total?: number;
  startedAt: number;
  processed: number;
  skipped: number;
  failed: number;
  lastProgressAt: number;
  recent: number[];
}

const RATE_WINDOW_MS = 10_000;

/**
 * Fans items out over one p-limit pool shared by every task of the run. The pool is sized by Little's
 * law from the allowed rate and the measured latency and re-sized as latency moves; the limiters, not
 * the pool, keep the rate. Each item runs exactly once; request-level retries happen in the executor.
 * A skip (400/404) is recorded, any other item error is recorded as failed, a FatalRunError (or a
 * RunStopped: the run was asked to stop while a request waited) stops the task: no new items start,
 * those in flight finish, then the task rejects with it.
 */
export class ParallelProcessor {
  private readonly pool: LimitFunction;
  private readonly headroom: number;
  private readonly resizeEvery: number;
  private readonly progressIntervalMs: number;
  private readonly lookahead: number;
  private finishedSinceResize = 0;
  private readonly waiting = new Map<string, number>();
  private readonly tasks = new Map<string, TaskState>();

  constructor(private readonly options: ProcessorOptions) {
    this.headroom = options.headroom ?? 4;
    this.resizeEvery = options.resizeEvery ?? 20;
    this.progressIntervalMs = options.progressIntervalMs ?? 250;
    this.lookahead = options.streamLookahead ?? 2;
    this.pool = pLimit(this.computeSize());
    options.events.on((event) => {
      if (event.type !== 'rate-limit-wait' && event.type !== 'rate-limit-ready') return;
      if (!event.desc) return;
      const n = (this.waiting.get(event.desc) ?? 0) + (event.type === 'rate-limit-wait' ? 1 : -1);
      this.waiting.set(event.desc, Math.max(0, n));
    });
  }

  /** Current pool size (requests the run keeps in flight). */
  get concurrency(): number {
    return this.pool.concurrency;
  }

  /** Recomputes the pool size from the current latency estimate; returns the size. */
  resize(): number {
    const size = this.computeSize();
    if (size !== this.pool.concurrency) {
      this.pool.concurrency = size;
      this.options.events.emit({
        type: 'pool-resize',
        t: this.options.clock.now(),
        size,
        latencyMs: this.options.latency.estimateMs(),
        ratePerSecond: this.options.ratePerSecond,
      });
    }
    return size;
  }

  /** Tells the progress display a stream's total once it is known. */
  setTotal(desc: string, total: number): void {
    const task = this.tasks.get(desc);
    if (task) task.total = total;
    this.options.events.emit({ type: 'task-total', t: this.options.clock.now(), desc, total });
  }

  startTask(desc: string, options: { total?: number } = {}): TaskHandle {
    const clock = this.options.clock;
    const startedAt = clock.now();
    const state: TaskState = { desc, total: options.total, startedAt, processed: 0, skipped: 0, failed: 0, lastProgressAt: startedAt, recent: [] };
    this.tasks.set(desc, state);
    this.options.events.emit({ type: 'task-start', t: startedAt, desc, total: options.total });
    let ended = false;
    return {
      desc,
      run: (fn) => runInTask({ desc }, fn),
      add: (processed, skipped = 0, failed = 0) => {
        state.processed += processed;
        state.skipped += skipped;
        state.failed += failed;
        const now = clock.now();
        for (let i = 0; i < processed + skipped + failed && i < 1000; i++) state.recent.push(now);
        while (state.recent.length > 0 && state.recent[0] <= now - RATE_WINDOW_MS) state.recent.shift();
        if (now - state.lastProgressAt >= this.progressIntervalMs) this.emitProgress(state, now);
      },
      setTotal: (total) => this.setTotal(desc, total),
      end: (error) => {
        if (ended) return;
        ended = true;
        this.endTask(state, clock.now(), state.total, error);
      },
    };
  }

  async processBatch<T, R>(items: readonly T[], fn: ItemFn<T, R>, options: TaskOptions): Promise<BatchResult<T, R>> {
    const results: (R | undefined)[] = new Array(items.length);
    const summary = await this.run(
      options.desc,
      items.length,
      (async function* () {
        yield* items;
      })(),
      fn,
      (index, value) => {
        results[index] = value;
      },
      options.priority,
    );
    return { ...summary, results };
  }

  /** Pulls at most pool size + lookahead items ahead of the finished ones, so memory stays flat. */
  async processStream<T, R>(source: AsyncIterable<T> | Iterable<T>, fn: ItemFn<T, R>, options: TaskOptions): Promise<TaskSummary<T>> {
    return this.run(options.desc, options.total, toAsync(source), fn, () => {}, options.priority);
  }

  private async run<T, R>(
    desc: string,
    total: number | undefined,
    source: AsyncIterable<T>,
    fn: ItemFn<T, R>,
    onResult: (index: number, value: R) => void,
    priority?: number,
  ): Promise<TaskSummary<T>> {
    const clock = this.options.clock;
    const startedAt = clock.now();
    const state: TaskState = { desc, total, startedAt, processed: 0, skipped: 0, failed: 0, lastProgressAt: startedAt, recent: [] };
    this.tasks.set(desc, state);
    this.options.events.emit({ type: 'task-start', t: startedAt, desc, total });
    const skipped: SkippedItem<T>[] = [];
    const failed: FailedItem<T>[] = [];
    // A task started from inside another task's item must not wait for a slot its parent holds.
    const nested = currentTask()?.desc !== undefined;
    const pool = nested ? pLimit(Math.max(1, this.pool.concurrency)) : this.pool;
    let fatal: unknown;
    let outstanding = 0;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const runItem = async (item: T, index: number) => {
      try {
        if (fatal || this.options.fatalError?.()) return;
        const value = await runInTask({ desc, priority }, () => fn(item, index));
        state.processed++;
        onResult(index, value);
      } catch (error) {
        if (error instanceof SkippedItemError) {
          state.skipped++;
          skipped.push({ index, item, status: error.status, reason: error.reason });
        } else if (error instanceof FatalRunError || error instanceof RunStopped) {
          // The run is over (or stopping): no new items start, and the task rejects with it.
          fatal ??= error;
        } else {
          state.failed++;
          failed.push({ index, item, error: error instanceof Error ? error.message : String(error) });
        }
      } finally {
        this.afterItem(state, clock.now());
      }
    };

    const iterator = source[Symbol.asyncIterator]();
    let index = 0;
    let sourceError: unknown;
    try {
      for (;;) {
        if (fatal || this.options.fatalError?.()) break;
        while (outstanding >= pool.concurrency + this.lookahead) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
        }
        if (fatal || this.options.fatalError?.()) break;
        const next = await iterator.next();
        if (next.done) break;
        const i = index++;
        outstanding++;
        void pool(runItem, next.value, i).finally(() => {
          outstanding--;
          notify();
        });
      }
    } catch (error) {
      sourceError = error;
    } finally {
      if (fatal || sourceError || this.options.fatalError?.()) await iterator.return?.();
    }
    while (outstanding > 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    const endedAt = clock.now();
    fatal ??= this.options.fatalError?.();
    const failure = fatal ?? sourceError;
    this.endTask(state, endedAt, state.total ?? index, failure);
    if (failure) throw failure;
    return { desc, processed: state.processed, skipped, failed, elapsedMs: endedAt - startedAt };
  }

  /** The last progress and the task-end event, for batches, streams and hand-driven tasks alike. */
  private endTask(state: TaskState, now: number, total: number | undefined, error: unknown): void {
    this.emitProgress(state, now);
    this.options.events.emit({
      type: 'task-end',
      t: now,
      desc: state.desc,
      processed: state.processed,
      skipped: state.skipped,
      failed: state.failed,
      total,
      elapsedMs: now - state.startedAt,
      ...(error ? { error: error instanceof Error ? error.message : String(error) } : {}),
    });
    this.tasks.delete(state.desc);
  }

  private afterItem(state: TaskState, now: number): void {
    state.recent.push(now);
    while (state.recent.length > 0 && state.recent[0] <= now - RATE_WINDOW_MS) state.recent.shift();
    if (++this.finishedSinceResize >= this.resizeEvery) {
      this.finishedSinceResize = 0;
      this.resize();
    }
    if (now - state.lastProgressAt >= this.progressIntervalMs) this.emitProgress(state, now);
  }

  private emitProgress(state: TaskState, now: number): void {
    state.lastProgressAt = now;
    const elapsed = Math.max(1, Math.min(RATE_WINDOW_MS, now - state.startedAt));
    this.options.events.emit({
      type: 'task-progress',
      t: now,
      desc: state.desc,
      done: state.processed + state.skipped + state.failed,
      processed: state.processed,
      skipped: state.skipped,
      failed: state.failed,
      total: state.total,
      ratePerSecond: (state.recent.length * 1000) / elapsed,
      waitingForRateLimit: (this.waiting.get(state.desc) ?? 0) > 0,
    });
  }

  private computeSize(): number {
    return poolSize({
      ratePerSecond: this.options.ratePerSecond,
      latencyMs: this.options.latency.estimateMs(),
      headroom: this.headroom,
      cap: this.options.maxConcurrency,
    });
  }
}

async function* toAsync<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterable<T> {
  yield* source as AsyncIterable<T>;
}
