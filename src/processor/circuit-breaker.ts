/**
 * A breaker per endpoint key. After `failureThreshold` consecutive transient failures the endpoint is
 * left alone for `coolDownMs`; then one probe goes through (half-open). Its success closes the breaker,
 * its failure opens it again. Rate-limit 429s and skips are not endpoint failures and are not reported here.
 * Time comes in as arguments so the state machine is exact under a fake clock.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
  /** How often a caller waiting behind an outstanding probe looks again. */
  probePollMs?: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failureThreshold: 8, coolDownMs: 5000, probePollMs: 100 };

export type Admission = { pass: true; probe: boolean } | { pass: false; retryAt: number };

export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  at: number;
  consecutiveFailures: number;
}

export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeOut = false;
  private readonly listeners = new Set<(t: BreakerTransition) => void>();

  constructor(
    readonly key: string,
    private readonly options: BreakerOptions,
  ) {
    if (!(options.failureThreshold >= 1)) throw new RangeError('failureThreshold must be >= 1');
    if (!(options.coolDownMs >= 0)) throw new RangeError('coolDownMs must be >= 0');
  }

  state(now: number): BreakerState {
    if (this.current === 'open' && now >= this.openedAt + this.options.coolDownMs) this.move('half-open', now);
    return this.current;
  }

  /** Asks to send one request now. A half-open breaker lets exactly one probe through at a time. */
  admit(now: number): Admission {
    const state = this.state(now);
    if (state === 'closed') return { pass: true, probe: false };
    if (state === 'open') return { pass: false, retryAt: this.openedAt + this.options.coolDownMs };
    if (this.probeOut) return { pass: false, retryAt: now + (this.options.probePollMs ?? 100) };
    this.probeOut = true;
    return { pass: true, probe: true };
  }

  onSuccess(now: number): void {
    this.failures = 0;
    this.probeOut = false;
    if (this.current !== 'closed') this.move('closed', now);
  }

  onFailure(now: number): void {
    this.failures++;
    const state = this.state(now);
    if (state === 'half-open') {
      this.probeOut = false;
      this.open(now);
    } else if (state === 'closed' && this.failures >= this.options.failureThreshold) {
      this.open(now);
    }
  }

  /** The request ended without telling us about the endpoint (skipped, cancelled): free the probe slot. */
  onNeutral(): void {
    this.probeOut = false;
  }

  onTransition(listener: (t: BreakerTransition) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private open(now: number): void {
    this.openedAt = now;
    this.move('open', now);
  }

  private move(to: BreakerState, at: number): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    for (const l of this.listeners) l({ from, to, at, consecutiveFailures: this.failures });
  }
}
