import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The demo run (demo-run.ts: 150 + 90 requests against the simulator at 60 per second) drawn for real:
 * under a pseudo-terminal (tmux) it must draw cli-progress bars that fill and finish; with stdout piped
 * it must print JSON lines instead and no terminal control codes.
 */
const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const demo = path.join(repoRoot, 'test', 'integration', 'progress', 'demo-run.ts');
const session = `hx-progress-${process.pid}`;

afterEach(() => {
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch {
    // already gone
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress display', () => {
  it('draws bars on a terminal that fill up and finish', { timeout: 90_000 }, async () => {
    const command = `cd ${JSON.stringify(repoRoot)} && ${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(demo)}; echo DEMO-EXIT=$?; sleep 120`;
    execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '15', command]);
    const frames: string[] = [];
    let screen = '';
    for (let i = 0; i < 300 && !screen.includes('DEMO-EXIT='); i++) {
      await sleep(200);
      screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
      frames.push(screen);
    }
    expect(screen).toContain('DEMO-EXIT=0');
    // Mid-run frames show a partly filled contacts bar with its rate and state.
    const partial = frames
      .map((f) => /contacts\s+[█░]+ (\d+)\/150 \| [\d.]+\/s \| ETA \S+ \| (running|waiting for rate limit)/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) > 0 && Number(m[1]) < 150);
    expect(partial.length).toBeGreaterThan(0);
    // The final frame: both bars full and done, one line each (redrawn in place, not scrolled).
    expect(screen).toMatch(/contacts\s+█{28} 150\/150 .*\| done/);
    expect(screen).toMatch(/associations\s+█{28} 90\/90 .*\| done/);
    expect(screen.match(/^contacts /gm)).toHaveLength(1);
    expect(screen).not.toContain('"event"');
  });

  it('prints one JSON line per active task every interval when stdout is not a terminal', { timeout: 90_000 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', demo], {
      cwd: repoRoot,
      env: { ...process.env, PROGRESS_INTERVAL_MS: '300' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(out).not.toMatch(/\u001b\[/);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const progress = lines.filter((l) => l.event === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    for (const line of progress) {
      expect(Object.keys(line)).toEqual(
        expect.arrayContaining(['time', 'level', 'desc', 'done', 'total', 'ratePerSecond', 'etaSeconds', 'waitingForRateLimit']),
      );
      expect(['contacts', 'associations']).toContain(line.desc);
    }
    expect(progress.some((l) => l.desc === 'contacts' && l.done > 0 && l.done < 150)).toBe(true);
    const ends = lines.filter((l) => l.event === 'task-end');
    expect(ends.map((l) => [l.desc, l.done, l.total]).sort()).toEqual([
      ['associations', 90, 90],
      ['contacts', 150, 150],
    ]);
  });
});
