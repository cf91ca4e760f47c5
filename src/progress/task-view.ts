import type { EngineEvent } from '../processor/events.js';

/** What the display knows about one task, folded from the engine's events. Rendering-agnostic. */
export interface TaskView {
  desc: string;
  done: number;
  processed: number;
  skipped: number;
  failed: number;
  total?: number;
  ratePerSecond: number;
  /** Requests of this task queued at a limiter right now. */
  waiting: number;
  /** When the limiter expects to let them go (clock ms), if known. */
  readyAt?: number;
  startedAt: number;
  ended: boolean;
  error?: string;
}

export class TaskViews {
  readonly views = new Map<string, TaskView>();

  /** Folds one event in; returns the task it changed, if any. */
  apply(event: EngineEvent): TaskView | undefined {
    switch (event.type) {
      case 'task-start': {
        const view: TaskView = {
          desc: event.desc,
          done: 0,
          processed: 0,
          skipped: 0,
          failed: 0,
          total: event.total,
          ratePerSecond: 0,
          waiting: 0,
          startedAt: event.t,
          ended: false,
        };
        this.views.set(event.desc, view);
        return view;
      }
      case 'task-total': {
        const view = this.views.get(event.desc);
        if (view) view.total = event.total;
        return view;
      }
      case 'task-progress': {
        const view = this.views.get(event.desc);
        if (!view) return undefined;
        Object.assign(view, {
          done: event.done,
          processed: event.processed,
          skipped: event.skipped,
          failed: event.failed,
          ratePerSecond: event.ratePerSecond,
          total: event.total ?? view.total,
        });
        return view;
      }
      case 'task-end': {
        const view = this.views.get(event.desc);
        if (!view) return undefined;
        Object.assign(view, {
          processed: event.processed,
          skipped: event.skipped,
          failed: event.failed,
          done: event.processed + event.skipped + event.failed,
          total: event.total ?? view.total,
          waiting: 0,
          ended: true,
          error: event.error,
        });
        return view;
      }
      case 'rate-limit-wait':
      case 'rate-limit-ready': {
        if (!event.desc) return undefined;
        const view = this.views.get(event.desc);
        if (!view) return undefined;
        view.waiting = Math.max(0, view.waiting + (event.type === 'rate-limit-wait' ? 1 : -1));
        if (event.type === 'rate-limit-wait') view.readyAt = event.readyAt;
        return view;
      }
      default:
        return undefined;
    }
  }
}

/** Seconds left at the current rate; undefined when the total or the rate is unknown. */
export function etaSeconds(view: Pick<TaskView, 'done' | 'total' | 'ratePerSecond'>): number | undefined {
  if (view.total === undefined || !(view.ratePerSecond > 0)) return undefined;
  return Math.max(0, Math.round((view.total - view.done) / view.ratePerSecond));
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '--';
  if (seconds < 60) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
