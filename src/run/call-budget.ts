import type { Database } from '../db/database.js';
import { ASSOCIATION_BATCH_LIMIT, FORMS_PAGE_LIMIT, LIST_PAGE_LIMIT, SUBMISSIONS_PAGE_LIMIT } from '../hubspot/api.js';
import { ident } from '../db/database.js';
import type { CrmObjectExtractor } from '../../extractors/base.js';

/**
 * The fewest calls a full run can make, as a formula of the portal's sizes (README "How many calls"):
 *
 *   Σ_types (1 + ⌈N_t / 100⌉)                         properties + list pages (100 per page)
 * + Σ_pairs Σ_chunks max_{i in chunk} ⌈A_i / P⌉          v4 batch reads, 1,000 inputs a chunk, each
 *                                                        input paged by P associations, pages of a chunk sent together
 * + ⌈F / 100⌉                                           form pages
 * + Σ_forms max(1, ⌈S_f / 50⌉)                          submission pages (50 per page; blog_comment forms have none)
 *
 * Computed from what the run stored, so the summary can print calls made beside it.
 */
/** Associations per page of one input of a v4 batch read (HubSpot's per-object association page). */
export const ASSOCIATION_PAGE = 500;

export async function minimumFullRunCalls(db: Database, objects: CrmObjectExtractor[], forms: boolean): Promise<number> {
  const s = ident(db.schema);
  let calls = 0;
  for (const o of objects) {
    const { rows } = await db.query<{ n: string }>(`select count(*) as n from ${s}.${ident(o.decl.name)} where deleted_at is null and not archived`);
    calls += 1 + Math.max(1, Math.ceil(Number(rows[0].n) / LIST_PAGE_LIMIT));
    for (const to of o.decl.associations) {
      const { rows: chunks } = await db.query<{ pages: string }>(
        `with ids as (
           select o.id, (row_number() over (order by o.id) - 1) / ${ASSOCIATION_BATCH_LIMIT} as chunk,
                  (select count(distinct a.to_id) from ${s}.associations a where a.from_type = $1 and a.to_type = $2 and a.from_id = o.id) as k
           from ${s}.${ident(o.decl.name)} o where o.deleted_at is null)
         select max(greatest(1, ceil(k::numeric / ${ASSOCIATION_PAGE}))) as pages from ids group by chunk`,
        [o.decl.name, to],
      );
      calls += chunks.reduce((sum, c) => sum + Number(c.pages), 0);
    }
  }
  if (forms) {
    const { rows } = await db.query<{ forms: string; subs: string }>(
      `select count(*) as forms,
              coalesce(sum(case when f.form_type = 'blog_comment' then 0
                else greatest(1, ceil((select count(*) from ${s}.form_submissions fs where fs.form_id = f.id)::numeric / ${SUBMISSIONS_PAGE_LIMIT})) end), 0) as subs
       from ${s}.forms f where f.deleted_at is null`,
    );
    calls += Math.max(1, Math.ceil(Number(rows[0].forms) / FORMS_PAGE_LIMIT)) + Number(rows[0].subs);
  }
  return calls;
}
