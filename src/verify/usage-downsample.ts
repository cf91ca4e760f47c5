import type { UsageSeries } from './rolling-window-report.js';

/**
 * Rolling-window usage reduced to one value per chart column, so a million-request log draws as a
 * few hundred points. Each column keeps the maximum usage reached inside it: the peaks are what a
 * reader checks against the limit, and a violation can never be averaged away.
 */
export interface UsageColumns {
  /** Time of the first column's left edge (epoch ms). */
  from: number;
  /** Time of the last column's right edge (epoch ms). */
  to: number;
  /** Max usage per column. */
  max: Uint32Array;
  /** True where usage went over the limit inside the column (max > limit). */
  overLimit: Uint8Array;
}

/**
 * Usage is a step function that jumps at arrivals and falls as requests expire, so a column's maximum is
 * the larger of its value at the left edge and the values measured at the arrivals inside it.
 */
export function downsampleUsage(series: UsageSeries, columns: number): UsageColumns {
  if (!Number.isInteger(columns) || columns <= 0) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const { sortedTimes, counts, limit, windowMs } = series;
  const n = sortedTimes.length;
  const max = new Uint32Array(columns);
  const overLimit = new Uint8Array(columns);
  if (n === 0) return { from: 0, to: windowMs, max, overLimit };

  const from = sortedTimes[0];
  const span = sortedTimes[n - 1] - from;
  // A single burst at one instant still gets a readable axis: one window wide.
  const to = span > 0 ? sortedTimes[n - 1] : from + windowMs;
  const width = (to - from) / columns;

  let arrived = 0; // arrivals at or before the column's left edge
  let expired = 0; // of those, arrivals at or before (edge - windowMs)
  for (let c = 0; c < columns; c++) {
    const edge = from + c * width;
    while (arrived < n && sortedTimes[arrived] <= edge) arrived++;
    while (expired < arrived && edge - sortedTimes[expired] >= windowMs) expired++;
    let columnMax = arrived - expired;
    const right = c === columns - 1 ? Infinity : from + (c + 1) * width;
    let i = arrived;
    while (i < n && sortedTimes[i] < right) {
      if (counts[i] > columnMax) columnMax = counts[i];
      i++;
    }
    // Arrivals exactly on the edge were already counted into `arrived`; with ties, the last one holds the peak.
    for (let j = arrived - 1; j >= 0 && sortedTimes[j] === edge; j--) {
      if (counts[j] > columnMax) columnMax = counts[j];
    }
    max[c] = columnMax;
    // Usage between arrivals never exceeds the usage measured at the arrival before, so this flags exactly
    // the columns where some request arrived over the limit or the window still held it.
    if (columnMax > limit) overLimit[c] = 1;
  }
  return { from, to, max, overLimit };
}
