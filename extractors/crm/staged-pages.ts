import type { Clock } from '../../src/clock.js';

/**
 * Pages waiting to be committed together, with the cursor of the last one. Under the API's rate limit pages
 * trickle in and each batch is a page or two; when they come faster than they commit, batches grow to
 * LOAD_BATCH_BYTES, where COPY and the merge cost a fraction per row of what they cost page by page. A crash
 * loses only uncommitted pages.
 *
 * The budget is in bytes, not rows: a row of a real portal's contact is a few KB of JSON (hundreds of
 * properties), an engagement's up to the 65,536 characters of a body, an id-only row a few bytes. Each
 * transaction costs a fixed ~7 ms (round trips, COPY start and drain), a few percent of an 8 MB batch's COPY;
 * and 8 MB per type keeps a run whose loader falls behind the API (eight types at once) under 70 MB of
 * staged rows.
 */
export const LOAD_BATCH_BYTES = 8 * 1024 * 1024;
export const LOAD_LINGER_MS = 250;

export class StagedPages<T, C> {
  private items: T[] = [];
  private bytes = 0;
  private cursor: C | undefined;
  private since = 0;

  /** `size`: what an item takes (bytes, about), for the budget. */
  constructor(
    private readonly clock: Clock,
    private readonly size: (item: T) => number,
  ) {}

  get empty(): boolean {
    return this.cursor === undefined;
  }

  add(items: readonly T[], cursor: C): void {
    if (this.cursor === undefined) this.since = this.clock.now();
    for (const item of items) {
      this.items.push(item);
      this.bytes += this.size(item);
    }
    this.cursor = cursor;
  }

  due(): boolean {
    return this.bytes >= LOAD_BATCH_BYTES || this.clock.now() - this.since >= LOAD_LINGER_MS;
  }

  /** What to commit: the items and the cursor that covers them; undefined when nothing is staged. */
  take(): { items: T[]; cursor: C } | undefined {
    if (this.cursor === undefined) return undefined;
    const out = { items: this.items, cursor: this.cursor };
    this.items = [];
    this.bytes = 0;
    this.cursor = undefined;
    return out;
  }
}
