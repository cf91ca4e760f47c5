import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestLogLine } from '../../../src/request-log-entry.js';
import { requestLogFromEntries } from '../../../src/verify/request-log.js';
import { analyseRequestLog, rollingCounts, sortedCopy } from '../../../src/verify/rolling-window-report.js';

const at = (...times: number[]): RequestLogLine[] => times.map((t) => ({ t, status: 200 }));
const analyse = (entries: RequestLogLine[], limit: number, windowMs: number) => analyseRequestLog(requestLogFromEntries(entries), { limit, windowMs }).report;

/** The definition, written the slow way: usage at the i-th arrival in sorted order. */
function bruteForceCounts(times: number[], windowMs: number): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.map((t, i) => sorted.slice(0, i + 1).filter((u) => u > t - windowMs).length);
}

/** The largest number of arrivals inside any window [s, s + windowMs), trying every arrival as s. */
function bruteForceMaxOverStarts(times: number[], windowMs: number): number {
  return Math.max(0, ...times.map((s) => times.filter((u) => u >= s && u < s + windowMs).length));
}

describe('rollingCounts', () => {
  it('counts arrivals in (t - window, t] on a hand-built log', () => {
    const sorted = new Float64Array([0, 1, 2, 9_999, 10_000, 10_001, 25_000]);
    expect(Array.from(rollingCounts(sorted, 10_000))).toEqual([1, 2, 3, 4, 4, 4, 1]);
  });

  it('numbers arrivals in the same millisecond 1, 2, 3', () => {
    expect(Array.from(rollingCounts(new Float64Array([5, 5, 5, 5]), 1_000))).toEqual([1, 2, 3, 4]);
  });

  it('matches the definition on any sorted times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 2_000 }), (times, windowMs) => {
        const counts = rollingCounts(sortedCopy(Float64Array.from(times)), windowMs);
        expect(Array.from(counts)).toEqual(bruteForceCounts(times, windowMs));
      }),
    );
  });
});

describe('analyseRequestLog', () => {
  it('finds the max, the violations and the first violating window on a hand-built log', () => {
    const report = analyse(at(0, 1, 2, 9_999, 10_000, 10_001, 25_000), 3, 10_000);
    expect(report.verdict).toBe('FAIL');
    expect(report.requests).toBe(7);
    expect(report.maxInWindow).toBe(4);
    expect(report.maxShareOfLimit).toBeCloseTo(4 / 3);
    expect(report.maxWindow).toEqual({ start: -1, end: 9_999, count: 4, firstArrival: 0 });
    expect(report.violations).toBe(3);
    expect(report.firstViolation).toEqual({ start: -1, end: 9_999, count: 4, firstArrival: 0 });
  });

  it('treats a request exactly one window later as outside the window', () => {
    const exactlyApart = analyse(at(1_000, 11_000), 1, 10_000);
    expect(exactlyApart.verdict).toBe('PASS');
    expect(exactlyApart.maxInWindow).toBe(1);
    expect(exactlyApart.violations).toBe(0);

    const oneMsCloser = analyse(at(1_000, 10_999), 1, 10_000);
    expect(oneMsCloser.verdict).toBe('FAIL');
    expect(oneMsCloser.maxInWindow).toBe(2);
    expect(oneMsCloser.violations).toBe(1);
    expect(oneMsCloser.firstViolation).toEqual({ start: 999, end: 10_999, count: 2, firstArrival: 1_000 });
  });

  it('passes a log that sits exactly at the limit', () => {
    // 190 requests every 10 s, evenly spaced, for a minute: every window holds exactly 190.
    const spacing = 10_000 / 190;
    const report = analyse(
      Array.from({ length: 1_140 }, (_, i) => ({ t: 1_700_000_000_000 + i * spacing })),
      190,
      10_000,
    );
    expect(report.verdict).toBe('PASS');
    expect(report.maxInWindow).toBe(190);
    expect(report.maxShareOfLimit).toBe(1);
    expect(report.throughputPerSecond).toBeCloseTo(19, 6);
  });

  it('gives the same answer for unsorted input as for sorted', () => {
    const times = [9_000, 100, 5_000, 100, 12_000, 2_500, 11_000, 300];
    const shuffled = analyse(at(...times), 4, 10_000);
    const sorted = analyse(at(...[...times].sort((a, b) => a - b)), 4, 10_000);
    expect(shuffled).toEqual(sorted);
    expect(shuffled.maxInWindow).toBe(6);
    expect(shuffled.violations).toBe(3);
    expect(shuffled.firstArrival).toBe(100);
    expect(shuffled.lastArrival).toBe(12_000);
  });

  it('counts requests answered 429 in the window and in the 429 total', () => {
    const entries: RequestLogLine[] = [
      { t: 0, status: 200 },
      { t: 10, status: 200 },
      { t: 20, status: 429 },
      { t: 30, status: 429 },
    ];
    const report = analyse(entries, 2, 1_000);
    expect(report.maxInWindow).toBe(4);
    expect(report.violations).toBe(2);
    expect(report.status429).toBe(2);
    expect(report.status429Background).toBeNull();
    expect(report.bySource).toBeNull();
  });

  it('splits by source and counts background 429s separately', () => {
    const entries: RequestLogLine[] = [
      { t: 0, status: 200 },
      { t: 100, status: 200, source: 'background' },
      { t: 200, status: 429, source: 'background' },
      { t: 300, status: 429 },
      { t: 400, status: 200 },
      { t: 5_000, status: 200, source: 'background' },
    ];
    const report = analyse(entries, 10, 1_000);
    expect(report.status429).toBe(2);
    expect(report.status429Background).toBe(1);
    expect(report.maxInWindow).toBe(5);
    expect(report.bySource).toEqual([
      { source: 'own', requests: 3, status429: 1, maxInWindow: 3 },
      { source: 'background', requests: 3, status429: 1, maxInWindow: 2 },
    ]);
  });

  it('reports zero background 429s when background traffic got none', () => {
    const report = analyse(
      [
        { t: 0, status: 200, source: 'background' },
        { t: 1, status: 429 },
      ],
      10,
      1_000,
    );
    expect(report.status429Background).toBe(0);
    expect(report.status429).toBe(1);
  });

  it('passes an empty log with no windows', () => {
    const report = analyse([], 190, 10_000);
    expect(report).toMatchObject({
      verdict: 'PASS',
      requests: 0,
      maxInWindow: 0,
      maxShareOfLimit: 0,
      maxWindow: null,
      violations: 0,
      firstViolation: null,
      firstArrival: null,
      lastArrival: null,
      spanMs: 0,
      status429: 0,
      throughputPerSecond: null,
    });
  });

  it('has no throughput for a single request or a zero span', () => {
    expect(analyse(at(5), 1, 10).throughputPerSecond).toBeNull();
    expect(analyse(at(5, 5, 5), 3, 10).throughputPerSecond).toBeNull();
    expect(analyse(at(0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000), 100, 10).throughputPerSecond).toBeCloseTo(10, 9);
  });

  it('rejects a limit or window that is not positive', () => {
    const log = requestLogFromEntries(at(1));
    expect(() => analyseRequestLog(log, { limit: 0, windowMs: 10 })).toThrow(RangeError);
    expect(() => analyseRequestLog(log, { limit: 2.5, windowMs: 10 })).toThrow(RangeError);
    expect(() => analyseRequestLog(log, { limit: 1, windowMs: -5 })).toThrow(RangeError);
  });

  it('agrees with brute force: max over any window, violations, verdict, order independence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 150 }),
        fc.integer({ min: 1, max: 1_500 }),
        fc.integer({ min: 1, max: 20 }),
        (times, windowMs, limit) => {
          const report = analyse(at(...times), limit, windowMs);
          const counts = bruteForceCounts(times, windowMs);
          expect(report.maxInWindow).toBe(bruteForceMaxOverStarts(times, windowMs));
          expect(report.violations).toBe(counts.filter((c) => c > limit).length);
          expect(report.verdict).toBe(report.maxInWindow <= limit ? 'PASS' : 'FAIL');
          if (report.firstViolation) {
            const w = report.firstViolation;
            expect(w.count).toBe(limit + 1);
            expect(times.filter((t) => t > w.start && t <= w.end).length).toBeGreaterThanOrEqual(w.count);
            expect(w.firstArrival).toBeGreaterThan(w.start);
          }
          expect(analyse(at(...[...times].reverse()), limit, windowMs)).toEqual(report);
        },
      ),
    );
  });

  describe('search requests', () => {
    // 3 standard requests plus 6 searches in 600 ms: the searches break the 5/s search limit,
    // and would break a burst limit of 5 if they were counted in it.
    const entries: RequestLogLine[] = [
      { t: 0, path: '/crm/v3/objects/contacts', status: 200 },
      { t: 10, path: '/crm/v3/objects/contacts', status: 200 },
      { t: 20, path: '/crm/v3/objects/contacts', status: 200 },
      ...[100, 200, 300, 400, 500].map((t) => ({ t, path: '/crm/v3/objects/deals/search', status: 200 })),
      { t: 600, path: '/crm/v3/objects/deals/search?after=10', status: 429 },
    ];

    it('leaves search out of the burst window and checks it against 5 per second', () => {
      const report = analyse(entries, 5, 10_000);
      expect(report.requests).toBe(9);
      expect(report.burstRequests).toBe(3);
      expect(report.maxInWindow).toBe(3);
      expect(report.violations).toBe(0);
      expect(report.search).toEqual({
        limit: 5,
        windowMs: 1_000,
        requests: 6,
        maxInWindow: 6,
        maxShareOfLimit: 6 / 5,
        maxWindow: { start: -400, end: 600, count: 6, firstArrival: 100 },
        violations: 1,
        firstViolation: { start: -400, end: 600, count: 6, firstArrival: 100 },
        status429: 1,
        countedInBurst: false,
      });
      expect(report.verdict).toBe('FAIL');
      expect(report.status429).toBe(1);
    });

    it('counts search in the burst window too when asked', () => {
      const { report } = analyseRequestLog(requestLogFromEntries(entries), {
        limit: 5,
        windowMs: 10_000,
        searchLimit: { limit: 10, windowMs: 1_000 },
        searchInBurst: true,
      });
      expect(report.burstRequests).toBe(9);
      expect(report.maxInWindow).toBe(9);
      expect(report.violations).toBe(4);
      expect(report.search).toMatchObject({ violations: 0, countedInBurst: true, limit: 10 });
    });

    it("recognises the simulator's kind field over the path", () => {
      const log = requestLogFromEntries([
        { t: 0, path: '/crm/v3/objects/contacts/search', kind: 'other' },
        { t: 1, path: '/anything', kind: 'search' },
        { t: 2, path: '/crm/v3/objects/contacts' },
      ]);
      expect(Array.from(log.searches)).toEqual([0, 1, 0]);
      expect(analyseRequestLog(log, { limit: 10, windowMs: 100 }).report.search?.requests).toBe(1);
    });

    it('reports no search section when the log has no search requests', () => {
      expect(analyse(at(1, 2, 3), 5, 100).search).toBeNull();
    });
  });
});
