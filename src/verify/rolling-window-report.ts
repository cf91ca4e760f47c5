import { SEARCH_LIMIT as HUBSPOT_SEARCH_LIMIT } from '../../config/hubspot-limits.js';
import type { RequestLog } from './request-log.js';

/**
 * Window semantics, used everywhere in src/verify:
 *
 * A request stops counting exactly `windowMs` after it arrived. The usage measured at an arrival at time `t`
 * is the number of arrivals in the half-open interval (t - windowMs, t], counting that arrival and, among
 * arrivals sharing the same millisecond, only those at or before it in sorted order. So two requests exactly
 * `windowMs` apart never share a window, and N requests in the same millisecond count 1, 2, ..., N.
 * (The simulator's own `window` field counts only the requests it served unless it runs with
 * rejectedCountsInWindow, so it can be lower than this after a 429.)
 *
 * The maximum over those measurements equals the maximum over every window [s, s + windowMs) of the time
 * axis: any such window holds a subset of the window ending at its last arrival.
 *
 * A violation is an arrival whose measured usage exceeds the limit: a request the server would have had
 * to refuse. Requests that were answered 429 still arrived, so they count in the window like any other.
 *
 * Search requests are exempt from the burst window (contract §1.3) and are checked the same way against
 * their own limit, SEARCH_LIMIT, unless the caller asks to count them in the burst window too.
 */
export interface RollingWindowLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

/** HubSpot's CRM search limit: five requests per second per account (contract §1.3). */
export const SEARCH_LIMIT: RollingWindowLimit = { limit: HUBSPOT_SEARCH_LIMIT.perSecond, windowMs: HUBSPOT_SEARCH_LIMIT.windowMs };

export interface AnalysisOptions extends RollingWindowLimit {
  /** The separate limit search requests are checked against. Default SEARCH_LIMIT. */
  searchLimit?: RollingWindowLimit;
  /**
   * Count search requests in the burst window too. HubSpot exempts them, so by default they are left out
   * of it; set this to audit a server that counts them.
   */
  searchInBurst?: boolean;
}

/** The window (end - windowMs, end] measured at the arrival at `end`. */
export interface MeasuredWindow {
  /** Exclusive lower bound: end - windowMs. */
  start: number;
  /** The arrival this window was measured at (inclusive). */
  end: number;
  /** Arrivals in the window, including the one at `end`. */
  count: number;
  /** Earliest arrival inside the window. */
  firstArrival: number;
}

export interface SourceReport {
  source: string;
  requests: number;
  status429: number;
  /** Max burst-window usage of this source's own requests, ignoring the other sources. */
  maxInWindow: number;
}

/** One limit checked against the arrivals it applies to. */
export interface WindowCheck {
  limit: number;
  windowMs: number;
  /** Arrivals this limit applies to. */
  requests: number;
  maxInWindow: number;
  /** maxInWindow / limit. */
  maxShareOfLimit: number;
  /** The first window that reached the maximum; null when no request applies. */
  maxWindow: MeasuredWindow | null;
  /** Arrivals that found the window already holding `limit` requests (see the module comment). */
  violations: number;
  firstViolation: MeasuredWindow | null;
}

export interface SearchReport extends WindowCheck {
  status429: number;
  /** Whether these requests were also counted in the burst window. */
  countedInBurst: boolean;
}

export type Verdict = 'PASS' | 'FAIL';

/**
 * The burst-window check sits at the top level (limit, windowMs, maxInWindow, violations, ...);
 * `burstRequests` says how many arrivals it covered.
 */
export interface RollingWindowReport extends Omit<WindowCheck, 'requests'> {
  /** FAIL when the burst window or the search limit was exceeded. */
  verdict: Verdict;
  /** Every line of the log. */
  requests: number;
  /** Arrivals counted in the burst window: all but the search requests unless searchInBurst. */
  burstRequests: number;
  firstArrival: number | null;
  lastArrival: number | null;
  spanMs: number;
  status429: number;
  /** 429s on lines with `source: "background"`; null when no line has that source. */
  status429Background: number | null;
  /** (requests - 1) / span: the arrival rate between the first and the last request; null below 2 requests or a zero span. */
  throughputPerSecond: number | null;
  /** Split by `source` (lines without one are "own"); null when no line carried a `source`. */
  bySource: SourceReport[] | null;
  /** The search requests against their own limit; null when the log has none. */
  search: SearchReport | null;
}

/** Sorted arrival times with the usage measured at each one; what the chart draws. */
export interface UsageSeries {
  sortedTimes: Float64Array;
  counts: Uint32Array;
  limit: number;
  windowMs: number;
}

export interface RollingWindowAnalysis {
  report: RollingWindowReport;
  series: UsageSeries;
}

export const BACKGROUND_SOURCE = 'background';

export function sortedCopy(times: Float64Array): Float64Array {
  const copy = times.slice();
  for (let i = 1; i < copy.length; i++) {
    if (copy[i] < copy[i - 1]) return copy.sort();
  }
  return copy;
}

/** Two-pointer sweep over sorted arrival times: usage measured at each arrival. */
export function rollingCounts(sortedTimes: Float64Array, windowMs: number): Uint32Array {
  const counts = new Uint32Array(sortedTimes.length);
  let lo = 0;
  for (let i = 0; i < sortedTimes.length; i++) {
    // Subtracting two nearby times keeps fractional-ms logs exact where t - windowMs might round.
    while (sortedTimes[i] - sortedTimes[lo] >= windowMs) lo++;
    counts[i] = i - lo + 1;
  }
  return counts;
}

function maxOf(counts: Uint32Array): number {
  let max = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > max) max = counts[i];
  return max;
}

function windowAt(sortedTimes: Float64Array, counts: Uint32Array, i: number, windowMs: number): MeasuredWindow {
  const end = sortedTimes[i];
  return { start: end - windowMs, end, count: counts[i], firstArrival: sortedTimes[i - counts[i] + 1] };
}

function assertValidLimit({ limit, windowMs }: RollingWindowLimit): void {
  if (!Number.isInteger(limit) || limit <= 0) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
}

function checkWindow(sortedTimes: Float64Array, counts: Uint32Array, { limit, windowMs }: RollingWindowLimit): WindowCheck {
  let maxIndex = -1;
  let violations = 0;
  let firstViolationIndex = -1;
  for (let i = 0; i < counts.length; i++) {
    if (maxIndex < 0 || counts[i] > counts[maxIndex]) maxIndex = i;
    if (counts[i] > limit) {
      violations++;
      if (firstViolationIndex < 0) firstViolationIndex = i;
    }
  }
  const maxInWindow = maxIndex >= 0 ? counts[maxIndex] : 0;
  return {
    limit,
    windowMs,
    requests: counts.length,
    maxInWindow,
    maxShareOfLimit: maxInWindow / limit,
    maxWindow: maxIndex >= 0 ? windowAt(sortedTimes, counts, maxIndex, windowMs) : null,
    violations,
    firstViolation: firstViolationIndex >= 0 ? windowAt(sortedTimes, counts, firstViolationIndex, windowMs) : null,
  };
}

/** Times of the arrivals where `include(i)` holds, in file order. */
function selectTimes(times: Float64Array, include: (i: number) => boolean): Float64Array {
  let count = 0;
  for (let i = 0; i < times.length; i++) if (include(i)) count++;
  if (count === times.length) return times;
  const selected = new Float64Array(count);
  let k = 0;
  for (let i = 0; i < times.length; i++) if (include(i)) selected[k++] = times[i];
  return selected;
}

function sourceReports(log: RequestLog, windowMs: number, inBurst: (i: number) => boolean): SourceReport[] {
  const sources = log.sourceNames.length;
  const requests = new Array<number>(sources).fill(0);
  const status429 = new Array<number>(sources).fill(0);
  const burstCounts = new Array<number>(sources).fill(0);
  for (let i = 0; i < log.times.length; i++) {
    const id = log.sourceIds[i];
    requests[id]++;
    if (log.statuses[i] === 429) status429[id]++;
    if (inBurst(i)) burstCounts[id]++;
  }
  const timesBySource = burstCounts.map((count) => new Float64Array(count));
  const filled = new Array<number>(sources).fill(0);
  for (let i = 0; i < log.times.length; i++) {
    if (!inBurst(i)) continue;
    const id = log.sourceIds[i];
    timesBySource[id][filled[id]++] = log.times[i];
  }
  return log.sourceNames
    .map((source, id) => ({
      source,
      requests: requests[id],
      status429: status429[id],
      maxInWindow: maxOf(rollingCounts(sortedCopy(timesBySource[id]), windowMs)),
    }))
    .filter((report) => report.requests > 0);
}

function searchReport(log: RequestLog, searchLimit: RollingWindowLimit, countedInBurst: boolean): SearchReport | null {
  const times = selectTimes(log.times, (i) => log.searches[i] === 1);
  if (times.length === 0) return null;
  const sorted = sortedCopy(times);
  let status429 = 0;
  for (let i = 0; i < log.times.length; i++) if (log.searches[i] === 1 && log.statuses[i] === 429) status429++;
  return { ...checkWindow(sorted, rollingCounts(sorted, searchLimit.windowMs), searchLimit), status429, countedInBurst };
}

export function analyseRequestLog(log: RequestLog, options: AnalysisOptions): RollingWindowAnalysis {
  const burst: RollingWindowLimit = { limit: options.limit, windowMs: options.windowMs };
  const searchLimit = options.searchLimit ?? SEARCH_LIMIT;
  assertValidLimit(burst);
  assertValidLimit(searchLimit);
  const searchInBurst = options.searchInBurst ?? false;
  const inBurst = (i: number) => searchInBurst || log.searches[i] === 0;

  const sortedTimes = sortedCopy(selectTimes(log.times, inBurst));
  const counts = rollingCounts(sortedTimes, burst.windowMs);
  const { requests: burstRequests, ...burstCheck } = checkWindow(sortedTimes, counts, burst);

  const n = log.times.length;
  let firstArrival: number | null = null;
  let lastArrival: number | null = null;
  let status429 = 0;
  for (let i = 0; i < n; i++) {
    const t = log.times[i];
    if (firstArrival === null || t < firstArrival) firstArrival = t;
    if (lastArrival === null || t > lastArrival) lastArrival = t;
    if (log.statuses[i] === 429) status429++;
  }
  const backgroundId = log.sourceNames.indexOf(BACKGROUND_SOURCE);
  let status429Background: number | null = null;
  if (backgroundId >= 0) {
    status429Background = 0;
    for (let i = 0; i < n; i++) {
      if (log.statuses[i] === 429 && log.sourceIds[i] === backgroundId) status429Background++;
    }
  }
  const spanMs = firstArrival !== null && lastArrival !== null ? lastArrival - firstArrival : 0;
  const search = searchReport(log, searchLimit, searchInBurst);

  const report: RollingWindowReport = {
    verdict: burstCheck.violations === 0 && (search === null || search.violations === 0) ? 'PASS' : 'FAIL',
    requests: n,
    burstRequests,
    ...burstCheck,
    firstArrival,
    lastArrival,
    spanMs,
    status429,
    status429Background,
    throughputPerSecond: n >= 2 && spanMs > 0 ? (n - 1) / (spanMs / 1000) : null,
    bySource: log.hasSourceField ? sourceReports(log, burst.windowMs, inBurst) : null,
    search,
  };
  return { report, series: { sortedTimes, counts, limit: burst.limit, windowMs: burst.windowMs } };
}
