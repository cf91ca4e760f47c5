import cliProgress from 'cli-progress';
import type { EngineEvents } from '../processor/events.js';
import { etaSeconds, formatDuration, TaskViews, type TaskView } from './task-view.js';

export type ProgressMode = 'auto' | 'bars' | 'json' | 'off';

export interface ProgressOptions {
  events: EngineEvents;
  /** auto: bars when `stream` is a TTY, JSON lines otherwise. */
  mode?: ProgressMode;
  /** Default process.stdout. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** JSON mode: one line per active task every this many ms. Default 5000. */
  intervalMs?: number;
  /** Clock of the events' `t` (for the "ready in" countdown). Default Date.now. */
  now?: () => number;
}

export interface ProgressDisplay {
  readonly mode: Exclude<ProgressMode, 'auto'>;
  /** Final redraw (bars) or final lines (JSON), then detaches from the events. */
  stop(): void;
}

/**
 * Draws the engine's events. Only this module and the CLI write to the terminal: on a TTY a
 * cli-progress multi-bar (one bar per task: count/total, rate, ETA, a visible wait state); otherwise
 * one JSON line per active task every few seconds, which cron mail and CI logs can read.
 */
export function startProgress(options: ProgressOptions): ProgressDisplay {
  const stream = options.stream ?? process.stdout;
  const mode = options.mode === undefined || options.mode === 'auto' ? (stream.isTTY ? 'bars' : 'json') : options.mode;
  if (mode === 'off') return { mode, stop() {} };
  return mode === 'bars' ? startBars(options, stream) : startJsonLines(options, stream);
}

function startBars(options: ProgressOptions, stream: NodeJS.WritableStream): ProgressDisplay {
  const now = options.now ?? Date.now;
  const views = new TaskViews();
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: (_opts, params, payload) => formatBarLine(payload.view as TaskView, params.progress, now()),
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 10,
      barsize: 28,
      // Redraw on a TTY even when the wrapper stream does not say it is one (tmux, script).
      noTTYOutput: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const update = (view: TaskView) => {
    let bar = bars.get(view.desc);
    const total = Math.max(1, view.total ?? view.done, view.done);
    if (!bar) {
      bar = multibar.create(total, view.done, { view });
      bars.set(view.desc, bar);
    }
    bar.setTotal(total);
    bar.update(view.done, { view });
  };
  const off = options.events.on((event) => {
    const view = views.apply(event);
    if (view) update(view);
  });
  return {
    mode: 'bars',
    stop() {
      off();
      for (const view of views.views.values()) update(view);
      multibar.stop();
    },
  };
}

export function formatBarLine(view: TaskView, progress: number, now: number): string {
  const width = 28;
  const filled = Math.max(0, Math.min(width, Math.round(progress * width)));
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const total = view.total === undefined ? '?' : String(view.total);
  const label = view.desc.padEnd(14).slice(0, 14);
  let state: string;
  if (view.ended) state = view.error ? `stopped: ${view.error}` : 'done';
  else if (view.waiting > 0) {
    const wait = view.readyAt !== undefined && view.readyAt - now >= 100 ? ` (ready in ${((view.readyAt - now) / 1000).toFixed(1)}s)` : '';
    state = `waiting for rate limit${wait}`;
  } else state = 'running';
  const extras = [view.skipped ? `${view.skipped} skipped` : '', view.failed ? `${view.failed} failed` : ''].filter(Boolean).join(', ');
  return `${label} ${bar} ${view.done}/${total} | ${view.ratePerSecond.toFixed(1)}/s | ETA ${formatDuration(view.ended ? 0 : etaSeconds(view))} | ${state}${extras ? ` | ${extras}` : ''}`;
}

function startJsonLines(options: ProgressOptions, stream: NodeJS.WritableStream): ProgressDisplay {
  const views = new TaskViews();
  const write = (view: TaskView, event: 'progress' | 'task-end') => {
    const line = {
      time: new Date().toISOString(),
      level: view.error ? 'warn' : 'info',
      event,
      desc: view.desc,
      done: view.done,
      total: view.total ?? null,
      processed: view.processed,
      skipped: view.skipped,
      failed: view.failed,
      ratePerSecond: Math.round(view.ratePerSecond * 10) / 10,
      etaSeconds: view.ended ? 0 : (etaSeconds(view) ?? null),
      waitingForRateLimit: view.waiting > 0,
      ...(view.error ? { error: view.error } : {}),
    };
    stream.write(`${JSON.stringify(line)}\n`);
  };
  const off = options.events.on((event) => {
    const view = views.apply(event);
    if (view && event.type === 'task-end') {
      write(view, 'task-end');
      views.views.delete(view.desc);
    }
  });
  const timer = setInterval(() => {
    for (const view of views.views.values()) if (!view.ended) write(view, 'progress');
  }, options.intervalMs ?? 5000);
  timer.unref();
  return {
    mode: 'json',
    stop() {
      clearInterval(timer);
      off();
    },
  };
}
