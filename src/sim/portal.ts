import { seededRandom, type Random } from '../clock.js';
import { addedSchema, CustomIdAllocator, generatedSchemas, portalIdFor, schemaMatches, schemaPairs, type SimSchema } from './custom-objects.js';
import { propertyHistory, type HistoryEntry, type VersionPoint } from './history.js';
import { compareIds, hashSeed, insertSortedId, lowerBoundId, removeSortedId, seededUuid } from './ids.js';
import { derivedSizes, type CatalogMode, type PortalSize } from './options.js';
import { OwnerStore } from './owners.js';
import { addStage, customObjectPipeline, initialPipelines, renameStage, type SimPipeline } from './pipelines.js';
import { customObjectCatalog, propertyCatalog, withAddedProperty, withArchivedProperty, type PropertyCatalog } from './property-catalog.js';
import type { NamedProperty } from './property-names.js';
import {
  propertyValues,
  selectedValues,
  withSelectedValues,
  type PropertySelection,
  type PropertyValues,
  type RecordState,
  type ValueRefs,
} from './property-values.js';
import {
  ASSOCIATION_PAIRS,
  CLASSIC_TYPES,
  ENGAGEMENT_TYPES,
  findPairIn,
  isStandardType,
  OBJECT_TYPE_IDS,
  OBJECT_TYPES,
  pairKey,
  resolveStandardType,
  singularName,
  type AssociationPair,
  type DirectedPair,
  type ObjectType,
  type OptionalType,
  type StandardType,
} from './schema.js';

/**
 * The simulated portal's state and its ground truth. Generation is seeded and independent of wall time, so one
 * seed always gives the same portal; mutations stamp the injected clock's time.
 */

/** Generated data lives in 2025 so that anything a mutation stamps (the clock's "now") is later. */
export const GENERATION_EPOCH = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
const CREATION_SPAN = 300 * DAY;
/** The instant the optional bulk update stamps on many records at once. */
export const SAME_MS_BATCH_AT = GENERATION_EPOCH + 340 * DAY + 123;
const TWO_POW_53 = 9_007_199_254_740_992n;
const ID_STRIDE = 97n;

interface PastState {
  /** This state was current until (clock time) `until`. */
  until: number;
  version: number;
  updatedAt: number;
  archivedAt?: number;
}

export interface SimRecord extends RecordState {
  type: ObjectType;
  archivedAt?: number;
  /** Clock time the record came into existence (0 for generated records); search lag hides younger ones. */
  bornAt: number;
  /** Earlier states still visible to a lagging search index, oldest first. */
  past?: PastState[];
  /** Modified date of version 0, kept once the record changes (property history needs every version's instant). */
  baseUpdatedAt?: number;
  /** Modified date of versions 1..version, in order. */
  changedAt?: number[];
}

/** What a lagging search index shows of a record at some instant. */
export interface VisibleState extends RecordState {
  archived: boolean;
}

interface TypeStore {
  list: SimRecord[];
  byId: Map<string, SimRecord>;
  nextIdx: number;
  lastId: bigint;
}

interface AssociationStore {
  pair: AssociationPair;
  forward: Map<string, string[]>;
  reverse: Map<string, string[]>;
}

export type FormType = 'hubspot' | 'captured' | 'flow' | 'blog_comment';
export const FORM_TYPES: FormType[] = ['hubspot', 'captured', 'flow', 'blog_comment'];

export interface SimForm {
  id: string;
  name: string;
  formType: FormType;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number;
}

export interface SimSubmission {
  conversionId: string;
  submittedAt: number;
  pageUrl: string;
  values: Array<{ name: string; value: string }>;
}

interface Tombstone {
  record: SimRecord;
  deletedAt: number;
}

export interface PortalConfig {
  seed: number;
  size: PortalSize;
  sameMsBatch: number;
  /** Property catalogs; realistic unless given. */
  catalog?: CatalogMode;
  /** Custom properties per standard type (realistic catalogs only); none unless given. */
  customProperties?: Partial<Record<ObjectType, number>>;
  /** Standard types the portal does not have (their endpoints answer 403). */
  without?: readonly OptionalType[];
}

/** What a type key stands for in this portal. */
export interface TypeInfo {
  key: ObjectType;
  objectTypeId: string;
  /** Plural API name (`contacts`), or the custom object's schema name. */
  name: string;
  singular: string;
  custom: boolean;
  schema?: SimSchema;
}

/** A path's object type: a type the portal has, one it lacks (403), or nothing HubSpot knows (400). */
export type ResolvedType = { type: ObjectType; info: TypeInfo } | { missing: StandardType } | undefined;

export type MutationKind =
  | 'update'
  | 'create'
  | 'archive'
  | 'restore'
  | 'delete'
  | 'associate'
  | 'dissociate'
  | 'submit'
  | 'owner-add'
  | 'owner-archive'
  | 'stage-add'
  | 'stage-rename'
  | 'property-add'
  | 'property-archive'
  | 'schema-add'
  | 'schema-property-add';

const MUTATION_WEIGHTS: Array<[MutationKind, number]> = [
  ['update', 50],
  ['create', 15],
  ['archive', 6],
  ['restore', 2],
  ['delete', 7],
  ['associate', 8],
  ['dissociate', 6],
  ['submit', 6],
  ['owner-add', 1],
  ['owner-archive', 0.5],
  ['stage-add', 0.5],
  ['stage-rename', 0.5],
  ['property-add', 1],
  ['property-archive', 0.5],
  ['schema-add', 0.2],
  ['schema-property-add', 0.5],
];

/** Engagements are split over the five types in these shares. */
const ENGAGEMENT_SHARE: Record<(typeof ENGAGEMENT_TYPES)[number], number> = {
  calls: 0.25,
  emails: 0.25,
  meetings: 0.15,
  notes: 0.2,
  tasks: 0.15,
};

/** Hubs make association lists longer than one page (500) even in the small preset. */
const HUB_COMPANY_CONTACTS = 650;
const HUB_CONTACT_CALLS = 550;

export function countsByType(size: PortalSize): Record<StandardType, number> {
  const counts = { contacts: size.contacts, companies: size.companies, deals: size.deals } as Record<StandardType, number>;
  let assigned = 0;
  ENGAGEMENT_TYPES.forEach((type, n) => {
    const count = n === ENGAGEMENT_TYPES.length - 1 ? size.engagements - assigned : Math.floor(size.engagements * ENGAGEMENT_SHARE[type]);
    counts[type] = count;
    assigned += count;
  });
  const derived = derivedSizes(size);
  counts.tickets = derived.tickets;
  counts.products = derived.products;
  counts.line_items = derived.lineItems;
  counts.quotes = derived.quotes;
  counts.leads = derived.leads;
  return counts;
}

/** Owner availability changes only at owners' creation and archive instants: one list per interval between them. */
interface OwnerSegments {
  starts: number[];
  ids: string[][];
}

export class Portal {
  readonly seed: number;
  /** HubSpot's account id of this portal (in custom objects' fully qualified names). */
  readonly portalId: number;
  private readonly stores = new Map<ObjectType, TypeStore>();
  private readonly associations = new Map<string, AssociationStore>();
  /** Pairs among the types this portal has: the standard ones, then each custom object's. */
  private pairList: AssociationPair[] = [];
  /** contact id → primary company id. */
  private readonly primaryCompany = new Map<string, string>();
  private readonly deletedIds = new Map<ObjectType, string[]>();
  private tombstones: Tombstone[] = [];
  readonly forms: SimForm[] = [];
  private readonly submissionsByForm = new Map<string, SimSubmission[]>();
  private readonly mutationRandom: Random;
  private readonly catalogs = new Map<ObjectType, PropertyCatalog>();
  private readonly catalogMode: CatalogMode;
  /** Standard types this portal lacks. */
  readonly missingTypes: ReadonlySet<StandardType>;
  readonly owners: OwnerStore;
  private ownerSegments?: OwnerSegments;
  /** Users who change records (history `updatedByUserId`): the generated owners' users, fixed at start. */
  private readonly userIds: number[];
  private readonly pipelinesByType = new Map<ObjectType, SimPipeline[]>();
  private nextStageId: number;
  readonly schemas: SimSchema[] = [];
  private readonly customIds: CustomIdAllocator;
  private propertySerial = 0;
  /** Schemas created at run time so far (the next one is `addedSchema(addedSchemas)`). */
  private addedSchemas = 0;
  private readonly productIds: string[];
  private readonly customRecords: number;
  readonly refs: ValueRefs;
  /** JSON of the association types of pairs whose edges all carry the same ones (`associationTypesJson`). */
  private readonly typesJson = new Map<string, string>();
  /** Search index lag in ms; past states are only kept while it is positive. */
  searchLagMs = 0;

  constructor(config: PortalConfig) {
    this.seed = config.seed;
    this.portalId = portalIdFor(config.seed);
    this.catalogMode = config.catalog ?? 'realistic';
    this.missingTypes = new Set(config.without ?? []);
    const derived = derivedSizes(config.size);
    this.customRecords = derived.customRecords;
    for (const type of OBJECT_TYPES) {
      if (this.missingTypes.has(type)) continue;
      this.catalogs.set(type, propertyCatalog(type, this.catalogMode, config.customProperties?.[type] ?? 0));
      this.pipelinesByType.set(type, initialPipelines(type));
    }
    this.mutationRandom = seededRandom(hashSeed(config.seed, 'mutations'));
    this.owners = new OwnerStore(config.seed, derived.owners);
    this.userIds = this.owners.owners.flatMap((o) => (o.userId === undefined ? [] : [o.userId]));
    this.nextStageId = 90_000_000 + (hashSeed(config.seed, 'stage-ids') % 9_000_000);
    this.customIds = new CustomIdAllocator(config.seed);
    const admin = this.userIds[0] ?? 1;
    for (const schema of generatedSchemas(derived.customObjects, this.portalId, this.customIds, admin)) this.registerSchema(schema);
    this.refs = {
      ownersAt: (t) => this.ownersAt(t),
      pipelines: (type) => this.pipelinesByType.get(type) ?? [],
      productIds: [],
      primaryDisplayProperty: (type) => this.schemaOf(type)?.primaryDisplayProperty,
    };
    const counts = countsByType(config.size);
    for (const type of OBJECT_TYPES) if (!this.missingTypes.has(type)) this.generateRecords(type, counts[type]);
    this.schemas.forEach((schema, n) => this.generateRecords(schema.objectTypeId, n === 0 ? this.customRecords : Math.round(this.customRecords / 2)));
    this.productIds = this.stores.has('products') ? this.store('products').list.map((r) => r.id) : [];
    (this.refs as { productIds: readonly string[] }).productIds = this.productIds;
    this.pairList = [
      ...ASSOCIATION_PAIRS.filter((p) => this.hasType(p.from) && this.hasType(p.to)),
      ...this.schemas.flatMap((s) => schemaPairs(s).filter((p) => this.hasType(p.to))),
    ];
    this.generateAssociations();
    this.generateStreamAssociations();
    if (config.sameMsBatch > 0) this.stampSameMillisecond(config.sameMsBatch);
    this.generateForms(config.size.forms, config.size.submissions);
  }

  // ---- generation -------------------------------------------------------------------------------------------

  private registerSchema(schema: SimSchema): void {
    this.schemas.push(schema);
    this.catalogs.set(schema.objectTypeId, customObjectCatalog(schema, this.catalogMode));
    this.pipelinesByType.set(schema.objectTypeId, [customObjectPipeline(schema.id, schema.createdAt)]);
  }

  /** Ids of a type live in their own range: classic types first (as before issue 14), then new ones, then custom objects. */
  private typeIndex(type: ObjectType): number {
    const standard = (OBJECT_TYPES as readonly string[]).indexOf(type);
    return standard >= 0 ? standard : 20 + this.schemas.findIndex((s) => s.objectTypeId === type);
  }

  private generateRecords(type: ObjectType, count: number): void {
    const random = seededRandom(hashSeed(this.seed, 'records', type));
    const base = BigInt(this.typeIndex(type) + 1) * 10_000_000_000n;
    const highFrom = Math.floor(count * 0.9);
    const store: TypeStore = { list: [], byId: new Map(), nextIdx: count, lastId: base };
    for (let idx = 0; idx < count; idx++) {
      // The last tenth of every type lives above 2^53, where JS numbers round ids.
      const offset = idx >= highFrom ? TWO_POW_53 : 0n;
      const id = offset + base + BigInt(idx) * ID_STRIDE + BigInt(Math.floor(random() * 90));
      const createdAt = GENERATION_EPOCH + Math.floor((idx * CREATION_SPAN) / Math.max(1, count)) + Math.floor(random() * 1000);
      const updatedAt = createdAt + Math.floor(random() * 30 * DAY);
      const record: SimRecord = { type, id: id.toString(), idx, version: 0, createdAt, updatedAt, bornAt: 0 };
      if (idx > 0 && random() < 0.02) record.archivedAt = updatedAt;
      store.list.push(record);
      store.byId.set(record.id, record);
      store.lastId = id;
    }
    // Every type has archived records, small ones too (a product catalogue of 23 would often have none at 2 %).
    if (count >= 3 && !store.list.some((r) => r.archivedAt !== undefined)) store.list[count - 2].archivedAt = store.list[count - 2].updatedAt;
    this.stores.set(type, store);
    this.deletedIds.set(type, []);
  }

  private generateAssociations(): void {
    for (const pair of this.pairList) {
      this.associations.set(pairKey(pair), { pair, forward: new Map(), reverse: new Map() });
    }
    const random = seededRandom(hashSeed(this.seed, 'associations'));
    const contacts = this.store('contacts').list;
    const companies = this.store('companies').list;
    const deals = this.store('deals').list;
    const anyOf = (list: SimRecord[]) => list[Math.floor(random() * list.length)];

    if (companies.length > 0) {
      const hub = companies[0];
      contacts.forEach((contact, n) => {
        if (n < HUB_COMPANY_CONTACTS) this.link('contacts', 'companies', contact.id, hub.id, false);
        const roll = random();
        if (roll < 0.15) return;
        this.link('contacts', 'companies', contact.id, anyOf(companies).id, false);
        if (roll > 0.85) this.link('contacts', 'companies', contact.id, anyOf(companies).id, false);
      });
      for (const contact of contacts) {
        const first = this.forwardList('contacts', 'companies', contact.id)[0];
        if (first) this.primaryCompany.set(contact.id, first);
      }
    }
    for (const deal of deals) {
      if (contacts.length > 0) {
        const n = 1 + Math.floor(random() * 3);
        for (let k = 0; k < n; k++) this.link('deals', 'contacts', deal.id, anyOf(contacts).id, false);
      }
      if (companies.length > 0 && random() < 0.8) this.link('deals', 'companies', deal.id, anyOf(companies).id, false);
    }
    for (const type of ENGAGEMENT_TYPES) {
      const engagements = this.store(type).list;
      engagements.forEach((engagement, n) => {
        if (type === 'calls' && n < HUB_CONTACT_CALLS && contacts.length > 0) this.link(type, 'contacts', engagement.id, contacts[0].id, false);
        if (contacts.length > 0 && random() < 0.9) this.link(type, 'contacts', engagement.id, anyOf(contacts).id, false);
        if (companies.length > 0 && random() < 0.4) this.link(type, 'companies', engagement.id, anyOf(companies).id, false);
        if (deals.length > 0 && random() < 0.3) this.link(type, 'deals', engagement.id, anyOf(deals).id, false);
      });
    }
  }

  /**
   * The pairs of issue 14, from their own seeded stream so the pairs above stay as they were: most tickets with
   * contacts and a company, line items on deals, quotes on deals with some of the deal's line items, leads on a
   * contact, custom object records on contacts, companies and deals; some engagements on tickets.
   */
  private generateStreamAssociations(): void {
    const random = seededRandom(hashSeed(this.seed, 'associations', 'issue-14'));
    const list = (type: ObjectType) => this.stores.get(type)?.list ?? [];
    const anyOf = (records: readonly SimRecord[]) => records[Math.floor(random() * records.length)];
    const linkSome = (from: ObjectType, to: ObjectType, share: number, most = 1) => {
      const targets = list(to);
      if (!this.associations.has(`${from}->${to}`) || targets.length === 0) return;
      for (const record of list(from)) {
        if (random() >= share) continue;
        const n = 1 + Math.floor(random() * most);
        for (let k = 0; k < n; k++) this.link(from, to, record.id, anyOf(targets).id, false);
      }
    };
    linkSome('tickets', 'contacts', 0.9, 2);
    linkSome('tickets', 'companies', 0.7);
    linkSome('tickets', 'deals', 0.3);
    for (const type of ENGAGEMENT_TYPES) linkSome(type, 'tickets', 0.1);
    linkSome('line_items', 'deals', 0.95);
    linkSome('quotes', 'deals', 0.97);
    if (this.associations.has('quotes->line_items')) {
      // A quote carries some of its deal's line items (loose ones when the deal has none).
      const byDeal = this.associations.get('line_items->deals')?.reverse;
      const loose = list('line_items').map((r) => r.id);
      for (const quote of list('quotes')) {
        const deal = this.forwardList('quotes', 'deals', quote.id)[0];
        const ofDeal = deal && byDeal ? (byDeal.get(deal) ?? []) : [];
        const pool = ofDeal.length > 0 ? ofDeal : loose;
        if (pool.length === 0) continue;
        for (let k = 1 + Math.floor(random() * 4); k > 0; k--) this.link('quotes', 'line_items', quote.id, pool[Math.floor(random() * pool.length)], false);
      }
    }
    linkSome('quotes', 'contacts', 0.9, 2);
    linkSome('quotes', 'companies', 0.8);
    linkSome('tasks', 'quotes', 0.05);
    linkSome('leads', 'contacts', 1);
    linkSome('leads', 'companies', 0.7);
    for (const schema of this.schemas) {
      for (const { to } of schema.associations)
        linkSome(schema.objectTypeId, to, to === 'contacts' ? 0.85 : to === 'companies' ? 0.6 : 0.4, to === 'contacts' ? 2 : 1);
    }
    for (const store of this.associations.values()) {
      for (const ids of store.forward.values()) ids.sort(compareIds);
      for (const ids of store.reverse.values()) ids.sort(compareIds);
    }
  }

  /** A bulk update: many records of the largest type share one modified-date millisecond. */
  private stampSameMillisecond(n: number): void {
    let largest: ObjectType = 'contacts';
    for (const type of this.typeKeys()) if (this.store(type).list.length > this.store(largest).list.length) largest = type;
    const list = this.store(largest).list;
    for (const record of list.slice(0, Math.min(n, list.length))) {
      this.bump(record, SAME_MS_BATCH_AT);
      if (record.archivedAt !== undefined) record.archivedAt = SAME_MS_BATCH_AT;
    }
  }

  private generateForms(formCount: number, submissionCount: number): void {
    const random = seededRandom(hashSeed(this.seed, 'forms'));
    for (let n = 0; n < formCount; n++) {
      // The first four cover every type; the rest lean towards ordinary HubSpot forms.
      const formType: FormType = n < FORM_TYPES.length ? FORM_TYPES[n] : random() < 0.6 ? 'hubspot' : FORM_TYPES[Math.floor(random() * FORM_TYPES.length)];
      const createdAt = GENERATION_EPOCH + n * DAY + Math.floor(random() * DAY);
      const form: SimForm = {
        id: seededUuid(random),
        name: n % 7 === 3 ? `Formulaire « spécial » ${n} 📝` : `Form ${n} (${formType})`,
        formType,
        createdAt,
        updatedAt: createdAt + Math.floor(random() * 10 * DAY),
      };
      if (n === 5) form.archivedAt = form.updatedAt;
      this.forms.push(form);
      this.submissionsByForm.set(form.id, []);
    }
    const readable = this.forms.filter((form) => form.formType !== 'blog_comment');
    if (readable.length === 0) return;
    let previousAt = 0;
    for (let n = 0; n < submissionCount; n++) {
      // Skewed so one form holds many pages of submissions; every 25th shares its predecessor's millisecond.
      const form = random() < 0.5 ? readable[0] : readable[Math.floor(random() * readable.length)];
      const submittedAt = n % 25 === 24 && previousAt > 0 ? previousAt : GENERATION_EPOCH + Math.floor(random() * CREATION_SPAN);
      previousAt = submittedAt;
      this.submissionsByForm.get(form.id)!.push(this.makeSubmission(random, submittedAt, n));
    }
    for (const list of this.submissionsByForm.values()) list.sort(compareSubmissions);
  }

  private makeSubmission(random: Random, submittedAt: number, n: number): SimSubmission {
    const first = ['Anna', 'José', 'Zoë', '李', 'Émile'][Math.floor(random() * 5)];
    const values = [
      { name: 'email', value: `submitter${n}@example.com` },
      { name: 'firstname', value: first },
      { name: 'message', value: n % 17 === 5 ? `emoji 😀 and nul \u0000 end` : n % 13 === 2 ? '' : `message ${n}` },
    ];
    return { conversionId: seededUuid(random), submittedAt, pageUrl: `https://www.example.com/landing/${n % 9}`, values };
  }

  // ---- types --------------------------------------------------------------------------------------------------

  /** Whether the portal has this type: a standard type it does not lack, or a custom object. */
  hasType(type: ObjectType): boolean {
    if (isStandardType(type)) return !this.missingTypes.has(type);
    return this.schemas.some((s) => s.objectTypeId === type && s.archivedAt === undefined);
  }

  /** Every type key the portal has: standard types (in `OBJECT_TYPES` order), then custom objects. */
  typeKeys(): ObjectType[] {
    return [...OBJECT_TYPES.filter((t) => !this.missingTypes.has(t)), ...this.schemas.filter((s) => s.archivedAt === undefined).map((s) => s.objectTypeId)];
  }

  schemaOf(type: ObjectType): SimSchema | undefined {
    return isStandardType(type) ? undefined : this.schemas.find((s) => s.objectTypeId === type);
  }

  typeInfo(type: ObjectType): TypeInfo {
    const schema = this.schemaOf(type);
    if (schema) return { key: type, objectTypeId: schema.objectTypeId, name: schema.name, singular: schema.name, custom: true, schema };
    return { key: type, objectTypeId: OBJECT_TYPE_IDS[type as StandardType], name: type, singular: singularName(type), custom: false };
  }

  /** A path's object type: a standard name, singular or `0-N`, or a custom object's `2-N`, fully qualified name, `p_name` or name. */
  resolveType(raw: string): ResolvedType {
    const standard = resolveStandardType(raw);
    if (standard) return this.missingTypes.has(standard) ? { missing: standard } : { type: standard, info: this.typeInfo(standard) };
    const schema = this.schemas.find((s) => s.archivedAt === undefined && schemaMatches(s, raw));
    return schema ? { type: schema.objectTypeId, info: this.typeInfo(schema.objectTypeId) } : undefined;
  }

  pairs(): readonly AssociationPair[] {
    return this.pairList;
  }

  findPair(from: ObjectType, to: ObjectType): DirectedPair | undefined {
    return findPairIn(this.pairList, from, to);
  }

  // ---- reading ----------------------------------------------------------------------------------------------

  private store(type: ObjectType): TypeStore {
    return this.stores.get(type)!;
  }

  /** All existing (not hard-deleted) records of a type, ascending by id, archived ones included. */
  records(type: ObjectType): readonly SimRecord[] {
    return this.store(type).list;
  }

  get(type: ObjectType, id: string): SimRecord | undefined {
    return this.stores.get(type)?.byId.get(id);
  }

  /** Index of the first record with id >= `id`. */
  indexFrom(type: ObjectType, id: string): number {
    return lowerBoundId(this.store(type).list, id, (r) => r.id);
  }

  /** The type's property catalog: what the properties API lists and every record carries. */
  catalog(type: ObjectType): PropertyCatalog {
    return this.catalogs.get(type)!;
  }

  /** Every catalog property of the record (or of a past state of it), or only the named ones, as the API returns them. */
  properties(state: RecordState & { type: ObjectType }, only?: readonly string[]): PropertyValues {
    return propertyValues(this.seed, state.type, state, this.catalog(state.type), this.refs, only);
  }

  /** The record's values of a selection's names (`selectedValues`): what an object reply's `properties` holds. */
  selectedProperties(state: RecordState & { type: ObjectType }, selection: PropertySelection): PropertyValues {
    return selectedValues(this.seed, state.type, state, this.refs, selection);
  }

  /** `use` of the record's values of a selection's names, lent for the call only (`withSelectedValues`). */
  withSelectedProperties<T>(state: RecordState & { type: ObjectType }, selection: PropertySelection, use: (values: Readonly<PropertyValues>) => T): T {
    return withSelectedValues(this.seed, state.type, state, this.refs, selection, use);
  }

  /** The record's known states, oldest first: version 0 at its first modified date, then each change. */
  versionPoints(record: SimRecord): VersionPoint[] {
    const points: VersionPoint[] = [{ version: 0, at: record.baseUpdatedAt ?? record.updatedAt }];
    record.changedAt?.forEach((at, k) => points.push({ version: k + 1, at }));
    return points;
  }

  /** The history of the named properties (every catalog property when none are named), newest first per property. */
  history(record: SimRecord, names?: readonly string[]): Record<string, HistoryEntry[]> {
    const catalog = this.catalog(record.type);
    const points = this.versionPoints(record);
    const out: Record<string, HistoryEntry[]> = {};
    const definitions = names ? names.flatMap((n) => catalog.byName.get(n) ?? []) : catalog.definitions;
    for (const definition of definitions) {
      out[definition.name] = propertyHistory({
        seed: this.seed,
        type: record.type,
        record,
        definition,
        points,
        valueAt: (state) => this.properties({ ...record, version: state.version, updatedAt: state.updatedAt }, [definition.name])[definition.name] ?? null,
        userIds: this.userIds,
      });
    }
    return out;
  }

  deleted(type: ObjectType): readonly string[] {
    return this.deletedIds.get(type) ?? [];
  }

  /** Owner ids a record modified at `t` may point at (`OwnerStore.eligibleAt`, kept per interval between owner events). */
  private ownersAt(t: number): readonly string[] {
    if (!this.ownerSegments) {
      const starts = [...new Set(this.owners.owners.flatMap((o) => (o.archivedAt === undefined ? [o.createdAt] : [o.createdAt, o.archivedAt])))].sort(
        (a, b) => a - b,
      );
      this.ownerSegments = { starts, ids: starts.map((at) => this.owners.eligibleAt(at)) };
    }
    const { starts, ids } = this.ownerSegments;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? [] : ids[lo - 1];
  }

  /** The type's pipelines, archived ones included (the API lists the live ones). */
  pipelines(type: ObjectType): readonly SimPipeline[] {
    return this.pipelinesByType.get(type) ?? [];
  }

  private forwardList(from: ObjectType, to: ObjectType, id: string): string[] {
    const store = this.associations.get(`${from}->${to}`)!;
    return store.forward.get(id) ?? [];
  }

  /**
   * Ids associated with `id` (of type `from`) among objects of type `to`, ascending, as the API shows them:
   * associations to or from archived records are hidden (they come back if the record is restored).
   */
  associatedIds(from: ObjectType, to: ObjectType, id: string): string[] {
    const self = this.get(from, id);
    if (!self || self.archivedAt !== undefined) return [];
    const direct = this.associations.get(`${from}->${to}`);
    const list = direct ? direct.forward.get(id) : this.associations.get(`${to}->${from}`)?.reverse.get(id);
    if (!list) return [];
    return list.filter((other) => {
      const record = this.get(to, other);
      return record !== undefined && record.archivedAt === undefined;
    });
  }

  /** The labels one edge carries besides its pair's default type, in canonical direction (`pair.from` → `pair.to`). */
  edgeLabels(pair: AssociationPair, fromId: string, toId: string): AssociationPair['labels'] {
    if (pair.labels.length === 0) return [];
    return pair.labels.filter((label) => {
      // A primary label goes to the record's first associated object (on a share of records); the others to a
      // seeded share of the edges.
      if (label.category === 'HUBSPOT_DEFINED')
        return this.forwardList(pair.from, pair.to, fromId)[0] === toId && hashSeed(this.seed, 'primary', fromId) % 1000 < label.share * 1000;
      return hashSeed(this.seed, 'label', label.typeId, fromId, toId) % 1000 < label.share * 1000;
    });
  }

  /**
   * The JSON text of one edge's association types, as `associationTypes` gives them: a pair without labels has
   * the same text for every edge in a direction, kept once (association pages hold up to 500 edges).
   */
  associationTypesJson(from: ObjectType, to: ObjectType, fromId: string, toId: string, directed = this.findPair(from, to)!): string {
    const constant = directed.pair.labels.length === 0 && !(directed.pair.from === 'contacts' && directed.pair.to === 'companies');
    if (!constant) return JSON.stringify(this.associationTypes(from, to, fromId, toId, directed));
    const key = `${pairKey(directed.pair)}:${directed.reversed}`;
    let text = this.typesJson.get(key);
    if (text === undefined) this.typesJson.set(key, (text = JSON.stringify(this.associationTypes(from, to, fromId, toId, directed))));
    return text;
  }

  /** Association types of one edge as seen from `from`: the pair's default type, then its labels (contact↔company adds Primary). */
  associationTypes(
    from: ObjectType,
    to: ObjectType,
    fromId: string,
    toId: string,
    directed = this.findPair(from, to)!,
  ): Array<{ category: string; typeId: number; label: string | null }> {
    const { pair, reversed } = directed;
    const types: Array<{ category: string; typeId: number; label: string | null }> = [
      { category: pair.category, typeId: reversed ? pair.reverseTypeId : pair.typeId, label: null },
    ];
    if (from === 'contacts' && to === 'companies' && this.primaryCompany.get(fromId) === toId)
      types.push({ category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' });
    if (from === 'companies' && to === 'contacts' && this.primaryCompany.get(toId) === fromId)
      types.push({ category: 'HUBSPOT_DEFINED', typeId: 2, label: 'Primary' });
    const [a, b] = reversed ? [toId, fromId] : [fromId, toId];
    for (const label of this.edgeLabels(pair, a, b))
      types.push({ category: label.category, typeId: reversed ? label.reverseTypeId : label.typeId, label: label.label });
    return types;
  }

  /** Association type ids for one edge as seen from `from` (HubSpot's default ids; labels after). */
  associationTypeIds(from: ObjectType, to: ObjectType, fromId: string, toId: string): number[] {
    return this.associationTypes(from, to, fromId, toId).map((t) => t.typeId);
  }

  /** Live edges of one canonical pair (both ends exist and are not archived), ascending by (from, to). */
  liveEdges(pair: AssociationPair): Array<[string, string]> {
    const store = this.associations.get(pairKey(pair));
    if (!store) return [];
    const fromIds = [...store.forward.keys()].sort(compareIds);
    const edges: Array<[string, string]> = [];
    for (const fromId of fromIds) {
      const from = this.get(pair.from, fromId);
      if (!from || from.archivedAt !== undefined) continue;
      for (const toId of store.forward.get(fromId)!) {
        const to = this.get(pair.to, toId);
        if (to && to.archivedAt === undefined) edges.push([fromId, toId]);
      }
    }
    return edges;
  }

  isPrimary(contactId: string, companyId: string): boolean {
    return this.primaryCompany.get(contactId) === companyId;
  }

  /**
   * Records as a search index lagging by `searchLagMs` sees them at `now`: writes younger than the lag are not
   * visible yet, and records deleted within the lag still show.
   */
  searchView(type: ObjectType, now: number): VisibleState[] {
    const horizon = now - this.searchLagMs;
    const out: VisibleState[] = [];
    const visible = (record: SimRecord): VisibleState | undefined => {
      if (record.bornAt > horizon) return undefined;
      const past = record.past?.find((state) => state.until > horizon);
      const state = past ?? record;
      return {
        id: record.id,
        idx: record.idx,
        version: state.version,
        createdAt: record.createdAt,
        updatedAt: state.updatedAt,
        archived: state.archivedAt !== undefined,
      };
    };
    for (const record of this.store(type).list) {
      const state = visible(record);
      if (state) out.push(state);
    }
    if (this.searchLagMs > 0) {
      this.tombstones = this.tombstones.filter((t) => t.deletedAt > horizon);
      for (const tombstone of this.tombstones) {
        if (tombstone.record.type !== type) continue;
        const state = visible(tombstone.record);
        if (state) out.push(state);
      }
    }
    return out;
  }

  submissions(formId: string): readonly SimSubmission[] {
    return this.submissionsByForm.get(formId) ?? [];
  }

  form(formId: string): SimForm | undefined {
    return this.forms.find((form) => form.id === formId);
  }

  // ---- writing ----------------------------------------------------------------------------------------------

  private link(from: ObjectType, to: ObjectType, fromId: string, toId: string, keepSorted: boolean): boolean {
    const store = this.associations.get(`${from}->${to}`)!;
    let forward = store.forward.get(fromId);
    if (!forward) store.forward.set(fromId, (forward = []));
    if (keepSorted) {
      if (!insertSortedId(forward, toId)) return false;
    } else {
      if (forward.includes(toId)) return false;
      forward.push(toId);
    }
    let reverse = store.reverse.get(toId);
    if (!reverse) store.reverse.set(toId, (reverse = []));
    if (keepSorted) insertSortedId(reverse, fromId);
    else reverse.push(fromId);
    return true;
  }

  private unlink(store: AssociationStore, fromId: string, toId: string): void {
    const forward = store.forward.get(fromId);
    if (forward) removeSortedId(forward, toId);
    const reverse = store.reverse.get(toId);
    if (reverse) removeSortedId(reverse, fromId);
    if (store.pair.from === 'contacts' && store.pair.to === 'companies' && this.primaryCompany.get(fromId) === toId) {
      this.primaryCompany.delete(fromId);
    }
  }

  private remember(record: SimRecord, now: number): void {
    if (this.searchLagMs <= 0) {
      delete record.past;
      return;
    }
    const horizon = now - this.searchLagMs;
    const past = (record.past ?? []).filter((state) => state.until > horizon);
    past.push({ until: now, version: record.version, updatedAt: record.updatedAt, archivedAt: record.archivedAt });
    record.past = past;
  }

  /** A new version of the record, modified at `at`; every version's instant is kept for property history. */
  private bump(record: SimRecord, at: number): void {
    if (record.changedAt === undefined) {
      record.baseUpdatedAt = record.updatedAt;
      record.changedAt = [];
    }
    record.version += 1;
    record.updatedAt = at;
    record.changedAt.push(at);
  }

  /**
   * A bulk edit at run time (an import or workflow): up to `n` live records of `type`, lowest ids first, get new
   * values and one identical modified-date millisecond, `now`.
   */
  bulkUpdate(type: ObjectType, n: number, now: number): SimRecord[] {
    const chosen = this.store(type)
      .list.filter((r) => r.archivedAt === undefined)
      .slice(0, n);
    for (const record of chosen) {
      this.remember(record, now);
      this.bump(record, now);
    }
    return chosen;
  }

  /** A property edit by "another user": new values and a later modified date. */
  update(record: SimRecord, now: number): void {
    this.touch(record, now);
  }

  private touch(record: SimRecord, now: number): void {
    this.remember(record, now);
    this.bump(record, Math.max(now, record.updatedAt + 1));
  }

  private randomRecord(predicate: (record: SimRecord) => boolean, pool: readonly ObjectType[]): SimRecord | undefined {
    const random = this.mutationRandom;
    const total = pool.reduce((sum, type) => sum + this.store(type).list.length, 0);
    if (total === 0) return undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      let n = Math.floor(random() * total);
      for (const type of pool) {
        const list = this.store(type).list;
        if (n < list.length) {
          const record = list[n];
          if (predicate(record)) return record;
          break;
        }
        n -= list.length;
      }
    }
    return undefined;
  }

  private chooseMutation(): MutationKind {
    const total = MUTATION_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.mutationRandom() * total;
    for (const [kind, weight] of MUTATION_WEIGHTS) {
      if (roll < weight) return kind;
      roll -= weight;
    }
    return 'update';
  }

  /**
   * Applies `n` seeded random changes at clock time `now` to every stream: records of every type (custom objects
   * included), associations, submissions, owners, pipeline stages, property catalogs and custom object schemas.
   * Returns what was done, for logs and tests.
   */
  mutate(n: number, now: number): MutationKind[] {
    const done: MutationKind[] = [];
    for (let k = 0; k < n; k++) {
      const kind = this.chooseMutation();
      if (this.apply(kind, now, this.typeKeys())) done.push(kind);
    }
    return done;
  }

  /**
   * Applies one change of the given kind; false when nothing suitable existed. Record changes (update, create,
   * archive, restore, delete, associate, dissociate) and catalog changes pick among `types`: by default the eight
   * types of issue 13, so that callers written for them keep their meaning (`mutate` passes every type).
   */
  apply(kind: MutationKind, now: number, types: readonly ObjectType[] = CLASSIC_TYPES): boolean {
    const random = this.mutationRandom;
    const pool = types.filter((t) => this.stores.has(t));
    const live = (record: SimRecord) => record.archivedAt === undefined;
    switch (kind) {
      case 'update': {
        const record = this.randomRecord(live, pool);
        if (!record) return false;
        this.touch(record, now);
        return true;
      }
      case 'archive': {
        // Hubs stay live so their long association lists remain pageable.
        const record = this.randomRecord((r) => live(r) && r.idx !== 0, pool);
        if (!record) return false;
        this.touch(record, now);
        record.archivedAt = record.updatedAt;
        return true;
      }
      case 'restore': {
        const record = this.randomRecord((r) => !live(r), pool) ?? this.firstArchived(pool);
        if (!record) return false;
        this.touch(record, now);
        delete record.archivedAt;
        return true;
      }
      case 'delete': {
        const record = this.randomRecord((r) => r.idx !== 0, pool);
        if (!record) return false;
        this.hardDelete(record, now);
        return true;
      }
      case 'create': {
        if (pool.length === 0) return false;
        this.create(pool[Math.floor(random() * pool.length)], now);
        return true;
      }
      case 'associate': {
        const pairs = this.pairList.filter((p) => pool.includes(p.from) && pool.includes(p.to));
        if (pairs.length === 0) return false;
        const pair = pairs[Math.floor(random() * pairs.length)];
        const from = this.store(pair.from).list;
        const to = this.store(pair.to).list;
        if (from.length === 0 || to.length === 0) return false;
        return this.link(pair.from, pair.to, from[Math.floor(random() * from.length)].id, to[Math.floor(random() * to.length)].id, true);
      }
      case 'dissociate': {
        const pairs = this.pairList.filter((p) => pool.includes(p.from) && pool.includes(p.to));
        if (pairs.length === 0) return false;
        const pair = pairs[Math.floor(random() * pairs.length)];
        const store = this.associations.get(pairKey(pair))!;
        const from = this.store(pair.from).list;
        if (from.length === 0) return false;
        const fromId = from[Math.floor(random() * from.length)].id;
        const targets = store.forward.get(fromId);
        if (!targets || targets.length === 0) return false;
        this.unlink(store, fromId, targets[Math.floor(random() * targets.length)]);
        return true;
      }
      case 'submit': {
        const readable = this.forms.filter((form) => form.formType !== 'blog_comment');
        if (readable.length === 0) return false;
        const form = readable[Math.floor(random() * readable.length)];
        const list = this.submissionsByForm.get(form.id)!;
        list.push(this.makeSubmission(random, now, 1_000_000 + list.length));
        list.sort(compareSubmissions);
        return true;
      }
      case 'owner-add':
        this.owners.add(now);
        this.ownerSegments = undefined;
        return true;
      case 'owner-archive':
        this.ownerSegments = undefined;
        return this.owners.archiveOne(now) !== undefined;
      case 'stage-add': {
        const types = this.pipelineTypes();
        if (types.length === 0) return false;
        const type = types[Math.floor(random() * types.length)];
        return addStage(this.pipelinesByType.get(type)!, now, random, () => String(this.nextStageId++)) !== undefined;
      }
      case 'stage-rename': {
        const types = this.pipelineTypes();
        if (types.length === 0) return false;
        return renameStage(this.pipelinesByType.get(types[Math.floor(random() * types.length)])!, now, random) !== undefined;
      }
      case 'property-add': {
        const standard = pool.filter((t) => isStandardType(t));
        if (standard.length === 0 || this.catalogMode === 'minimal') return false;
        const type = standard[Math.floor(random() * standard.length)];
        this.catalogs.set(type, withAddedProperty(this.catalog(type), now, this.propertySerial++, String(this.userIds[0] ?? 1)));
        return true;
      }
      case 'property-archive': {
        const standard = pool.filter((t) => isStandardType(t));
        if (standard.length === 0) return false;
        const type = standard[Math.floor(random() * standard.length)];
        const archived = withArchivedProperty(this.catalog(type), now, (n) => Math.floor(random() * n));
        if (!archived) return false;
        this.catalogs.set(type, archived);
        return true;
      }
      case 'schema-add':
        return this.addSchema(now) !== undefined;
      case 'schema-property-add': {
        const schemas = this.schemas.filter((s) => s.archivedAt === undefined);
        if (schemas.length === 0) return false;
        this.addSchemaProperty(schemas[Math.floor(random() * schemas.length)], now);
        return true;
      }
    }
  }

  /** Types whose records sit in pipelines (deals, tickets, leads, custom objects) that this portal has. */
  private pipelineTypes(): ObjectType[] {
    return [...this.pipelinesByType.entries()].filter(([type, list]) => list.length > 0 && this.hasType(type)).map(([type]) => type);
  }

  /** A custom object created at run time by an admin: listed by the schemas API at once, with no records yet. */
  addSchema(now: number): SimSchema | undefined {
    const schema = addedSchema(this.addedSchemas, this.portalId, this.customIds, now, this.userIds[0] ?? 1);
    if (!schema) return undefined;
    this.addedSchemas += 1;
    this.registerSchema(schema);
    this.stores.set(schema.objectTypeId, { list: [], byId: new Map(), nextIdx: 0, lastId: BigInt(this.typeIndex(schema.objectTypeId) + 1) * 10_000_000_000n });
    this.deletedIds.set(schema.objectTypeId, []);
    for (const pair of schemaPairs(schema).filter((p) => this.hasType(p.to))) {
      this.pairList.push(pair);
      this.associations.set(pairKey(pair), { pair, forward: new Map(), reverse: new Map() });
    }
    return schema;
  }

  /**
   * A property added to a custom object's schema at run time: listed at once by the schema and the properties
   * API, and filled on records modified from then on. Returns its name.
   */
  addSchemaProperty(schema: SimSchema, now: number): string {
    const serial = this.propertySerial++;
    const kinds: Array<Pick<NamedProperty, 'type' | 'fieldType'>> = [
      { type: 'string', fieldType: 'text' },
      { type: 'number', fieldType: 'number' },
      { type: 'enumeration', fieldType: 'select' },
      { type: 'date', fieldType: 'date' },
      { type: 'bool', fieldType: 'booleancheckbox' },
    ];
    const name = `${schema.name}_extra_${serial + 1}`;
    schema.properties.push({ name, ...kinds[serial % kinds.length], addedAt: now });
    schema.updatedAt = now;
    schema.updatedByUserId = this.userIds[0] ?? 1;
    this.catalogs.set(schema.objectTypeId, customObjectCatalog(schema, this.catalogMode));
    return name;
  }

  private firstArchived(pool: readonly ObjectType[]): SimRecord | undefined {
    for (const type of pool) {
      const found = this.store(type).list.find((r) => r.archivedAt !== undefined);
      if (found) return found;
    }
    return undefined;
  }

  create(type: ObjectType, now: number): SimRecord {
    const store = this.store(type);
    store.lastId += ID_STRIDE;
    const record: SimRecord = {
      type,
      id: store.lastId.toString(),
      idx: store.nextIdx++,
      version: 0,
      createdAt: now,
      updatedAt: now,
      bornAt: now,
    };
    store.list.push(record);
    store.byId.set(record.id, record);
    const random = this.mutationRandom;
    const contacts = this.store('contacts').list;
    const companies = this.store('companies').list;
    if (type === 'contacts' && companies.length > 0) {
      const company = companies[Math.floor(random() * companies.length)].id;
      this.link('contacts', 'companies', record.id, company, true);
      this.primaryCompany.set(record.id, company);
    } else if (type !== 'contacts' && type !== 'companies' && contacts.length > 0 && this.associations.has(`${type}->contacts`)) {
      this.link(type, 'contacts', record.id, contacts[Math.floor(random() * contacts.length)].id, true);
    } else if (type === 'line_items' && this.associations.has('line_items->deals') && this.store('deals').list.length > 0) {
      const deals = this.store('deals').list;
      this.link('line_items', 'deals', record.id, deals[Math.floor(random() * deals.length)].id, true);
    }
    return record;
  }

  hardDelete(record: SimRecord, now: number): void {
    const store = this.store(record.type);
    const at = lowerBoundId(store.list, record.id, (r) => r.id);
    if (store.list[at] !== record) return;
    store.list.splice(at, 1);
    store.byId.delete(record.id);
    insertSortedId(this.deletedIds.get(record.type)!, record.id);
    for (const assoc of this.associations.values()) {
      if (assoc.pair.from === record.type) {
        for (const toId of [...(assoc.forward.get(record.id) ?? [])]) this.unlink(assoc, record.id, toId);
        assoc.forward.delete(record.id);
      }
      if (assoc.pair.to === record.type) {
        for (const fromId of [...(assoc.reverse.get(record.id) ?? [])]) this.unlink(assoc, fromId, record.id);
        assoc.reverse.delete(record.id);
      }
    }
    if (record.type === 'companies') {
      for (const [contact, company] of this.primaryCompany) if (company === record.id) this.primaryCompany.delete(contact);
    }
    if (this.searchLagMs > 0) this.tombstones.push({ record, deletedAt: now });
  }
}

/** Newest first; equal milliseconds fall back to conversion id, descending, so the order is total. */
export function compareSubmissions(a: SimSubmission, b: SimSubmission): number {
  if (a.submittedAt !== b.submittedAt) return b.submittedAt - a.submittedAt;
  return a.conversionId < b.conversionId ? 1 : a.conversionId > b.conversionId ? -1 : 0;
}
