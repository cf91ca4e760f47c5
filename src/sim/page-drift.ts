import type { Random } from '../clock.js';

/**
 * Lists changing while they are paged (contract §6.2). HubSpot pages object lists with an opaque `after`; when
 * records are created, updated or archived between two page requests, consecutive pages repeat or skip records.
 * The simulator reproduces both, seeded like the faults (same seed and request order, same drift):
 * - a drifting page that continues a list (`after` given) starts 1–3 records before `after` (counting only records
 *   it does not skip), so it repeats the previous page's last records;
 * - a drifting page leaves out the records in its range (repeated ones included) that were modified within
 *   `pageDriftWindowMs` before the request (they changed while the list was paged), and its cursor moves past
 *   them: they are on no later page of this pass. Records modified earlier are never skipped.
 */

export interface DriftPlan {
  /** Records of the previous page to repeat (0 on a first page). */
  repeat: number;
  /** Leave out records whose modified date is later than this instant (clock ms). */
  skipModifiedAfter: number;
}

export class PageDrift {
  constructor(private readonly random: Random) {}

  /** One draw per list page, and none at all while drift is off, so other seeded behaviour does not move. */
  next(probability: number, windowMs: number, now: number, continues: boolean): DriftPlan | undefined {
    if (probability <= 0 || this.random() >= probability) return undefined;
    return { repeat: continues ? 1 + Math.floor(this.random() * 3) : 0, skipModifiedAfter: now - windowMs };
  }
}
