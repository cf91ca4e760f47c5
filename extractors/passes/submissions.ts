import { createHash } from 'node:crypto';
import type { FormSubmission } from '../../src/hubspot/api.js';
import { guardPosition } from './pagination.js';

/**
 * Form submissions as pure transitions. Submissions come newest first, so each form keeps its own cursor:
 * the newest submission time already stored (`floor`), and while a pass is under way, the page to resume
 * from. Paging stops at the first submission older than the floor (already stored).
 */
export interface SubmissionCursor {
  floor?: number;
  pass?: { newest?: number; after?: string };
}

/** A submission as stored: a key always (derived when the API gave no conversionId), a time when it gave one. */
export interface KeyedSubmission extends FormSubmission {
  key: string;
}

/**
 * The key of a submission. HubSpot's `conversionId` when present; otherwise one derived from what the
 * submission holds, stable across runs (so a rerun merges instead of duplicating) and distinct between
 * submissions that differ in anything stored.
 */
export function submissionKey(formId: string, s: FormSubmission): string {
  if (typeof s.conversionId === 'string' && s.conversionId !== '') return s.conversionId;
  if (typeof s.conversionId === 'number') return String(s.conversionId);
  const canonical = JSON.stringify([formId, s.submittedAt ?? null, s.pageUrl ?? null, canonicalJson(s.values ?? [])]);
  return `derived:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** JSON with object keys sorted, so the same values hash the same whatever order the API sends them in. */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

const timeOf = (s: FormSubmission): number | undefined => (typeof s.submittedAt === 'number' && Number.isFinite(s.submittedAt) ? s.submittedAt : undefined);

export interface SubmissionsState {
  readonly stream: string;
  readonly cursor: SubmissionCursor;
  readonly seen: ReadonlySet<string>;
  readonly status: 'running' | 'ended' | 'failed';
}

export type SubmissionsEffect =
  | { kind: 'fetch'; after?: string }
  | { kind: 'commit'; submissions: readonly KeyedSubmission[]; cursor: SubmissionCursor }
  | { kind: 'done' }
  | { kind: 'fail'; error: unknown };

export interface SubmissionsStep {
  state: SubmissionsState;
  effects: SubmissionsEffect[];
}

/** A full refresh re-reads every submission (`fresh`: start from an empty cursor). */
export function startSubmissions(stream: string, stored: SubmissionCursor, fresh: boolean): SubmissionsStep {
  const cursor = fresh ? {} : stored;
  const after = cursor.pass?.after;
  return { state: { stream, cursor, seen: new Set(after === undefined ? [] : [after]), status: 'running' }, effects: [{ kind: 'fetch', after }] };
}

export function onSubmissionsPage(state: SubmissionsState, page: { results: readonly KeyedSubmission[]; next?: string }): SubmissionsStep {
  const { floor } = state.cursor;
  // Submissions at exactly the floor's millisecond are re-read (idempotent), never assumed stored. One with
  // no time is always stored (its key is stable) and plays no part in the floor.
  const fresh = floor === undefined ? page.results : page.results.filter((s) => (timeOf(s) ?? floor) >= floor);
  const reachedStored = page.results.some((s) => floor !== undefined && timeOf(s) !== undefined && timeOf(s)! < floor);
  const newest = state.cursor.pass?.newest ?? maxTime(page.results);
  const done = reachedStored || page.next === undefined;
  let seen = state.seen;
  if (!done) {
    const guarded = guardPosition(seen, page.next!, state.stream);
    if (guarded instanceof Error) return { state: { ...state, status: 'failed' }, effects: [{ kind: 'fail', error: guarded }] };
    seen = guarded;
  }
  const cursor: SubmissionCursor = done ? { floor: newest ?? floor } : { floor, pass: { newest, after: page.next } };
  const commit: SubmissionsEffect = { kind: 'commit', submissions: fresh, cursor };
  if (done) return { state: { ...state, cursor, seen, status: 'ended' }, effects: [commit, { kind: 'done' }] };
  // The next page is asked for while this one commits.
  return { state: { ...state, cursor, seen }, effects: [{ kind: 'fetch', after: page.next }, commit] };
}

function maxTime(subs: readonly FormSubmission[]): number | undefined {
  let max: number | undefined;
  for (const s of subs) {
    const t = timeOf(s);
    if (t !== undefined && (max === undefined || t > max)) max = t;
  }
  return max;
}
