import type { MeasuredWindow, RollingWindowReport } from './rolling-window-report.js';

/** What the report was computed from, shown in its header. */
export interface ReportContext {
  /** The log file, or a description of the load that produced the requests. */
  origin: string;
  /** Where the limit came from, e.g. "tier professional" or "--limit". */
  limitSource: string;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function describeWindow(window: MeasuredWindow, firstArrival: number): string {
  return (
    `the window ending +${seconds(window.end - firstArrival)} after the first request ` +
    `(arrivals +${seconds(window.firstArrival - firstArrival)} to +${seconds(window.end - firstArrival)}; ` +
    `end t=${window.end}, ${iso(window.end)})`
  );
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)}${value}`;
}

/** A short human table for stdout. */
export function formatReport(report: RollingWindowReport, context: ReportContext): string {
  const lines: string[] = [];
  lines.push(`rate-limit verification: ${report.verdict}`);
  const searchNote = report.search === null || report.search.countedInBurst ? '' : `, ${report.search.requests} of them search`;
  lines.push(row('source', `${context.origin} (${report.requests} requests${searchNote})`));
  lines.push(
    row(
      'limit',
      `${report.limit} requests per ${report.windowMs} ms rolling window (${context.limitSource}); ` + 'a window at t covers arrivals in (t - window, t]',
    ),
  );
  const first = report.firstArrival ?? 0;
  if (report.maxWindow) {
    lines.push(row('max in window', `${report.maxInWindow} (${percent(report.maxShareOfLimit)} of the limit) in ${describeWindow(report.maxWindow, first)}`));
  } else {
    lines.push(row('max in window', '0 (the log holds no requests)'));
  }
  if (report.firstViolation) {
    lines.push(
      row(
        'violations',
        `${report.violations} requests arrived over the limit; first: ${report.firstViolation.count} requests in ` +
          describeWindow(report.firstViolation, first),
      ),
    );
  } else {
    lines.push(row('violations', '0'));
  }
  if (report.search) {
    const search = report.search;
    const where = search.countedInBurst ? 'also counted in the burst window' : 'exempt from the burst window';
    const first = search.firstViolation ? `; first: ${search.firstViolation.count} in ${describeWindow(search.firstViolation, report.firstArrival ?? 0)}` : '';
    lines.push(
      row(
        'search',
        `${search.requests} requests (${where}), max ${search.maxInWindow} of ${search.limit} per ${search.windowMs} ms ` +
          `(${percent(search.maxShareOfLimit)}), ${search.violations} over the limit${first}, ${search.status429} 429s`,
      ),
    );
  }
  const background = report.status429Background === null ? '' : ` (background: ${report.status429Background})`;
  lines.push(row('429s', `${report.status429}${background}; answered 429s still arrived and are counted in the window`));
  lines.push(
    row(
      'throughput',
      report.throughputPerSecond === null
        ? `n/a over ${seconds(report.spanMs)}`
        : `${report.throughputPerSecond.toFixed(2)} req/s over ${seconds(report.spanMs)}`,
    ),
  );
  if (report.bySource) {
    const width = Math.max(...report.bySource.map((s) => s.source.length));
    report.bySource.forEach((s, i) => {
      lines.push(row(i === 0 ? 'by source' : '', `${s.source.padEnd(width)}  ${s.requests} requests, max ${s.maxInWindow} in window, ${s.status429} 429s`));
    });
  }
  return lines.join('\n') + '\n';
}
