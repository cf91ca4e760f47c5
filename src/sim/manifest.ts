import { schemaJson } from './custom-objects.js';
import type { HistoryEntry } from './history.js';
import { ownerJson } from './owners.js';
import { pipelineJson } from './pipelines.js';
import type { PropertyDefinition } from './property-catalog.js';
import type { Portal, SimRecord } from './portal.js';
import { createdDateProperty, modifiedDateProperty, pairKey, type AssociationCategory, type ObjectType, type StandardType } from './schema.js';

/**
 * The portal's ground truth at one instant, for tests that compare an extracted database with the portal.
 * Everything is in a fixed order (ids ascending, keys in a fixed order) so one seed gives byte-identical JSON.
 * Types are keyed by type key: a standard type's plural name, a custom object's `objectTypeId` (`2-…`).
 */

export interface ManifestRecord {
  /** Decimal int64 id as a string (may exceed 2^53). */
  id: string;
  /** ISO-8601 UTC with milliseconds, as the API's `createdAt`/`updatedAt`. */
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  /** Every property the properties API lists for the type, exactly as the API returns it (string or null). */
  properties: Record<string, string | null>;
  /** Only when the manifest was asked for history: each selected property's history, newest first, as the API returns it. */
  propertiesWithHistory?: Record<string, HistoryEntry[]>;
}

export interface ManifestAssociation {
  /** Canonical direction, e.g. "contacts->companies"; the reverse direction holds the same edges. */
  pair: string;
  fromType: ObjectType;
  toType: ObjectType;
  /** Association type id in the canonical direction and in the reverse one (the unlabelled default). */
  typeId: number;
  reverseTypeId: number;
  /** HUBSPOT_DEFINED, or USER_DEFINED for a custom object's pairs. */
  category: AssociationCategory;
  /** The labels defined on the pair besides the default (contact↔company Primary is in `primaryCompanies`). */
  labels: Array<{ category: AssociationCategory; typeId: number; reverseTypeId: number; label: string }>;
  /** [fromId, toId], ascending by fromId then toId; only edges whose two ends exist and are not archived. */
  edges: Array<[string, string]>;
  /** [fromId, toId, typeId]: the live edges that carry a label too (canonical-direction label type id), ascending. */
  labelled: Array<[string, string, number]>;
}

export interface ManifestForm {
  id: string;
  name: string;
  formType: 'hubspot' | 'captured' | 'flow' | 'blog_comment';
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface ManifestSubmission {
  conversionId: string;
  /** Epoch milliseconds, as the API's `submittedAt`. */
  submittedAt: number;
  pageUrl: string;
  values: Array<{ name: string; value: string }>;
}

/** One object type the portal has. */
export interface ManifestObjectType {
  key: ObjectType;
  objectTypeId: string;
  /** Plural API name, or the custom object's schema name. */
  name: string;
  custom: boolean;
  /** Custom objects: `p<portalId>_<name>`. */
  fullyQualifiedName?: string;
  createdDateProperty: string;
  /** The search cursor property (`lastmodifieddate` for contacts, `hs_lastmodifieddate` for every other type). */
  modifiedDateProperty: string;
  /** Whether its records sit in pipelines (`pipelines[key]`). */
  pipelines: boolean;
}

export interface Manifest {
  version: 2;
  seed: number;
  /** HubSpot's account id of the portal. */
  portalId: number;
  objectTypeIds: Record<ObjectType, string>;
  /** Every type the portal has, standard types first (in `OBJECT_TYPES` order), then custom objects. */
  objectTypes: ManifestObjectType[];
  /** Standard types the portal lacks: every endpoint of theirs answers 403 MISSING_SCOPES. */
  unavailableTypes: StandardType[];
  /** Existing records per type (archived included, hard-deleted excluded), ascending by id. */
  objects: Record<ObjectType, ManifestRecord[]>;
  /** Ids hard-deleted since start, ascending; they answer nowhere. */
  deleted: Record<ObjectType, string[]>;
  associations: ManifestAssociation[];
  /** All forms (every type, archived included), in the order the forms API lists them. */
  forms: ManifestForm[];
  /** formId → submissions newest first. blog_comment forms are absent: their submissions cannot be read. */
  submissions: Record<string, ManifestSubmission[]>;
  /** contact id → its primary company id (association type 1), ascending by contact id. */
  primaryCompanies: Array<[string, string]>;
  /** Every owner, archived ones included (`archived: true`), as the owners API returns them, ascending by id. */
  owners: Array<Record<string, unknown>>;
  /** Per type with pipelines: every pipeline and stage as the pipelines API returns them, archived ones included. */
  pipelines: Record<ObjectType, Array<Record<string, unknown>>>;
  /** Per type: every property definition as the properties API returns it, live ones then archived ones. */
  properties: Record<ObjectType, PropertyDefinition[]>;
  /** Every custom object schema as the schemas API returns it (properties and associations included). */
  schemas: Array<Record<string, unknown>>;
}

/** Which properties' history the manifest carries: every property of every type, or some per type. */
export type HistorySelection = 'all' | Partial<Record<ObjectType, string[]>>;

export interface ManifestOptions {
  /** Adds `propertiesWithHistory` to every record (it multiplies the manifest's size; off unless asked). */
  history?: HistorySelection;
}

/**
 * `all`, or `type:prop,prop;type:prop` as `HUBSPOT_PROPERTY_HISTORY` writes it (e.g. `deals:dealstage,amount`);
 * undefined for none.
 */
export function parseHistorySelection(raw: string | null | undefined): HistorySelection | undefined {
  if (!raw) return undefined;
  if (raw === 'all') return 'all';
  const out: Partial<Record<ObjectType, string[]>> = {};
  for (const part of raw.split(';')) {
    const [type, names] = part.split(':');
    if (type && names)
      out[type.trim()] = names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n.length > 0);
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

function historyNames(selection: HistorySelection | undefined, type: ObjectType): readonly string[] | 'all' | undefined {
  if (selection === undefined) return undefined;
  if (selection === 'all') return 'all';
  return selection[type];
}

function manifestRecord(portal: Portal, record: SimRecord, history: readonly string[] | 'all' | undefined): ManifestRecord {
  const entry: ManifestRecord = {
    id: record.id,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    archived: record.archivedAt !== undefined,
    properties: portal.properties(record),
  };
  if (record.archivedAt !== undefined) entry.archivedAt = iso(record.archivedAt);
  if (history !== undefined) entry.propertiesWithHistory = portal.history(record, history === 'all' ? undefined : history);
  return entry;
}

/** Everything but `objects`, which is the bulk of a manifest (every property of every record). */
function manifestRest(portal: Portal): Omit<Manifest, 'objects'> {
  const types = portal.typeKeys();
  const objectTypeIds: Record<ObjectType, string> = {};
  const deleted: Record<ObjectType, string[]> = {};
  const pipelines: Record<ObjectType, Array<Record<string, unknown>>> = {};
  const properties: Record<ObjectType, PropertyDefinition[]> = {};
  const objectTypes: ManifestObjectType[] = types.map((type) => {
    const info = portal.typeInfo(type);
    objectTypeIds[type] = info.objectTypeId;
    deleted[type] = [...portal.deleted(type)];
    const typePipelines = portal.pipelines(type);
    if (typePipelines.length > 0) pipelines[type] = typePipelines.map((p) => pipelineJson(p, true));
    const catalog = portal.catalog(type);
    properties[type] = [...catalog.definitions, ...catalog.archived];
    const out: ManifestObjectType = {
      key: type,
      objectTypeId: info.objectTypeId,
      name: info.name,
      custom: info.custom,
      createdDateProperty: createdDateProperty(type),
      modifiedDateProperty: modifiedDateProperty(type),
      pipelines: typePipelines.length > 0,
    };
    if (info.schema) out.fullyQualifiedName = info.schema.fullyQualifiedName;
    return out;
  });
  const associations: ManifestAssociation[] = portal.pairs().map((pair) => {
    const edges = portal.liveEdges(pair);
    const labelled: Array<[string, string, number]> = [];
    if (pair.labels.length > 0) for (const [from, to] of edges) for (const label of portal.edgeLabels(pair, from, to)) labelled.push([from, to, label.typeId]);
    return {
      pair: pairKey(pair),
      fromType: pair.from,
      toType: pair.to,
      typeId: pair.typeId,
      reverseTypeId: pair.reverseTypeId,
      category: pair.category,
      labels: pair.labels.map((l) => ({ category: l.category, typeId: l.typeId, reverseTypeId: l.reverseTypeId, label: l.label })),
      edges,
      labelled,
    };
  });
  const contactsToCompanies = associations.find((a) => a.pair === 'contacts->companies');
  const primaryCompanies = (contactsToCompanies?.edges ?? []).filter(([contact, company]) => portal.isPrimary(contact, company));
  const submissions: Record<string, ManifestSubmission[]> = {};
  for (const form of portal.forms) {
    if (form.formType === 'blog_comment') continue;
    submissions[form.id] = portal.submissions(form.id).map((s) => ({
      conversionId: s.conversionId,
      submittedAt: s.submittedAt,
      pageUrl: s.pageUrl,
      values: s.values.map((v) => ({ name: v.name, value: v.value })),
    }));
  }
  return {
    version: 2,
    seed: portal.seed,
    portalId: portal.portalId,
    objectTypeIds,
    objectTypes,
    unavailableTypes: [...portal.missingTypes],
    deleted,
    associations,
    forms: portal.forms.map((form) => ({
      id: form.id,
      name: form.name,
      formType: form.formType,
      createdAt: iso(form.createdAt),
      updatedAt: iso(form.updatedAt),
      archived: form.archivedAt !== undefined,
    })),
    submissions,
    primaryCompanies,
    owners: portal.owners.owners.map(ownerJson),
    pipelines,
    properties,
    schemas: portal.schemas.map((schema) =>
      schemaJson(schema, portal.catalog(schema.objectTypeId).definitions, { associations: true, audit: true, propertyDefinitions: true }),
    ),
  };
}

export function buildManifest(portal: Portal, options: ManifestOptions = {}): Manifest {
  const objects: Record<ObjectType, ManifestRecord[]> = {};
  for (const type of portal.typeKeys()) {
    const history = historyNames(options.history, type);
    objects[type] = portal.records(type).map((record) => manifestRecord(portal, record, history));
  }
  const rest = manifestRest(portal);
  return {
    version: rest.version,
    seed: rest.seed,
    portalId: rest.portalId,
    objectTypeIds: rest.objectTypeIds,
    objectTypes: rest.objectTypes,
    unavailableTypes: rest.unavailableTypes,
    objects,
    deleted: rest.deleted,
    associations: rest.associations,
    forms: rest.forms,
    submissions: rest.submissions,
    primaryCompanies: rest.primaryCompanies,
    owners: rest.owners,
    pipelines: rest.pipelines,
    properties: rest.properties,
    schemas: rest.schemas,
  };
}

/**
 * The manifest's JSON text (byte-identical to `JSON.stringify(buildManifest(portal, options))`) in pieces of about
 * a megabyte, so a portal whose manifest exceeds what one string may hold (the large preset with realistic
 * catalogs is over a gigabyte) can still be served.
 */
export function* manifestJsonChunks(portal: Portal, options: ManifestOptions = {}): Generator<string> {
  const rest = manifestRest(portal);
  yield `{"version":${JSON.stringify(rest.version)},"seed":${JSON.stringify(rest.seed)},"portalId":${JSON.stringify(rest.portalId)},"objectTypeIds":${JSON.stringify(rest.objectTypeIds)},"objectTypes":${JSON.stringify(rest.objectTypes)},"unavailableTypes":${JSON.stringify(rest.unavailableTypes)},"objects":{`;
  for (const [n, type] of portal.typeKeys().entries()) {
    const history = historyNames(options.history, type);
    const records = portal.records(type);
    let chunk = `${n > 0 ? ',' : ''}${JSON.stringify(type)}:[`;
    for (let i = 0; i < records.length; i++) {
      chunk += (i > 0 ? ',' : '') + JSON.stringify(manifestRecord(portal, records[i], history));
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}]`;
  }
  yield `},"deleted":${JSON.stringify(rest.deleted)},"associations":${JSON.stringify(rest.associations)},"forms":${JSON.stringify(rest.forms)},"submissions":${JSON.stringify(rest.submissions)},"primaryCompanies":${JSON.stringify(rest.primaryCompanies)},`;
  yield `"owners":${JSON.stringify(rest.owners)},"pipelines":${JSON.stringify(rest.pipelines)},"properties":${JSON.stringify(rest.properties)},"schemas":${JSON.stringify(rest.schemas)}}`;
}
