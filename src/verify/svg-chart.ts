import type { RollingWindowReport, UsageSeries } from './rolling-window-report.js';
import { downsampleUsage } from './usage-downsample.js';

/**
 * A hand-written SVG of rolling-window usage over time against the limit. Stable ids let tests and
 * readers find the parts: #limit-line, #usage-series (a step polyline of the per-pixel maximum),
 * #usage-area, #violations (red bands and red series where usage went over the limit).
 */
export interface ChartSize {
  width: number;
  height: number;
}

const DEFAULT_SIZE: ChartSize = { width: 900, height: 360 };
const MARGIN = { left: 64, right: 24, top: 56, bottom: 48 };
const COLORS = {
  usage: '#1f6fb2',
  usageFill: '#cfe3f5',
  limit: '#222222',
  violation: '#d62728',
  grid: '#e6e6e6',
  text: '#222222',
};

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

/** A step of 1, 2 or 5 times a power of ten giving about `target` intervals over [0, max]. */
export function niceStep(max: number, target: number): number {
  if (!(max > 0)) return 1;
  const raw = max / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  const nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10;
  return nice * power;
}

function formatTick(value: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step)));
  return value.toFixed(decimals);
}

export function chartTitle(report: RollingWindowReport): string {
  const windowSeconds = fmt(report.windowMs / 1000);
  const share = `${fmt(report.maxShareOfLimit * 100)}%`;
  const base = `${report.verdict}: max ${report.maxInWindow} of ${report.limit} requests per ${windowSeconds} s window (${share})`;
  const parts = [base, report.violations === 0 ? `${report.burstRequests} requests` : `${report.violations} over the limit`];
  if (report.search && report.search.violations > 0) parts.push(`search: ${report.search.violations} over its limit`);
  return parts.join(', ');
}

export function renderUsageChart(report: RollingWindowReport, series: UsageSeries, size: ChartSize = DEFAULT_SIZE): string {
  const plotWidth = size.width - MARGIN.left - MARGIN.right;
  const plotHeight = size.height - MARGIN.top - MARGIN.bottom;
  const columns = Math.max(1, Math.floor(plotWidth));
  const usage = downsampleUsage(series, columns);
  const spanSeconds = (usage.to - usage.from) / 1000;

  const yTop = Math.max(report.limit, report.maxInWindow) * 1.1;
  const yStep = niceStep(yTop, 5);
  const yMax = Math.ceil(yTop / yStep) * yStep;
  const xStep = niceStep(spanSeconds, 8);

  const x = (seconds: number) => MARGIN.left + (spanSeconds > 0 ? (seconds / spanSeconds) * plotWidth : 0);
  const y = (count: number) => MARGIN.top + plotHeight - (count / yMax) * plotHeight;
  const columnWidth = plotWidth / columns;
  const columnX = (c: number) => MARGIN.left + c * columnWidth;
  const plotBottom = MARGIN.top + plotHeight;
  const plotRight = MARGIN.left + plotWidth;

  const title = chartTitle(report);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" ` +
      `viewBox="0 0 ${size.width} ${size.height}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="chart-title">`,
  );
  out.push(`<title id="chart-title">${escapeXml(title)}</title>`);
  out.push(`<rect width="${size.width}" height="${size.height}" fill="#ffffff"/>`);
  out.push(
    `<text id="chart-heading" x="${size.width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" ` +
      `fill="${report.verdict === 'PASS' ? COLORS.text : COLORS.violation}">${escapeXml(title)}</text>`,
  );

  out.push('<g id="grid" stroke-width="1">');
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    out.push(`<line x1="${MARGIN.left}" y1="${fmt(y(v))}" x2="${plotRight}" y2="${fmt(y(v))}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" fill="${COLORS.text}">${formatTick(v, yStep)}</text>`);
  }
  for (let s = 0; s <= spanSeconds + xStep / 1000; s += xStep) {
    out.push(`<line x1="${fmt(x(s))}" y1="${MARGIN.top}" x2="${fmt(x(s))}" y2="${plotBottom}" stroke="${COLORS.grid}"/>`);
    out.push(`<text x="${fmt(x(s))}" y="${plotBottom + 16}" text-anchor="middle" fill="${COLORS.text}">${formatTick(s, xStep)}</text>`);
  }
  out.push('</g>');

  out.push(
    `<g id="axes" stroke="${COLORS.text}" stroke-width="1">` +
      `<line x1="${MARGIN.left}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}"/>` +
      `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${plotBottom}"/>` +
      '</g>',
  );
  out.push(
    `<text id="x-axis-label" x="${MARGIN.left + plotWidth / 2}" y="${size.height - 10}" text-anchor="middle" fill="${COLORS.text}">` +
      'time since first request (s)</text>',
  );
  out.push(
    `<text id="y-axis-label" transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="${COLORS.text}">` +
      `requests in ${fmt(report.windowMs / 1000)} s window</text>`,
  );

  // Step line: each column holds its maximum across its full width.
  const points: string[] = [];
  for (let c = 0; c < columns; c++) {
    const yc = fmt(y(usage.max[c]));
    points.push(`${fmt(columnX(c))},${yc}`, `${fmt(columnX(c + 1))},${yc}`);
  }
  out.push(
    `<path id="usage-area" d="M${MARGIN.left},${plotBottom} L${points.join(' L')} L${plotRight},${plotBottom} Z" ` +
      `fill="${COLORS.usageFill}" stroke="none"/>`,
  );
  out.push(
    `<polyline id="usage-series" class="usage-series" points="${points.join(' ')}" fill="none" ` +
      `stroke="${COLORS.usage}" stroke-width="1.5" stroke-linejoin="round"/>`,
  );

  out.push(`<g id="violations" class="violations" fill="${COLORS.violation}" stroke="${COLORS.violation}">`);
  for (let c = 0; c < columns; c++) {
    if (!usage.overLimit[c]) continue;
    let end = c;
    while (end + 1 < columns && usage.overLimit[end + 1]) end++;
    // At least 2 px wide so a single violating request stays visible on a long run.
    const left = columnX(c);
    const width = Math.max(2, columnX(end + 1) - left);
    out.push(
      `<rect class="violation-band" x="${fmt(left)}" y="${MARGIN.top}" width="${fmt(width)}" height="${plotHeight}" ` + 'fill-opacity="0.15" stroke="none"/>',
    );
    const runPoints: string[] = [];
    for (let k = c; k <= end; k++) {
      const yk = fmt(y(usage.max[k]));
      runPoints.push(`${fmt(columnX(k))},${yk}`, `${fmt(columnX(k + 1))},${yk}`);
    }
    out.push(`<polyline class="violation-series" points="${runPoints.join(' ')}" fill="none" stroke-width="2.5"/>`);
    c = end;
  }
  out.push('</g>');

  const yLimit = fmt(y(report.limit));
  out.push(
    `<line id="limit-line" class="limit-line" x1="${MARGIN.left}" y1="${yLimit}" x2="${plotRight}" y2="${yLimit}" ` +
      `stroke="${COLORS.limit}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  out.push(
    `<text id="limit-label" x="${plotRight - 4}" y="${fmt(y(report.limit) - 5)}" text-anchor="end" fill="${COLORS.limit}">` + `limit ${report.limit}</text>`,
  );

  const legendX = MARGIN.left + 8;
  const legendY = MARGIN.top - 14;
  out.push(
    `<g id="legend" font-size="11" fill="${COLORS.text}">` +
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 18}" y2="${legendY}" stroke="${COLORS.usage}" stroke-width="2"/>` +
      `<text x="${legendX + 22}" y="${legendY + 4}">requests in window (max per pixel)</text>` +
      `<line x1="${legendX + 230}" y1="${legendY}" x2="${legendX + 248}" y2="${legendY}" stroke="${COLORS.limit}" stroke-dasharray="6 4" stroke-width="1.5"/>` +
      `<text x="${legendX + 252}" y="${legendY + 4}">limit</text>` +
      `<rect x="${legendX + 290}" y="${legendY - 5}" width="18" height="10" fill="${COLORS.violation}" fill-opacity="0.3"/>` +
      `<text x="${legendX + 312}" y="${legendY + 4}">over the limit</text>` +
      '</g>',
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
