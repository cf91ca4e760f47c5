import type { Portal, SimRecord } from './portal.js';
import { ASSOCIATION_PAIRS, OBJECT_TYPES, OBJECT_TYPE_IDS, pairKey, type ObjectType } from './schema.js';

/**
 * The portal's ground truth at one instant, for tests that compare an extracted database with the portal.
 * Everything is in a fixed order (ids ascending, keys in a fixed order) so one seed gives byte-identical JSON.
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
}

export interface ManifestAssociation {
  /** Canonical direction, e.g. "contacts->companies"; the reverse direction holds the same edges. */
  pair: string;
  fromType: ObjectType;
  toType: ObjectType;
  /** Association type id in the canonical direction and in the reverse one. */
  typeId: number;
  reverseTypeId: number;
  /** [fromId, toId], ascending by fromId then toId; only edges whose two ends exist and are not archived. */
  edges: Array<[string, string]>;
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

export interface Manifest {
  version: 1;
  seed: number;
  objectTypeIds: Record<ObjectType, string>;
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
}

const iso = (ms: number) => new Date(ms).toISOString();

function manifestRecord(portal: Portal, record: SimRecord): ManifestRecord {
  const entry: ManifestRecord = {
    id: record.id,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    archived: record.archivedAt !== undefined,
    properties: portal.properties(record),
  };
  if (record.archivedAt !== undefined) entry.archivedAt = iso(record.archivedAt);
  return entry;
}

/** Everything but `objects`, which is the bulk of a manifest (every property of every record). */
function manifestRest(portal: Portal): Omit<Manifest, 'objects'> {
  const deleted = {} as Record<ObjectType, string[]>;
  for (const type of OBJECT_TYPES) deleted[type] = [...portal.deleted(type)];
  const associations = ASSOCIATION_PAIRS.map((pair) => ({
    pair: pairKey(pair),
    fromType: pair.from,
    toType: pair.to,
    typeId: pair.typeId,
    reverseTypeId: pair.reverseTypeId,
    edges: portal.liveEdges(pair),
  }));
  const primaryCompanies = associations[0].edges.filter(([contact, company]) => portal.isPrimary(contact, company));
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
    version: 1,
    seed: portal.seed,
    objectTypeIds: { ...OBJECT_TYPE_IDS },
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
  };
}

export function buildManifest(portal: Portal): Manifest {
  const objects = {} as Record<ObjectType, ManifestRecord[]>;
  for (const type of OBJECT_TYPES) objects[type] = portal.records(type).map((record) => manifestRecord(portal, record));
  const rest = manifestRest(portal);
  return {
    version: rest.version,
    seed: rest.seed,
    objectTypeIds: rest.objectTypeIds,
    objects,
    deleted: rest.deleted,
    associations: rest.associations,
    forms: rest.forms,
    submissions: rest.submissions,
    primaryCompanies: rest.primaryCompanies,
  };
}

/**
 * The manifest's JSON text (byte-identical to `JSON.stringify(buildManifest(portal))`) in pieces of a few hundred
 * records, so a portal whose manifest exceeds what one string may hold (the large preset with realistic catalogs
 * is over a gigabyte) can still be served.
 */
export function* manifestJsonChunks(portal: Portal): Generator<string> {
  const rest = manifestRest(portal);
  yield `{"version":${JSON.stringify(rest.version)},"seed":${JSON.stringify(rest.seed)},"objectTypeIds":${JSON.stringify(rest.objectTypeIds)},"objects":{`;
  for (const [n, type] of OBJECT_TYPES.entries()) {
    const records = portal.records(type);
    let chunk = `${n > 0 ? ',' : ''}${JSON.stringify(type)}:[`;
    for (let i = 0; i < records.length; i++) {
      chunk += (i > 0 ? ',' : '') + JSON.stringify(manifestRecord(portal, records[i]));
      if (chunk.length > 1 << 20) {
        yield chunk;
        chunk = '';
      }
    }
    yield `${chunk}]`;
  }
  yield `},"deleted":${JSON.stringify(rest.deleted)},"associations":${JSON.stringify(rest.associations)},"forms":${JSON.stringify(rest.forms)},"submissions":${JSON.stringify(rest.submissions)},"primaryCompanies":${JSON.stringify(rest.primaryCompanies)}}`;
}
