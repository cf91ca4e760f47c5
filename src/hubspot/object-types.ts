/**
 * HubSpot's standard CRM object types, defined once: their API name (the plural the paths take, and the name
 * their table and every `object_type` column use), their `objectTypeId` (contract §2.4; the objects spec's info
 * table) and whether a portal may lack them. Custom objects (`2-<id>`) are only known at run time, from the
 * schemas API (extractors/object-types.ts).
 */
export interface StandardObjectType {
  readonly name: string;
  readonly objectTypeId: string;
  /**
   * A portal can be without it (leads need Sales Hub; the commerce objects and tickets are per-product) and a
   * key can lack its scope: a 403/404 on it skips the type for the run instead of failing the run.
   */
  readonly optional: boolean;
}

export const STANDARD_OBJECT_TYPES: readonly StandardObjectType[] = [
  { name: 'contacts', objectTypeId: '0-1', optional: false },
  { name: 'companies', objectTypeId: '0-2', optional: false },
  { name: 'deals', objectTypeId: '0-3', optional: false },
  { name: 'calls', objectTypeId: '0-48', optional: false },
  { name: 'emails', objectTypeId: '0-49', optional: false },
  { name: 'meetings', objectTypeId: '0-47', optional: false },
  { name: 'notes', objectTypeId: '0-46', optional: false },
  { name: 'tasks', objectTypeId: '0-27', optional: false },
  { name: 'tickets', objectTypeId: '0-5', optional: true },
  { name: 'products', objectTypeId: '0-7', optional: true },
  { name: 'line_items', objectTypeId: '0-8', optional: true },
  { name: 'quotes', objectTypeId: '0-14', optional: true },
  { name: 'leads', objectTypeId: '0-136', optional: true },
];

const BY_NAME = new Map(STANDARD_OBJECT_TYPES.map((t) => [t.name, t]));

export function standardObjectType(name: string): StandardObjectType | undefined {
  return BY_NAME.get(name);
}

/** A custom object's type id (`2-3589506`): HubSpot's meta-type 2. */
export function isCustomObjectTypeId(type: string): boolean {
  return /^2-\d+$/.test(type);
}

/**
 * Whether a call naming `type` (as its path names it) may meet a portal without that type: the optional
 * standard types, and custom objects (a schema can be deleted between discovery and a read).
 */
export function mayBeMissing(type: string): boolean {
  return BY_NAME.get(type)?.optional === true || isCustomObjectTypeId(type);
}
