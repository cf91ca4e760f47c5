import type { ConfirmPosition, FullPosition, ObjectCursor, SweepPosition } from './cursor.js';
import { guardPosition } from './pagination.js';
import { addComplete, addIds, emptyPipeline, hasRoom, readDone, type Pipeline, type PipelineEffect } from './pipeline.js';

/**
 * The listing passes as pure transitions: `(state, event) -> { state, effects }`.
 *
 * - `full`: every live record (inline list pages, or ids from the search keyset then `batch/read`), then with
 *   --include-archived every archived one; at the end of its list, the deletion candidates are confirmed.
 * - `sweep`: ids only (list pages asking for `hs_object_id`), archived ids too with --include-archived; at the
 *   end, confirmation.
 * - `archived`: the archived records of an incremental run (search never shows them); no cursor, no deletes.
 *
 * The only way to `confirm` is through the last page of the last phase: a pass that did not reach the end of
 * its list cannot mark anything deleted. Effects are data; `extractors/crm/object-run.ts` performs them.
 */
export type ListingPass = 'full' | 'sweep' | 'archived';
type Position = FullPosition | SweepPosition;

export interface ListingState<T> {
  readonly pass: ListingPass;
  readonly stream: string;
  /** The cursor as committed with the last staged page (positions excluded for `archived`). */
  readonly cursor: ObjectCursor;
  readonly position: Position;
  /** List the archived phase after the live one (--include-archived). */
  readonly listArchived: boolean;
  /** Pages carry ids whose records are read by `batch/read` (the by-ids strategy). */
  readonly readIds: boolean;
  readonly pipeline: Pipeline<T, ObjectCursor>;
  /** A fetch is in flight. */
  readonly fetching: boolean;
  /** The next page to fetch once the pipeline has room; undefined when none is due. */
  readonly due?: { after?: string; archived: boolean };
  /** Positions seen in the current phase (the repeated-cursor guard). */
  readonly seen: ReadonlySet<string>;
  readonly status: 'running' | 'ended' | 'failed' | 'stopped';
}

export type ListingEvent<T> =
  | { type: 'page'; items?: readonly T[]; ids?: readonly string[]; next?: string }
  | { type: 'read'; seq: number; items: readonly T[] }
  | { type: 'failed'; error: unknown }
  | { type: 'stop' };

export type ListingEffect<T> =
  | { kind: 'fetch'; after?: string; archived: boolean }
  | PipelineEffect<T, ObjectCursor>
  | { kind: 'flush' }
  | { kind: 'confirm'; confirm: ConfirmPosition; cursor: ObjectCursor }
  | { kind: 'done' }
  | { kind: 'fail'; error: unknown }
  | { kind: 'stopped' };

export interface ListingStep<T> {
  state: ListingState<T>;
  effects: ListingEffect<T>[];
}

export interface ListingStart {
  pass: ListingPass;
  stream: string;
  cursor: ObjectCursor;
  position: Position;
  listArchived: boolean;
  readIds: boolean;
}

export function startListing<T>(s: ListingStart): ListingStep<T> {
  const archived = s.pass === 'archived' || s.position.archived === true;
  const position = { ...s.position, archived };
  const state: ListingState<T> = {
    ...s,
    position,
    pipeline: emptyPipeline(),
    fetching: true,
    seen: new Set(position.after === undefined ? [] : [position.after]),
    status: 'running',
  };
  return { state, effects: [{ kind: 'fetch', after: position.after, archived }] };
}

export function onListing<T>(state: ListingState<T>, event: ListingEvent<T>): ListingStep<T> {
  if (state.status !== 'running') throw new Error(`${state.stream}: ${event.type} after the pass ${state.status}`);
  switch (event.type) {
    case 'stop':
      return { state: { ...state, status: 'stopped' }, effects: [{ kind: 'flush' }, { kind: 'stopped' }] };
    case 'failed':
      // Pages staged before the failure are whole: commit them, then fail.
      return { state: { ...state, status: 'failed' }, effects: [{ kind: 'flush' }, { kind: 'fail', error: event.error }] };
    case 'read':
      return afterPipeline(state, readDone(state.pipeline, event.seq, event.items));
    case 'page':
      return onPage(state, event);
  }
}

function onPage<T>(state: ListingState<T>, event: Extract<ListingEvent<T>, { type: 'page' }>): ListingStep<T> {
  const archived = state.position.archived === true;
  let seen = state.seen;
  if (event.next !== undefined) {
    const guarded = guardPosition(seen, event.next, state.stream);
    if (guarded instanceof Error)
      return { state: { ...state, fetching: false, status: 'failed' }, effects: [{ kind: 'flush' }, { kind: 'fail', error: guarded }] };
    seen = guarded;
  }
  // Where the chain goes after this page: the next page of this phase, the archived phase, or the end.
  let next: { after?: string; archived: boolean } | undefined;
  let position = state.position;
  if (event.next !== undefined) {
    next = { after: event.next, archived };
    position = { ...position, after: event.next };
  } else if (!archived && state.listArchived) {
    next = { archived: true };
    position = { startedAt: position.startedAt, ...strategyOf(position), archived: true };
    seen = new Set();
  }
  const last = next === undefined;
  // The last page commits with the transition out of the listing (to confirmation), in one transaction.
  const cursor = !last ? withPosition(state.cursor, state.pass, position) : state.pass === 'archived' ? state.cursor : confirmCursor(state);
  const step =
    state.readIds && event.ids
      ? addIds(state.pipeline, event.ids, cursor, last, archived)
      : addComplete(state.pipeline, (event.items ?? event.ids ?? []) as readonly T[], cursor, last, archived);
  return afterPipeline({ ...state, position, seen, fetching: false, due: next }, step);
}

/** Stages what the pipeline released, fetches the next page when there is room, ends the pass after the last page. */
function afterPipeline<T>(
  state: ListingState<T>,
  step: { pipeline: Pipeline<T, ObjectCursor>; effects: PipelineEffect<T, ObjectCursor>[]; ended: boolean },
): ListingStep<T> {
  const effects: ListingEffect<T>[] = [];
  let s: ListingState<T> = { ...state, pipeline: step.pipeline };
  // The next page is asked for before this one is staged, so it is on its way while this one commits.
  if (s.due && !s.fetching && hasRoom(s.pipeline)) {
    effects.push({ kind: 'fetch', after: s.due.after, archived: s.due.archived });
    s = { ...s, fetching: true, due: undefined };
  }
  effects.push(...step.effects);
  if (!step.ended) return { state: s, effects };
  if (state.pass === 'archived') return { state: { ...s, status: 'ended' }, effects: [...effects, { kind: 'flush' }, { kind: 'done' }] };
  const cursor = confirmCursor(state);
  return { state: { ...s, status: 'ended' }, effects: [...effects, { kind: 'flush' }, { kind: 'confirm', confirm: cursor.confirm!, cursor }] };
}

/** The listing reached its end: its position gives way to the confirmation of the ids it did not see. */
function confirmCursor(state: ListingState<unknown>): ObjectCursor {
  const { full: _f, sweep: _s, ...rest } = state.cursor;
  const confirm: ConfirmPosition = { startedAt: state.position.startedAt, pass: state.pass as 'full' | 'sweep', archivedListed: state.listArchived };
  return { ...rest, confirm };
}

function strategyOf(position: Position): Partial<Position> {
  return 'strategy' in position && position.strategy ? { strategy: position.strategy } : {};
}

function withPosition(cursor: ObjectCursor, pass: ListingPass, position: Position): ObjectCursor {
  if (pass === 'full') return { ...cursor, full: position as FullPosition };
  if (pass === 'sweep') return { ...cursor, sweep: position as SweepPosition };
  return cursor;
}
