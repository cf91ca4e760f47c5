import type { Clock } from '../clock.js';
import type { EngineEvents } from '../processor/events.js';
import type { ExtractorEvent } from '../../extractors/types.js';

/**
 * Extractors page through their lists themselves (a cursor is sequential), so their progress is not a
 * processor task; this turns their events into the engine's task events, giving each extractor its own bar
 * (or log line) beside the processor's fan-out tasks (associations, form submissions).
 */
export function bridgeExtractorEvents(events: EngineEvents, clock: Clock): (event: ExtractorEvent) => void {
  const started = new Map<string, { t: number; rows: number }>();
  return (event) => {
    const t = clock.now();
    switch (event.type) {
      case 'extractor:start':
        if (event.extractor === 'form_submissions') return; // the processor reports this fan-out itself
        started.set(event.extractor, { t, rows: 0 });
        events.emit({ type: 'task-start', t, desc: event.extractor, total: event.total });
        return;
      case 'extractor:progress': {
        const s = started.get(event.extractor);
        if (!s) return;
        s.rows = event.rows;
        const elapsed = Math.max(1, t - s.t) / 1000;
        events.emit({
          type: 'task-progress',
          t,
          desc: event.extractor,
          done: event.rows,
          processed: event.rows,
          skipped: 0,
          failed: 0,
          total: event.total,
          ratePerSecond: event.rows / elapsed,
          waitingForRateLimit: false,
        });
        return;
      }
      case 'extractor:done': {
        const s = started.get(event.extractor);
        if (!s) return;
        events.emit({ type: 'task-end', t, desc: event.extractor, processed: event.rows, skipped: 0, failed: 0, elapsedMs: t - s.t });
        return;
      }
      default:
        return;
    }
  };
}
