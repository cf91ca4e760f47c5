import { percentile } from '../limits/stats.js';

/**
 * Little's law: requests in flight = arrival rate x time in system. To keep the allowed rate flowing
 * we need rate x latency requests outstanding; headroom covers latency jitter, and the cap protects the
 * machine and the API from a latency spike turning into hundreds of sockets.
 */
export interface PoolSizeInput {
  /** Requests per second the limits allow us. */
  ratePerSecond: number;
  /** Latency estimate in ms (p90 or EWMA of recent requests). */
  latencyMs: number;
  /** Multiplier > 0, e.g. 1.5. */
  headroom: number;
  /** HUBSPOT_MAX_CONCURRENCY. */
  cap: number;
}

export function poolSize({ ratePerSecond, latencyMs, headroom, cap }: PoolSizeInput): number {
  const upper = Math.max(1, Math.floor(cap));
  if (!(ratePerSecond > 0) || !(latencyMs > 0) || !(headroom > 0)) return Math.min(upper, 1);
  const wanted = Math.ceil((ratePerSecond * latencyMs * headroom) / 1000);
  return Math.min(upper, Math.max(1, wanted));
}

export interface LatencyEstimatorOptions {
  /** Used until `minSamples` requests have been measured. */
  initialMs: number;
  minSamples?: number;
  /** How many recent samples the p90 is taken over. */
  sampleSize?: number;
  /** EWMA weight of a new sample. */
  alpha?: number;
}

/**
 * Recent request latency: the larger of the p90 over a ring of recent samples and an EWMA, so one
 * slow burst raises the pool quickly while a single outlier does not.
 */
export class LatencyEstimator {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;
  private ewma: number | undefined;
  private readonly minSamples: number;
  private readonly alpha: number;

  constructor(private readonly options: LatencyEstimatorOptions) {
    this.samples = new Float64Array(options.sampleSize ?? 200);
    this.minSamples = options.minSamples ?? 5;
    this.alpha = options.alpha ?? 0.1;
  }

  record(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.filled < this.samples.length) this.filled++;
    this.ewma = this.ewma === undefined ? ms : this.ewma + this.alpha * (ms - this.ewma);
  }

  count(): number {
    return this.filled;
  }

  p90(): number | undefined {
    if (this.filled === 0) return undefined;
    return percentile(
      Array.from(this.samples.subarray(0, this.filled)).sort((a, b) => a - b),
      0.9,
    );
  }

  estimateMs(): number {
    if (this.filled < this.minSamples) return this.options.initialMs;
    return Math.max(this.p90() ?? 0, this.ewma ?? 0);
  }
}
