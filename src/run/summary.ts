import type { ExtractRunSummary } from './extract-run.js';

/** The end-of-run table printed on stdout. */
export function formatSummary(s: ExtractRunSummary): string {
  const lines: string[] = [];
  lines.push(`run ${s.runId}: ${s.status} (${s.mode})`);
  const width = Math.max(10, ...Object.keys(s.rows).map((k) => k.length));
  lines.push(`  ${'object'.padEnd(width)}  rows`);
  let total = 0;
  for (const [name, rows] of Object.entries(s.rows)) {
    if (name === 'associations') continue;
    total += rows;
    lines.push(`  ${name.padEnd(width)}  ${rows}`);
  }
  if (s.rows.associations !== undefined) lines.push(`  ${'associations'.padEnd(width)}  ${s.rows.associations}`);
  const st = s.stats;
  const minimum = s.minimumCalls === undefined ? '' : ` (minimum for this portal: ${s.minimumCalls}, ratio ${(s.calls / Math.max(1, s.minimumCalls)).toFixed(3)})`;
  const estimate = s.estimateCalls > 0 ? ` (+${s.estimateCalls} searches for the cost estimate)` : '';
  lines.push(`  API requests: ${s.calls}${minimum}${estimate}; requests per record: ${(s.calls / Math.max(1, total)).toFixed(3)}`);
  const retries = Object.entries(st.retriesByCause).filter(([, n]) => n > 0).map(([c, n]) => `${c} ${n}`).join(', ') || 'none';
  lines.push(`  429s: ${st.rateLimited}; retries: ${retries}; skipped: ${st.skipped}; failed: ${st.failed}`);
  lines.push(`  max requests in any ${st.windowMs / 1000} s window: ${st.maxInWindow}; throughput ${st.throughputPerSecond.toFixed(2)} req/s; wall ${(st.wallMs / 1000).toFixed(1)} s`);
  if (st.dailyRemaining !== undefined) lines.push(`  daily budget remaining: ${st.dailyRemaining}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  return `${lines.join('\n')}\n`;
}
