import type { Database } from '../../src/db/database.js';
import { ident } from '../../src/db/database.js';
import { cleanJson } from '../../src/load/clean-text.js';
import type { Manifest } from '../../src/sim/index.js';
import { ASSOCIATION_PAIRS } from '../../src/sim/index.js';
import { CRM_OBJECT_TYPES, type CrmObjectType } from '../../extractors/types.js';

/**
 * Compares an extracted database with the simulator's ground truth and lists every difference (an empty
 * list means equal). Values are compared after the loader's documented cleaning (U+0000 → U+FFFD).
 * Associations are compared as undirected edges per pair: the extractor reads each pair from one side and
 * stores it in that direction, with that direction's type id.
 */
export interface EqualityOptions {
  types?: CrmObjectType[];
  includeArchived?: boolean;
  forms?: boolean;
  associations?: boolean;
  /** Stop listing differences after this many. */
  maxDifferences?: number;
  /** Compare only these properties (a run that read only them: HUBSPOT_PROPERTIES). */
  properties?: readonly string[];
}

export async function portalDifferences(db: Database, manifest: Manifest, options: EqualityOptions = {}): Promise<string[]> {
  const diffs: string[] = [];
  const max = options.maxDifferences ?? 20;
  const add = (d: string) => {
    if (diffs.length < max) diffs.push(d);
  };
  const s = ident(db.schema);
  const types = options.types ?? [...CRM_OBJECT_TYPES];

  for (const type of types) {
    const expected = new Map(
      manifest.objects[type].filter((r) => options.includeArchived || !r.archived).map((r) => [r.id, r]),
    );
    const { rows } = await db.query<{ id: string; properties: Record<string, string | null>; archived: boolean }>(
      // Archived is not deleted (issue 17): a record archived since it was stored stays, marked archived, and
      // a comparison without archived records leaves those rows out instead of expecting them deleted.
      `select id::text as id, properties, archived from ${s}.${ident(type)} where deleted_at is null${options.includeArchived ? '' : ' and not archived'}`,
    );
    const actual = new Map(rows.map((r) => [r.id, r]));
    if (rows.length !== actual.size) add(`${type}: duplicate ids`);
    for (const id of expected.keys()) if (!actual.has(id)) add(`${type}: missing ${id}`);
    for (const id of actual.keys()) if (!expected.has(id)) add(`${type}: unexpected ${id}`);
    for (const [id, want] of expected) {
      const got = actual.get(id);
      if (!got) continue;
      const wantProps = cleanJson(want.properties);
      for (const [k, v] of Object.entries(wantProps)) {
        if (options.properties && !options.properties.includes(k)) continue;
        if ((got.properties[k] ?? null) !== v) add(`${type} ${id}: property ${k} is ${JSON.stringify(got.properties[k])}, portal has ${JSON.stringify(v)}`);
      }
      if (got.archived !== want.archived) add(`${type} ${id}: archived ${got.archived}, portal ${want.archived}`);
    }
  }

  if (options.associations !== false) {
    const typeSet = new Set<string>(types);
    for (const pair of manifest.associations) {
      if (!typeSet.has(pair.fromType) || !typeSet.has(pair.toType)) continue;
      const def = ASSOCIATION_PAIRS.find((p) => p.from === pair.fromType && p.to === pair.toType)!;
      const { rows } = await db.query<{ from_type: string; from_id: string; to_id: string; type_id: number }>(
        `select from_type, from_id::text, to_id::text, type_id from ${s}.associations
         where (from_type = $1 and to_type = $2 and type_id = $3) or (from_type = $2 and to_type = $1 and type_id = $4)`,
        [def.from, def.to, def.typeId, def.reverseTypeId],
      );
      const actual = new Set(rows.map((r) => (r.from_type === def.from ? `${r.from_id}>${r.to_id}` : `${r.to_id}>${r.from_id}`)));
      const expected = new Set(pair.edges.map(([a, b]) => `${a}>${b}`));
      if (rows.length !== actual.size) add(`${pair.pair}: the same edge stored twice`);
      for (const e of expected) if (!actual.has(e)) add(`${pair.pair}: missing edge ${e}`);
      for (const e of actual) if (!expected.has(e)) add(`${pair.pair}: unexpected edge ${e}`);
    }
  }

  if (options.forms !== false) {
    const wantForms = manifest.forms.filter((f) => !f.archived);
    const { rows: forms } = await db.query<{ id: string; name: string; form_type: string }>(`select id, name, form_type from ${s}.forms where deleted_at is null`);
    const got = new Map(forms.map((f) => [f.id, f]));
    for (const f of wantForms) {
      const g = got.get(f.id);
      if (!g) add(`forms: missing ${f.id}`);
      else if (g.name !== cleanJson(f.name) || g.form_type !== f.formType) add(`forms ${f.id}: name/type differ`);
    }
    if (forms.length !== wantForms.length) add(`forms: ${forms.length} stored, portal has ${wantForms.length}`);
    for (const [formId, subs] of Object.entries(manifest.submissions)) {
      if (!got.has(formId)) continue;
      const { rows } = await db.query<{ conversion_id: string; submitted_at: Date; page_url: string; values: unknown }>(
        `select conversion_id, submitted_at, page_url, "values" from ${s}.form_submissions where form_id = $1`,
        [formId],
      );
      const stored = new Map(rows.map((r) => [r.conversion_id, r]));
      if (rows.length !== subs.length) add(`submissions of ${formId}: ${rows.length} stored, portal has ${subs.length}`);
      for (const sub of subs) {
        const r = stored.get(sub.conversionId);
        if (!r) {
          add(`submissions of ${formId}: missing ${sub.conversionId}`);
          continue;
        }
        if (r.submitted_at.getTime() !== sub.submittedAt) add(`submission ${sub.conversionId}: submitted_at differs`);
        if (r.page_url !== cleanJson(sub.pageUrl)) add(`submission ${sub.conversionId}: page_url differs`);
        if (JSON.stringify(r.values) !== JSON.stringify(cleanJson(sub.values.map((v) => ({ name: v.name, value: v.value }))))) {
          const values = (r.values as { name: string; value: string }[]).map((v) => ({ name: v.name, value: v.value }));
          if (JSON.stringify(values) !== JSON.stringify(cleanJson(sub.values.map((v) => ({ name: v.name, value: v.value }))))) {
            add(`submission ${sub.conversionId}: values differ`);
          }
        }
      }
    }
  }
  return diffs;
}

/** Rows stored more than once, across every table keyed by id (a merge bug would show here). */
export async function duplicateCounts(db: Database): Promise<Record<string, number>> {
  const s = ident(db.schema);
  const out: Record<string, number> = {};
  for (const t of CRM_OBJECT_TYPES) {
    const { rows } = await db.query<{ n: string }>(`select count(*) - count(distinct id) as n from ${s}.${ident(t)}`);
    out[t] = Number(rows[0].n);
  }
  const { rows } = await db.query<{ n: string }>(`select count(*) - count(distinct (form_id, conversion_id)) as n from ${s}.form_submissions`);
  out.form_submissions = Number(rows[0].n);
  return out;
}
