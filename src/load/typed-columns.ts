import { createHash } from 'node:crypto';
import { typingRule, type TypingRule } from './typed-values.js';

/**
 * Which property gets which column in `<table>_typed`, from the stored property definitions: a pure function, so the
 * same definitions always give the same columns (names, order, what was left out), whichever process builds them.
 */

/** The record columns every typed relation starts with; a property of one of these names is prefixed `property_`. */
export const BASE_COLUMNS = ['id', 'archived', 'created_at', 'updated_at', 'deleted_at'] as const;
/** Postgres' limit on the columns of a table or view. */
export const MAX_COLUMNS = 1600;
/** Postgres truncates longer identifiers (in bytes), so every generated name is made to fit. */
export const MAX_IDENTIFIER_BYTES = 63;

/** A property definition as the builder reads it from `property_definitions`. */
export interface PropertyDefinition {
  name: string;
  type: string;
  fieldType: string | null;
  hubspotDefined: boolean;
  archived: boolean;
  options: { value: string; label: string }[];
  /** From the raw definition: HubSpot sets `OWNER` (with externalOptions) on properties holding owner ids. */
  referencedObjectType: string | null;
}

/**
 * How a property's companion column reads: `options` the enumeration's option labels, `owner` the owner's name,
 * `pipeline` / `stage` the label from `pipelines` / `pipeline_stages` of the record's own pipeline.
 */
export type CompanionKind = 'options' | 'owner' | 'pipeline' | 'stage';

export interface TypedColumn {
  property: string;
  column: string;
  rule: TypingRule;
  companion?: { column: string; kind: CompanionKind };
  /** For a stage: the column of the record's pipeline property, when that property has one. */
  pipelineColumn?: string;
  /** value -> label from the definition (enumerations; for pipelines and stages, the fallback). */
  options: { value: string; label: string }[];
}

export interface OmittedProperty {
  property: string;
  reason: string;
}

export interface ColumnPlan {
  columns: TypedColumn[];
  omitted: OmittedProperty[];
}

/** Owner-id properties HubSpot defines, for definitions stored without `referencedObjectType`. */
const OWNER_PROPERTIES = new Set(['hubspot_owner_id', 'hs_all_owner_ids']);
/**
 * Pipeline and stage properties, by name as HubSpot defines them: deals use `pipeline`/`dealstage`; tickets, leads,
 * custom objects (and appointments, courses, listings, services, orders) `hs_pipeline`/`hs_pipeline_stage`. A
 * definition that says `referencedObjectType: PIPELINE` or `PIPELINE_STAGE` counts too.
 */
const PIPELINE_OF_STAGE: Record<string, string> = { dealstage: 'pipeline', hs_pipeline_stage: 'hs_pipeline' };
const PIPELINE_PROPERTIES = new Set(Object.values(PIPELINE_OF_STAGE));

export const OMITTED_COLUMN_LIMIT = `over the ${MAX_COLUMNS.toLocaleString('en-US')}-column limit`;
export const OMITTED_NOT_SELECTED = 'not extracted';

export function companionKind(d: PropertyDefinition): CompanionKind | undefined {
  const ref = d.referencedObjectType?.toUpperCase();
  if (ref === 'OWNER' || OWNER_PROPERTIES.has(d.name)) return 'owner';
  if (ref === 'PIPELINE_STAGE' || d.name in PIPELINE_OF_STAGE) return 'stage';
  if (ref === 'PIPELINE' || PIPELINE_PROPERTIES.has(d.name)) return 'pipeline';
  if (d.type === 'enumeration') return 'options';
  return undefined;
}

const SUFFIX: Record<CompanionKind, string> = { options: '__label', pipeline: '__label', stage: '__label', owner: '__owner' };

/**
 * Hubspot-defined properties first, then custom ones, each by name; columns are given in that order until the
 * relation would pass 1,600 columns (a property and its companion go in together or not at all), and every property
 * after that is left out. `select` leaves out properties the extractor does not fetch (HUBSPOT_PROPERTIES).
 */
export function planColumns(definitions: PropertyDefinition[], select: (property: string) => boolean = () => true): ColumnPlan {
  const live = definitions
    .filter((d) => !d.archived)
    .sort((a, b) => Number(b.hubspotDefined) - Number(a.hubspotDefined) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const omitted: OmittedProperty[] = [];
  const chosen: PropertyDefinition[] = [];
  let width: number = BASE_COLUMNS.length;
  let full = false;
  for (const d of live) {
    if (!select(d.name)) {
      omitted.push({ property: d.name, reason: OMITTED_NOT_SELECTED });
      continue;
    }
    const need = companionKind(d) ? 2 : 1;
    if (full || width + need > MAX_COLUMNS) {
      full = true;
      omitted.push({ property: d.name, reason: OMITTED_COLUMN_LIMIT });
      continue;
    }
    width += need;
    chosen.push(d);
  }
  // Value columns are named before any companion, so a property really called `x__label` keeps its name and the
  // companion of `x` is the one that moves aside.
  const taken = new Set<string>(BASE_COLUMNS);
  const stems = new Map<string, string>();
  const columns: TypedColumn[] = chosen.map((d) => {
    const stem = (BASE_COLUMNS as readonly string[]).includes(d.name) ? `property_${d.name}` : d.name;
    stems.set(d.name, stem);
    return { property: d.name, column: claim(stem, '', d.name, taken), rule: typingRule(d.type, d.fieldType), options: d.options };
  });
  const byProperty = new Map(columns.map((c) => [c.property, c]));
  chosen.forEach((d, i) => {
    const kind = companionKind(d);
    if (!kind) return;
    columns[i].companion = { kind, column: claim(stems.get(d.name)!, SUFFIX[kind], d.name, taken) };
    if (kind === 'stage') {
      const pipeline = byProperty.get(PIPELINE_OF_STAGE[d.name] ?? '') ?? byProperty.get('hs_pipeline') ?? byProperty.get('pipeline');
      if (pipeline) columns[i].pipelineColumn = pipeline.column;
    }
  });
  return { columns, omitted };
}

/**
 * `stem + suffix` when it fits in 63 bytes and is free. A longer name keeps its beginning and gets a short hash of
 * the property's name (so it does not change when other properties come and go); a taken one gets `_2`, `_3`, ...
 */
function claim(stem: string, suffix: string, property: string, taken: Set<string>): string {
  let name = fit(stem, suffix, property);
  for (let n = 2; taken.has(name); n++) {
    // The counter goes last (before the suffix), never into the part a long name loses, so each n is a new name.
    const counter = `_${n}`;
    name = truncateBytes(fit(stem, '', property), MAX_IDENTIFIER_BYTES - bytes(counter) - bytes(suffix)) + counter + suffix;
  }
  taken.add(name);
  return name;
}

function fit(stem: string, suffix: string, property: string): string {
  const full = stem + suffix;
  if (bytes(full) <= MAX_IDENTIFIER_BYTES) return full;
  const hash = `_${createHash('sha1').update(property).digest('hex').slice(0, 8)}`;
  return truncateBytes(stem, MAX_IDENTIFIER_BYTES - bytes(hash) - bytes(suffix)) + hash + suffix;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** The longest prefix of whole characters that fits in `max` bytes. */
export function truncateBytes(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (bytes(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/** A relation name derived from a table's (`contacts` -> `contacts_typed`), made to fit like the columns. */
export function derivedName(table: string, suffix: string): string {
  return fit(table, suffix, table);
}
