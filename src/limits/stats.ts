import type { LimiterStats, WaitTimePercentiles } from './types.js';

/** Wait-time percentiles are computed over this many most recent acquisitions. */
const SAMPLE_CAPACITY = 2048;

/**
 * Counters kept on the acquisition hot path: everything is O(1) there; the percentile sort
 * happens only when someone asks for stats().
 */
export class StatsRecorder {
  acquisitions = 0;
  waits = 0;
  timeouts = 0;
  aborts = 0;
  peak = 0;
  private readonly samples = new Float64Array(SAMPLE_CAPACITY);
  private next = 0;
  private filled = 0;

  /** `queued` is true when the caller had to wait in the queue, even if it was granted within the same ms. */
  recordAcquisition(waitedMs: number, inUseAfter: number, queued: boolean): void {
    this.acquisitions++;
    if (queued) this.waits++;
    if (inUseAfter > this.peak) this.peak = inUseAfter;
    this.samples[this.next] = waitedMs;
    this.next = (this.next + 1) & (SAMPLE_CAPACITY - 1);
    if (this.filled < SAMPLE_CAPACITY) this.filled++;
  }

  notePeak(inUse: number): void {
    if (inUse > this.peak) this.peak = inUse;
  }

  waitPercentiles(): WaitTimePercentiles {
    if (this.filled === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
    const sorted = Array.from(this.samples.subarray(0, this.filled)).sort((a, b) => a - b);
    return {
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1],
    };
  }

  snapshot(fields: Pick<LimiterStats, 'name' | 'limit' | 'inUse' | 'available' | 'waiting'>): LimiterStats {
    return {
      ...fields,
      acquisitions: this.acquisitions,
      waits: this.waits,
      timeouts: this.timeouts,
      aborts: this.aborts,
      waitMs: this.waitPercentiles(),
      peak: Math.max(this.peak, fields.inUse),
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
