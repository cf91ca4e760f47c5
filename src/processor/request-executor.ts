import type { Clock, Random } from '../limits/clock.js';
import type { Limiter, Release } from '../limits/types.js';
import { runAbortable } from '../hubspot/abort-scope.js';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions } from './circuit-breaker.js';
import { classifyFailure, type FailureClass, type RetryCause } from './classify.js';
import { DailyBudget } from './daily-budget.js';
import {
  DailyBudgetExhausted,
  FatalRunError,
  RequestTimeoutError,
  RetriesExhaustedError,
  SkippedItemError,
} from './errors.js';
import { EngineEvents } from './events.js';
import { LatencyEstimator } from './pool-size.js';
import { noRequestLog, type RequestLog } from './request-log.js';
import { readRateLimitHeaders } from './retry-after.js';
import { currentTask } from './task-context.js';

/** The server-sync side of the portal's rolling window (RollingWindowLimiter implements it). */
export interface WindowSync {
  readonly limit: number;
  readonly windowMs: number;
  inUse(): number;
  /** Phantom slots currently held for other apps' traffic. */
  externalInUse(): number;
  reserveExternal(slots: number, untilMs: number): void;
  /** Phantom slots held with no end time until set again. */
  setExternalFloor(slots: number): void;
  setLimit(limit: number): void;
}

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
}

export interface RequestStats {
  /** HTTP attempts sent (including retries). */
  requests: number;
  responsesByStatus: Record<string, number>;
  /** 429 answers. */
  rateLimited: number;
  retriesByCause: Record<RetryCause, number>;
  skipped: number;
  failed: number;
  /**
   * Most of our own sends inside any rolling window of `windowMs`, as the server counts them: searches are
   * exempt from HubSpot's ten-second window and counted apart (`maxSearchInWindow`).
   */
  maxInWindow: number;
  windowMs: number;
  /** The window's limit, when known (shared limits report theirs once asked). */
  windowLimit?: number;
  /** Most searches inside any rolling window of `searchWindowMs`, against the search limit. */
  maxSearchInWindow: number;
  searchWindowMs: number;
  searchLimit?: number;
  /** Phantom slots reserved because the server counted traffic that was not ours. */
  externalReserved: number;
  startedAt: number;
  wallMs: number;
  /** Requests per second over the wall time. */
  throughputPerSecond: number;
  dailyRemaining?: number;
}

/** Longest the run waits for its first response before the others may go. */
const FIRST_RESPONSE_WAIT_MS = 2000;

const ZERO_CAUSES = (): Record<RetryCause, number> => ({
  'rate-limit': 0,
  'server-error': 0,
  locked: 0,
  migration: 0,
  timeout: 0,
  'connection-reset': 0,
  'malformed-response': 0,
});

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
  private readonly sends = new SendWindow();
  private readonly searches = new SendWindow();
  private readonly counters = {
    requests: 0,
    responsesByStatus: {} as Record<string, number>,
    rateLimited: 0,
    retriesByCause: ZERO_CAUSES(),
    skipped: 0,
    failed: 0,
    maxInWindow: 0,
    maxSearchInWindow: 0,
    externalReserved: 0,
  };
  private readonly startedAt: number;
  private lastActivity: number;
  private fatal: FatalRunError | undefined;
  private readonly phantoms: { slots: number; until: number }[] = [];
  private firstSent = false;
  private firstDone = false;
  private firstGate: Promise<void> | undefined;
  private openFirstGate: (() => void) | undefined;

  constructor(private readonly options: ExecutorOptions) {
    this.clock = options.clock;
    this.events = options.events ?? new EngineEvents();
    this.requestLog = options.requestLog ?? noRequestLog;
    this.latency = options.latency ?? new LatencyEstimator({ initialMs: 500 });
    this.serviceTime = options.serviceTime ?? new LatencyEstimator({ initialMs: 500 });
    this.startedAt = this.clock.now();
    this.lastActivity = this.startedAt;
  }

  get limits(): PortalLimits {
    return this.options.limits;
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
      await this.admit(breaker);
      if (this.fatal) throw this.fatal;
      attempt++;
      this.checkDailyBudget();
      const waitFrom = this.clock.now();
      const isFirst = await this.awaitFirstResponse(spec);
      const release = await this.acquire(spec, desc);
      waited.ms += this.clock.now() - waitFrom;
      const outcome = await this.attempt(spec, attempt, release, desc).finally(() => {
        if (isFirst) this.onFirstResponse();
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
          throw this.setFatal(failure);
        }
        case 'skippable': {
          breaker.onNeutral();
          this.counters.skipped++;
          this.events.emit({ type: 'skip', t: now, endpoint: spec.endpoint, status: failure.status, reason: failure.reason, desc });
          throw new SkippedItemError(failure.status, failure.reason, spec.endpoint);
        }
        case 'unknown': {
          breaker.onNeutral();
          throw outcome.error;
        }
        case 'retryable': {
          this.counters.retriesByCause[failure.cause]++;
          if (failure.cause === 'rate-limit') {
            breaker.onNeutral();
            rateLimitRetries++;
            attempt--;
            if (rateLimitRetries > maxRateLimitRetries) {
              this.counters.failed++;
              throw new RetriesExhaustedError(spec.endpoint, attempt + rateLimitRetries, 'rate limited', 429);
            }
            const delayMs = this.afterRateLimit(failure, now);
            this.events.emit({ type: 'retry', t: now, endpoint: spec.endpoint, cause: failure.cause, status: 429, attempt: attempt + rateLimitRetries, delayMs, desc });
            if (delayMs > 0) await this.clock.sleep(delayMs);
            continue;
          }
          breaker.onFailure(now);
          if (attempt >= maxAttempts) {
            this.counters.failed++;
            throw new RetriesExhaustedError(spec.endpoint, attempt, failure.cause, failure.status);
          }
          const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
          const delayMs = Math.max(failure.minDelayMs ?? 0, backoffDelay(attempt, { ...backoff, random: this.options.random }));
          this.events.emit({ type: 'retry', t: now, endpoint: spec.endpoint, cause: failure.cause, status: failure.status, attempt, delayMs, desc });
          if (delayMs > 0) await this.clock.sleep(delayMs);
          continue;
        }
      }
    }
  }

  stats(): RequestStats {
    const wallMs = Math.max(0, this.lastActivity - this.startedAt);
    return {
      ...this.counters,
      responsesByStatus: { ...this.counters.responsesByStatus },
      retriesByCause: { ...this.counters.retriesByCause },
      windowMs: this.statsWindowMs(),
      windowLimit: limitOf(this.options.limits.standard),
      searchWindowMs: this.searchWindowMs(),
      searchLimit: limitOf(this.options.limits.search),
      startedAt: this.startedAt,
      wallMs,
      throughputPerSecond: wallMs > 0 ? (this.counters.requests * 1000) / wallMs : 0,
      dailyRemaining: this.options.dailyBudget?.remaining(),
    };
  }

  async close(): Promise<void> {
    await this.requestLog.close();
  }

  /**
   * The run's first windowed request goes alone: its headers say how much of the window other apps
   * (or a run that just ended) already use, before we burst into it. Returns true for that request.
   */
  private async awaitFirstResponse(spec: CallSpec<unknown>): Promise<boolean> {
    if (this.firstDone || spec.search || !this.options.limits.window) return false;
    if (!this.firstSent) {
      this.firstSent = true;
      return true;
    }
    if (!this.firstGate) {
      this.firstGate = new Promise<void>((resolve) => {
        this.openFirstGate = resolve;
      });
      // A first request that hangs must not hold the whole run for a full timeout.
      void this.clock.sleep(Math.min(this.options.timeoutMs, FIRST_RESPONSE_WAIT_MS)).then(() => this.onFirstResponse());
    }
    await this.firstGate;
    return false;
  }

  private onFirstResponse(): void {
    this.firstDone = true;
    this.openFirstGate?.();
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
      breaker.onTransition((t) =>
        this.events.emit({ type: 'breaker', t: t.at, endpoint, from: t.from, to: t.to, consecutiveFailures: t.consecutiveFailures }),
      );
      this.breakers.set(endpoint, breaker);
    }
    return breaker;
  }

  private async admit(breaker: CircuitBreaker): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const admission = breaker.admit(now);
      if (admission.pass) return;
      await this.clock.sleep(Math.max(1, admission.retryAt - now));
      if (this.fatal) return;
    }
  }

  private async acquire(spec: CallSpec<unknown>, desc: string | undefined): Promise<Release> {
    const limiter = spec.search ? this.options.limits.search : this.options.limits.standard;
    const managed = limiter as Partial<{ isWaiting(): boolean; available(): number; readyAt(n?: number): number | undefined }>;
    const mustWait =
      typeof managed.available === 'function' && (managed.isWaiting?.() === true || managed.available() < 1);
    const options = { priority: currentTask()?.priority };
    if (!mustWait) return limiter.acquire(1, options);
    const since = this.clock.now();
    this.events.emit({ type: 'rate-limit-wait', t: since, limiter: limiter.name, readyAt: managed.readyAt?.(1), desc });
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
    const ownAtSend = this.recordSend(sentAt, spec.search === true);
    this.options.dailyBudget?.onSend();
    this.events.emit({ type: 'request-start', t: sentAt, endpoint: spec.endpoint, method: spec.method, path: spec.path, attempt, desc });
    const controller = new AbortController();
    const timerCancel = new AbortController();
    const timeoutMs = this.options.timeoutMs;
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
      // The server counts the request at arrival, any time up to now: the window holds the slot until now + window.
      release();
    }
    const endedAt = this.clock.now();
    this.lastActivity = endedAt;
    const latencyMs = endedAt - sentAt;
    const headers = response ? response.headers : headersOf(error);
    const status = response ? response.status : statusOf(error);
    this.requestLog.append({ t: sentAt, method: spec.method, path: spec.path, status: status ?? 0, ...(desc ? { desc } : {}) });
    if (status !== undefined) {
      this.counters.responsesByStatus[String(status)] = (this.counters.responsesByStatus[String(status)] ?? 0) + 1;
      this.latency.record(latencyMs);
    }
    this.syncWithServer(headers, spec.search === true, ownAtSend, endedAt);
    if (response) {
      this.events.emit({ type: 'request-end', t: endedAt, endpoint: spec.endpoint, method: spec.method, path: spec.path, attempt, status, latencyMs, outcome: 'ok', desc });
      return { ok: true, response };
    }
    const failure = classifyFailure(error, endedAt);
    if (failure.kind === 'retryable' && failure.cause === 'rate-limit') {
      this.counters.rateLimited++;
      this.events.emit({ type: 'rate-limited', t: endedAt, endpoint: spec.endpoint, policy: failure.rateLimit?.policy ?? 'UNKNOWN', desc });
    }
    if (failure.kind === 'fatal' && failure.reason === 'daily-budget') this.counters.rateLimited++;
    const outcome = failure.kind === 'retryable' ? 'retry' : failure.kind === 'skippable' ? 'skip' : failure.kind === 'fatal' ? 'fatal' : 'failed';
    this.events.emit({ type: 'request-end', t: endedAt, endpoint: spec.endpoint, method: spec.method, path: spec.path, attempt, status, latencyMs, outcome, desc });
    return { ok: false, failure, error };
  }

  /**
   * The server counts every app's requests in our window. Its `max - remaining` at this request's
   * arrival, minus what we held when we sent it, is someone else's traffic; we keep that many phantom
   * slots for one interval, so we slow down instead of drawing 429s. (Comparing with what we hold
   * now instead would hide other apps behind our own requests sent since.)
   */
  private syncWithServer(headers: Record<string, string> | undefined, search: boolean, ownAtSend: number, now: number): void {
    if (!headers) return;
    const rl = readRateLimitHeaders(headers);
    const budget = this.options.dailyBudget;
    if (budget && budget.sync(rl.daily, rl.dailyRemaining)) {
      this.events.emit({ type: 'daily-budget', t: now, remaining: budget.remaining(), floor: budget.floor() });
    }
    const window = this.options.limits.window;
    if (search || !window || rl.max === undefined || rl.remaining === undefined) return;
    if (rl.max > 0 && rl.max < window.limit) window.setLimit(rl.max);
    this.reserveExternal(window, Math.max(0, rl.max - rl.remaining) - ownAtSend, rl.intervalMs, now);
  }

  /**
   * Makes the phantom slots cover `external` requests of other apps, plus a guard for their requests
   * that reach the server before we next hear from it (about two latencies at their observed rate).
   *
   * Other apps' usage is treated as a level to keep covered, not as one-off events: a reservation
   * that would lapse within the horizon is renewed now. Otherwise a block reserved at the first sync
   * lapses all at once a window later while their traffic is still there, and our queued requests
   * rush into slots that are not free on the server.
   */
  private reserveExternal(window: WindowSync, external: number, intervalMs: number | undefined, now: number): number {
    if (external <= 0) {
      window.setExternalFloor(0);
      return 0;
    }
    const periodMs = intervalMs ?? window.windowMs;
    const latencyMs = this.latency.estimateMs();
    const guard = Math.ceil((external * 2 * latencyMs) / periodMs) + 1;
    const level = Math.min(external + guard, window.limit);
    // The newest report stands until the next one: while every request of ours waits on the window no
    // response comes to renew the timed reservations below, and their lapse would free slots that are not free.
    // It leaves one slot, so a request can always go, once ours expire, to fetch that next report.
    window.setExternalFloor(Math.min(level, window.limit - 1));
    // A tenth of the window covers event-loop stalls (no responses processed) of that length too.
    const horizonMs = Math.min(periodMs / 4, Math.max(2 * latencyMs, periodMs / 10));
    const deficit = level - this.phantomsHeldAfter(now + horizonMs, now);
    if (deficit <= 0) return 0;
    window.reserveExternal(deficit, now + periodMs);
    this.phantoms.push({ slots: deficit, until: now + periodMs });
    this.counters.externalReserved += deficit;
    this.events.emit({ type: 'server-sync', t: now, external, guard, reserved: deficit, limit: window.limit });
    return deficit;
  }

  /** Our phantom slots still held at time `at` (reservations are appended in expiry order). */
  private phantomsHeldAfter(at: number, now: number): number {
    let expired = 0;
    while (expired < this.phantoms.length && this.phantoms[expired].until <= now) expired++;
    if (expired > 0) this.phantoms.splice(0, expired);
    let held = 0;
    for (const p of this.phantoms) if (p.until > at) held += p.slots;
    return held;
  }

  /** Returns how long to sleep before the retry; window waits happen in the limiter instead. */
  private afterRateLimit(failure: Extract<FailureClass, { kind: 'retryable' }>, now: number): number {
    const wait = failure.rateLimit;
    if (!wait || wait.kind === 'daily') return 0;
    if (wait.kind === 'sleep') return wait.ms;
    const window = this.options.limits.window;
    if (!window) return this.options.backoff?.baseMs ?? DEFAULT_BACKOFF.baseMs;
    // The server's window is full: whatever of it is not ours is someone else's (all of it, without headers).
    const own = window.inUse() - window.externalInUse();
    this.reserveExternal(window, (wait.serverUsed ?? window.limit) - own, wait.intervalMs, now);
    return 0;
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

  private statsWindowMs(): number {
    return this.options.limits.window?.windowMs ?? 10_000;
  }

  private searchWindowMs(): number {
    return (this.options.limits.search as { windowMs?: number }).windowMs ?? 1000;
  }

  /**
   * Counts a send; returns our sends in the window ending now, this one included, counted as the server
   * counts them: a search in the search window, anything else in the ten-second one.
   */
  private recordSend(t: number, search: boolean): number {
    this.counters.requests++;
    if (search) {
      const inWindow = this.searches.add(t, this.searchWindowMs());
      if (inWindow > this.counters.maxSearchInWindow) this.counters.maxSearchInWindow = inWindow;
      return inWindow;
    }
    const inWindow = this.sends.add(t, this.statsWindowMs());
    if (inWindow > this.counters.maxInWindow) this.counters.maxInWindow = inWindow;
    return inWindow;
  }
}

/** Send times inside a rolling window, oldest first. */
class SendWindow {
  private readonly times: number[] = [];
  private head = 0;

  /** Adds a send at `t`; returns the sends in the window ending at `t`. */
  add(t: number, windowMs: number): number {
    this.times.push(t);
    while (this.head < this.times.length && this.times[this.head] <= t - windowMs) this.head++;
    if (this.head > 4096) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
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
