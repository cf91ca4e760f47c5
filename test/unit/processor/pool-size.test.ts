import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LatencyEstimator, poolSize } from '../../../src/processor/pool-size.js';

describe("poolSize (Little's law)", () => {
  it.each([
    // 190 per 10 s = 19/s; 19 x 0.4 s x 1.5 = 11.4 -> 12
    [{ ratePerSecond: 19, latencyMs: 400, headroom: 1.5, cap: 32 }, 12],
    [{ ratePerSecond: 19, latencyMs: 2000, headroom: 1.5, cap: 32 }, 32],
    [{ ratePerSecond: 25, latencyMs: 120, headroom: 1, cap: 8 }, 3],
    [{ ratePerSecond: 1000, latencyMs: 3, headroom: 2, cap: 64 }, 6],
    [{ ratePerSecond: 0.5, latencyMs: 10, headroom: 1.5, cap: 8 }, 1],
    [{ ratePerSecond: 0, latencyMs: 100, headroom: 1.5, cap: 8 }, 1],
  ])('%o -> %i', (input, expected) => {
    expect(poolSize(input)).toBe(expected);
  });

  it('property: always within [1, cap] and never shrinks as latency grows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.double({ min: 0.1, max: 60_000, noNaN: true }),
        fc.double({ min: 0.1, max: 60_000, noNaN: true }),
        fc.integer({ min: 1, max: 256 }),
        (rate, l1, l2, cap) => {
          const [lo, hi] = l1 <= l2 ? [l1, l2] : [l2, l1];
          const a = poolSize({ ratePerSecond: rate, latencyMs: lo, headroom: 1.5, cap });
          const b = poolSize({ ratePerSecond: rate, latencyMs: hi, headroom: 1.5, cap });
          expect(a).toBeGreaterThanOrEqual(1);
          expect(b).toBeLessThanOrEqual(cap);
          expect(b).toBeGreaterThanOrEqual(a);
        },
      ),
    );
  });
});

describe('LatencyEstimator', () => {
  it('uses the initial guess until enough samples, then max(p90, EWMA)', () => {
    const est = new LatencyEstimator({ initialMs: 500, minSamples: 3, sampleSize: 10, alpha: 0.5 });
    est.record(100);
    est.record(100);
    expect(est.estimateMs()).toBe(500);
    est.record(100);
    expect(est.estimateMs()).toBe(100);
    for (let i = 0; i < 10; i++) est.record(i < 9 ? 50 : 1000);
    // Ring holds nine 50s and one 1000: p90 = 50, EWMA pulled up by the last sample: 0.5*1000 + 0.5*~50.
    expect(est.p90()).toBe(50);
    expect(est.estimateMs()).toBeGreaterThan(500);
  });

  it('ignores negative and non-finite samples', () => {
    const est = new LatencyEstimator({ initialMs: 7, minSamples: 1 });
    est.record(-1);
    est.record(Number.NaN);
    expect(est.count()).toBe(0);
    expect(est.estimateMs()).toBe(7);
  });
});
