import type pg from 'pg';
import { ident, type Queryable } from '../db/database.js';
import { cleanJsonText } from './clean-text.js';
import type { CopyValue } from './copy-format.js';
import { stagedMerge } from './staged-merge.js';

/** The SQL of forms and form submissions, one named function each. */
const table = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

export interface StoredForm {
  id: string;
  name?: string;
  formType?: string;
  archived?: boolean;
  createdAt?: string;
  updatedAt?: string;
}

export async function upsertForms(tx: pg.PoolClient, schema: string, forms: readonly StoredForm[]): Promise<void> {
  const rows: CopyValue[][] = forms.map((f) => [
    f.id,
    f.name ?? null,
    f.formType ?? null,
    f.archived === true,
    f.createdAt ?? null,
    f.updatedAt ?? null,
    cleanJsonText(f),
    null,
  ]);
  await stagedMerge(
    tx,
    {
      schema,
      table: 'forms',
      columns: ['id', 'name', 'form_type', 'archived', 'created_at', 'updated_at', 'raw', 'deleted_at'],
      key: ['id'],
      touch: ['synced_at = now()'],
    },
    rows,
  );
}

/** Forms not listed since `startedAt` (candidates for deleted_at), and all live forms. */
export async function countUnlistedForms(db: Queryable, schema: string, startedAt: number): Promise<{ candidates: number; live: number }> {
  const { rows } = await db.query<{ candidates: number; live: number }>(
    `select (count(*) filter (where synced_at < to_timestamp($1 / 1000.0)))::int as candidates, count(*)::int as live
     from ${table(schema, 'forms')} where deleted_at is null`,
    [startedAt],
  );
  return rows[0];
}

export async function markUnlistedFormsDeleted(db: Queryable, schema: string, startedAt: number): Promise<void> {
  await db.query(`update ${table(schema, 'forms')} set deleted_at = now() where deleted_at is null and synced_at < to_timestamp($1 / 1000.0)`, [startedAt]);
}

export interface StoredSubmission {
  key: string;
  submittedAt?: number;
  pageUrl?: string;
  contactId: string | null;
  values: unknown;
}

/** Keyed by (form, key): the conversionId, or a key derived from the submission when HubSpot sent none. */
export async function upsertSubmissions(tx: pg.PoolClient, schema: string, formId: string, subs: readonly StoredSubmission[]): Promise<void> {
  const rows: CopyValue[][] = subs.map((s) => [
    formId,
    s.key,
    s.submittedAt === undefined ? null : new Date(s.submittedAt).toISOString(),
    s.pageUrl ?? null,
    s.contactId,
    cleanJsonText(s.values ?? []),
  ]);
  await stagedMerge(
    tx,
    {
      schema,
      table: 'form_submissions',
      columns: ['form_id', 'conversion_id', 'submitted_at', 'page_url', 'contact_id', 'values'],
      key: ['form_id', 'conversion_id'],
      touch: ['synced_at = now()'],
    },
    rows,
  );
}
