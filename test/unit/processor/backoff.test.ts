import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffCap, backoffDelay, backoffSequence } from '../../../src/processor/backoff.js';

const stub = (values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

describe('backoff with full jitter', () => {
  it('doubles the cap per retry until the maximum', () => {
    const caps = [1, 2, 3, 4, 5, 6, 7].map((r) => backoffCap(r, { baseMs: 100, maxMs: 2000 }));
    expect(caps).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('gives exact delays for a stubbed random source', () => {
    const seq = backoffSequence(6, { baseMs: 100, maxMs: 2000, random: stub([0.5, 0.25, 0.999, 0, 0.5, 0.75]) });
    expect(seq).toEqual([50, 50, 399, 0, 800, 1500]);
  });

  it('uses the whole range: random 0 gives no delay, random just below 1 nearly the cap', () => {
    expect(backoffDelay(3, { baseMs: 250, maxMs: 20_000, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { baseMs: 250, maxMs: 20_000, random: () => 0.9999 })).toBe(999);
  });

  it('rejects retry numbers below 1', () => {
    expect(() => backoffDelay(0, { baseMs: 1, maxMs: 1, random: () => 0 })).toThrow(RangeError);
  });

  it('property: 0 <= delay < cap <= max, and caps never shrink', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseMs, maxMs, r) => {
          const cap = backoffCap(retry, { baseMs, maxMs });
          const delay = backoffDelay(retry, { baseMs, maxMs, random: () => r });
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(cap);
          expect(cap).toBeLessThanOrEqual(maxMs);
          expect(backoffCap(retry + 1, { baseMs, maxMs })).toBeGreaterThanOrEqual(cap);
        },
      ),
    );
  });
});
