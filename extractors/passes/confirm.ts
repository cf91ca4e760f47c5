import { BATCH_READ_LIMIT } from '../../src/hubspot/api.js';
import type { CrmRecord } from '../types.js';
import { afterFullPass, afterSweep, type ConfirmPosition, type ObjectCursor } from './cursor.js';

/**
 * Deletion confirmation as pure transitions. A listing that reached its end leaves candidates: stored rows
 * (not deleted; not archived unless the pass listed archived ids) not seen since it started. None is marked
 * deleted on the listing's word alone:
 *
 * 1. If candidates exceed HUBSPOT_MAX_DELETE_SHARE of the live rows, nothing is marked; the pass ends with a
 *    note saying why and how to override, and the sweep stays due so the next run tries again.
 * 2. Otherwise candidates are read back 100 at a time with `batch/read`: found -> the listing skipped them
 *    (page drift): load them; missing -> read with `archived=true`: found -> archived, not deleted: load them
 *    as archived; still missing -> mark deleted (and drop their associations and queued work).
 *
 * Each chunk commits with the cursor (`confirm.after` = its last id), so a killed run resumes the confirmation.
 */
export interface ConfirmState {
  readonly stream: string;
  /** The cursor without `confirm`: what the pass ends with. */
  readonly base: ObjectCursor;
  readonly confirm: ConfirmPosition;
  readonly maxShare: number;
  readonly searchLagMs: number;
  /** Candidates being confirmed (one chunk). */
  readonly chunk: readonly string[];
  /** Found live in this chunk, kept until the archived read is back. */
  readonly found: readonly CrmRecord[];
  readonly status: 'running' | 'ended' | 'stopped';
}

export type ConfirmEvent =
  | { type: 'counted'; candidates: number; live: number }
  | { type: 'candidates'; ids: readonly string[] }
  | { type: 'read'; archived: boolean; found: readonly CrmRecord[]; missing: readonly string[] }
  | { type: 'stop' };

export interface ConfirmOutcome {
  /** Found live (skipped by the listing), found archived, marked deleted. */
  load: readonly CrmRecord[];
  archived: readonly CrmRecord[];
  deleted: readonly string[];
}

export type ConfirmEffect =
  | { kind: 'count'; confirm: ConfirmPosition }
  | { kind: 'candidates'; confirm: ConfirmPosition; after?: string; limit: number }
  | { kind: 'read'; ids: readonly string[]; archived: boolean }
  | { kind: 'apply'; outcome: ConfirmOutcome; cursor: ObjectCursor }
  | { kind: 'commit'; cursor: ObjectCursor }
  | { kind: 'note'; message: string }
  | { kind: 'done'; deletesApplied: boolean }
  | { kind: 'stopped' };

export interface ConfirmStep {
  state: ConfirmState;
  effects: ConfirmEffect[];
}

/** Whether marking `candidates` of `live` rows deleted is within the share (pure; also used for forms). */
export function deleteShareCheck(candidates: number, live: number, maxShare: number): { allowed: true } | { allowed: false; share: number } {
  if (candidates === 0 || candidates <= maxShare * live) return { allowed: true };
  return { allowed: false, share: live === 0 ? 1 : candidates / live };
}

export function refusalNote(what: string, candidates: number, live: number, maxShare: number): string {
  const share = live === 0 ? 100 : Math.round((candidates / live) * 1000) / 10;
  return (
    `${candidates} of ${live} ${what} (${share}%) were not listed by this pass: more than HUBSPOT_MAX_DELETE_SHARE=${maxShare} of the table, so none was marked deleted. ` +
    'A list cut short or an outage looks like this. If they really were deleted in HubSpot, set HUBSPOT_MAX_DELETE_SHARE above that share for one run (with --sweep-deletes).'
  );
}

export function startConfirm(stream: string, cursor: ObjectCursor, maxShare: number, searchLagMs: number): ConfirmStep {
  const { confirm, ...base } = cursor;
  if (!confirm) throw new Error(`${stream}: no confirmation to run`);
  const state: ConfirmState = { stream, base, confirm, maxShare, searchLagMs, chunk: [], found: [], status: 'running' };
  return {
    state,
    effects: confirm.checked ? [{ kind: 'candidates', confirm, after: confirm.after, limit: BATCH_READ_LIMIT }] : [{ kind: 'count', confirm }],
  };
}

export function onConfirm(state: ConfirmState, event: ConfirmEvent): ConfirmStep {
  if (state.status !== 'running') throw new Error(`${state.stream}: ${event.type} after the confirmation ${state.status}`);
  switch (event.type) {
    case 'stop':
      // Every chunk commits on its own: nothing is pending.
      return { state: { ...state, status: 'stopped' }, effects: [{ kind: 'stopped' }] };
    case 'counted': {
      const check = deleteShareCheck(event.candidates, event.live, state.maxShare);
      if (!check.allowed)
        return finish(state, false, [{ kind: 'note', message: refusalNote(`stored ${tableOf(state.stream)}`, event.candidates, event.live, state.maxShare) }]);
      if (event.candidates === 0) return finish(state, true, []);
      const confirm = { ...state.confirm, checked: true };
      return { state: { ...state, confirm }, effects: [{ kind: 'candidates', confirm, after: confirm.after, limit: BATCH_READ_LIMIT }] };
    }
    case 'candidates':
      if (event.ids.length === 0) return finish(state, true, []);
      return { state: { ...state, chunk: event.ids, found: [] }, effects: [{ kind: 'read', ids: event.ids, archived: false }] };
    case 'read': {
      if (!event.archived && event.missing.length > 0) {
        return { state: { ...state, found: event.found }, effects: [{ kind: 'read', ids: event.missing, archived: true }] };
      }
      const outcome: ConfirmOutcome = event.archived
        ? { load: state.found, archived: event.found, deleted: event.missing }
        : { load: event.found, archived: [], deleted: [] };
      const confirm = { ...state.confirm, after: state.chunk[state.chunk.length - 1] };
      return {
        state: { ...state, confirm, chunk: [], found: [] },
        effects: [
          { kind: 'apply', outcome, cursor: { ...state.base, confirm } },
          { kind: 'candidates', confirm, after: confirm.after, limit: BATCH_READ_LIMIT },
        ],
      };
    }
  }
}

function finish(state: ConfirmState, deletesApplied: boolean, before: ConfirmEffect[]): ConfirmStep {
  const c = state.confirm;
  const cursor =
    c.pass === 'full' ? afterFullPass(state.base, c.startedAt, state.searchLagMs, deletesApplied) : afterSweep(state.base, c.startedAt, deletesApplied);
  return { state: { ...state, status: 'ended' }, effects: [...before, { kind: 'commit', cursor }, { kind: 'done', deletesApplied }] };
}

function tableOf(stream: string): string {
  return stream.startsWith('objects:') ? stream.slice('objects:'.length) : stream;
}
