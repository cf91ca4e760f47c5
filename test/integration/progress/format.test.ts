import { describe, expect, it } from 'vitest';
import { EngineEvents } from '../../../src/processor/events.js';
import { formatBarLine, startProgress } from '../../../src/progress/renderer.js';
import { formatRunSummary } from '../../../src/progress/run-summary.js';
import { etaSeconds, formatDuration, TaskViews } from '../../../src/progress/task-view.js';

describe('task views folded from engine events', () => {
  it('tracks counts, totals and the waiting state per task', () => {
    const views = new TaskViews();
    views.apply({ type: 'task-start', t: 0, desc: 'deals' });
    views.apply({ type: 'task-total', t: 1, desc: 'deals', total: 400 });
    views.apply({ type: 'task-progress', t: 2, desc: 'deals', done: 100, processed: 98, skipped: 1, failed: 1, ratePerSecond: 20, waitingForRateLimit: false });
    views.apply({ type: 'rate-limit-wait', t: 3, limiter: 'w', desc: 'deals', readyAt: 2503 });
    const view = views.views.get('deals')!;
    expect(view).toMatchObject({ done: 100, total: 400, skipped: 1, failed: 1, waiting: 1, readyAt: 2503 });
    expect(etaSeconds(view)).toBe(15);
    expect(formatBarLine(view, 0.25, 3)).toBe(
      'deals          ███████░░░░░░░░░░░░░░░░░░░░░ 100/400 | 20.0/s | ETA 15s | waiting for rate limit (ready in 2.5s) | 1 skipped, 1 failed',
    );
    views.apply({ type: 'rate-limit-ready', t: 2503, limiter: 'w', waitedMs: 2500, desc: 'deals' });
    expect(formatBarLine(view, 0.25, 2503)).toContain('| running |');
    views.apply({ type: 'task-end', t: 9000, desc: 'deals', processed: 398, skipped: 1, failed: 1, total: 400, elapsedMs: 9000 });
    expect(formatBarLine(view, 1, 9000)).toContain('400/400 | 20.0/s | ETA 0s | done');
  });

  it('shows an unknown total and no ETA for streams of unknown length, and why a task stopped', () => {
    const views = new TaskViews();
    views.apply({ type: 'task-start', t: 0, desc: 'associations' });
    views.apply({
      type: 'task-progress',
      t: 1,
      desc: 'associations',
      done: 7,
      processed: 7,
      skipped: 0,
      failed: 0,
      ratePerSecond: 3.5,
      waitingForRateLimit: false,
    });
    const view = views.views.get('associations')!;
    expect(formatBarLine(view, 0, 1)).toContain('7/? | 3.5/s | ETA -- | running');
    views.apply({
      type: 'task-end',
      t: 2,
      desc: 'associations',
      processed: 7,
      skipped: 0,
      failed: 0,
      elapsedMs: 2,
      error: 'HubSpot rejected the access token',
    });
    expect(formatBarLine(view, 0, 2)).toContain('stopped: HubSpot rejected the access token');
  });

  it('formats durations', () => {
    expect([formatDuration(undefined), formatDuration(9), formatDuration(75), formatDuration(3725)]).toEqual(['--', '9s', '1m15s', '1h02m']);
  });

  it('chooses JSON lines for a stream that is not a TTY and writes a line when a task ends', () => {
    const events = new EngineEvents();
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
    const display = startProgress({ events, stream, intervalMs: 60_000 });
    expect(display.mode).toBe('json');
    events.emit({ type: 'task-start', t: 0, desc: 'forms', total: 3 });
    events.emit({ type: 'task-end', t: 5, desc: 'forms', processed: 3, skipped: 0, failed: 0, total: 3, elapsedMs: 5 });
    display.stop();
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0])).toMatchObject({ event: 'task-end', desc: 'forms', done: 3, total: 3, level: 'info' });
  });
});

describe('run summary', () => {
  it('prints requests, 429s, retries by cause, the busiest window and wall time', () => {
    const text = formatRunSummary({
      requests: 1200,
      responsesByStatus: { '200': 1150 },
      rateLimited: 0,
      retriesByCause: { 'rate-limit': 0, 'server-error': 40, locked: 0, migration: 0, timeout: 5, 'connection-reset': 5, 'malformed-response': 0 },
      skipped: 2,
      failed: 0,
      maxInWindow: 190,
      windowMs: 10_000,
      windowLimit: 190,
      maxSearchInWindow: 5,
      searchWindowMs: 1000,
      searchLimit: 5,
      externalReserved: 30,
      startedAt: 0,
      wallMs: 60_000,
      throughputPerSecond: 20,
      dailyRemaining: 500_000,
    });
    expect(text.split('\n')).toEqual([
      'requests        1200 (20.0/s over 60.0 s)',
      '429 responses   0',
      'retries         server-error 40, timeout 5, connection-reset 5',
      'max in window   190 of 190 requests in any 10 s (searches apart)',
      'max searches    5 of 5 in any 1 s',
      'skipped/failed  2/0',
      'other apps      30 slots yielded to traffic that was not ours',
      'daily remaining ~500000',
    ]);
  });
});
