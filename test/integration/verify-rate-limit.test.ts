import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findById, parseXml, polylinePoints } from '../unit/verify/xml.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = path.join(repoRoot, 'scripts', 'verify-rate-limit.ts');
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runVerify(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

function ndjson(lines: object[]): string {
  return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
}

/** 50 requests 100 ms apart: every 1 s window ending at an arrival holds exactly 10. */
function steadyTen(): object[] {
  return Array.from({ length: 50 }, (_, i) => ({
    t: T0 + i * 100,
    method: 'GET',
    path: '/crm/v3/objects/contacts',
    status: 200,
    window: Math.min(i + 1, 10),
  }));
}

describe('verify:rate-limit on request logs', () => {
  let dir: string;
  let passLog: string;
  let failLog: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'verify-rate-limit-'));
    passLog = path.join(dir, 'pass.ndjson');
    failLog = path.join(dir, 'fail.ndjson');
    await writeFile(passLog, ndjson(steadyTen()));
    // One extra request at +2050 ms, written last (logs are written on response, so out of order).
    // It makes 11 in (1050, 2050], and every arrival from 2100 to 3000 finds 11 until it expires at 3050:
    // 1 + 10 = 11 requests over the limit. It was answered 429 and still counts.
    await writeFile(
      failLog,
      ndjson([...steadyTen(), { t: T0 + 2_050, method: 'POST', path: '/crm/v3/objects/contacts/batch/read', status: 429, policy: 'TEN_SECONDLY_ROLLING' }]),
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('FAILs a log with a known violation: right window and count, exit 1, chart with red violations', async () => {
    const chart = path.join(dir, 'fail.svg');
    const { code, stdout, stderr } = await runVerify(['--log', failLog, '--limit', '10', '--window', '1000', '--chart', chart, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      verdict: 'FAIL',
      limit: 10,
      windowMs: 1_000,
      requests: 51,
      maxInWindow: 11,
      maxShareOfLimit: 1.1,
      violations: 11,
      firstViolation: { start: T0 + 1_050, end: T0 + 2_050, count: 11, firstArrival: T0 + 1_100 },
      status429: 1,
      status429Background: null,
      firstArrival: T0,
      lastArrival: T0 + 4_900,
      chart,
    });
    expect(report.throughputPerSecond).toBeCloseTo(50 / 4.9, 9);

    const root = parseXml(await readFile(chart, 'utf8'));
    expect(root.name).toBe('svg');
    expect(findById(root, 'chart-title')?.text).toMatch(/^FAIL: max 11 of 10 requests per 1 s window \(110%\), 11 over the limit$/);
    expect(findById(root, 'limit-line')?.attributes.class).toBe('limit-line');
    expect(polylinePoints(findById(root, 'usage-series')!).length).toBeGreaterThan(10);
    expect(findById(root, 'violations')!.children.length).toBeGreaterThan(0);
  });

  it('prints the FAIL as a human table without --json', async () => {
    const { code, stdout } = await runVerify(['--log', failLog, '--limit', '10', '--window', '1000']);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('rate-limit verification: FAIL');
    expect(lines.find((l) => l.includes('violations'))).toContain('11 requests arrived over the limit; first: 11 requests in the window ending +2.050 s');
    expect(lines.find((l) => l.includes('429s'))).toContain('1;');
  });

  it('PASSes a log that stays at the limit: right max, exit 0, chart with limit line and usage series', async () => {
    const chart = path.join(dir, 'pass.svg');
    const { code, stdout, stderr } = await runVerify(['--log', passLog, '--limit', '10', '--window', '1000', '--chart', chart]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('rate-limit verification: PASS');
    expect(lines.find((l) => l.includes('max in window'))).toContain('10 (100.0% of the limit)');
    expect(lines).toContain('  violations      0');
    expect(lines).toContain(`  chart           ${chart}`);

    const root = parseXml(await readFile(chart, 'utf8'));
    expect(root.name).toBe('svg');
    expect(findById(root, 'chart-title')?.text).toMatch(/^PASS: max 10 of 10 /);
    const limitLine = findById(root, 'limit-line')!;
    const limitY = Number(limitLine.attributes.y1);
    expect(limitLine.attributes.y2).toBe(limitLine.attributes.y1);
    const points = polylinePoints(findById(root, 'usage-series')!);
    expect(points.length).toBeGreaterThan(10);
    // The series touches the limit line (max == limit) and never goes above it.
    expect(Math.min(...points.map(([, y]) => y))).toBe(limitY);
    expect(findById(root, 'violations')!.children).toEqual([]);
  });

  it('takes the limit from --tier: 200 per 10 s fails professional (190) and passes api-addon (250)', async () => {
    const log = path.join(dir, 'tier.ndjson');
    await writeFile(log, ndjson(Array.from({ length: 1_200 }, (_, i) => ({ t: T0 + i * 50, status: 200 }))));
    const professional = await runVerify(['--log', log, '--json']);
    expect(professional.code).toBe(1);
    expect(JSON.parse(professional.stdout)).toMatchObject({ limit: 190, windowMs: 10_000, maxInWindow: 200 });
    const addon = await runVerify(['--log', log, '--tier', 'api-addon', '--json']);
    expect(addon.code).toBe(0);
    expect(JSON.parse(addon.stdout)).toMatchObject({ verdict: 'PASS', limit: 250, maxInWindow: 200, limitSource: 'tier api-addon' });
  });

  it.each([
    [['--limit', '-3'], 'verify-rate-limit: --limit must be a positive integer, got "-3"'],
    [['--log', 'LOG', '--tier', 'platinum'], 'verify-rate-limit: --tier must be one of free, starter, professional, enterprise, api-addon, got "platinum"'],
    [['--log', 'MISSING'], 'verify-rate-limit: cannot read request log MISSING: no such file'],
    [['--log', 'BAD'], 'verify-rate-limit: request log BAD line 2: "t" must be the arrival time in epoch ms, got "soon"'],
  ])('exits 2 with one line naming what was wrong for %j', async (template, expected) => {
    const names: Record<string, string> = {
      LOG: passLog,
      MISSING: path.join(dir, 'missing.ndjson'),
      BAD: path.join(dir, 'bad.ndjson'),
    };
    await writeFile(names.BAD, '{"t":1,"status":200}\n{"t":"soon","status":200}\n');
    const substitute = (text: string) => text.replace(/\b(LOG|MISSING|BAD)\b/g, (name) => names[name]);
    const { code, stdout, stderr } = await runVerify(template.map(substitute));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(substitute(expected) + '\n');
  });

  it('with no --log runs a paced load against the simulator and PASSes it', async () => {
    const chart = path.join(dir, 'load.svg');
    const { code, stdout, stderr } = await runVerify(['--limit', '20', '--window', '1000', '--duration', '2500', '--chart', chart, '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.origin).toMatch(/^simulator load: 2500 ms at 20 per 1000 ms/);
    expect(report).toMatchObject({ verdict: 'PASS', limit: 20, windowMs: 1_000, violations: 0, status429: 0 });
    expect(report.maxInWindow).toBeLessThanOrEqual(20);
    // More requests than one window allows: the limiter, not a short run, kept it under the limit.
    expect(report.requests).toBeGreaterThan(20);
    const root = parseXml(await readFile(chart, 'utf8'));
    expect(findById(root, 'limit-line')).toBeDefined();
    expect(findById(root, 'violations')!.children).toEqual([]);
  });
});
