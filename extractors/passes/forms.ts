import type { FormRecord } from '../types.js';
import { guardPosition } from './pagination.js';

/**
 * The forms list as pure transitions: every page is stored as it comes; at the end of the list (and only
 * there), forms not listed since the pass started are candidates for `deleted_at`, subject to the share guard.
 */
export interface FormsState {
  readonly startedAt: number;
  readonly seen: ReadonlySet<string>;
  /** Every form listed, for the submissions that follow. */
  readonly forms: readonly { id: string; formType: string }[];
  readonly status: 'running' | 'ended' | 'failed';
}

export type FormsEffect =
  | { kind: 'fetch'; after?: string }
  | { kind: 'store'; forms: readonly FormRecord[] }
  | { kind: 'markUnlisted'; startedAt: number }
  | { kind: 'done'; forms: readonly { id: string; formType: string }[] }
  | { kind: 'fail'; error: unknown };

export function startForms(startedAt: number): { state: FormsState; effects: FormsEffect[] } {
  return { state: { startedAt, seen: new Set(), forms: [], status: 'running' }, effects: [{ kind: 'fetch' }] };
}

export function onFormsPage(state: FormsState, page: { results: readonly FormRecord[]; next?: string }): { state: FormsState; effects: FormsEffect[] } {
  const forms = [...state.forms, ...page.results.map((f) => ({ id: f.id, formType: f.formType }))];
  const store: FormsEffect = { kind: 'store', forms: page.results };
  if (page.next === undefined) {
    return { state: { ...state, forms, status: 'ended' }, effects: [store, { kind: 'markUnlisted', startedAt: state.startedAt }, { kind: 'done', forms }] };
  }
  const seen = guardPosition(state.seen, page.next, 'forms');
  if (seen instanceof Error) return { state: { ...state, status: 'failed' }, effects: [store, { kind: 'fail', error: seen }] };
  return { state: { ...state, seen, forms }, effects: [{ kind: 'fetch', after: page.next }, store] };
}
