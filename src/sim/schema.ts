/**
 * The shape of the simulated portal: object types, their system properties and the association pairs (property
 * catalogs are in `property-catalog.ts`).
 * Type ids and association type ids are HubSpot's (contract §2.4, §2.5) so clients can use either name.
 */

export const OBJECT_TYPES = ['contacts', 'companies', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export const ENGAGEMENT_TYPES = ['calls', 'emails', 'meetings', 'notes', 'tasks'] as const satisfies readonly ObjectType[];

export const OBJECT_TYPE_IDS: Record<ObjectType, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  calls: '0-48',
  emails: '0-49',
  meetings: '0-47',
  notes: '0-46',
  tasks: '0-27',
};

const SINGULAR: Record<ObjectType, string> = {
  contacts: 'contact',
  companies: 'company',
  deals: 'deal',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  notes: 'note',
  tasks: 'task',
};

export function singularName(type: ObjectType): string {
  return SINGULAR[type];
}

/** HubSpot accepts the plural name, the singular name or the `0-N` type id in paths. */
export function resolveObjectType(raw: string): ObjectType | undefined {
  const name = raw.toLowerCase();
  for (const type of OBJECT_TYPES) {
    if (type === name || SINGULAR[type] === name || OBJECT_TYPE_IDS[type] === name) return type;
  }
  return undefined;
}

/** Contacts keep the legacy `lastmodifieddate`; every other type uses `hs_lastmodifieddate` (contract §2.3). */
export function modifiedDateProperty(type: ObjectType): string {
  return type === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

export function createdDateProperty(type: ObjectType): string {
  return type === 'contacts' || type === 'companies' || type === 'deals' ? 'createdate' : 'hs_createdate';
}

/** Properties returned when the caller names none (contract §2.1; the search guide's table for §2.3). */
export function defaultProperties(type: ObjectType): string[] {
  const always = ['hs_object_id', createdDateProperty(type), modifiedDateProperty(type)];
  switch (type) {
    case 'contacts':
      return [...always, 'firstname', 'lastname', 'email'];
    case 'companies':
      return [...always, 'name', 'domain'];
    case 'deals':
      return [...always, 'dealname', 'amount', 'closedate', 'pipeline', 'dealstage'];
    default:
      return always;
  }
}

/** Returned whatever `properties` asks for. */
export function alwaysReturnedProperties(type: ObjectType): string[] {
  return ['hs_object_id', createdDateProperty(type), modifiedDateProperty(type)];
}

export interface AssociationPair {
  /** Canonical direction: the manifest lists edges from `from` to `to`. */
  from: ObjectType;
  to: ObjectType;
  typeId: number;
  reverseTypeId: number;
}

function engagementPairs(): AssociationPair[] {
  // HubSpot numbers an engagement's association to a contact/company/deal and the reverse as consecutive ids.
  const base: Record<(typeof ENGAGEMENT_TYPES)[number], [number, number, number]> = {
    calls: [194, 182, 206],
    emails: [198, 186, 210],
    meetings: [200, 188, 212],
    notes: [202, 190, 214],
    tasks: [204, 192, 216],
  };
  return ENGAGEMENT_TYPES.flatMap((type) => {
    const [toContact, toCompany, toDeal] = base[type];
    return [
      { from: type, to: 'contacts' as ObjectType, typeId: toContact, reverseTypeId: toContact - 1 },
      { from: type, to: 'companies' as ObjectType, typeId: toCompany, reverseTypeId: toCompany - 1 },
      { from: type, to: 'deals' as ObjectType, typeId: toDeal, reverseTypeId: toDeal - 1 },
    ];
  });
}

export const ASSOCIATION_PAIRS: AssociationPair[] = [
  { from: 'contacts', to: 'companies', typeId: 279, reverseTypeId: 280 },
  { from: 'deals', to: 'contacts', typeId: 3, reverseTypeId: 4 },
  { from: 'deals', to: 'companies', typeId: 341, reverseTypeId: 342 },
  ...engagementPairs(),
];

/** Contact→company "Primary" label ids (contract §2.5). */
export const PRIMARY_CONTACT_TO_COMPANY = 1;
export const PRIMARY_COMPANY_TO_CONTACT = 2;

export function pairKey(pair: AssociationPair): string {
  return `${pair.from}->${pair.to}`;
}

export interface DirectedPair {
  pair: AssociationPair;
  /** True when the caller asked for to→from. */
  reversed: boolean;
}

export function findPair(from: ObjectType, to: ObjectType): DirectedPair | undefined {
  for (const pair of ASSOCIATION_PAIRS) {
    if (pair.from === from && pair.to === to) return { pair, reversed: false };
    if (pair.from === to && pair.to === from) return { pair, reversed: true };
  }
  return undefined;
}
