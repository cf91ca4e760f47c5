import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestLogFromEntries } from '../../../src/verify/request-log.js';
import { analyseRequestLog } from '../../../src/verify/rolling-window-report.js';
import { downsampleUsage } from '../../../src/verify/usage-downsample.js';

const analyse = (times: number[], limit: number, windowMs: number) => analyseRequestLog(requestLogFromEntries(times.map((t) => ({ t }))), { limit, windowMs });

describe('downsampleUsage', () => {
  it('keeps the peak and shows usage falling back to zero between sparse bursts', () => {
    // Three requests at 0 s, nothing, then one at 100 s: the window empties in between.
    const { series } = analyse([0, 0, 0, 100_000], 2, 10_000);
    const usage = downsampleUsage(series, 100);
    expect(usage.from).toBe(0);
    expect(usage.to).toBe(100_000);
    expect(usage.max[0]).toBe(3);
    expect(usage.overLimit[0]).toBe(1);
    expect(usage.max[9]).toBe(3); // [9 s, 10 s): still inside the window of the burst
    expect(usage.max[10]).toBe(0); // from 10 s the burst has expired
    expect(usage.max[50]).toBe(0);
    expect(usage.overLimit[50]).toBe(0);
    expect(usage.max[99]).toBe(1);
  });

  it('gives a one-window axis to a log whose requests share one instant', () => {
    const { series } = analyse([42, 42], 5, 1_000);
    const usage = downsampleUsage(series, 10);
    expect(usage.from).toBe(42);
    expect(usage.to).toBe(1_042);
    expect(Array.from(usage.max)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('draws an empty log as zero usage', () => {
    const { series } = analyse([], 5, 1_000);
    const usage = downsampleUsage(series, 4);
    expect(Array.from(usage.max)).toEqual([0, 0, 0, 0]);
    expect(Array.from(usage.overLimit)).toEqual([0, 0, 0, 0]);
  });

  it('rejects a column count that is not a positive integer', () => {
    const { series } = analyse([1], 5, 1_000);
    expect(() => downsampleUsage(series, 0)).toThrow(RangeError);
  });

  it('never loses the maximum or a violation, and never shows usage above the true maximum', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 900 }),
        (times, windowMs, limit, columns) => {
          const { report, series } = analyse(times, limit, windowMs);
          const usage = downsampleUsage(series, columns);
          const peak = Math.max(...usage.max);
          expect(peak).toBe(report.maxInWindow);
          expect(usage.overLimit.some((flag) => flag === 1)).toBe(report.violations > 0);
          usage.max.forEach((value, c) => expect(usage.overLimit[c]).toBe(value > limit ? 1 : 0));
        },
      ),
    );
  });
});
