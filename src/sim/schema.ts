/**
 * The shape of the simulated portal: object types, their property definitions and the association pairs.
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

export interface PropertyDefinition {
  name: string;
  label: string;
  type: 'string' | 'number' | 'datetime' | 'enumeration' | 'bool';
  fieldType: 'text' | 'textarea' | 'number' | 'date' | 'select' | 'booleancheckbox' | 'phonenumber';
  groupName: string;
}

function prop(name: string, label: string, type: PropertyDefinition['type'], fieldType: PropertyDefinition['fieldType'], groupName: string): PropertyDefinition {
  return { name, label, type, fieldType, groupName };
}

function systemProperties(type: ObjectType): PropertyDefinition[] {
  const group = `${SINGULAR[type]}information`;
  return [
    prop('hs_object_id', 'Record ID', 'number', 'number', group),
    prop(createdDateProperty(type), 'Create Date', 'datetime', 'date', group),
    prop(modifiedDateProperty(type), 'Last Modified Date', 'datetime', 'date', group),
  ];
}

const ENGAGEMENT_PROPERTIES: Record<(typeof ENGAGEMENT_TYPES)[number], PropertyDefinition[]> = {
  calls: [
    prop('hs_timestamp', 'Activity date', 'datetime', 'date', 'call'),
    prop('hs_call_title', 'Call Title', 'string', 'text', 'call'),
    prop('hs_call_body', 'Call notes', 'string', 'textarea', 'call'),
    prop('hs_call_duration', 'Call duration', 'number', 'number', 'call'),
  ],
  emails: [
    prop('hs_timestamp', 'Activity date', 'datetime', 'date', 'email'),
    prop('hs_email_subject', 'Email subject', 'string', 'text', 'email'),
    prop('hs_email_text', 'Email body', 'string', 'textarea', 'email'),
    prop('hs_email_direction', 'Email direction', 'enumeration', 'select', 'email'),
  ],
  meetings: [
    prop('hs_timestamp', 'Activity date', 'datetime', 'date', 'meeting'),
    prop('hs_meeting_title', 'Meeting name', 'string', 'text', 'meeting'),
    prop('hs_meeting_body', 'Meeting description', 'string', 'textarea', 'meeting'),
    prop('hs_meeting_outcome', 'Meeting outcome', 'enumeration', 'select', 'meeting'),
  ],
  notes: [
    prop('hs_timestamp', 'Activity date', 'datetime', 'date', 'note'),
    prop('hs_note_body', 'Note body', 'string', 'textarea', 'note'),
  ],
  tasks: [
    prop('hs_timestamp', 'Due date', 'datetime', 'date', 'task'),
    prop('hs_task_subject', 'Task title', 'string', 'text', 'task'),
    prop('hs_task_body', 'Task notes', 'string', 'textarea', 'task'),
    prop('hs_task_status', 'Task status', 'enumeration', 'select', 'task'),
  ],
};

const OWN_PROPERTIES: Record<'contacts' | 'companies' | 'deals', PropertyDefinition[]> = {
  contacts: [
    prop('firstname', 'First Name', 'string', 'text', 'contactinformation'),
    prop('lastname', 'Last Name', 'string', 'text', 'contactinformation'),
    prop('email', 'Email', 'string', 'text', 'contactinformation'),
    prop('phone', 'Phone Number', 'string', 'phonenumber', 'contactinformation'),
    prop('lifecyclestage', 'Lifecycle Stage', 'enumeration', 'select', 'contactinformation'),
    prop('biography', 'Biography', 'string', 'textarea', 'contactinformation'),
  ],
  companies: [
    prop('name', 'Company name', 'string', 'text', 'companyinformation'),
    prop('domain', 'Company Domain Name', 'string', 'text', 'companyinformation'),
    prop('industry', 'Industry', 'enumeration', 'select', 'companyinformation'),
    prop('city', 'City', 'string', 'text', 'companyinformation'),
    prop('description', 'Description', 'string', 'textarea', 'companyinformation'),
  ],
  deals: [
    prop('dealname', 'Deal Name', 'string', 'text', 'dealinformation'),
    prop('amount', 'Amount', 'number', 'number', 'dealinformation'),
    prop('closedate', 'Close Date', 'datetime', 'date', 'dealinformation'),
    prop('pipeline', 'Pipeline', 'enumeration', 'select', 'dealinformation'),
    prop('dealstage', 'Deal Stage', 'enumeration', 'select', 'dealinformation'),
  ],
};

const PROPERTY_DEFINITIONS: Record<ObjectType, PropertyDefinition[]> = Object.fromEntries(
  OBJECT_TYPES.map((type) => {
    const own = type in OWN_PROPERTIES
      ? OWN_PROPERTIES[type as keyof typeof OWN_PROPERTIES]
      : ENGAGEMENT_PROPERTIES[type as keyof typeof ENGAGEMENT_PROPERTIES];
    return [type, [...systemProperties(type), ...own]];
  }),
) as Record<ObjectType, PropertyDefinition[]>;

export function propertyDefinitions(type: ObjectType): PropertyDefinition[] {
  return PROPERTY_DEFINITIONS[type];
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
