import type { Database } from '../db/database.js';
import {
  ASSOCIATION_BATCH_LIMIT,
  BATCH_READ_LIMIT,
  FORMS_PAGE_LIMIT,
  HISTORY_BATCH_LIMIT,
  LIST_PAGE_LIMIT,
  OWNERS_PAGE_LIMIT,
  SEARCH_PAGE_LIMIT,
  SUBMISSIONS_PAGE_LIMIT,
} from '../hubspot/api.js';
import { ident } from '../db/database.js';
import { countLiveRecords } from '../load/objects.js';
import type { CrmObjectDeclaration } from '../../extractors/base.js';
import type { Strategy } from '../../extractors/passes/cursor.js';
import { STAGE_PROPERTIES } from '../../extractors/metadata/portal-metadata.js';

/**
 * The fewest calls a full run can make, as a formula of the portal's sizes (README "How many calls"), in
 * its two budgets: the ten-second window and the search API's own per-second limit.
 *
 * Window calls:
 *   1 with custom objects selected                         the schemas API (custom objects named)
 * + Σ_types 1                                              properties (read once per type: the metadata step and the extractor share it;
 *                                                          for a type the portal lacks, the one call that finds it missing)
 * + max(1, ⌈O_live / 500⌉) + max(1, ⌈O_archived / 500⌉)    owners, live and archived
 * + Σ_types with a stage property 1                        pipelines (deals, tickets, leads, custom objects)
 * + Σ_history types ⌈N_t / 50⌉ (+ ⌈A_t / 50⌉ archived)     property history, 50 records a batch read
 * + Σ_inline types  max(1, ⌈N_t / 100⌉)                    list pages with every property (100 per page)
 * + Σ_by-ids types  ⌈N_t / 100⌉                            batch/read, 100 ids per call
 * + (archived, with --include-archived: inline ⌈A_t / 100⌉ list pages; by ids ⌈A_t / 100⌉ id pages + ⌈A_t / 100⌉ reads)
 * + Σ_pairs Σ_chunks max_{i in chunk} ⌈A_i / P⌉          association batch reads, 1,000 inputs a chunk, each
 *                                                        input paged by P associations, pages of a chunk sent together
 * + ⌈F / 100⌉ + Σ_forms max(1, ⌈S_f / 50⌉)               form and submission pages (blog_comment forms have none)
 * + the deletion confirmations the run made               batch/read of candidates (none on a first run)
 * Search calls:
 *   Σ_by-ids types  ⌊N_t / 200⌋ + 1                        id keyset pages (200 per query; the last one is short)
 *
 * The run can go no faster than max(window calls / window rate, search calls / search rate).
 * Computed from what the run stored, so the summary can print the calls made beside it.
 */
/** Associations per page of one input of a batch read (HubSpot's per-object association page). */
export const ASSOCIATION_PAGE = 500;

export interface CallBudget {
  window: number;
  search: number;
  total: number;
  /** max(window / windowRate, search / searchRate), in ms. */
  timeBoundMs: number;
}

export interface BudgetInput {
  objects: readonly { decl: CrmObjectDeclaration; strategy: Strategy }[];
  /** Custom objects were selected: the schemas API was asked for them. */
  schemas: boolean;
  /** Types the portal turned out not to have: one call each, then nothing. */
  unavailable: ReadonlySet<string>;
  forms: boolean;
  includeArchived: boolean;
  /** batch/read calls the run made to confirm deletion candidates. */
  confirmCalls: number;
  windowPerSecond: number;
  searchPerSecond: number;
  /** Types whose property history the run read (HUBSPOT_PROPERTY_HISTORY); none when absent. */
  historyTypes?: readonly string[];
}

export async function minimumFullRunCalls(db: Database, input: BudgetInput): Promise<CallBudget> {
  const s = ident(db.schema);
  let window = input.confirmCalls + (input.schemas ? 1 : 0);
  let search = 0;
  for (const { decl, strategy } of input.objects) {
    if (input.unavailable.has(decl.name)) {
      window += 1;
      continue;
    }
    const live = await countLiveRecords(db, db.schema, decl.name, false);
    const archived = input.includeArchived ? await countLiveRecords(db, db.schema, decl.name, true) : 0;
    window += 1;
    if (strategy === 'inline') {
      window += Math.max(1, Math.ceil(live / LIST_PAGE_LIMIT));
      if (input.includeArchived) window += Math.max(1, Math.ceil(archived / LIST_PAGE_LIMIT));
    } else {
      search += Math.floor(live / SEARCH_PAGE_LIMIT) + 1;
      window += Math.ceil(live / BATCH_READ_LIMIT);
      if (input.includeArchived) window += Math.max(1, Math.ceil(archived / LIST_PAGE_LIMIT)) + Math.ceil(archived / BATCH_READ_LIMIT);
    }
    for (const to of decl.associations) {
      if (input.unavailable.has(to)) continue;
      const { rows: chunks } = await db.query<{ pages: string }>(
        `with ids as (
           select o.id, (row_number() over (order by o.id) - 1) / ${ASSOCIATION_BATCH_LIMIT} as chunk,
                  (select count(distinct a.to_id) from ${s}.associations a where a.from_type = $1 and a.to_type = $2 and a.from_id = o.id) as k
           from ${s}.${ident(decl.name)} o where o.deleted_at is null)
         select max(greatest(1, ceil(k::numeric / ${ASSOCIATION_PAGE}))) as pages from ids group by chunk`,
        [decl.name, to],
      );
      window += chunks.reduce((sum, c) => sum + Number(c.pages), 0);
    }
  }
  // The metadata step (extractors/metadata): owners, pipelines of the types that have them, property history.
  const { rows: owners } = await db.query<{ live: number; archived: number }>(
    `select (count(*) filter (where not archived))::int as live, (count(*) filter (where archived))::int as archived from ${s}.owners`,
  );
  window += Math.max(1, Math.ceil(owners[0].live / OWNERS_PAGE_LIMIT)) + Math.max(1, Math.ceil(owners[0].archived / OWNERS_PAGE_LIMIT));
  const { rows: pipelined } = await db.query<{ n: number }>(
    `select count(distinct object_type)::int as n from ${s}.property_definitions
     where object_type = any($1) and name = any($2) and not archived`,
    [input.objects.map((o) => o.decl.name), STAGE_PROPERTIES],
  );
  window += pipelined[0].n;
  for (const type of input.historyTypes ?? []) {
    window += Math.ceil((await countLiveRecords(db, db.schema, type, false)) / HISTORY_BATCH_LIMIT);
    if (input.includeArchived) window += Math.ceil((await countLiveRecords(db, db.schema, type, true)) / HISTORY_BATCH_LIMIT);
  }
  if (input.forms) {
    const { rows } = await db.query<{ forms: string; subs: string }>(
      `select count(*) as forms,
              coalesce(sum(case when f.form_type = 'blog_comment' then 0
                else greatest(1, ceil((select count(*) from ${s}.form_submissions fs where fs.form_id = f.id)::numeric / ${SUBMISSIONS_PAGE_LIMIT})) end), 0) as subs
       from ${s}.forms f where f.deleted_at is null`,
    );
    window += Math.max(1, Math.ceil(Number(rows[0].forms) / FORMS_PAGE_LIMIT)) + Number(rows[0].subs);
  }
  const timeBoundMs = Math.max((window / input.windowPerSecond) * 1000, input.searchPerSecond > 0 ? (search / input.searchPerSecond) * 1000 : 0);
  return { window, search, total: window + search, timeBoundMs };
}
