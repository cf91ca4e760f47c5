import type { ExtractRunSummary } from './extract-run.js';
import { formatRunSummary } from '../progress/run-summary.js';

/** The end-of-run table printed on stdout. */
export function formatSummary(s: ExtractRunSummary): string {
  const lines: string[] = [];
  lines.push(`run ${s.runId}: ${s.status} (${s.mode})`);
  const width = Math.max(10, ...Object.keys(s.rows).map((k) => k.length));
  const rowsWidth = Math.max(4, ...Object.values(s.rows).map((n) => String(n).length));
  lines.push(`  ${'object'.padEnd(width)}  ${'rows'.padStart(rowsWidth)}  read`);
  let total = 0;
  for (const [name, rows] of Object.entries(s.rows)) {
    if (name === 'associations') continue;
    total += rows;
    const read = s.reads[name];
    const how = read
      ? `${read.properties === undefined ? '' : `${read.properties} properties, `}${read.strategy === 'by-ids' ? 'ids then batch/read' : 'list pages'}`
      : '';
    lines.push(`  ${name.padEnd(width)}  ${String(rows).padStart(rowsWidth)}  ${how}`.trimEnd());
  }
  if (s.rows.associations !== undefined) lines.push(`  ${'associations'.padEnd(width)}  ${String(s.rows.associations).padStart(rowsWidth)}`);
  const st = s.stats;
  const minimum =
    s.minimumCalls === undefined ? '' : ` (minimum for this portal: ${s.minimumCalls}, ratio ${(s.calls / Math.max(1, s.minimumCalls)).toFixed(3)})`;
  const estimate = s.estimateCalls > 0 ? ` (+${s.estimateCalls} searches for the cost estimate)` : '';
  lines.push(`  API requests: ${s.calls}${minimum}${estimate}; requests per record: ${(s.calls / Math.max(1, total)).toFixed(3)}`);
  // The two budgets apart: the ten-second window, and the search API's own per-second limit.
  const m = s.minimum;
  const searchMinimum = m ? ` (minimum ${m.search})` : '';
  const windowMinimum = m ? ` (minimum ${m.window})` : '';
  lines.push(
    `  window requests: ${s.calls - s.searchCalls}${windowMinimum}; search requests: ${s.searchCalls}${searchMinimum}${m ? `; the limits allow this in ${(m.timeBoundMs / 1000).toFixed(1)} s at best` : ''}`,
  );
  const unavailable = Object.entries(s.unavailableTypes ?? {});
  if (unavailable.length > 0) {
    lines.push(
      `  skipped, not in this portal (or not readable with this key): ${unavailable.map(([type, why]) => `${type} (${why.split(':')[0]})`).join(', ')}`,
    );
  }
  for (const note of s.notes ?? []) lines.push(`  note: ${note}`);
  if (s.associationInputsKept > 0) lines.push(`  association inputs not read (kept queued for the next run): ${s.associationInputsKept}`);
  // The request statistics as the processor reports them (the same numbers are stored with the run).
  for (const line of formatRunSummary(st).split('\n')) lines.push(`  ${line}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  return `${lines.join('\n')}\n`;
}
