import type pg from 'pg';
import { BaseExtractor, StopRequested, type ExtractorContext } from './base.js';
import { stagedMerge } from '../src/load/staged-merge.js';
import { cleanJsonText } from '../src/load/clean-text.js';
import type { CopyValue } from '../src/load/copy-format.js';
import type { FormRecord, SubmissionRecord } from './types.js';

/**
 * Forms (every type: the API lists only `hubspot` forms unless asked for all) and their submissions.
 * Submissions come newest first, so each form keeps its own cursor: the newest submission time already
 * stored (`floor`), and while a pass is under way, the page to resume from.
 */
interface SubmissionCursor {
  floor?: number;
  pass?: { newest?: number; after?: string };
}

/** Above any list chain's priority (its page count). */
const SUBMISSION_CHAIN_PRIORITY = 1_000_000;

/** Submission forms of these types are refused by the API (400 FORM_TYPE_NOT_ALLOWED). */
const NO_SUBMISSIONS = new Set(['blog_comment']);

export class FormsExtractor extends BaseExtractor {
  readonly name = 'forms';

  async run(ctx: ExtractorContext): Promise<void> {
    this.begin(ctx, 'full');
    const startedAt = await ctx.db.query<{ ms: string }>('select (extract(epoch from now()) * 1000)::bigint as ms');
    const forms: { id: string; formType: string }[] = [];
    let after: string | undefined;
    do {
      this.checkStop(ctx);
      const page = await ctx.reader.listFormsPage(after);
      await ctx.db.transaction((tx) => this.loadForms(ctx, tx, page.results));
      forms.push(...page.results.map((f) => ({ id: f.id, formType: f.formType })));
      this.progress(ctx, page.results.length);
      after = page.nextAfter;
    } while (after);
    await ctx.db.query(
      `update ${this.table(ctx, 'forms')} set deleted_at = now() where deleted_at is null and synced_at < to_timestamp($1 / 1000.0)`,
      [Number(startedAt.rows[0].ms)],
    );
    ctx.emit({ type: 'extractor:done', extractor: this.name, rows: this.rowsLoaded });
    const submissions = new SubmissionsExtractor();
    await submissions.runForForms(ctx, forms.filter((f) => !NO_SUBMISSIONS.has(f.formType)));
  }

  private async loadForms(ctx: ExtractorContext, tx: pg.PoolClient, forms: FormRecord[]): Promise<void> {
    const rows: CopyValue[][] = forms.map((f) => [
      f.id, f.name ?? null, f.formType ?? null, f.archived === true, f.createdAt ?? null, f.updatedAt ?? null, cleanJsonText(f), null,
    ]);
    await stagedMerge(tx, {
      schema: ctx.db.schema,
      table: 'forms',
      columns: ['id', 'name', 'form_type', 'archived', 'created_at', 'updated_at', 'raw', 'deleted_at'],
      key: ['id'],
      touch: ['synced_at = now()'],
    }, rows);
  }
}

export class SubmissionsExtractor extends BaseExtractor {
  readonly name = 'form_submissions';
  private readonly refreshing = new Set<string>();

  async run(): Promise<void> {
    throw new Error('form submissions are read by the forms extractor, which knows the forms');
  }

  async runForForms(ctx: ExtractorContext, forms: { id: string }[]): Promise<void> {
    this.begin(ctx, 'incremental');
    // A form whose paging is cut short by a stop request is not a failed item: its cursor holds its place.
    const syncUnlessStopped = (formId: string) =>
      this.syncForm(ctx, formId).catch((error: unknown) => {
        if (!(error instanceof StopRequested)) throw error;
      });
    // Each form's pages are a sequential chain of unknown length: they go ahead of the list chains (whose
    // lengths are known and ordered longest first) so that none of them is left to finish the run alone.
    await ctx.fanOut.processBatch(forms, (form) => syncUnlessStopped(form.id), { desc: this.name, priority: SUBMISSION_CHAIN_PRIORITY });
    ctx.emit({ type: 'extractor:done', extractor: this.name, rows: this.rowsLoaded });
  }

  private async syncForm(ctx: ExtractorContext, formId: string): Promise<void> {
    const stream = `form_submissions:${formId}`;
    // A full refresh re-reads every submission (resuming a refresh pass already under way).
    const stored = (await this.cursor<SubmissionCursor>(ctx, stream)) ?? {};
    let cursor: SubmissionCursor = ctx.options.fullRefresh && !this.refreshing.has(formId) ? {} : stored;
    if (ctx.options.fullRefresh) this.refreshing.add(formId);
    let pass = cursor.pass ?? {};
    for (;;) {
      this.checkStop(ctx);
      const page = await ctx.reader.listFormSubmissionsPage(formId, pass.after);
      const floor = cursor.floor;
      // Pages run newest to oldest: anything older than the floor is already stored, so stop there.
      // Submissions at exactly the floor's millisecond are re-read (idempotent), never assumed stored.
      const fresh = floor === undefined ? page.results : page.results.filter((s) => s.submittedAt >= floor);
      const reachedStored = fresh.length < page.results.length;
      const newest = pass.newest ?? maxSubmitted(page.results);
      const done = reachedStored || !page.nextAfter;
      const next: SubmissionCursor = done
        ? { floor: newest ?? floor }
        : { floor, pass: { newest, after: page.nextAfter } };
      await this.commit(ctx, stream, next, (tx) => this.loadSubmissions(ctx, tx, formId, fresh));
      this.progress(ctx, fresh.length);
      cursor = next;
      if (done) return;
      pass = next.pass!;
    }
  }

  private async loadSubmissions(ctx: ExtractorContext, tx: pg.PoolClient, formId: string, subs: SubmissionRecord[]): Promise<void> {
    const rows: CopyValue[][] = subs.map((s) => [
      formId, s.conversionId, new Date(s.submittedAt).toISOString(), s.pageUrl ?? null, contactIdOf(s), cleanJsonText(s.values ?? []),
    ]);
    await stagedMerge(tx, {
      schema: ctx.db.schema,
      table: 'form_submissions',
      columns: ['form_id', 'conversion_id', 'submitted_at', 'page_url', 'contact_id', 'values'],
      key: ['form_id', 'conversion_id'],
      touch: ['synced_at = now()'],
    }, rows);
  }
}

function maxSubmitted(subs: SubmissionRecord[]): number | undefined {
  let max: number | undefined;
  for (const s of subs) if (max === undefined || s.submittedAt > max) max = s.submittedAt;
  return max;
}

/** The contact a submission created or matched, where the API names one. */
function contactIdOf(s: SubmissionRecord): string | null {
  for (const key of ['contactId', 'vid', 'contactVid']) {
    const v = s[key];
    if ((typeof v === 'string' || typeof v === 'number') && /^\d+$/.test(String(v))) return String(v);
  }
  return null;
}

export const forms = new FormsExtractor();

