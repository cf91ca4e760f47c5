/**
 * Where a pass driver's events come from: the outcomes of the requests its effects started (a page, a
 * batch read), in the order they finish. A stop request is an event too, and wins over anything queued:
 * what was staged is committed, requests in flight are abandoned (their outcomes are dropped, never unhandled).
 */
export class EventQueue<E> {
  private readonly items: E[] = [];
  private wake: (() => void) | undefined;

  constructor(private readonly signal: AbortSignal) {}

  /** Queues `promise`'s outcome as an event once it settles. */
  track<T>(promise: Promise<T>, ok: (value: T) => E, failed: (error: unknown) => E): void {
    promise.then(
      (value) => this.push(ok(value)),
      (error: unknown) => this.push(failed(error)),
    );
  }

  push(event: E): void {
    this.items.push(event);
    this.notify();
  }

  /** The next event, or 'stop' once the run's signal is aborted. */
  async next(): Promise<E | 'stop'> {
    for (;;) {
      if (this.signal.aborted) return 'stop';
      const event = this.items.shift();
      if (event !== undefined) return event;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.signal.addEventListener('abort', this.notifyOnAbort, { once: true });
      });
      this.signal.removeEventListener('abort', this.notifyOnAbort);
    }
  }

  private readonly notifyOnAbort = () => this.notify();

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
