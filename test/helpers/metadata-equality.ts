import { isDeepStrictEqual } from 'node:util';
import type { Database } from '../../src/db/database.js';
import type { Manifest } from '../../src/sim/manifest.js';

/**
 * The portal's metadata in the database against the simulator's manifest (v2): owners, pipelines and stages,
 * property definitions, property history. Returns one line per difference (empty: equal), so a failing test
 * says what differs. Issue 14's rules:
 * - owners: every owner, archived ones included, with its fields and `raw` as the API sent it; none extra;
 * - pipelines and stages: every live one as listed; one archived in the portal is either absent (the API never
 *   listed it to this database: HubSpot lists no archived pipeline or stage) or stored `archived`; none extra;
 * - property definitions: every live one with `raw` equal to the API's definition and the columns taken from it;
 *   one archived in the portal is `archived` (or absent); none extra;
 * - property history (for the types and properties the manifest carries history for): exactly the changes HubSpot
 *   keeps for each record the database holds, no duplicates.
 */
export interface MetadataEqualityOptions {
  /** Types whose definitions (and pipelines) are compared; default every type in the database. */
  types?: readonly string[];
  /** `type -> properties` whose history is compared (the manifest must have been asked for it). */
  history?: Readonly<Record<string, readonly string[]>>;
}

export async function metadataDifferences(db: Database, manifest: Manifest, options: MetadataEqualityOptions = {}): Promise<string[]> {
  const s = db.schema;
  const out: string[] = [];
  const shown = (label: string, list: string[]) => {
    if (list.length > 0) out.push(`${label}: ${list.length} (${list.slice(0, 5).join('; ')}${list.length > 5 ? '; ...' : ''})`);
  };

  // Owners.
  const { rows: owners } = await db.query<{
    id: string;
    user_id: string | null;
    email: string | null;
    first_name: string | null;
    last_name: string | null;
    teams: unknown;
    archived: boolean;
    raw: unknown;
  }>(`select id::text, user_id::text, email, first_name, last_name, teams, archived, raw from ${s}.owners`);
  const storedOwners = new Map(owners.map((o) => [o.id, o]));
  const ownerProblems: string[] = [];
  for (const m of manifest.owners) {
    const id = String(m.id);
    const o = storedOwners.get(id);
    if (!o) {
      ownerProblems.push(`${id} missing`);
      continue;
    }
    const expected = {
      user_id: m.userId === undefined ? null : String(m.userId),
      email: m.email ?? null,
      first_name: m.firstName ?? null,
      last_name: m.lastName ?? null,
      teams: m.teams ?? [],
      archived: m.archived === true,
      raw: m,
    };
    const actual = { user_id: o.user_id, email: o.email, first_name: o.first_name, last_name: o.last_name, teams: o.teams, archived: o.archived, raw: o.raw };
    if (!isDeepStrictEqual(actual, expected))
      ownerProblems.push(`${id} differs: ${JSON.stringify(actual).slice(0, 200)} vs ${JSON.stringify(expected).slice(0, 200)}`);
  }
  const manifestOwners = new Set(manifest.owners.map((o) => String(o.id)));
  shown('owners differing', ownerProblems);
  shown(
    'owners not in the portal',
    owners.filter((o) => !manifestOwners.has(o.id)).map((o) => o.id),
  );

  // Types compared.
  const { rows: typeRows } = await db.query<{ object_type: string }>(`select distinct object_type from ${s}.property_definitions`);
  const types = options.types ?? typeRows.map((r) => r.object_type);

  // Pipelines and stages.
  const { rows: pipelines } = await db.query<{ object_type: string; id: string; label: string | null; display_order: number | null; archived: boolean }>(
    `select object_type, id, label, display_order, archived from ${s}.pipelines where object_type = any($1)`,
    [types],
  );
  const { rows: stages } = await db.query<{
    object_type: string;
    pipeline_id: string;
    id: string;
    label: string | null;
    display_order: number | null;
    metadata: unknown;
    archived: boolean;
  }>(`select object_type, pipeline_id, id, label, display_order, metadata, archived from ${s}.pipeline_stages where object_type = any($1)`, [types]);
  const pipelineProblems: string[] = [];
  const knownPipelines = new Set<string>();
  const knownStages = new Set<string>();
  for (const type of types) {
    for (const p of (manifest.pipelines[type] ?? []) as Array<Record<string, unknown>>) {
      const key = `${type}/${String(p.id)}`;
      knownPipelines.add(key);
      const row = pipelines.find((r) => r.object_type === type && r.id === p.id);
      const archived = p.archived === true;
      if (!row) {
        if (!archived) pipelineProblems.push(`${key} missing`);
      } else if (archived ? !row.archived : row.archived || row.label !== p.label || row.display_order !== p.displayOrder) {
        pipelineProblems.push(`${key} differs: ${JSON.stringify(row)}`);
      }
      for (const st of p.stages as Array<Record<string, unknown>>) {
        const stageKey = `${key}/${String(st.id)}`;
        knownStages.add(stageKey);
        const sr = stages.find((r) => r.object_type === type && r.pipeline_id === p.id && r.id === st.id);
        const stageArchived = archived || st.archived === true;
        if (!sr) {
          if (!stageArchived) pipelineProblems.push(`stage ${stageKey} missing`);
        } else if (
          stageArchived
            ? !sr.archived
            : sr.archived || sr.label !== st.label || sr.display_order !== st.displayOrder || !isDeepStrictEqual(sr.metadata, st.metadata)
        ) {
          pipelineProblems.push(`stage ${stageKey} differs: ${JSON.stringify(sr)} vs ${JSON.stringify(st)}`);
        }
      }
    }
  }
  shown('pipelines differing', pipelineProblems);
  shown(
    'pipelines not in the portal',
    pipelines.filter((p) => !knownPipelines.has(`${p.object_type}/${p.id}`)).map((p) => `${p.object_type}/${p.id}`),
  );
  shown(
    'stages not in the portal',
    stages.filter((p) => !knownStages.has(`${p.object_type}/${p.pipeline_id}/${p.id}`)).map((p) => `${p.object_type}/${p.pipeline_id}/${p.id}`),
  );

  // Property definitions.
  const definitionProblems: string[] = [];
  const extraDefinitions: string[] = [];
  for (const type of types) {
    const { rows } = await db.query<{
      name: string;
      label: string | null;
      type: string;
      field_type: string | null;
      group_name: string | null;
      description: string | null;
      options: unknown;
      calculated: boolean;
      hubspot_defined: boolean;
      hidden: boolean;
      archived: boolean;
      raw: Record<string, unknown>;
    }>(
      `select name, label, type, field_type, group_name, description, options, calculated, hubspot_defined, hidden, archived, raw
       from ${s}.property_definitions where object_type = $1`,
      [type],
    );
    const stored = new Map(rows.map((r) => [r.name, r]));
    const listed = (manifest.properties[type] ?? []) as unknown as Array<Record<string, unknown>>;
    for (const d of listed) {
      const row = stored.get(String(d.name));
      const archived = d.archived === true;
      if (!row) {
        if (!archived) definitionProblems.push(`${type}.${String(d.name)} missing`);
        continue;
      }
      if (archived) {
        if (!row.archived) definitionProblems.push(`${type}.${String(d.name)} archived in the portal, not in the database`);
        continue;
      }
      const expected = {
        label: d.label ?? null,
        type: d.type,
        field_type: d.fieldType ?? null,
        group_name: d.groupName ?? null,
        description: d.description ?? null,
        options: d.options ?? [],
        calculated: d.calculated === true,
        hubspot_defined: d.hubspotDefined === true,
        hidden: d.hidden === true,
        archived: false,
        raw: d,
      };
      const { name: _name, ...actual } = row;
      if (!isDeepStrictEqual(actual, expected)) definitionProblems.push(`${type}.${String(d.name)} differs`);
    }
    const names = new Set(listed.map((d) => String(d.name)));
    extraDefinitions.push(...rows.filter((r) => !names.has(r.name)).map((r) => `${type}.${r.name}`));
  }
  shown('property definitions differing', definitionProblems);
  shown('property definitions not in the portal', extraDefinitions);

  // Property history.
  for (const [type, properties] of Object.entries(options.history ?? {})) {
    const { rows: ids } = await db.query<{ id: string }>(`select id::text from ${s}.${type} where deleted_at is null`);
    const held = new Set(ids.map((r) => r.id));
    const expected = new Set<string>();
    for (const record of manifest.objects[type] ?? []) {
      if (!held.has(record.id)) continue;
      for (const property of properties) {
        for (const e of record.propertiesWithHistory?.[property] ?? []) {
          expected.add(
            JSON.stringify([
              record.id,
              property,
              e.value,
              e.timestamp,
              e.sourceType ?? null,
              e.sourceId ?? null,
              e.updatedByUserId === undefined ? null : String(e.updatedByUserId),
            ]),
          );
        }
      }
    }
    const { rows } = await db.query<{
      object_id: string;
      property: string;
      value: string | null;
      changed_at: Date;
      source_type: string | null;
      source_id: string | null;
      updated_by_user_id: string | null;
    }>(
      `select object_id::text, property, value, changed_at, source_type, source_id, updated_by_user_id::text
       from ${s}.property_history where object_type = $1 and property = any($2)`,
      [type, properties],
    );
    const actual = rows.map((r) =>
      JSON.stringify([r.object_id, r.property, r.value, r.changed_at.toISOString(), r.source_type, r.source_id, r.updated_by_user_id]),
    );
    const actualSet = new Set(actual);
    shown(
      `${type} history duplicates`,
      actual.filter((a, i) => actual.indexOf(a) !== i),
    );
    shown(
      `${type} history missing`,
      [...expected].filter((e) => !actualSet.has(e)),
    );
    shown(
      `${type} history not in the portal`,
      [...actualSet].filter((a) => !expected.has(a)),
    );
  }
  return out;
}
