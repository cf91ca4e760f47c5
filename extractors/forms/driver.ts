import { countUnlistedForms, markUnlistedFormsDeleted, upsertForms, upsertSubmissions, type StoredSubmission } from '../../src/load/forms.js';
import { databaseNow, readCursor, writeCursor } from '../../src/load/sync-state.js';
import { StopRequested, type ExtractorContext } from '../base.js';
import { deleteShareCheck, refusalNote } from '../passes/confirm.js';
import { onFormsPage, startForms, type FormsEffect } from '../passes/forms.js';
import {
  onSubmissionsPage,
  startSubmissions,
  submissionKey,
  type KeyedSubmission,
  type SubmissionCursor,
  type SubmissionsEffect,
} from '../passes/submissions.js';
import type { FormRecord, Page, SubmissionRecord } from '../types.js';

/**
 * Forms (every type: the API lists only `hubspot` forms unless asked for all) and then their submissions,
 * each form's as its own chain with its own cursor.
 */
export const FORMS = 'forms';
export const FORM_SUBMISSIONS = 'form_submissions';

/** Above any list chain's priority (its page count). */
const SUBMISSION_CHAIN_PRIORITY = 1_000_000;

/** Submission forms of these types are refused by the API (400 FORM_TYPE_NOT_ALLOWED). */
const NO_SUBMISSIONS = new Set(['blog_comment']);

export async function runForms(ctx: ExtractorContext): Promise<void> {
  ctx.emit({ type: 'extractor:start', extractor: FORMS, mode: 'full' });
  const schema = ctx.db.schema;
  let rows = 0;
  let step: { effects: FormsEffect[]; state: ReturnType<typeof startForms>['state'] } = startForms(await databaseNow(ctx.db));
  let pending: Promise<Page<FormRecord>> | undefined;
  let listed: readonly { id: string; formType: string }[] | undefined;
  while (listed === undefined) {
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'fetch':
          pending = prefetched(ctx.reader.listFormsPage(effect.after));
          break;
        case 'store':
          await ctx.db.transaction((tx) => upsertForms(tx, schema, effect.forms));
          rows += effect.forms.length;
          ctx.emit({ type: 'extractor:progress', extractor: FORMS, rows });
          break;
        case 'markUnlisted': {
          const { candidates, live } = await countUnlistedForms(ctx.db, schema, effect.startedAt);
          if (deleteShareCheck(candidates, live, ctx.options.maxDeleteShare).allowed) await markUnlistedFormsDeleted(ctx.db, schema, effect.startedAt);
          else
            ctx.emit({
              type: 'extractor:note',
              extractor: FORMS,
              message: refusalNote('stored forms', candidates, live, ctx.options.maxDeleteShare),
              level: 'warn',
            });
          break;
        }
        case 'done':
          listed = effect.forms;
          break;
        case 'fail':
          throw effect.error;
      }
    }
    if (listed !== undefined) break;
    if (ctx.signal.aborted) throw new StopRequested();
    const page = await pending!;
    step = onFormsPage(step.state, { results: page.results, next: page.nextAfter });
  }
  ctx.emit({ type: 'extractor:done', extractor: FORMS, rows });
  await runSubmissions(
    ctx,
    listed.filter((f) => !NO_SUBMISSIONS.has(f.formType)),
  );
}

async function runSubmissions(ctx: ExtractorContext, forms: readonly { id: string }[]): Promise<void> {
  ctx.emit({ type: 'extractor:start', extractor: FORM_SUBMISSIONS, mode: 'incremental' });
  const counter = { rows: 0 };
  // A form whose paging is cut short by a stop request is not a failed item: its cursor holds its place.
  const syncUnlessStopped = (formId: string) =>
    syncForm(ctx, formId, counter).catch((error: unknown) => {
      if (!(error instanceof StopRequested)) throw error;
    });
  // Each form's pages are a sequential chain of unknown length: they go ahead of the list chains (whose
  // lengths are known and ordered longest first) so that none of them is left to finish the run alone.
  await ctx.fanOut.processBatch(forms, (form) => syncUnlessStopped(form.id), { desc: FORM_SUBMISSIONS, priority: SUBMISSION_CHAIN_PRIORITY });
  ctx.emit({ type: 'extractor:done', extractor: FORM_SUBMISSIONS, rows: counter.rows });
}

async function syncForm(ctx: ExtractorContext, formId: string, counter: { rows: number }): Promise<void> {
  const schema = ctx.db.schema;
  const stream = `form_submissions:${formId}`;
  const stored = (await readCursor<SubmissionCursor>(ctx.db, schema, stream)) ?? {};
  // A full refresh re-reads every submission; a refresh pass already under way (a run killed mid-form) resumes.
  let step: { effects: SubmissionsEffect[]; state: ReturnType<typeof startSubmissions>['state'] } = startSubmissions(
    stream,
    stored,
    ctx.options.fullRefresh && stored.pass === undefined,
  );
  let pending: Promise<Page<SubmissionRecord>> | undefined;
  for (;;) {
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'fetch':
          pending = prefetched(ctx.reader.listFormSubmissionsPage(formId, effect.after));
          break;
        case 'commit':
          await ctx.db.transaction(async (tx) => {
            await upsertSubmissions(tx, schema, formId, effect.submissions.map(toStored));
            await writeCursor(tx, schema, stream, effect.cursor);
          });
          counter.rows += effect.submissions.length;
          ctx.emit({ type: 'extractor:progress', extractor: FORM_SUBMISSIONS, rows: counter.rows });
          break;
        case 'done':
          return;
        case 'fail':
          throw effect.error;
      }
    }
    if (ctx.signal.aborted) throw new StopRequested();
    const page = await pending!;
    const results: KeyedSubmission[] = page.results.map((s) => ({ ...s, key: submissionKey(formId, s) }));
    step = onSubmissionsPage(step.state, { results, next: page.nextAfter });
  }
}

function toStored(s: KeyedSubmission): StoredSubmission {
  return {
    key: s.key,
    submittedAt: typeof s.submittedAt === 'number' ? s.submittedAt : undefined,
    pageUrl: s.pageUrl,
    contactId: contactIdOf(s),
    values: s.values ?? [],
  };
}

/** The contact a submission created or matched, where the API names one. */
function contactIdOf(s: SubmissionRecord): string | null {
  for (const key of ['contactId', 'vid', 'contactVid']) {
    const v = s[key];
    if ((typeof v === 'string' || typeof v === 'number') && /^\d+$/.test(String(v))) return String(v);
  }
  return null;
}

/** A request started ahead of need: if the run stops before it is awaited, its failure must not go unhandled. */
function prefetched<T>(request: Promise<T>): Promise<T> {
  request.catch(() => {});
  return request;
}
