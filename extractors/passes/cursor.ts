/**
 * The cursor of one CRM object type (`sync_state` row `objects:<type>`), defined once: the passes, the
 * cost estimate and the call formula read it from here. It is committed in the transaction of the rows it
 * covers, so a run killed at any point resumes exactly where the last commit left it.
 */

/** How a pass reads records: list pages with every property, or ids first and then `batch/read`. */
export type Strategy = 'inline' | 'by-ids';

/** A full pass in progress: its start (database time, ms), the phase (live, then archived) and the next page. */
export interface FullPosition {
  startedAt: number;
  /** Inline: the list's `after`. By ids, live phase: the last id of the search keyset. Archived phase: the list's `after`. */
  after?: string;
  archived?: boolean;
  /** Absent in cursors written before strategies existed: those were inline. */
  strategy?: Strategy;
}

/** An id sweep in progress: list pages of ids (`after`: the list's cursor), live then archived. */
export interface SweepPosition {
  startedAt: number;
  after?: string;
  archived?: boolean;
}

/**
 * A pass that reached the end of its listing and is confirming the ids it did not see before marking any
 * deleted. `after`: the last candidate id confirmed. `checked`: the share guard already passed.
 */
export interface ConfirmPosition {
  startedAt: number;
  pass: 'full' | 'sweep';
  archivedListed: boolean;
  after?: string;
  checked?: boolean;
}

/** Changes loaded: every record with modified < ts, plus (in keyset mode) those at ts with id <= id. */
export interface IncrementalPosition {
  ts: number;
  id?: string;
}

export interface ObjectCursor {
  full?: FullPosition;
  sweep?: SweepPosition;
  confirm?: ConfirmPosition;
  incremental?: IncrementalPosition;
  lastFullAt?: number;
  lastSweepAt?: number;
  lastAssociationsAt?: number;
  /**
   * The types whose associations this type's stored records are queued (or were read) for. A pair new to it (a
   * custom object added to the portal, a pair added by an upgrade) is not in it: every stored record is queued for
   * that pair at once, rather than at the next full association refresh. Absent in older cursors: every pair is new.
   */
  associationTargets?: string[];
}

export const objectStream = (type: string): string => `objects:${type}`;

export type Pass = 'confirm' | 'full' | 'incremental' | 'archived' | 'sweep' | 'enqueue-associations';

export interface PlanOptions {
  fullRefresh: boolean;
  includeArchived: boolean;
  sweepDeletes: boolean;
  refreshAssociations: boolean;
  deleteSweepMs: number;
  associationsRefreshMs: number;
  /** The type reads associations from its side. */
  readsAssociations: boolean;
}

/**
 * The passes one run makes for one type, in order, from the cursor it starts with (pure).
 * A confirmation left half done by a killed run is finished first. A full pass's confirmation ends that full
 * pass, which is the whole run for the type (a --full-refresh run that resumes it does not start another).
 */
export function planPasses(cursor: ObjectCursor, o: PlanOptions, now: number): Pass[] {
  const plan: Pass[] = [];
  if (cursor.confirm) {
    plan.push('confirm');
    if (cursor.confirm.pass === 'full') return plan;
  }
  if (cursor.full !== undefined || cursor.incremental === undefined || o.fullRefresh) return [...plan, 'full'];
  plan.push('incremental');
  if (o.includeArchived) plan.push('archived');
  const sweptNow = cursor.confirm?.pass === 'sweep';
  if (!sweptNow && (o.sweepDeletes || cursor.sweep !== undefined || now - (cursor.lastSweepAt ?? 0) >= o.deleteSweepMs)) plan.push('sweep');
  if (o.readsAssociations && (o.refreshAssociations || now - (cursor.lastAssociationsAt ?? 0) >= o.associationsRefreshMs)) plan.push('enqueue-associations');
  return plan;
}

/** The association targets a type reads that its stored records were never queued for (see `associationTargets`). */
export function newAssociationTargets(cursor: ObjectCursor, targets: readonly string[]): string[] {
  const known = new Set(cursor.associationTargets ?? []);
  return targets.filter((t) => !known.has(t));
}

/** The position a full pass starts or resumes from, with the strategy this run reads the type with. */
export function fullStart(cursor: ObjectCursor, strategy: Strategy, now: number): FullPosition {
  const full = cursor.full;
  if (!full) return { startedAt: now, strategy };
  // The live phase's `after` means a list cursor (inline) or the last id of the search keyset (by ids): one
  // cannot be read as the other, so a pass resumed with another strategy starts its live phase over. Records
  // already loaded stay seen (seen_at is later than startedAt), so deletion confirmation is unaffected.
  if ((full.strategy ?? 'inline') !== strategy && full.archived !== true) return { startedAt: full.startedAt, strategy };
  return { ...full, strategy };
}

/** The position a sweep starts or resumes from. */
export function sweepStart(cursor: ObjectCursor, now: number): SweepPosition {
  return cursor.sweep ?? { startedAt: now };
}

/**
 * The cursor after a full pass and its confirmation. Records modified while the pass ran may have been
 * listed before they changed: the incremental cursor goes back to the pass's start minus the search lag.
 * When the share guard refused the deletes, the sweep is left due (`lastSweepAt` as it was) so the next run
 * tries again.
 */
export function afterFullPass(cursor: ObjectCursor, startedAt: number, searchLagMs: number, deletesApplied: boolean): ObjectCursor {
  const { full: _full, sweep: _sweep, confirm: _confirm, ...rest } = cursor;
  return {
    ...rest,
    incremental: { ts: Math.max(0, startedAt - searchLagMs) },
    lastFullAt: startedAt,
    lastSweepAt: deletesApplied ? startedAt : rest.lastSweepAt,
    lastAssociationsAt: startedAt,
  };
}

export function afterSweep(cursor: ObjectCursor, startedAt: number, deletesApplied: boolean): ObjectCursor {
  const { sweep: _sweep, confirm: _confirm, ...rest } = cursor;
  return deletesApplied ? { ...rest, lastSweepAt: startedAt } : rest;
}
