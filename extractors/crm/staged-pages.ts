import type { Clock } from '../../src/clock.js';

/**
 * Pages waiting to be committed together, with the cursor of the last one. Under the API's rate limit pages
 * trickle in and each batch is a page or two; when they come faster than they commit, batches grow to
 * LOAD_BATCH_ROWS, where COPY and the merge cost a fraction per row of what they cost page by page. A crash
 * loses only uncommitted pages. Each transaction costs a fixed ~7 ms (round trips, COPY start and drain): a
 * tenth of a 10,000-row batch's COPY, a fifth of a 5,000-row one's. 10,000 records hold about 15 MB.
 */
export const LOAD_BATCH_ROWS = 10_000;
export const LOAD_LINGER_MS = 250;

export class StagedPages<T, C> {
  private items: T[] = [];
  private cursor: C | undefined;
  private since = 0;

  constructor(private readonly clock: Clock) {}

  get empty(): boolean {
    return this.cursor === undefined;
  }

  add(items: readonly T[], cursor: C): void {
    if (this.cursor === undefined) this.since = this.clock.now();
    for (const item of items) this.items.push(item);
    this.cursor = cursor;
  }

  due(): boolean {
    return this.items.length >= LOAD_BATCH_ROWS || this.clock.now() - this.since >= LOAD_LINGER_MS;
  }

  /** What to commit: the items and the cursor that covers them; undefined when nothing is staged. */
  take(): { items: T[]; cursor: C } | undefined {
    if (this.cursor === undefined) return undefined;
    const out = { items: this.items, cursor: this.cursor };
    this.items = [];
    this.cursor = undefined;
    return out;
  }
}
