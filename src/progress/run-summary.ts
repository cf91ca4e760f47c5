import type { RequestStats } from '../processor/request-stats.js';

/** The end-of-run statistics as the CLI prints them (the same numbers are stored with the run). */
export function formatRunSummary(stats: RequestStats): string {
  const retries = Object.entries(stats.retriesByCause)
    .filter(([, n]) => n > 0)
    .map(([cause, n]) => `${cause} ${n}`)
    .join(', ');
  const lines = [
    `requests        ${stats.requests} (${stats.throughputPerSecond.toFixed(1)}/s over ${(stats.wallMs / 1000).toFixed(1)} s)`,
    `429 responses   ${stats.rateLimited}`,
    `retries         ${retries || 'none'}`,
    // What the server counts: searches are exempt from the ten-second window and have their own limit.
    `max in window   ${stats.maxInWindow}${of(stats.windowLimit)} requests in any ${stats.windowMs / 1000} s (searches apart)`,
    `max searches    ${stats.maxSearchInWindow ?? 0}${of(stats.searchLimit)} in any ${(stats.searchWindowMs ?? 1000) / 1000} s`,
    `skipped/failed  ${stats.skipped}/${stats.failed}`,
  ];
  if (stats.externalReserved > 0) lines.push(`other apps      ${stats.externalReserved} slots yielded to traffic that was not ours`);
  if (stats.dailyRemaining !== undefined) lines.push(`daily remaining ~${stats.dailyRemaining}`);
  return lines.join('\n');
}

function of(limit: number | undefined): string {
  return limit === undefined ? '' : ` of ${limit}`;
}
