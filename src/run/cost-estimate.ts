import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import type { RunContext } from './run-context.js';
import { isCrmObjectExtractor, isCustomObjectsSelection, type CrmObjectExtractor, type Selected } from '../../extractors/base.js';
import { ObjectTypeUnavailableError } from '../processor/errors.js';
import type { ObjectCursor } from '../../extractors/passes/cursor.js';
import { INCREMENTAL_PROGRESS_PER_SEARCH } from '../../extractors/passes/incremental.js';
import { ASSOCIATION_BATCH_LIMIT, HISTORY_BATCH_LIMIT, LIST_PAGE_LIMIT } from '../hubspot/api.js';

/**
 * What a run will cost, printed before it starts. Sizes come from one `limit: 1` search per type: search
 * has its own per-second budget and does not count against the ten-second window, so asking is free for
 * the run's budget. Full runs: the README formula without the association paging term (unknown before
 * reading); incremental runs: the changes since each cursor. Both add the metadata every run refreshes: each type's
 * properties (one read, shared with the extractor), owners (live and archived) and, per HUBSPOT_PROPERTY_HISTORY type,
 * a history read per 50 records read. Pipelines are counted for the types that have them by default in HubSpot
 * (`TYPICALLY_PIPELINED`); the run decides from the definitions it reads.
 */
export interface CostEstimate {
  calls: number;
  dailyLimit: number;
  shareOfDailyLimit: string;
  records: Record<string, number>;
}

/** Each type's cursor as the run starts: read before the run writes any, since the estimate runs beside it. */
export type StartCursors = Map<string, ObjectCursor | undefined>;

export async function readStartCursors(db: Database, extractors: readonly Selected[]): Promise<StartCursors> {
  const streams = objectExtractors(extractors).map((o) => o.stream);
  const { rows } = await db.query<{ stream: string; cursor: ObjectCursor }>(
    `select stream, cursor from ${ident(db.schema)}.sync_state where stream = any($1)`,
    [streams],
  );
  const byStream = new Map(rows.map((r) => [r.stream, r.cursor]));
  return new Map(streams.map((stream) => [stream, byStream.get(stream)]));
}

/** `spent.requests` counts the searches made, so the run can report its own calls apart from them. */
export async function estimateRunCost(
  context: RunContext,
  cursors: StartCursors,
  extractors: readonly Selected[],
  fullRefresh: boolean,
  spent: { requests: number } = { requests: 0 },
): Promise<CostEstimate> {
  const api = context.api;
  const objects = objectExtractors(extractors);
  const sizes: Record<string, number> = {};
  // Owners: a live and an archived list (a page of 500 each, for all but the largest teams).
  let calls = 2;
  const history = context.settings.propertyHistory;
  for (const o of objects) {
    const cursor = cursors.get(o.stream);
    const inc = cursor?.incremental;
    const full = fullRefresh || !inc || cursor?.full !== undefined;
    const filterGroups = full ? [] : [{ filters: [{ propertyName: o.decl.cursorField, operator: 'GTE', value: String(inc!.ts) }] }];
    const page = await api
      .searchObjects(o.decl.apiType, { filterGroups, limit: 1, properties: ['hs_object_id'] })
      .catch((error: unknown) => {
        // A type the portal lacks costs the run one call (its properties), which finds it missing.
        if (error instanceof ObjectTypeUnavailableError) return undefined;
        throw error;
      })
      .finally(() => spent.requests++);
    if (page === undefined) {
      calls += 1;
      continue;
    }
    sizes[o.decl.name] = page.total;
    calls += 1 + (full ? Math.max(1, Math.ceil(page.total / LIST_PAGE_LIMIT)) : Math.ceil(page.total / INCREMENTAL_PROGRESS_PER_SEARCH) + 1);
    if (TYPICALLY_PIPELINED.includes(o.decl.name)) calls += 1;
    if (history[o.decl.name]) calls += Math.ceil(page.total / HISTORY_BATCH_LIMIT);
  }
  for (const o of objects) {
    if (sizes[o.decl.name] === undefined) continue;
    for (const _to of o.decl.associations) calls += Math.max(1, Math.ceil((sizes[o.decl.name] ?? 0) / ASSOCIATION_BATCH_LIMIT));
  }
  // Custom objects are named by the schemas API only once the run starts: its call is counted here, their records
  // and pairs are not (the run's summary counts them in the minimum).
  if (extractors.some(isCustomObjectsSelection)) calls += 1;
  const dailyLimit = context.settings.dailyLimit;
  return { calls, dailyLimit, shareOfDailyLimit: `${((calls / dailyLimit) * 100).toFixed(2)}%`, records: sizes };
}

/** Types that have pipelines in every HubSpot portal (custom objects may too): the estimate's guess only. */
const TYPICALLY_PIPELINED: readonly string[] = ['deals', 'tickets', 'leads'];

function objectExtractors(extractors: readonly Selected[]): CrmObjectExtractor[] {
  return extractors.filter(isCrmObjectExtractor);
}
