import type { Database } from '../../src/db/database.js';
import { ident } from '../../src/db/database.js';
import { cleanJson } from '../../src/load/clean-text.js';
import type { Manifest } from '../../src/sim/index.js';
import { STANDARD_OBJECT_TYPES } from '../../src/hubspot/object-types.js';

/**
 * Compares an extracted database with the simulator's ground truth and lists every difference (an empty
 * list means equal). Values are compared after the loader's documented cleaning (U+0000 → U+FFFD).
 * Associations are compared as undirected edges per pair: the extractor reads each pair from one side and
 * stores it in that direction, with that direction's type id; labelled edges (a ticket's Reporter, a project's
 * Sponsor...) are compared the same way by their label's type ids, and their label text.
 *
 * Every object type the portal has is compared by default: the standard ones (less those it lacks,
 * `unavailableTypes`) and every custom object, found in the table `object_types` names for its `objectTypeId`.
 */
export interface EqualityOptions {
  /** Type names (`contacts`, `line_items`, a custom object's schema name) or custom type ids (`2-…`); default every type. */
  types?: string[];
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
  const tables = await extractedTables(db, manifest);
  const wanted = options.types ?? manifest.objectTypes.map((t) => t.key);
  // Manifest type keys (a standard type's name, a custom object's `2-…`) of the types compared.
  const keys = wanted.map((w) => manifest.objectTypes.find((t) => t.key === w || t.name === w)?.key ?? w);
  const compared = keys.filter((k) => !(manifest.unavailableTypes as string[]).includes(k));
  for (const k of keys)
    if ((manifest.unavailableTypes as string[]).includes(k) && (await rowCount(db, k)) > 0) add(`${k}: rows stored for a type the portal does not have`);

  for (const key of compared) {
    const table = tables.get(key);
    if (!table) {
      add(`${key}: not extracted (no object_types row names a table for it)`);
      continue;
    }
    const type = key === table ? key : `${table} (${key})`;
    const expected = new Map((manifest.objects[key] ?? []).filter((r) => options.includeArchived || !r.archived).map((r) => [r.id, r]));
    const { rows } = await db.query<{ id: string; properties: Record<string, string | null>; archived: boolean }>(
      // Archived is not deleted (issue 17): a record archived since it was stored stays, marked archived, and
      // a comparison without archived records leaves those rows out instead of expecting them deleted.
      `select id::text as id, properties, archived from ${s}.${ident(table)} where deleted_at is null${options.includeArchived ? '' : ' and not archived'}`,
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
    const typeSet = new Set<string>(compared);
    for (const pair of manifest.associations) {
      if (!typeSet.has(pair.fromType) || !typeSet.has(pair.toType)) continue;
      const from = tables.get(pair.fromType)!;
      const to = tables.get(pair.toType)!;
      // The pair's default (unlabelled) type, which every edge carries, then each label on the edges that have it.
      const kinds = [
        { name: pair.pair, typeId: pair.typeId, reverseTypeId: pair.reverseTypeId, label: null as string | null, edges: pair.edges },
        ...pair.labels.map((l) => ({
          name: `${pair.pair} "${l.label}"`,
          typeId: l.typeId,
          reverseTypeId: l.reverseTypeId,
          label: l.label,
          edges: pair.labelled.filter(([, , id]) => id === l.typeId).map(([a, b]) => [a, b] as [string, string]),
        })),
      ];
      for (const kind of kinds) {
        const { rows } = await db.query<{ from_type: string; from_id: string; to_id: string; label: string | null }>(
          `select from_type, from_id::text, to_id::text, label from ${s}.associations
           where (from_type = $1 and to_type = $2 and type_id = $3) or (from_type = $2 and to_type = $1 and type_id = $4)`,
          [from, to, kind.typeId, kind.reverseTypeId],
        );
        const actual = new Set(rows.map((r) => (r.from_type === from ? `${r.from_id}>${r.to_id}` : `${r.to_id}>${r.from_id}`)));
        const expected = new Set(kind.edges.map(([a, b]) => `${a}>${b}`));
        if (rows.length !== actual.size) add(`${kind.name}: the same edge stored twice`);
        for (const e of expected) if (!actual.has(e)) add(`${kind.name}: missing edge ${e}`);
        for (const e of actual) if (!expected.has(e)) add(`${kind.name}: unexpected edge ${e}`);
        if (kind.label !== null) {
          for (const r of rows) if (r.label !== kind.label) add(`${kind.name}: edge ${r.from_id}>${r.to_id} labelled ${JSON.stringify(r.label)}`);
        }
      }
    }
  }

  if (options.forms !== false) {
    const wantForms = manifest.forms.filter((f) => !f.archived);
    const { rows: forms } = await db.query<{ id: string; name: string; form_type: string }>(
      `select id, name, form_type from ${s}.forms where deleted_at is null`,
    );
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

/**
 * Manifest type key -> the table it was extracted into: standard types by name, custom objects by the
 * `object_types` row of their `objectTypeId` (absent when the run did not extract them).
 */
export async function extractedTables(db: Database, manifest: Manifest): Promise<Map<string, string>> {
  const { rows } = await db.query<{ object_type_id: string; table_name: string }>(`select object_type_id, table_name from ${ident(db.schema)}.object_types`);
  const byId = new Map(rows.map((r) => [r.object_type_id, r.table_name]));
  const out = new Map<string, string>();
  for (const t of manifest.objectTypes) {
    if (!t.custom) out.set(t.key, t.key);
    else if (byId.has(t.objectTypeId)) out.set(t.key, byId.get(t.objectTypeId)!);
  }
  return out;
}

async function rowCount(db: Database, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`select count(*) as n from ${ident(db.schema)}.${ident(table)}`);
  return Number(rows[0].n);
}

/** Rows stored more than once, across every table keyed by id (a merge bug would show here). */
export async function duplicateCounts(db: Database): Promise<Record<string, number>> {
  const s = ident(db.schema);
  const out: Record<string, number> = {};
  const { rows: custom } = await db.query<{ table_name: string }>(`select table_name from ${s}.object_types where custom order by 1`);
  for (const t of [...STANDARD_OBJECT_TYPES.map((o) => o.name), ...custom.map((r) => r.table_name)]) {
    const { rows } = await db.query<{ n: string }>(`select count(*) - count(distinct id) as n from ${s}.${ident(t)}`);
    out[t] = Number(rows[0].n);
  }
  const { rows } = await db.query<{ n: string }>(`select count(*) - count(distinct (form_id, conversion_id)) as n from ${s}.form_submissions`);
  out.form_submissions = Number(rows[0].n);
  return out;
}
