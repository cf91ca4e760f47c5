import { BATCH_READ_LIMIT } from '../../src/hubspot/api.js';

/**
 * Pages of a chain, held in order until they are complete, then staged in order (pure).
 *
 * A page arrives either complete (list pages with their properties, id pages of a sweep) or as ids whose
 * records must be read with `batch/read`, 100 a call, several pages' reads in flight at once. Reads finish in
 * any order; a page is staged (loaded, and its cursor committed) only when it and every page before it are
 * complete, so the committed cursor never passes a page whose records are not stored.
 */
export interface PendingPage<T, C> {
  readonly seq: number;
  readonly items: readonly T[];
  /** Batch reads still outstanding for this page. */
  readonly reads: number;
  /** The cursor that covers this page and every page before it. */
  readonly cursor: C;
  /** The chain's last page: staging it ends the chain. */
  readonly last: boolean;
  /** The page lists archived records (or their ids). */
  readonly archived: boolean;
}

export interface Pipeline<T, C> {
  readonly pending: readonly PendingPage<T, C>[];
  readonly nextSeq: number;
}

export type PipelineEffect<T, C> =
  { kind: 'read'; seq: number; ids: readonly string[]; archived: boolean } | { kind: 'stage'; items: readonly T[]; archived: boolean; cursor: C };

export interface PipelineStep<T, C> {
  pipeline: Pipeline<T, C>;
  effects: PipelineEffect<T, C>[];
  /** The last page was staged: the chain is done. */
  ended: boolean;
}

/** Pages a chain may run ahead of the first incomplete one (each id page holds 200 ids: two reads). */
export const PIPELINE_PAGES_AHEAD = 4;

export function emptyPipeline<T, C>(): Pipeline<T, C> {
  return { pending: [], nextSeq: 0 };
}

/** There is room to fetch another page. */
export function hasRoom(p: Pipeline<unknown, unknown>): boolean {
  return p.pending.length < PIPELINE_PAGES_AHEAD;
}

/** A page that needs nothing more. */
export function addComplete<T, C>(p: Pipeline<T, C>, items: readonly T[], cursor: C, last: boolean, archived: boolean): PipelineStep<T, C> {
  return drain({ pending: [...p.pending, { seq: p.nextSeq, items, reads: 0, cursor, last, archived }], nextSeq: p.nextSeq + 1 });
}

/** A page of ids whose records are read by `batch/read`, BATCH_READ_LIMIT ids a call. */
export function addIds<T, C>(p: Pipeline<T, C>, ids: readonly string[], cursor: C, last: boolean, archived: boolean): PipelineStep<T, C> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_READ_LIMIT) chunks.push(unique.slice(i, i + BATCH_READ_LIMIT));
  const seq = p.nextSeq;
  const reads: PipelineEffect<T, C>[] = chunks.map((chunk) => ({ kind: 'read', seq, ids: chunk, archived }));
  const step = drain({ pending: [...p.pending, { seq, items: [], reads: chunks.length, cursor, last, archived }], nextSeq: seq + 1 });
  return { ...step, effects: [...reads, ...step.effects] };
}

/** One batch read of page `seq` returned these records (ids it did not find are simply not among them). */
export function readDone<T, C>(p: Pipeline<T, C>, seq: number, items: readonly T[]): PipelineStep<T, C> {
  const at = p.pending.findIndex((page) => page.seq === seq);
  if (at < 0) throw new Error(`batch read for page ${seq}, which is not pending`);
  const page = p.pending[at];
  if (page.reads <= 0) throw new Error(`batch read for page ${seq}, which has no read outstanding`);
  const updated = { ...page, items: [...page.items, ...items], reads: page.reads - 1 };
  return drain({ ...p, pending: [...p.pending.slice(0, at), updated, ...p.pending.slice(at + 1)] });
}

function drain<T, C>(p: Pipeline<T, C>): PipelineStep<T, C> {
  const effects: PipelineEffect<T, C>[] = [];
  let i = 0;
  let ended = false;
  while (i < p.pending.length && p.pending[i].reads === 0) {
    const page = p.pending[i];
    effects.push({ kind: 'stage', items: page.items, archived: page.archived, cursor: page.cursor });
    i++;
    if (page.last) {
      ended = true;
      break;
    }
  }
  return { pipeline: { ...p, pending: p.pending.slice(i) }, effects, ended };
}
