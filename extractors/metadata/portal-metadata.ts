import type { PropertySelection } from '../../config/property-selection.js';
import { selectProperties } from '../../config/property-selection.js';
import type { TypedRelationsMode } from '../../config/typed-relations-modes.js';
import type { Database } from '../../src/db/database.js';
import { modifiedDateProperty, type OwnerRecord, type Page, type PipelineRecord, type PropertyDefinition } from '../../src/hubspot/api.js';
import { storeOwners, storePipelines, storePropertyDefinitions } from '../../src/load/metadata.js';
import { rebuildTypedRelation, typedRelationNotes, type TypedRebuildResult } from '../../src/load/typed-relations.js';
import { FatalRunError, ObjectTypeUnavailableError, SkippedItemError } from '../../src/processor/errors.js';
import type { UnavailableTypes } from '../object-types.js';
import type { ExtractorEvent, FanOut } from '../types.js';

/**
 * The portal's metadata, refreshed on every run before any object extractor starts (issue 14): owners (live and
 * archived), each type's property definitions, and the pipelines and stages of every type that has them; and, in the
 * transaction that stores a type's definitions, its typed relation (`<table>_typed`, issue 15), so that a property
 * added in the portal is a column before the run's rows load and the loader's hook types them.
 *
 * The definitions are read once per type per run: the run's reader caches them, and the object extractor's own
 * `getPropertyNames` is served from that cache (README "How many calls").
 */
export interface MetadataReader {
  /** A type's live property definitions (every field), read once per run. */
  getPropertyDefinitions(type: string): Promise<PropertyDefinition[]>;
  listOwnersPage(archived: boolean, after?: string): Promise<Page<OwnerRecord>>;
  getPipelines(type: string): Promise<PipelineRecord[]>;
}

/** What the step needs of a run's types: structurally a subset of `ObjectTypeInfo` (extractors/object-types.ts). */
export interface MetadataObjectType {
  /** The `object_type` value in every metadata table (a custom object's `object_types.name`). */
  readonly name: string;
  readonly table: string;
  /** The name its paths use: a custom object's objectTypeId (extractors/object-types.ts `apiTypeOf`). */
  readonly apiType: string;
}

export interface MetadataContext {
  db: Database;
  reader: MetadataReader;
  fanOut: FanOut;
  signal: AbortSignal;
  emit(event: ExtractorEvent): void;
  /** HUBSPOT_TYPED_RELATIONS. */
  typedRelations: TypedRelationsMode;
  /** HUBSPOT_PROPERTIES: only the properties read get a typed column. */
  properties: PropertySelection;
  /** Types the portal lacks: reported once for the whole run, then skipped by every stream. */
  unavailable: Pick<UnavailableTypes, 'report' | 'has'>;
}

export interface PortalMetadataResult {
  owners: number;
  pipelines: number;
  definitions: number;
  typed: TypedRebuildResult[];
  /** For the run summary: typed relations' notes (properties over the column limit, relations not rebuilt) and streams skipped. */
  notes: string[];
}

/**
 * A type has pipelines when its catalog has a stage property (`dealstage` on deals, `hs_pipeline_stage` on tickets,
 * leads and custom objects, HubSpot's mark on the others): decided from the definitions already read, so types without
 * pipelines cost no call. Contacts and companies list an `hs_pipeline` (lifecycle pipelines) but no stage property.
 */
export const STAGE_PROPERTIES: readonly string[] = ['dealstage', 'hs_pipeline_stage'];

export function hasPipelines(definitions: readonly { name: string }[]): boolean {
  return definitions.some((d) => STAGE_PROPERTIES.includes(d.name));
}

export async function extractPortalMetadata(ctx: MetadataContext, objectTypes: readonly MetadataObjectType[]): Promise<PortalMetadataResult> {
  const result: PortalMetadataResult = { owners: 0, pipelines: 0, definitions: 0, typed: [], notes: [] };
  const note = (extractor: string, message: string) => {
    result.notes.push(message);
    ctx.emit({ type: 'extractor:note', extractor, level: 'warn', message });
  };
  // Rows by stream for the summary (`extractor:done`); no `extractor:start`: that event announces a CRM type's pass.
  // Types first (side by side), owners after: a stop or a failure on the first requests ends the step without
  // sending more (the types' reads are what the object extractors wait for).
  await ctx.fanOut.processBatch(
    objectTypes,
    async (type) => {
      const { definitions, pipelines, typed } = await refreshType(ctx, type, note);
      result.definitions += definitions;
      result.pipelines += pipelines;
      if (typed) result.typed.push(typed);
    },
    { desc: 'property definitions' },
  );
  result.owners = await readOwners(ctx, note);
  ctx.emit({ type: 'extractor:done', extractor: 'property_definitions', rows: result.definitions });
  if (result.pipelines > 0) ctx.emit({ type: 'extractor:done', extractor: 'pipelines', rows: result.pipelines });
  for (const line of typedRelationNotes(result.typed)) note('typed relations', line);
  return result;
}

/** Every owner, live then archived, each list read to its end before anything is stored. */
async function readOwners(ctx: MetadataContext, note: (extractor: string, message: string) => void): Promise<number> {
  const owners: OwnerRecord[] = [];
  try {
    for (const archived of [false, true]) {
      const seen = new Set<string>();
      let after: string | undefined;
      do {
        if (ctx.signal.aborted) return 0;
        const page = await ctx.reader.listOwnersPage(archived, after);
        owners.push(...page.results.map((o) => (archived ? { ...o, archived: true } : o)));
        after = page.nextAfter;
        if (after !== undefined && seen.has(after)) throw new Error(`owners: pagination repeated cursor ${after}`);
        if (after !== undefined) seen.add(after);
      } while (after !== undefined);
    }
  } catch (error) {
    // An app without the owners scope still extracts everything else; the owner labels stay empty.
    if (skippable(error)) {
      note('owners', `owners not read (${(error as Error).message}); hubspot_owner_id__owner labels stay empty until they are`);
      return 0;
    }
    throw error;
  }
  await ctx.db.transaction((tx) => storeOwners(tx, ctx.db.schema, owners));
  ctx.emit({ type: 'extractor:done', extractor: 'owners', rows: owners.length });
  return owners.length;
}

async function refreshType(
  ctx: MetadataContext,
  type: MetadataObjectType,
  note: (extractor: string, message: string) => void,
): Promise<{ definitions: number; pipelines: number; typed?: TypedRebuildResult }> {
  if (ctx.signal.aborted) return { definitions: 0, pipelines: 0 };
  let definitions: PropertyDefinition[];
  try {
    definitions = await ctx.reader.getPropertyDefinitions(type.apiType);
  } catch (error) {
    if (!(error instanceof ObjectTypeUnavailableError)) throw error;
    // A type the portal lacks (leads without Sales Hub): skipped by every stream, reported once.
    ctx.unavailable.report(type.name, error);
    return { definitions: 0, pipelines: 0 };
  }
  if (definitions.length === 0) {
    // Every HubSpot type has default properties: an empty catalog is not one, and archiving every stored definition
    // (and every typed column) on its word would be wrong.
    note('property_definitions', `${type.name}: the properties API listed no property; the stored definitions and ${type.table}_typed are kept as they were`);
    return { definitions: 0, pipelines: 0 };
  }
  let pipelines: PipelineRecord[] | undefined;
  if (hasPipelines(definitions)) {
    try {
      pipelines = await ctx.reader.getPipelines(type.apiType);
    } catch (error) {
      if (!skippable(error)) throw error;
      note('pipelines', `${type.name} pipelines not read (${(error as Error).message}); their labels stay as stored`);
    }
  }
  // The properties the extractor reads get typed columns; the others are left out (the user's choice).
  const { properties } = selectProperties(
    ctx.properties,
    type.name,
    definitions.map((d) => d.name),
    [modifiedDateProperty(type.name), 'hs_object_id'],
  );
  const selected = new Set(properties);
  const typed = await ctx.db.transaction(async (tx) => {
    await storePropertyDefinitions(
      tx,
      ctx.db.schema,
      type.name,
      definitions.map((d) => ({ ...d, hidden: d.raw.hidden === true })),
    );
    if (pipelines) await storePipelines(tx, ctx.db.schema, type.name, pipelines);
    return rebuildTypedRelation(
      tx,
      { schema: ctx.db.schema, objectType: type.name, table: type.table },
      { mode: ctx.typedRelations, select: (p) => selected.has(p) },
    );
  });
  return { definitions: definitions.length, pipelines: pipelines?.length ?? 0, typed };
}

/** A missing scope (403) or a request the portal refuses (400, 404) skips a metadata stream; anything else fails the run. */
function skippable(error: unknown): boolean {
  return (error instanceof FatalRunError && error.reason === 'scope') || error instanceof SkippedItemError;
}
