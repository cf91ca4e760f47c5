import { describe, expect, it } from 'vitest';
import { requestLogFromEntries } from '../../../src/verify/request-log.js';
import { analyseRequestLog } from '../../../src/verify/rolling-window-report.js';
import { chartTitle, niceStep, renderUsageChart } from '../../../src/verify/svg-chart.js';
import { descendants, findById, parseXml, polylinePoints } from './xml.js';

function chartFor(times: number[], limit: number, windowMs: number) {
  const { report, series } = analyseRequestLog(requestLogFromEntries(times.map((t) => ({ t }))), { limit, windowMs });
  const svg = renderUsageChart(report, series);
  return { report, svg, root: parseXml(svg) };
}

/** `count` requests evenly spread over `seconds`. */
const steady = (count: number, seconds: number, start = 1_700_000_000_000) =>
  Array.from({ length: count }, (_, i) => start + Math.floor((i * seconds * 1000) / count));

describe('renderUsageChart', () => {
  it('draws a well-formed 900x360 SVG with title, axes labels, limit line and usage series', () => {
    const { svg, root } = chartFor(steady(600, 60), 190, 10_000);
    expect(root.name).toBe('svg');
    expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attributes.width).toBe('900');
    expect(root.attributes.height).toBe('360');
    expect(findById(root, 'chart-title')?.text).toMatch(/^PASS: max 100 of 190 requests per 10 s window/);
    expect(findById(root, 'x-axis-label')?.text).toBe('time since first request (s)');
    expect(findById(root, 'y-axis-label')?.text).toBe('requests in 10 s window');

    const limitLine = findById(root, 'limit-line');
    expect(limitLine?.name).toBe('line');
    expect(limitLine?.attributes.y1).toBe(limitLine?.attributes.y2);
    const usage = findById(root, 'usage-series');
    expect(usage?.name).toBe('polyline');
    const points = polylinePoints(usage!);
    expect(points.length).toBeGreaterThan(100);
    // The usage plateau (100) sits below the limit line (190): smaller count, larger y.
    const plateauY = Math.min(...points.map(([, y]) => y));
    expect(plateauY).toBeGreaterThan(Number(limitLine!.attributes.y1));
    expect(findById(root, 'violations')?.children).toEqual([]);
    expect(svg).not.toContain('NaN');
  });

  it('marks violations in red and says FAIL in the title', () => {
    const times = [...steady(190, 10), ...steady(30, 1, 1_700_000_005_000)];
    const { report, root } = chartFor(times, 190, 10_000);
    expect(report.verdict).toBe('FAIL');
    expect(findById(root, 'chart-title')?.text).toBe(chartTitle(report));
    expect(chartTitle(report)).toMatch(/^FAIL: max 220 of 190 .*, 30 over the limit$/);
    const violations = findById(root, 'violations')!;
    const bands = violations.children.filter((el) => el.attributes.class === 'violation-band');
    const redSeries = violations.children.filter((el) => el.attributes.class === 'violation-series');
    expect(bands.length).toBeGreaterThan(0);
    expect(redSeries.length).toBe(bands.length);
    expect(violations.attributes.fill).toBe('#d62728');
    // The red series is above the limit line everywhere.
    const limitY = Number(findById(root, 'limit-line')!.attributes.y1);
    for (const line of redSeries) for (const [, y] of polylinePoints(line)) expect(y).toBeLessThan(limitY);
  });

  it('stays small for a large log because it keeps one value per pixel column', () => {
    const times = steady(300_000, 3_000);
    const { svg, root } = chartFor(times, 190, 10_000);
    expect(svg.length).toBeLessThan(120_000);
    expect(polylinePoints(findById(root, 'usage-series')!).length).toBeLessThanOrEqual(2 * 900);
    expect([...descendants(root)].length).toBeLessThan(200);
  });

  it('escapes text and draws an empty log without NaN', () => {
    const { svg, root } = chartFor([], 190, 10_000);
    expect(findById(root, 'chart-title')?.text).toMatch(/^PASS: max 0 of 190/);
    expect(svg).not.toContain('NaN');
    expect(svg).not.toContain('Infinity');
  });
});

describe('niceStep', () => {
  it.each([
    [250, 5, 50],
    [209, 5, 50],
    [60, 8, 10],
    [3_000, 8, 500],
    [0.4, 8, 0.05],
    [0, 5, 1],
  ])('niceStep(%d, %d) = %d', (max, target, step) => {
    expect(niceStep(max, target)).toBeCloseTo(step, 12);
  });
});
