import type { BreakerState } from './circuit-breaker.js';
import type { RetryCause } from './classify.js';
import type { RateLimitPolicy } from './retry-after.js';

/**
 * Everything the engine reports. The engine only emits; the progress renderer and the CLI decide what
 * to draw or log. `t` is the injected clock's time; `desc` is the task (extractor) the request ran for.
 */
export type EngineEvent =
  | { type: 'request-start'; t: number; endpoint: string; method: string; path: string; attempt: number; desc?: string }
  | {
      type: 'request-end';
      t: number;
      endpoint: string;
      method: string;
      path: string;
      attempt: number;
      /** undefined when no HTTP response came (timeout, reset). */
      status: number | undefined;
      latencyMs: number;
      outcome: 'ok' | 'retry' | 'skip' | 'fatal' | 'failed';
      desc?: string;
    }
  | { type: 'retry'; t: number; endpoint: string; cause: RetryCause; status?: number; attempt: number; delayMs: number; desc?: string }
  | { type: 'rate-limited'; t: number; endpoint: string; policy: RateLimitPolicy; desc?: string }
  | { type: 'rate-limit-wait'; t: number; limiter: string; readyAt?: number; desc?: string }
  | { type: 'rate-limit-ready'; t: number; limiter: string; waitedMs: number; desc?: string }
  | { type: 'skip'; t: number; endpoint: string; status: number; reason: string; desc?: string }
  | { type: 'breaker'; t: number; endpoint: string; from: BreakerState; to: BreakerState; consecutiveFailures: number }
  /** Phantom slots reserved for `external` requests of other apps the server counted, plus a guard. */
  | { type: 'server-sync'; t: number; external: number; guard: number; reserved: number; limit: number }
  | { type: 'daily-budget'; t: number; remaining: number; floor: number }
  | { type: 'pool-resize'; t: number; size: number; latencyMs: number; ratePerSecond: number }
  | { type: 'task-start'; t: number; desc: string; total?: number }
  | { type: 'task-total'; t: number; desc: string; total: number }
  | {
      type: 'task-progress';
      t: number;
      desc: string;
      done: number;
      processed: number;
      skipped: number;
      failed: number;
      total?: number;
      ratePerSecond: number;
      waitingForRateLimit: boolean;
    }
  | { type: 'task-end'; t: number; desc: string; processed: number; skipped: number; failed: number; total?: number; elapsedMs: number; error?: string };

export type EngineEventListener = (event: EngineEvent) => void;

/** A tiny synchronous fan-out. A listener that throws is dropped from this one delivery, never the engine. */
export class EngineEvents {
  private readonly listeners = new Set<EngineEventListener>();

  on(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: EngineEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // Rendering must never break extraction.
      }
    }
  }
}
