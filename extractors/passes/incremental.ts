import { SEARCH_PAGE_LIMIT, type SearchRequest } from '../../src/hubspot/api.js';
import type { CrmRecord } from '../types.js';
import type { IncrementalPosition, ObjectCursor } from './cursor.js';
import { guardPosition } from './pagination.js';
import { addComplete, addIds, emptyPipeline, hasRoom, readDone, type Pipeline, type PipelineEffect } from './pipeline.js';

/**
 * The incremental pass as pure transitions. Changes since the cursor come from the search API; every query
 * asks for the first page only (modified >= ts, sorted by modified): offset paging over a changing result set
 * skips records, and a first-page query never reaches the 10,000-result cap. When a whole page shares one
 * millisecond, that millisecond is drained by an id keyset. The cursor never passes now minus the search lag.
 *
 * The search carries every selected property when they fit its 3,000-character body; otherwise it asks for
 * ids and modified dates only and the records are read by `batch/read` (two reads per page of 200), the
 * search chain running ahead of the reads.
 */

/**
 * Records one search query moves the cursor past, at least: the next query starts at the last row's
 * millisecond (>=), so a full page re-reads at least that row. The cost estimate and the README use it.
 */
export const INCREMENTAL_PROGRESS_PER_SEARCH = SEARCH_PAGE_LIMIT - 1;

/** The query for a position (pure). `properties` are those the search returns. */
export function incrementalSearch(inc: IncrementalPosition, upper: number, field: string, properties: readonly string[]): SearchRequest {
  const props = [...properties];
  if (inc.id !== undefined) {
    return {
      filterGroups: [
        {
          filters: [
            { propertyName: field, operator: 'EQ', value: String(inc.ts) },
            { propertyName: 'hs_object_id', operator: 'GT', value: inc.id },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: props,
      limit: SEARCH_PAGE_LIMIT,
    };
  }
  return {
    filterGroups: [{ filters: [{ propertyName: field, operator: 'BETWEEN', value: String(inc.ts), highValue: String(upper) }] }],
    sorts: [{ propertyName: field, direction: 'ASCENDING' }],
    properties: props,
    limit: SEARCH_PAGE_LIMIT,
  };
}

/** Where the cursor goes after a page of `rows` (pure). */
export function nextIncremental(inc: IncrementalPosition, upper: number, rows: readonly { id: string; modifiedMs: number }[]): IncrementalPosition {
  if (inc.id !== undefined) return rows.length < SEARCH_PAGE_LIMIT ? { ts: inc.ts + 1 } : { ts: inc.ts, id: rows[rows.length - 1].id };
  if (rows.length < SEARCH_PAGE_LIMIT) return { ts: upper + 1 };
  const lastTs = rows[rows.length - 1].modifiedMs;
  // A full page all at the cursor's millisecond: no progress by time is possible, switch to the id keyset.
  return lastTs > inc.ts ? { ts: lastTs } : { ts: inc.ts, id: '0' };
}

/** `T`: the records as the driver keeps them (parsed, or already in the form they are written in). */
export interface IncrementalState<T = CrmRecord> {
  readonly stream: string;
  readonly cursor: ObjectCursor;
  readonly upper: number;
  /** The position of the search in flight (the page that arrives next). */
  readonly position: IncrementalPosition;
  /** Rows carry ids only; records come from `batch/read`. */
  readonly readIds: boolean;
  readonly pipeline: Pipeline<T, ObjectCursor>;
  readonly fetching: boolean;
  readonly due?: IncrementalPosition;
  readonly seen: ReadonlySet<string>;
  readonly status: 'running' | 'ended' | 'failed' | 'stopped';
}

export interface SearchRow {
  id: string;
  modifiedMs: number;
}

export type IncrementalEvent<T = CrmRecord> =
  | { type: 'page'; rows: readonly SearchRow[]; records?: readonly T[] }
  | { type: 'read'; seq: number; items: readonly T[] }
  | { type: 'failed'; error: unknown }
  | { type: 'stop' };

export type IncrementalEffect<T = CrmRecord> =
  | { kind: 'search'; position: IncrementalPosition }
  | PipelineEffect<T, ObjectCursor>
  | { kind: 'flush' }
  | { kind: 'done' }
  | { kind: 'fail'; error: unknown }
  | { kind: 'stopped' };

export interface IncrementalStep<T = CrmRecord> {
  state: IncrementalState<T>;
  effects: IncrementalEffect<T>[];
}

const key = (p: IncrementalPosition) => (p.id === undefined ? `${p.ts}` : `${p.ts}/${p.id}`);

export function startIncremental<T = CrmRecord>(stream: string, cursor: ObjectCursor, upper: number, readIds: boolean): IncrementalStep<T> {
  const inc = cursor.incremental ?? { ts: 0 };
  const state: IncrementalState<T> = {
    stream,
    cursor,
    upper,
    position: inc,
    readIds,
    pipeline: emptyPipeline(),
    fetching: false,
    seen: new Set([key(inc)]),
    status: 'running',
  };
  if (inc.ts > upper) return { state: { ...state, status: 'ended' }, effects: [{ kind: 'done' }] };
  return { state: { ...state, fetching: true }, effects: [{ kind: 'search', position: inc }] };
}

export function onIncremental<T>(state: IncrementalState<T>, event: IncrementalEvent<T>): IncrementalStep<T> {
  if (state.status !== 'running') throw new Error(`${state.stream}: ${event.type} after the pass ${state.status}`);
  switch (event.type) {
    case 'stop':
      return { state: { ...state, status: 'stopped' }, effects: [{ kind: 'flush' }, { kind: 'stopped' }] };
    case 'failed':
      return { state: { ...state, status: 'failed' }, effects: [{ kind: 'flush' }, { kind: 'fail', error: event.error }] };
    case 'read':
      return release(state, readDone(state.pipeline, event.seq, event.items));
    case 'page': {
      const next = nextIncremental(state.position, state.upper, event.rows);
      const last = next.ts > state.upper;
      let seen = state.seen;
      if (!last) {
        const guarded = guardPosition(seen, key(next), state.stream);
        if (guarded instanceof Error) return { state: { ...state, status: 'failed' }, effects: [{ kind: 'flush' }, { kind: 'fail', error: guarded }] };
        seen = guarded;
      }
      const cursor = { ...state.cursor, incremental: next };
      const step = state.readIds
        ? addIds(
            state.pipeline,
            event.rows.map((r) => r.id),
            cursor,
            last,
            false,
          )
        : addComplete(state.pipeline, event.records ?? [], cursor, last, false);
      return release({ ...state, cursor, seen, fetching: false, due: last ? undefined : next }, step);
    }
  }
}

function release<T>(
  state: IncrementalState<T>,
  step: { pipeline: Pipeline<T, ObjectCursor>; effects: PipelineEffect<T, ObjectCursor>[]; ended: boolean },
): IncrementalStep<T> {
  const effects: IncrementalEffect<T>[] = [];
  let s: IncrementalState<T> = { ...state, pipeline: step.pipeline };
  if (s.due && !s.fetching && hasRoom(s.pipeline)) {
    effects.push({ kind: 'search', position: s.due });
    s = { ...s, position: s.due, fetching: true, due: undefined };
  }
  effects.push(...step.effects);
  if (!step.ended) return { state: s, effects };
  return { state: { ...s, status: 'ended' }, effects: [...effects, { kind: 'flush' }, { kind: 'done' }] };
}
