import { seededRandom, type Random } from '../clock.js';
import { compareIds, hashSeed, insertSortedId, lowerBoundId, removeSortedId, seededUuid } from './ids.js';
import type { CatalogMode, PortalSize } from './options.js';
import { propertyCatalog, type PropertyCatalog } from './property-catalog.js';
import { propertyValues, type PropertyValues, type RecordState } from './property-values.js';
import {
  ASSOCIATION_PAIRS,
  ENGAGEMENT_TYPES,
  OBJECT_TYPES,
  pairKey,
  type AssociationPair,
  type ObjectType,
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
  /** Custom properties per type (realistic catalogs only); none unless given. */
  customProperties?: Partial<Record<ObjectType, number>>;
}

export type MutationKind =
  | 'update'
  | 'create'
  | 'archive'
  | 'restore'
  | 'delete'
  | 'associate'
  | 'dissociate'
  | 'submit';

const MUTATION_WEIGHTS: Array<[MutationKind, number]> = [
  ['update', 50],
  ['create', 15],
  ['archive', 6],
  ['restore', 2],
  ['delete', 7],
  ['associate', 8],
  ['dissociate', 6],
  ['submit', 6],
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

export function countsByType(size: PortalSize): Record<ObjectType, number> {
  const counts = { contacts: size.contacts, companies: size.companies, deals: size.deals } as Record<ObjectType, number>;
  let assigned = 0;
  ENGAGEMENT_TYPES.forEach((type, n) => {
    const count = n === ENGAGEMENT_TYPES.length - 1 ? size.engagements - assigned : Math.floor(size.engagements * ENGAGEMENT_SHARE[type]);
    counts[type] = count;
    assigned += count;
  });
  return counts;
}

export class Portal {
  readonly seed: number;
  private readonly stores = new Map<ObjectType, TypeStore>();
  private readonly associations = new Map<string, AssociationStore>();
  /** contact id → primary company id. */
  private readonly primaryCompany = new Map<string, string>();
  private readonly deletedIds = new Map<ObjectType, string[]>();
  private tombstones: Tombstone[] = [];
  readonly forms: SimForm[] = [];
  private readonly submissionsByForm = new Map<string, SimSubmission[]>();
  private readonly mutationRandom: Random;
  private readonly catalogs = new Map<ObjectType, PropertyCatalog>();
  /** Search index lag in ms; past states are only kept while it is positive. */
  searchLagMs = 0;

  constructor(config: PortalConfig) {
    this.seed = config.seed;
    for (const type of OBJECT_TYPES) {
      this.catalogs.set(type, propertyCatalog(type, config.catalog ?? 'realistic', config.customProperties?.[type] ?? 0));
    }
    this.mutationRandom = seededRandom(hashSeed(config.seed, 'mutations'));
    const counts = countsByType(config.size);
    for (const type of OBJECT_TYPES) this.generateRecords(type, counts[type]);
    this.generateAssociations();
    if (config.sameMsBatch > 0) this.stampSameMillisecond(config.sameMsBatch);
    this.generateForms(config.size.forms, config.size.submissions);
  }

  // ---- generation -------------------------------------------------------------------------------------------

  private generateRecords(type: ObjectType, count: number): void {
    const typeIndex = OBJECT_TYPES.indexOf(type);
    const random = seededRandom(hashSeed(this.seed, 'records', type));
    const base = BigInt(typeIndex + 1) * 10_000_000_000n;
    const highFrom = Math.floor(count * 0.9);
    const store: TypeStore = { list: [], byId: new Map(), nextIdx: count, lastId: 0n };
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
    this.stores.set(type, store);
    this.deletedIds.set(type, []);
  }

  private generateAssociations(): void {
    for (const pair of ASSOCIATION_PAIRS) {
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
    for (const store of this.associations.values()) {
      for (const list of store.forward.values()) list.sort(compareIds);
      for (const list of store.reverse.values()) list.sort(compareIds);
    }
  }

  /** A bulk update: many records of the largest type share one modified-date millisecond. */
  private stampSameMillisecond(n: number): void {
    let largest: ObjectType = 'contacts';
    for (const type of OBJECT_TYPES) if (this.store(type).list.length > this.store(largest).list.length) largest = type;
    const list = this.store(largest).list;
    for (const record of list.slice(0, Math.min(n, list.length))) {
      record.version += 1;
      record.updatedAt = SAME_MS_BATCH_AT;
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

  // ---- reading ----------------------------------------------------------------------------------------------

  private store(type: ObjectType): TypeStore {
    return this.stores.get(type)!;
  }

  /** All existing (not hard-deleted) records of a type, ascending by id, archived ones included. */
  records(type: ObjectType): readonly SimRecord[] {
    return this.store(type).list;
  }

  get(type: ObjectType, id: string): SimRecord | undefined {
    return this.store(type).byId.get(id);
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
    return propertyValues(this.seed, state.type, state, this.catalog(state.type), only);
  }

  deleted(type: ObjectType): readonly string[] {
    return this.deletedIds.get(type)!;
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

  /** Association type ids for one edge as seen from `from` (HubSpot's default ids; contact↔company adds Primary). */
  associationTypeIds(from: ObjectType, to: ObjectType, fromId: string, toId: string): number[] {
    const direct = this.associations.get(`${from}->${to}`);
    const pair = direct ? direct.pair : this.associations.get(`${to}->${from}`)!.pair;
    const ids = [direct ? pair.typeId : pair.reverseTypeId];
    if (from === 'contacts' && to === 'companies' && this.primaryCompany.get(fromId) === toId) ids.push(1);
    if (from === 'companies' && to === 'contacts' && this.primaryCompany.get(toId) === fromId) ids.push(2);
    return ids;
  }

  /** Live edges of one canonical pair (both ends exist and are not archived), ascending by (from, to). */
  liveEdges(pair: AssociationPair): Array<[string, string]> {
    const store = this.associations.get(pairKey(pair))!;
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

  /**
   * A bulk edit at run time (an import or workflow): up to `n` live records of `type`, lowest ids first, get new
   * values and one identical modified-date millisecond, `now`.
   */
  bulkUpdate(type: ObjectType, n: number, now: number): SimRecord[] {
    const chosen = this.store(type).list.filter((r) => r.archivedAt === undefined).slice(0, n);
    for (const record of chosen) {
      this.remember(record, now);
      record.version += 1;
      record.updatedAt = now;
    }
    return chosen;
  }

  /** A property edit by "another user": new values and a later modified date. */
  update(record: SimRecord, now: number): void {
    this.touch(record, now);
  }

  private touch(record: SimRecord, now: number): void {
    this.remember(record, now);
    record.version += 1;
    record.updatedAt = Math.max(now, record.updatedAt + 1);
  }

  private randomRecord(predicate: (record: SimRecord) => boolean): SimRecord | undefined {
    const random = this.mutationRandom;
    const total = OBJECT_TYPES.reduce((sum, type) => sum + this.store(type).list.length, 0);
    if (total === 0) return undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      let n = Math.floor(random() * total);
      for (const type of OBJECT_TYPES) {
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

  /** Applies `n` seeded random changes at clock time `now`; returns what was done, for logs and tests. */
  mutate(n: number, now: number): MutationKind[] {
    const done: MutationKind[] = [];
    for (let k = 0; k < n; k++) {
      const kind = this.chooseMutation();
      if (this.apply(kind, now)) done.push(kind);
    }
    return done;
  }

  /** Applies one change of the given kind; false when nothing suitable existed. */
  apply(kind: MutationKind, now: number): boolean {
    const random = this.mutationRandom;
    const live = (record: SimRecord) => record.archivedAt === undefined;
    switch (kind) {
      case 'update': {
        const record = this.randomRecord(live);
        if (!record) return false;
        this.touch(record, now);
        return true;
      }
      case 'archive': {
        // Hubs stay live so their long association lists remain pageable.
        const record = this.randomRecord((r) => live(r) && r.idx !== 0);
        if (!record) return false;
        this.touch(record, now);
        record.archivedAt = record.updatedAt;
        return true;
      }
      case 'restore': {
        const record = this.randomRecord((r) => !live(r)) ?? this.firstArchived();
        if (!record) return false;
        this.touch(record, now);
        delete record.archivedAt;
        return true;
      }
      case 'delete': {
        const record = this.randomRecord((r) => r.idx !== 0);
        if (!record) return false;
        this.hardDelete(record, now);
        return true;
      }
      case 'create': {
        const type = OBJECT_TYPES[Math.floor(random() * OBJECT_TYPES.length)];
        this.create(type, now);
        return true;
      }
      case 'associate': {
        const pair = ASSOCIATION_PAIRS[Math.floor(random() * ASSOCIATION_PAIRS.length)];
        const from = this.store(pair.from).list;
        const to = this.store(pair.to).list;
        if (from.length === 0 || to.length === 0) return false;
        return this.link(pair.from, pair.to, from[Math.floor(random() * from.length)].id, to[Math.floor(random() * to.length)].id, true);
      }
      case 'dissociate': {
        const pair = ASSOCIATION_PAIRS[Math.floor(random() * ASSOCIATION_PAIRS.length)];
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
    }
  }

  private firstArchived(): SimRecord | undefined {
    for (const type of OBJECT_TYPES) {
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
    } else if (type !== 'contacts' && type !== 'companies' && contacts.length > 0) {
      this.link(type, 'contacts', record.id, contacts[Math.floor(random() * contacts.length)].id, true);
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
