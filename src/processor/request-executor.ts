import { SEARCH_LIMIT, TEN_SECONDLY_WINDOW_MS } from '../../config/hubspot-limits.js';
import type { Clock, Random } from '../clock.js';
import { isManagedLimiter, type Limiter, type Release } from '../limits/types.js';
import { runAbortable } from './abort-scope.js';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions } from './circuit-breaker.js';
import { classifyFailure, LONGEST_IN_RUN_WAIT_MS, type FailureClass } from './classify.js';
import { DailyBudget } from './daily-budget.js';
import {
  DailyBudgetExhausted,
  FatalRunError,
  RequestTimeoutError,
  RetriesExhaustedError,
  ObjectTypeUnavailableError,
  RunStopped,
  SkippedItemError,
} from './errors.js';
import { EngineEvents } from './events.js';
import { LatencyEstimator } from './pool-size.js';
import { noRequestLog, type RequestLog } from './request-log.js';
import type { RateLimitWait } from './retry-after.js';
import { RequestStatistics, type RequestStats } from './request-stats.js';
import { ServerSync, type WindowSync } from './server-sync.js';
import { currentTask } from './task-context.js';

/**
 * The limiters one portal's calls go through. Search is exempt from the ten-secondly window
 * (contract §1.3: the spec marks it `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`, its replies
 * carry no window headers) and has its own 5/s per account.
 */
export interface PortalLimits {
  standard: Limiter;
  search: Limiter;
  /** Present when the standard limiter is an in-process rolling window that can be synced with the server. */
  window?: WindowSync;
  /** What the standard limiter allows per second; the processor sizes its pool from it. */
  ratePerSecond: number;
}

export interface CallResponse<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface CallSpec<T> {
  /** Breaker key and stats label, with placeholders: 'GET /crm/v3/objects/{type}'. */
  endpoint: string;
  method: string;
  /** The concrete path for the request log (no query string). */
  path: string;
  search?: boolean;
  /** Object types named by the call that a portal may lack: a 403/404 skips the type (classify.ts `unavailable`). */
  mayBeMissing?: readonly string[];
  /**
   * A stream the run can do without (owners): a missing scope (403) skips this call (SkippedItemError) instead of
   * stopping the run, and later calls are not failed by it.
   */
  scopeOptional?: boolean;
  /** Performs the HTTP call; non-2xx must reject with an ApiException-like {code, body, headers}. */
  send(): Promise<CallResponse<T>>;
}

export interface ExecutorOptions {
  limits: PortalLimits;
  clock: Clock;
  random: Random;
  events?: EngineEvents;
  requestLog?: RequestLog;
  /** Per attempt, including reading the body. */
  timeoutMs: number;
  /** Attempts per request for transient failures (5xx, timeouts, resets). */
  maxAttempts: number;
  /** 429s are not the endpoint's fault and get their own, larger bound. Default 20. */
  maxRateLimitRetries?: number;
  backoff?: { baseMs: number; maxMs: number };
  breaker?: BreakerOptions;
  /** Omit to not track the daily budget (tests, OAuth). */
  dailyBudget?: DailyBudget;
  /** Per-attempt HTTP latency (sizes the guard of the server sync). */
  latency?: LatencyEstimator;
  /**
   * Per-call time in the system excluding limiter waits: attempts, backoff sleeps, timeouts. This is
   * what a pool slot is busy for, so the processor sizes its pool from it (Little's law).
   */
  serviceTime?: LatencyEstimator;
  /**
   * The run's stop signal (SIGTERM/SIGINT). It ends every wait between attempts (backoff, Retry-After, 423,
   * an open breaker) at once: the call rejects with RunStopped. Requests already sent still finish.
   */
  signal?: AbortSignal;
}

/**
 * Runs one HTTP call at a time through the portal's limits with timeout, retries, breaker and server
 * sync. One executor per run: every extractor's calls share its limits, breaker and statistics.
 */
export class RequestExecutor {
  readonly events: EngineEvents;
  readonly latency: LatencyEstimator;
  readonly serviceTime: LatencyEstimator;
  private readonly clock: Clock;
  private readonly requestLog: RequestLog;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly statistics: RequestStatistics;
  private readonly sync: ServerSync;
  private fatal: FatalRunError | undefined;
  /** Slots of requests given up on without an answer, still held (see `holdUnanswered`). */
  private readonly unanswered = new Set<{ release: Release; cancel: AbortController }>();

  constructor(private readonly options: ExecutorOptions) {
    this.clock = options.clock;
    this.events = options.events ?? new EngineEvents();
    this.requestLog = options.requestLog ?? noRequestLog;
    this.latency = options.latency ?? new LatencyEstimator({ initialMs: 500 });
    this.serviceTime = options.serviceTime ?? new LatencyEstimator({ initialMs: 500 });
    this.statistics = new RequestStatistics(
      this.clock.now(),
      options.limits.window?.windowMs ?? TEN_SECONDLY_WINDOW_MS,
      (options.limits.search as { windowMs?: number }).windowMs ?? SEARCH_LIMIT.windowMs,
    );
    this.sync = new ServerSync({
      window: options.limits.window,
      clock: this.clock,
      events: this.events,
      latency: this.latency,
      dailyBudget: options.dailyBudget,
      timeoutMs: options.timeoutMs,
    });
  }

  /** The first fatal error seen; once set every further call fails fast with it. */
  fatalError(): FatalRunError | undefined {
    return this.fatal;
  }

  async execute<T>(spec: CallSpec<T>): Promise<CallResponse<T>> {
    const startedAt = this.clock.now();
    const waited = { ms: 0 };
    try {
      return await this.executeAttempts(spec, waited);
    } finally {
      this.serviceTime.record(this.clock.now() - startedAt - waited.ms);
    }
  }

  private async executeAttempts<T>(spec: CallSpec<T>, waited: { ms: number }): Promise<CallResponse<T>> {
    const maxAttempts = Math.max(1, this.options.maxAttempts);
    const maxRateLimitRetries = this.options.maxRateLimitRetries ?? 20;
    const breaker = this.breakerFor(spec.endpoint);
    const desc = currentTask()?.desc;
    let attempt = 0;
    let rateLimitRetries = 0;
    for (;;) {
      if (this.fatal) throw this.fatal;
      const probe = await this.admit(breaker);
      let isFirst: boolean;
      let release: Release;
      const waitFrom = this.clock.now();
      try {
        if (this.fatal) throw this.fatal;
        attempt++;
        this.checkDailyBudget();
        isFirst = await this.sync.awaitFirstResponse(spec.search === true);
        release = await this.acquire(spec, desc);
      } catch (error) {
        // Nothing was sent: a half-open breaker's probe slot, if this call took it, must go back, or no
        // request of this endpoint would ever pass again.
        if (probe) breaker.onNeutral();
        throw error;
      }
      waited.ms += this.clock.now() - waitFrom;
      const outcome = await this.attempt(spec, attempt, release, desc).finally(() => {
        if (isFirst) this.sync.onFirstResponse();
      });
      if (outcome.ok) {
        breaker.onSuccess(this.clock.now());
        return outcome.response;
      }
      const failure = outcome.failure;
      const now = this.clock.now();
      switch (failure.kind) {
        case 'fatal': {
          breaker.onNeutral();
          if (spec.scopeOptional && failure.reason === 'scope') {
            this.statistics.recordSkipped();
            this.events.emit({ type: 'skip', t: now, endpoint: spec.endpoint, status: failure.status ?? 403, reason: failure.reason, desc });
            throw new SkippedItemError(failure.status ?? 403, failure.message, spec.endpoint);
          }
          throw this.setFatal(failure);
        }
        case 'skippable': {
          breaker.onNeutral();
          this.statistics.recordSkipped();
          this.events.emit({ type: 'skip', t: now, endpoint: spec.endpoint, status: failure.status, reason: failure.reason, desc });
          throw new SkippedItemError(failure.status, failure.reason, spec.endpoint);
        }
        case 'unavailable': {
          breaker.onNeutral();
          this.statistics.recordSkipped();
          this.events.emit({ type: 'skip', t: now, endpoint: spec.endpoint, status: failure.status, reason: failure.reason, desc });
          throw new ObjectTypeUnavailableError(failure.types, failure.status, failure.reason, spec.endpoint);
        }
        case 'unknown': {
          breaker.onNeutral();
          throw outcome.error;
        }
        case 'retryable': {
          this.statistics.recordRetry(failure.cause);
          if (failure.cause === 'rate-limit') {
            breaker.onNeutral();
            rateLimitRetries++;
            attempt--;
            if (rateLimitRetries > maxRateLimitRetries) {
              this.statistics.recordFailed();
              throw new RetriesExhaustedError(spec.endpoint, attempt + rateLimitRetries, 'rate limited', 429);
            }
            const delayMs = this.afterRateLimit(failure.rateLimit, now);
            this.events.emit({
              type: 'retry',
              t: now,
              endpoint: spec.endpoint,
              cause: failure.cause,
              status: 429,
              attempt: attempt + rateLimitRetries,
              delayMs,
              desc,
            });
            await this.pause(delayMs);
            continue;
          }
          breaker.onFailure(now);
          if (attempt >= maxAttempts) {
            this.statistics.recordFailed();
            throw new RetriesExhaustedError(spec.endpoint, attempt, failure.cause, failure.status);
          }
          const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
          const delayMs = inRunWait(Math.max(failure.minDelayMs ?? 0, backoffDelay(attempt, { ...backoff, random: this.options.random })));
          this.events.emit({ type: 'retry', t: now, endpoint: spec.endpoint, cause: failure.cause, status: failure.status, attempt, delayMs, desc });
          await this.pause(delayMs);
          continue;
        }
      }
    }
  }

  stats(): RequestStats {
    return this.statistics.snapshot({
      externalReserved: this.sync.externalReserved(),
      dailyRemaining: this.options.dailyBudget?.remaining(),
      windowLimit: limitOf(this.options.limits.standard),
      searchLimit: limitOf(this.options.limits.search),
    });
  }

  /**
   * Ends the run's use of its limits: slots still held for requests given up on are released now, since a hold
   * must not keep the process alive after the run (an in-process window ends with the run anyway; a shared one
   * then counts them for a window from now, not from their later release).
   */
  async close(): Promise<void> {
    for (const hold of this.unanswered) {
      hold.cancel.abort();
      hold.release();
    }
    this.unanswered.clear();
    await this.requestLog.close();
  }

  /** Slots held right now for requests given up on without an answer. */
  unansweredHeld(): number {
    return this.unanswered.size;
  }

  /**
   * A request we gave up on (our timeout aborted it) got no answer, so we cannot know whether or when the server
   * counts it: it may still sit unread in a slow server's queue (a starved simulator held requests for longer
   * than the timeout and counted them when it got to them). Releasing its slot now would let the window count it
   * for `window` from now only, and a retry sent meanwhile could then meet a server window holding both: a 429.
   * So the slot stays held for as long again as the server has already had the request without answering
   * (`heldMs`): we assume a server that is that far behind catches up within that time again. Then it is released
   * and, as every slot, counted for one more window, the window a late arrival could land in.
   */
  private holdUnanswered(release: Release, heldMs: number): void {
    const hold = { release, cancel: new AbortController() };
    this.unanswered.add(hold);
    this.clock.sleep(heldMs, hold.cancel.signal).then(
      () => {
        this.unanswered.delete(hold);
        release();
      },
      () => {},
    );
  }

  private checkDailyBudget(): void {
    try {
      this.options.dailyBudget?.checkBeforeSend();
    } catch (e) {
      if (e instanceof FatalRunError && !this.fatal) this.fatal = e;
      throw e;
    }
  }

  private breakerFor(endpoint: string): CircuitBreaker {
    let breaker = this.breakers.get(endpoint);
    if (!breaker) {
      breaker = new CircuitBreaker(endpoint, this.options.breaker ?? DEFAULT_BREAKER);
      breaker.onTransition((t) => this.events.emit({ type: 'breaker', t: t.at, endpoint, from: t.from, to: t.to, consecutiveFailures: t.consecutiveFailures }));
      this.breakers.set(endpoint, breaker);
    }
    return breaker;
  }

  /** Waits until the endpoint's breaker lets a request through; true when this request is its half-open probe. */
  private async admit(breaker: CircuitBreaker): Promise<boolean> {
    for (;;) {
      const now = this.clock.now();
      const admission = breaker.admit(now);
      if (admission.pass) return admission.probe;
      await this.pause(Math.max(1, admission.retryAt - now));
      if (this.fatal) return false;
    }
  }

  /**
   * Every wait between attempts goes through here: capped (a timer over 2^31 ms would fire at once), and
   * ended by the run's stop signal, which gives the request up with RunStopped. A stopping run retries
   * nothing, not even a retry due at once.
   */
  private async pause(ms: number): Promise<void> {
    const signal = this.options.signal;
    if (signal?.aborted) throw new RunStopped();
    if (!(ms > 0)) return;
    try {
      await this.clock.sleep(inRunWait(ms), signal);
    } catch (error) {
      if (signal?.aborted) throw new RunStopped();
      throw error;
    }
  }

  private async acquire(spec: CallSpec<unknown>, desc: string | undefined): Promise<Release> {
    const limiter: Limiter = spec.search ? this.options.limits.search : this.options.limits.standard;
    // Only a limiter that reports its state can say a wait is coming (to show it); any other just acquires.
    const mustWait = isManagedLimiter(limiter) && (limiter.isWaiting() || limiter.available() < 1);
    const options = { priority: currentTask()?.priority };
    if (!mustWait) return limiter.acquire(1, options);
    const since = this.clock.now();
    this.events.emit({ type: 'rate-limit-wait', t: since, limiter: limiter.name, readyAt: limiter.readyAt(1), desc });
    const release = await limiter.acquire(1, options);
    const now = this.clock.now();
    this.events.emit({ type: 'rate-limit-ready', t: now, limiter: limiter.name, waitedMs: now - since, desc });
    return release;
  }

  private async attempt<T>(
    spec: CallSpec<T>,
    attempt: number,
    release: Release,
    desc: string | undefined,
  ): Promise<{ ok: true; response: CallResponse<T> } | { ok: false; failure: FailureClass; error: unknown }> {
    const sentAt = this.clock.now();
    // What the server counts of ours when this request arrives: our sends in the window before it
    // (assuming they all took about as long to get there). Our limiter's own count is no good here:
    // it keeps slots until response + window, well after the server has let them go.
    const ownAtSend = this.statistics.recordSend(sentAt, spec.search === true);
    this.options.dailyBudget?.onSend();
    this.events.emit({ type: 'request-start', t: sentAt, endpoint: spec.endpoint, method: spec.method, path: spec.path, attempt, desc });
    const controller = new AbortController();
    const timerCancel = new AbortController();
    const timeoutMs = inRunWait(this.options.timeoutMs);
    this.clock.sleep(timeoutMs, timerCancel.signal).then(
      () => controller.abort(new RequestTimeoutError(timeoutMs)),
      () => {},
    );
    let response: CallResponse<T> | undefined;
    let error: unknown;
    try {
      response = await runAbortable(controller.signal, spec.send);
    } catch (e) {
      error = controller.signal.aborted ? controller.signal.reason : e;
    } finally {
      timerCancel.abort();
    }
    const endedAt = this.clock.now();
    const latencyMs = endedAt - sentAt;
    // The server counts the request at arrival. With an answer, that was any time up to now: released now, the
    // window holds the slot until now + window. Given up on by our timeout, it may arrive later still.
    if (response === undefined && controller.signal.aborted) this.holdUnanswered(release, latencyMs);
    else release();
    const headers = response ? response.headers : headersOf(error);
    const status = response ? response.status : statusOf(error);
    this.requestLog.append({ t: sentAt, method: spec.method, path: spec.path, status: status ?? 0, ...(desc ? { desc } : {}) });
    this.statistics.recordEnd(endedAt, status);
    if (status !== undefined) this.latency.record(latencyMs);
    this.sync.onResponse(headers, spec.search === true, ownAtSend, endedAt);
    const ended = { type: 'request-end', t: endedAt, endpoint: spec.endpoint, method: spec.method, path: spec.path, attempt, status, latencyMs, desc } as const;
    if (response) {
      this.events.emit({ ...ended, outcome: 'ok' });
      return { ok: true, response };
    }
    const failure = classifyFailure(error, endedAt, { mayBeMissing: spec.mayBeMissing });
    if (failure.kind === 'retryable' && failure.cause === 'rate-limit') {
      this.statistics.recordRateLimited();
      this.events.emit({ type: 'rate-limited', t: endedAt, endpoint: spec.endpoint, policy: failure.rateLimit?.policy ?? 'UNKNOWN', desc });
    }
    if (failure.kind === 'fatal' && failure.reason === 'daily-budget') this.statistics.recordRateLimited();
    const outcome =
      failure.kind === 'retryable'
        ? 'retry'
        : failure.kind === 'skippable' || failure.kind === 'unavailable'
          ? 'skip'
          : failure.kind === 'fatal'
            ? 'fatal'
            : 'failed';
    this.events.emit({ ...ended, outcome });
    return { ok: false, failure, error };
  }

  /** Returns how long to sleep before the retry; window waits happen in the limiter instead. */
  private afterRateLimit(wait: RateLimitWait | undefined, now: number): number {
    if (!wait || wait.kind === 'daily') return 0;
    if (wait.kind === 'sleep') return wait.ms;
    return this.sync.onWindowFull(wait, now) ? 0 : (this.options.backoff ?? DEFAULT_BACKOFF).baseMs;
  }

  private setFatal(failure: Extract<FailureClass, { kind: 'fatal' }>): FatalRunError {
    if (!this.fatal) {
      this.fatal =
        failure.reason === 'daily-budget'
          ? new DailyBudgetExhausted(failure.message, undefined, this.options.dailyBudget?.remaining())
          : new FatalRunError(failure.message, failure.reason, failure.status);
    }
    return this.fatal;
  }
}

/** A wait of ours, capped like every in-run wait (the server's long waits stop the run in classify.ts instead). */
function inRunWait(ms: number): number {
  return Math.min(ms, LONGEST_IN_RUN_WAIT_MS);
}

function limitOf(limiter: unknown): number | undefined {
  const limit = (limiter as { limit?: unknown }).limit;
  return typeof limit === 'number' && limit > 0 ? limit : undefined;
}

function headersOf(error: unknown): Record<string, string> | undefined {
  const h = (error as { headers?: unknown } | undefined)?.headers;
  if (!h || typeof h !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) if (v !== undefined) out[k.toLowerCase()] = String(v);
  return out;
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && code >= 100 && code <= 599 ? code : undefined;
}
