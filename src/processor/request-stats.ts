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
  /** Most of our own sends inside any rolling window of `windowMs`. */
  maxInWindow: number;
  windowMs: number;
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

/**
 * The executor's counters. Besides the totals it keeps our own send times over the last window, because
 * what the server counts of ours when a request arrives is our sends in the window before it (the limiter's
 * count is no good there: it keeps slots until response + window, well after the server let them go).
 */
export class RequestStatistics {
  private readonly sendTimes: number[] = [];
  private sendHead = 0;
  private readonly counters = {
    requests: 0,
    responsesByStatus: {} as Record<string, number>,
    rateLimited: 0,
    retriesByCause: ZERO_CAUSES(),
    skipped: 0,
    failed: 0,
    maxInWindow: 0,
  };
  private lastActivity: number;

  /** `windowMs`: the portal's window, which `maxInWindow` and `recordSend`'s count refer to. */
  constructor(
    private readonly startedAt: number,
    private readonly windowMs: number,
  ) {
    this.lastActivity = startedAt;
  }

  /** Counts a send; returns our sends in the window ending at `t`, this one included. */
  recordSend(t: number): number {
    this.counters.requests++;
    this.sendTimes.push(t);
    while (this.sendHead < this.sendTimes.length && this.sendTimes[this.sendHead] <= t - this.windowMs) this.sendHead++;
    if (this.sendHead > SEND_LOG_COMPACT_AT) {
      this.sendTimes.splice(0, this.sendHead);
      this.sendHead = 0;
    }
    const inWindow = this.sendTimes.length - this.sendHead;
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

  snapshot(extra: { externalReserved: number; dailyRemaining: number | undefined }): RequestStats {
    const wallMs = Math.max(0, this.lastActivity - this.startedAt);
    return {
      ...this.counters,
      responsesByStatus: { ...this.counters.responsesByStatus },
      retriesByCause: { ...this.counters.retriesByCause },
      externalReserved: extra.externalReserved,
      windowMs: this.windowMs,
      startedAt: this.startedAt,
      wallMs,
      throughputPerSecond: wallMs > 0 ? (this.counters.requests * 1000) / wallMs : 0,
      dailyRemaining: extra.dailyRemaining,
    };
  }
}
