import type { RetryCause } from './classify.js';

/** What the run's requests did, for the summary, the `runs` row and the metrics. */
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

const ZERO_CAUSES = (): Record<RetryCause, number> => ({
  'rate-limit': 0,
  'server-error': 0,
  locked: 0,
  migration: 0,
  timeout: 0,
  'connection-reset': 0,
  'malformed-response': 0,
});

/** Older send times are dropped from the front of the log in blocks of this many. */
const SEND_LOG_COMPACT_AT = 4096;

/** Our send times over the last window. */
class SendWindow {
  private readonly times: number[] = [];
  private head = 0;

  /** Adds a send at `t`; returns the sends in the window ending at `t`. */
  add(t: number, windowMs: number): number {
    this.times.push(t);
    while (this.head < this.times.length && this.times[this.head] <= t - windowMs) this.head++;
    if (this.head > SEND_LOG_COMPACT_AT) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
}

/**
 * The executor's counters. Besides the totals it keeps our own send times over the last window, because
 * what the server counts of ours when a request arrives is our sends in the window before it (the limiter's
 * count is no good there: it keeps slots until response + window, well after the server let them go).
 */
export class RequestStatistics {
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
  };
  private lastActivity: number;

  /**
   * `windowMs`: the portal's ten-second window, which `maxInWindow` and `recordSend`'s count refer to;
   * `searchWindowMs`: the search API's own window.
   */
  constructor(
    private readonly startedAt: number,
    private readonly windowMs: number,
    private readonly searchWindowMs: number,
  ) {
    this.lastActivity = startedAt;
  }

  /**
   * Counts a send; returns our sends in the window ending at `t`, this one included, counted as the server
   * counts them: a search in the search window, anything else in the ten-second one.
   */
  recordSend(t: number, search = false): number {
    this.counters.requests++;
    if (search) {
      const inWindow = this.searches.add(t, this.searchWindowMs);
      if (inWindow > this.counters.maxSearchInWindow) this.counters.maxSearchInWindow = inWindow;
      return inWindow;
    }
    const inWindow = this.sends.add(t, this.windowMs);
    if (inWindow > this.counters.maxInWindow) this.counters.maxInWindow = inWindow;
    return inWindow;
  }

  /** An attempt ended at `t`, with an HTTP status or none (timeout, reset). */
  recordEnd(t: number, status: number | undefined): void {
    this.lastActivity = t;
    if (status !== undefined) this.counters.responsesByStatus[String(status)] = (this.counters.responsesByStatus[String(status)] ?? 0) + 1;
  }

  recordRetry(cause: RetryCause): void {
    this.counters.retriesByCause[cause]++;
  }

  recordRateLimited(): void {
    this.counters.rateLimited++;
  }

  recordSkipped(): void {
    this.counters.skipped++;
  }

  recordFailed(): void {
    this.counters.failed++;
  }

  /** `windowLimit`/`searchLimit`: the limits when known (shared limits report theirs once asked). */
  snapshot(extra: {
    externalReserved: number;
    dailyRemaining: number | undefined;
    windowLimit: number | undefined;
    searchLimit: number | undefined;
  }): RequestStats {
    const wallMs = Math.max(0, this.lastActivity - this.startedAt);
    return {
      ...this.counters,
      responsesByStatus: { ...this.counters.responsesByStatus },
      retriesByCause: { ...this.counters.retriesByCause },
      externalReserved: extra.externalReserved,
      windowMs: this.windowMs,
      windowLimit: extra.windowLimit,
      searchWindowMs: this.searchWindowMs,
      searchLimit: extra.searchLimit,
      startedAt: this.startedAt,
      wallMs,
      throughputPerSecond: wallMs > 0 ? (this.counters.requests * 1000) / wallMs : 0,
      dailyRemaining: extra.dailyRemaining,
    };
  }
}
