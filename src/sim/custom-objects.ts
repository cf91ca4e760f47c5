import { hashSeed } from './ids.js';
import type { NamedProperty } from './property-names.js';
import { parseNames } from './property-names.js';
import { OBJECT_TYPE_IDS, USER_LABEL_IDS, type AssociationLabel, type AssociationPair, type StandardType } from './schema.js';

/**
 * Custom objects: their schemas (`GET /crm-object-schemas/v3/schemas`, contract §6.4) and what the rest of the
 * simulator needs to treat them like any other type. A schema has HubSpot's shape: a numeric `id`, the
 * `objectTypeId` `2-<id>`, a `name`, the fully qualified name `p<portalId>_<name>`, labels, a primary display
 * property, its own properties (on top of the `hs_*` ones HubSpot gives every custom object) and associations to
 * standard types, each with an association type id per direction (category USER_DEFINED in the associations API).
 * Records are reachable by `2-<id>`, the fully qualified name, `p_<name>` and the bare name.
 */

export interface SimSchema {
  /** Numeric id as a string; the type key is `objectTypeId`. */
  id: string;
  objectTypeId: string;
  name: string;
  fullyQualifiedName: string;
  labels: { singular: string; plural: string };
  description: string;
  primaryDisplayProperty: string;
  secondaryDisplayProperties: string[];
  requiredProperties: string[];
  searchableProperties: string[];
  /** The schema's own properties (not HubSpot-defined); a property added at run time has `addedAt`. */
  properties: Array<NamedProperty & { addedAt?: number }>;
  /** Standard types it is associated with, and the association type ids (from this object, and back). */
  associations: Array<{ to: StandardType; typeId: number; reverseTypeId: number; createdAt: number }>;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number;
  createdByUserId: number;
  updatedByUserId: number;
}

interface Blueprint {
  name: string;
  singular: string;
  plural: string;
  description: string;
  properties: string;
  primary: string;
  secondary: string[];
  required: string[];
  searchable: string[];
  associations: StandardType[];
}

/** The custom objects a portal starts with: every preset has `projects`; medium and large have `vehicles` too. */
const GENERATED: Blueprint[] = [
  {
    name: 'projects',
    singular: 'Project',
    plural: 'Projects',
    description: 'Delivery projects sold with deals 🛠️',
    properties: 'project_name project_code budget:nn project_status:es start_date:dd due_at:td tags:ec description:sa is_billable:bb',
    primary: 'project_name',
    secondary: ['project_code'],
    required: ['project_name'],
    searchable: ['project_name', 'project_code'],
    associations: ['contacts', 'companies', 'deals'],
  },
  {
    name: 'vehicles',
    singular: 'Vehicle',
    plural: 'Vehicles',
    description: 'Fleet vehicles under contract',
    properties: 'vehicle_name vin model_year:nn mileage:nn fuel_type:es registered_on:dd notes:sa',
    primary: 'vehicle_name',
    secondary: ['vin'],
    required: ['vehicle_name', 'vin'],
    searchable: ['vehicle_name', 'vin'],
    associations: ['contacts', 'companies'],
  },
];

/** Schemas a portal admin creates at run time (the schema-added mutation), in this order. */
const ADDED: Blueprint[] = [
  {
    name: 'subscriptions',
    singular: 'Subscription',
    plural: 'Subscriptions',
    description: '',
    properties: 'subscription_name plan:es seats:nn renews_on:dd',
    primary: 'subscription_name',
    secondary: [],
    required: ['subscription_name'],
    searchable: ['subscription_name'],
    associations: ['contacts', 'companies'],
  },
  {
    name: 'warranties',
    singular: 'Warranty',
    plural: 'Warranties',
    description: 'Warranty claims',
    properties: 'warranty_name serial_number expires_on:dd',
    primary: 'warranty_name',
    secondary: ['serial_number'],
    required: ['warranty_name'],
    searchable: ['warranty_name', 'serial_number'],
    associations: ['contacts', 'deals'],
  },
  {
    name: 'shipments',
    singular: 'Shipment',
    plural: 'Shipments',
    description: '',
    properties: 'shipment_name carrier:es shipped_at:td weight_kg:nn',
    primary: 'shipment_name',
    secondary: [],
    required: ['shipment_name'],
    searchable: ['shipment_name'],
    associations: ['companies'],
  },
];

/** HubSpot's account ("portal") id for a seed: eight digits, as real ones. */
export function portalIdFor(seed: number): number {
  return 20_000_000 + (hashSeed(seed, 'portal-id') % 70_000_000);
}

/** Allocates schema ids and association type ids for one portal, in order. */
export class CustomIdAllocator {
  private nextSchema: number;
  /** Custom association type ids, above the HubSpot-defined ones and the user labels (`USER_LABEL_IDS`). */
  private nextAssociation = 1700;

  constructor(seed: number) {
    this.nextSchema = 3_000_000 + (hashSeed(seed, 'schema-id') % 900_000);
  }

  schemaId(): string {
    const id = this.nextSchema;
    this.nextSchema += 1 + (id % 7);
    return String(id);
  }

  associationIds(): [number, number] {
    const ids: [number, number] = [this.nextAssociation, this.nextAssociation + 1];
    this.nextAssociation += 2;
    return ids;
  }
}

function schemaFrom(blueprint: Blueprint, portalId: number, ids: CustomIdAllocator, createdAt: number, userId: number): SimSchema {
  const id = ids.schemaId();
  return {
    id,
    objectTypeId: `2-${id}`,
    name: blueprint.name,
    fullyQualifiedName: `p${portalId}_${blueprint.name}`,
    labels: { singular: blueprint.singular, plural: blueprint.plural },
    description: blueprint.description,
    primaryDisplayProperty: blueprint.primary,
    secondaryDisplayProperties: blueprint.secondary,
    requiredProperties: blueprint.required,
    searchableProperties: blueprint.searchable,
    properties: parseNames(blueprint.properties),
    associations: blueprint.associations.map((to) => {
      const [typeId, reverseTypeId] = ids.associationIds();
      return { to, typeId, reverseTypeId, createdAt };
    }),
    createdAt,
    updatedAt: createdAt,
    createdByUserId: userId,
    updatedByUserId: userId,
  };
}

/** The portal's custom objects at start: `count` of them (1 or 2), created in 2024 by an admin user. */
export function generatedSchemas(count: number, portalId: number, ids: CustomIdAllocator, userId: number): SimSchema[] {
  return GENERATED.slice(0, count).map((blueprint, n) => schemaFrom(blueprint, portalId, ids, Date.UTC(2024, 1 + n * 4, 8, 14, 2, 11, 417), userId));
}

/** The next schema an admin creates at run time; undefined when every one of them exists. */
export function addedSchema(existing: number, portalId: number, ids: CustomIdAllocator, now: number, userId: number): SimSchema | undefined {
  const blueprint = ADDED[existing];
  return blueprint ? schemaFrom(blueprint, portalId, ids, now, userId) : undefined;
}

/** The association pairs a schema defines (canonical direction: from the custom object). */
export function schemaPairs(schema: SimSchema): AssociationPair[] {
  return schema.associations.map(({ to, typeId, reverseTypeId }) => {
    const labels: AssociationLabel[] =
      schema.name === 'projects' && to === 'companies'
        ? [
            {
              category: 'USER_DEFINED',
              typeId: USER_LABEL_IDS.projectSponsor[0],
              reverseTypeId: USER_LABEL_IDS.projectSponsor[1],
              label: 'Sponsor',
              share: 0.4,
            },
          ]
        : [];
    return { from: schema.objectTypeId, to, typeId, reverseTypeId, category: 'USER_DEFINED', labels };
  });
}

/** The names a path may use for a schema's records: `2-<id>`, `p<portal>_<name>`, `p_<name>` and `<name>`. */
export function schemaMatches(schema: SimSchema, raw: string): boolean {
  const name = raw.toLowerCase();
  return name === schema.objectTypeId || name === schema.fullyQualifiedName.toLowerCase() || name === `p_${schema.name}` || name === schema.name;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A schema as the schemas API returns it (`ObjectSchema`); `properties` are the type's full catalog. */
export function schemaJson(
  schema: SimSchema,
  properties: readonly unknown[],
  options: { associations: boolean; audit: boolean; propertyDefinitions: boolean },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: schema.id,
    objectTypeId: schema.objectTypeId,
    name: schema.name,
    fullyQualifiedName: schema.fullyQualifiedName,
    labels: { ...schema.labels },
    description: schema.description,
    primaryDisplayProperty: schema.primaryDisplayProperty,
    secondaryDisplayProperties: [...schema.secondaryDisplayProperties],
    requiredProperties: [...schema.requiredProperties],
    searchableProperties: [...schema.searchableProperties],
    allowsSensitiveProperties: false,
    archived: schema.archivedAt !== undefined,
    associations: options.associations
      ? schema.associations.flatMap(({ to, typeId, reverseTypeId, createdAt }) => [
          {
            id: String(typeId),
            fromObjectTypeId: schema.objectTypeId,
            toObjectTypeId: OBJECT_TYPE_IDS[to],
            name: `${schema.name}_to_${to}`,
            createdAt: iso(createdAt),
            updatedAt: iso(createdAt),
          },
          {
            id: String(reverseTypeId),
            fromObjectTypeId: OBJECT_TYPE_IDS[to],
            toObjectTypeId: schema.objectTypeId,
            name: `${to}_to_${schema.name}`,
            createdAt: iso(createdAt),
            updatedAt: iso(createdAt),
          },
        ])
      : [],
    properties: options.propertyDefinitions ? properties : [],
  };
  if (options.audit) {
    out.createdAt = iso(schema.createdAt);
    out.updatedAt = iso(schema.updatedAt);
    out.createdByUserId = schema.createdByUserId;
    out.updatedByUserId = schema.updatedByUserId;
  }
  return out;
}
