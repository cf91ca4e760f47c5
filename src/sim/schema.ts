/**
 * The shape of the simulated portal: object types, their system properties and the association pairs (property
 * catalogs are in `property-catalog.ts`, custom object schemas in `custom-objects.ts`).
 * Type ids and association type ids are HubSpot's (contract §2.4, §2.5; `AssociationTypes` of
 * @hubspot/api-client 14) so clients can use either name.
 *
 * A type is named by a *type key*: the plural name of a standard object (`contacts`, `line_items`) or the
 * `objectTypeId` of a custom object (`2-3711402`), which HubSpot never reuses.
 */

/** The types the simulator had before issue 14; `Portal.apply` picks among these unless told otherwise. */
export const CLASSIC_TYPES = ['contacts', 'companies', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'] as const;

export const OBJECT_TYPES = [...CLASSIC_TYPES, 'tickets', 'products', 'line_items', 'quotes', 'leads'] as const;
/** A standard (HubSpot-defined) object type. */
export type StandardType = (typeof OBJECT_TYPES)[number];
/** A type key: a standard type, or a custom object's `objectTypeId` (`2-…`). */
export type ObjectType = string;

export const ENGAGEMENT_TYPES = ['calls', 'emails', 'meetings', 'notes', 'tasks'] as const satisfies readonly StandardType[];

/** Types a portal may lack (Sales Hub leads, commerce objects); the others every portal has. */
export const OPTIONAL_TYPES = ['tickets', 'products', 'line_items', 'quotes', 'leads'] as const satisfies readonly StandardType[];
export type OptionalType = (typeof OPTIONAL_TYPES)[number];

export const OBJECT_TYPE_IDS: Record<StandardType, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  tickets: '0-5',
  products: '0-7',
  line_items: '0-8',
  quotes: '0-14',
  calls: '0-48',
  emails: '0-49',
  meetings: '0-47',
  notes: '0-46',
  tasks: '0-27',
  leads: '0-136',
};

const SINGULAR: Record<StandardType, string> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  notes: 'note',
  tasks: 'task',
  tickets: 'ticket',
  products: 'product',
  line_items: 'line_item',
  quotes: 'quote',
  leads: 'lead',
};

/** The scope a private app needs to read a type (the 403 MISSING_SCOPES body names it). */
export const READ_SCOPES: Record<StandardType, string> = {
  contacts: 'crm.objects.contacts.read',
  companies: 'crm.objects.companies.read',
  deals: 'crm.objects.deals.read',
  calls: 'crm.objects.contacts.read',
  emails: 'crm.objects.contacts.read',
  meetings: 'crm.objects.contacts.read',
  notes: 'crm.objects.contacts.read',
  tasks: 'crm.objects.contacts.read',
  tickets: 'tickets',
  products: 'e-commerce',
  line_items: 'crm.objects.line_items.read',
  quotes: 'crm.objects.quotes.read',
  leads: 'crm.objects.leads.read',
};

export function isStandardType(type: string): type is StandardType {
  return (OBJECT_TYPES as readonly string[]).includes(type);
}

export function isCustomTypeKey(type: string): boolean {
  return /^2-\d+$/.test(type);
}

/** Singular name of a standard type; a custom type key is returned unchanged (the portal knows its name). */
export function singularName(type: ObjectType): string {
  return isStandardType(type) ? SINGULAR[type] : type;
}

/** HubSpot accepts the plural name, the singular name or the `0-N` type id of a standard type in paths. */
export function resolveStandardType(raw: string): StandardType | undefined {
  const name = raw.toLowerCase();
  for (const type of OBJECT_TYPES) {
    if (type === name || SINGULAR[type] === name || OBJECT_TYPE_IDS[type] === name) return type;
  }
  return undefined;
}

/**
 * Contacts keep the legacy `lastmodifieddate`; every other type, the new ones and custom objects included, uses
 * `hs_lastmodifieddate` (contract §2.3; the search guide's default-property table).
 */
export function modifiedDateProperty(type: ObjectType): string {
  return type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

/** The record's creation date: `createdate` on the older types, `hs_createdate` on activities, quotes, leads and custom objects. */
export function createdDateProperty(type: ObjectType): string {
  return ['contacts', 'companies', 'deals', 'tickets', 'products', 'line_items'].includes(type) ? 'createdate' : 'hs_createdate';
}

/** Properties returned when the caller names none (contract §2.1; objects spec info table; the search guide for §2.3). */
export function defaultProperties(type: ObjectType): string[] {
  const always = alwaysReturnedProperties(type);
  switch (type) {
    case 'contacts':
      return [...always, 'firstname', 'lastname', 'email'];
    case 'companies':
      return [...always, 'name', 'domain'];
    case 'deals':
      return [...always, 'dealname', 'amount', 'closedate', 'pipeline', 'dealstage'];
    case 'tickets':
      return [...always, 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_category', 'hs_ticket_priority', 'subject'];
    case 'products':
      return [...always, 'name', 'description', 'price'];
    case 'line_items':
      return [...always, 'quantity', 'amount', 'price'];
    case 'quotes':
      return [...always, 'hs_expiration_date', 'hs_public_url_key', 'hs_status', 'hs_title'];
    default:
      return always;
  }
}

/** Returned whatever `properties` asks for. */
export function alwaysReturnedProperties(type: ObjectType): string[] {
  return ['hs_object_id', createdDateProperty(type), modifiedDateProperty(type)];
}

export type AssociationCategory = 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED';

/** A label an edge may carry besides its pair's default (unlabelled) type, in both directions. */
export interface AssociationLabel {
  category: AssociationCategory;
  /** Type id from `from` to `to` (canonical direction) and back. */
  typeId: number;
  reverseTypeId: number;
  label: string;
  /** Share of the pair's edges that carry it (seeded). */
  share: number;
}

export interface AssociationPair {
  /** Canonical direction: the manifest lists edges from `from` to `to`. */
  from: ObjectType;
  to: ObjectType;
  typeId: number;
  reverseTypeId: number;
  /** Category of the default types (HubSpot-defined; custom object associations are user-defined). */
  category: AssociationCategory;
  /** Labels some edges carry as well (the default type always comes too). */
  labels: AssociationLabel[];
}

const pair = (from: StandardType, to: StandardType, typeId: number, reverseTypeId: number, labels: AssociationLabel[] = []): AssociationPair => ({
  from,
  to,
  typeId,
  reverseTypeId,
  category: 'HUBSPOT_DEFINED',
  labels,
});

function engagementPairs(): AssociationPair[] {
  // HubSpot numbers an engagement's association to a contact/company/deal/ticket and the reverse as neighbours.
  const base: Record<(typeof ENGAGEMENT_TYPES)[number], [number, number, number, number]> = {
    calls: [194, 182, 206, 220],
    emails: [198, 186, 210, 224],
    meetings: [200, 188, 212, 226],
    notes: [202, 190, 214, 228],
    tasks: [204, 192, 216, 230],
  };
  return ENGAGEMENT_TYPES.flatMap((type) => {
    const [toContact, toCompany, toDeal] = base[type];
    return [pair(type, 'contacts', toContact, toContact - 1), pair(type, 'companies', toCompany, toCompany - 1), pair(type, 'deals', toDeal, toDeal - 1)];
  });
}

function engagementTicketPairs(): AssociationPair[] {
  const toTicket: Record<(typeof ENGAGEMENT_TYPES)[number], number> = { calls: 220, emails: 224, meetings: 226, notes: 228, tasks: 230 };
  return ENGAGEMENT_TYPES.map((type) => pair(type, 'tickets', toTicket[type], toTicket[type] - 1));
}

/** Ids of the user-defined labels the simulated portal has (portal-specific in HubSpot; these are the simulator's). */
export const USER_LABEL_IDS = { ticketReporter: [1605, 1606], projectSponsor: [1607, 1608] } as const;

/**
 * Every standard pair HubSpot defines among the simulated types, with its default type ids. The first 18 are the
 * pairs of issue 13 (in that order); pairs with a type of issue 14 follow. Custom object pairs come from their
 * schemas (`custom-objects.ts`).
 */
export const ASSOCIATION_PAIRS: AssociationPair[] = [
  pair('contacts', 'companies', 279, 280),
  pair('deals', 'contacts', 3, 4),
  pair('deals', 'companies', 341, 342),
  ...engagementPairs(),
  pair('tickets', 'contacts', 16, 15, [
    { category: 'USER_DEFINED', typeId: USER_LABEL_IDS.ticketReporter[0], reverseTypeId: USER_LABEL_IDS.ticketReporter[1], label: 'Reporter', share: 0.3 },
  ]),
  // A ticket's primary company (26/25) is a HubSpot-defined label on top of the unlabelled 339/340.
  pair('tickets', 'companies', 339, 340, [{ category: 'HUBSPOT_DEFINED', typeId: 26, reverseTypeId: 25, label: 'Primary', share: 0.6 }]),
  pair('tickets', 'deals', 28, 27),
  ...engagementTicketPairs(),
  pair('line_items', 'deals', 20, 19),
  pair('quotes', 'deals', 64, 63),
  pair('quotes', 'line_items', 67, 68),
  pair('quotes', 'contacts', 69, 70),
  pair('quotes', 'companies', 71, 72),
  pair('tasks', 'quotes', 218, 217),
  // A lead's contact and company (578/580 are the ids HubSpot requires when a lead is created).
  pair('leads', 'contacts', 578, 579),
  pair('leads', 'companies', 580, 581),
];

/** Contact→company "Primary" label ids (contract §2.5). */
export const PRIMARY_CONTACT_TO_COMPANY = 1;
export const PRIMARY_COMPANY_TO_CONTACT = 2;

export function pairKey(pair: Pick<AssociationPair, 'from' | 'to'>): string {
  return `${pair.from}->${pair.to}`;
}

export interface DirectedPair {
  pair: AssociationPair;
  /** True when the caller asked for to→from. */
  reversed: boolean;
}

export function findPairIn(pairs: readonly AssociationPair[], from: ObjectType, to: ObjectType): DirectedPair | undefined {
  for (const pair of pairs) {
    if (pair.from === from && pair.to === to) return { pair, reversed: false };
    if (pair.from === to && pair.to === from) return { pair, reversed: true };
  }
  return undefined;
}

/** A standard pair (custom object pairs are the portal's: `Portal.findPair`). */
export function findPair(from: ObjectType, to: ObjectType): DirectedPair | undefined {
  return findPairIn(ASSOCIATION_PAIRS, from, to);
}
