import type { SimSchema } from './custom-objects.js';
import { hashSeed } from './ids.js';
import type { CatalogMode } from './options.js';
import { customObjectPipeline, initialPipelines } from './pipelines.js';
import {
  customObjectDefaultNames,
  DEFAULT_PROPERTY_COUNTS,
  parseNames,
  realPropertyNames,
  type FieldType,
  type NamedProperty,
  type PropertyType,
} from './property-names.js';
import { createdDateProperty, modifiedDateProperty, singularName, type ObjectType, type StandardType } from './schema.js';

/**
 * Property catalogs: what `GET /crm/v3/properties/{type}` (and the dated paths) lists, and how the simulator fills
 * each property. A catalog is built once per (type, mode, custom count) from compact name lists and pure rules, so
 * it costs nothing per request and one seed always gives the same catalog.
 */

export type { FieldType, PropertyType } from './property-names.js';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description?: string;
}

/** One property as the properties API returns it (spec `Property`; only fields every version's schema has). */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  description: string;
  groupName: string;
  options: PropertyOption[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined: boolean;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean; readOnlyOptions?: boolean };
  formField: boolean;
  dataSensitivity: 'non_sensitive';
  archived: boolean;
  archivedAt?: string;
  createdAt?: string;
  updatedAt?: string;
  createdUserId?: string;
  updatedUserId?: string;
  referencedObjectType?: string;
  calculationFormula?: string;
  showCurrencySymbol?: boolean;
}

/** How the simulator fills one property (never sent): see `property-values.ts`. */
export type ValueKind =
  | 'core'
  | 'created'
  | 'never'
  | 'text'
  | 'textarea'
  | 'html'
  | 'email'
  | 'url'
  | 'file'
  | 'number'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'bool'
  | 'select'
  | 'checkbox'
  | 'ids'
  | 'phone'
  | 'coordinates';

export interface ValueSpec {
  name: string;
  kind: ValueKind;
  /** The value is present when the record's hash for this property is below this (uint32). */
  fillBelow: number;
  /** A present value is invalid for its declared type when a second hash is below this (uint32). */
  invalidBelow: number;
  /** Datetimes only: this property's values are epoch-millisecond strings rather than ISO strings. */
  epochMs: boolean;
  /** Option values (select/checkbox). */
  options: readonly string[];
  salt: number;
  /** Owner references (`referencedObjectType: OWNER`): one owner id, or a `;`-joined list of them. */
  owner?: 'single' | 'list';
  /** A property created at run time: records not modified since hold no value for it. */
  addedAt?: number;
}

export interface PropertyCatalog {
  type: ObjectType;
  /** Live definitions, in the properties API's order. */
  definitions: readonly PropertyDefinition[];
  specs: readonly ValueSpec[];
  byName: ReadonlyMap<string, PropertyDefinition>;
  specByName: ReadonlyMap<string, ValueSpec>;
  /** Archived definitions (`archived=true` lists them); their values are no longer returned. */
  archived: readonly PropertyDefinition[];
  /** Names the hand-written generators fill (`property-values.ts`). */
  core: ReadonlySet<string>;
}

// ---- the minimal catalog (before issue 13): a dozen properties per type ------------------------------------

/** Properties whose values `property-values.ts` writes by hand (hard values placed by index). */
const CORE: Record<StandardType, string> = {
  contacts: 'firstname lastname email phone:sp lifecyclestage:es biography:sa',
  companies: 'name domain industry:es city description:sa',
  deals: 'dealname amount:nn closedate:td pipeline:es dealstage:es',
  calls: 'hs_timestamp:td hs_call_title hs_call_body:sa hs_call_duration:nn',
  emails: 'hs_timestamp:td hs_email_subject hs_email_text:sa hs_email_direction:es',
  meetings: 'hs_timestamp:td hs_meeting_title hs_meeting_body:sa hs_meeting_outcome:es',
  notes: 'hs_timestamp:td hs_note_body:sa',
  tasks: 'hs_timestamp:td hs_task_subject hs_task_body:sa hs_task_status:es',
  tickets: 'subject content:sa hs_pipeline:es hs_pipeline_stage:es hs_ticket_priority:es',
  products: 'name description:sa price:nn hs_sku',
  line_items: 'name quantity:nn price:nn amount:nq hs_product_id:nn',
  quotes: 'hs_title hs_status:es hs_expiration_date:td hs_public_url_key hs_quote_amount:nn',
  leads: 'hs_lead_name hs_pipeline:es hs_pipeline_stage:es hs_lead_type:es',
};

const CORE_LABELS: Record<string, string> = {
  hs_object_id: 'Record ID',
  createdate: 'Create Date',
  hs_createdate: 'Create Date',
  lastmodifieddate: 'Last Modified Date',
  hs_lastmodifieddate: 'Last Modified Date',
  firstname: 'First Name',
  lastname: 'Last Name',
  email: 'Email',
  phone: 'Phone Number',
  lifecyclestage: 'Lifecycle Stage',
  biography: 'Biography',
  name: 'Company name',
  domain: 'Company Domain Name',
  industry: 'Industry',
  city: 'City',
  description: 'Description',
  dealname: 'Deal Name',
  amount: 'Amount',
  closedate: 'Close Date',
  pipeline: 'Pipeline',
  dealstage: 'Deal Stage',
  hs_timestamp: 'Activity date',
  hs_call_title: 'Call Title',
  hs_call_body: 'Call notes',
  hs_call_duration: 'Call duration',
  hs_email_subject: 'Email subject',
  hs_email_text: 'Email body',
  hs_email_direction: 'Email direction',
  hs_meeting_title: 'Meeting name',
  hs_meeting_body: 'Meeting description',
  hs_meeting_outcome: 'Meeting outcome',
  hs_note_body: 'Note body',
  hs_task_subject: 'Task title',
  hs_task_body: 'Task notes',
  hs_task_status: 'Task status',
  subject: 'Ticket name',
  content: 'Ticket description',
  hs_pipeline: 'Pipeline',
  hs_pipeline_stage: 'Pipeline stage',
  hs_ticket_priority: 'Priority',
  price: 'Unit price',
  hs_sku: 'SKU',
  quantity: 'Quantity',
  hs_product_id: 'Product ID',
  hs_title: 'Quote name',
  hs_status: 'Quote approval status',
  hs_expiration_date: 'Quote expiration date',
  hs_public_url_key: 'Public URL key',
  hs_quote_amount: 'Quote amount',
  hs_lead_name: 'Lead name',
  hs_lead_type: 'Lead type',
};

function systemNames(type: ObjectType): NamedProperty[] {
  return [
    { name: 'hs_object_id', type: 'number', fieldType: 'number' },
    { name: createdDateProperty(type), type: 'datetime', fieldType: 'date' },
    { name: modifiedDateProperty(type), type: 'datetime', fieldType: 'date' },
  ];
}

function coreNames(type: StandardType): Set<string> {
  return new Set([...systemNames(type), ...parseNames(CORE[type])].map((p) => p.name));
}

// ---- options ------------------------------------------------------------------------------------------------

/** Real option values of well-known enumerations; the core generators draw from the first few. */
const KNOWN_OPTIONS: Record<string, string[]> = {
  lifecyclestage: ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'],
  hs_lead_status: ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING'],
  industry: [
    'COMPUTER_SOFTWARE',
    'BANKING',
    'RETAIL',
    'HOSPITAL_HEALTH_CARE',
    'EDUCATION_MANAGEMENT',
    'ACCOUNTING',
    'AIRLINES_AVIATION',
    'CONSTRUCTION',
    'INSURANCE',
    'TELECOMMUNICATIONS',
  ],
  dealstage: ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'],
  pipeline: ['default'],
  hs_pipeline: ['contacts-lifecycle-pipeline', 'companies-lifecycle-pipeline'],
  dealtype: ['newbusiness', 'existingbusiness'],
  hs_email_direction: ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL'],
  hs_email_status: ['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT'],
  hs_meeting_outcome: ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED'],
  hs_meeting_location_type: ['PHONE', 'ADDRESS', 'CUSTOM', 'VCE'],
  hs_task_status: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'],
  hs_task_priority: ['NONE', 'LOW', 'MEDIUM', 'HIGH'],
  hs_task_type: ['CALL', 'EMAIL', 'LINKED_IN', 'TODO'],
  hs_call_direction: ['INBOUND', 'OUTBOUND'],
  hs_call_status: ['BUSY', 'CALLING_CRM_USER', 'CANCELED', 'COMPLETED', 'CONNECTING', 'FAILED', 'IN_PROGRESS', 'NO_ANSWER', 'QUEUED', 'RINGING'],
  hs_call_disposition: [
    '9d9162e7-6cf3-4944-bf63-4dff82258764',
    'f240bbac-87c9-4f6e-bf70-924b57d47db7',
    '73a0d17f-1163-4015-bdd5-ec830791da20',
    'b2cf5968-551e-4856-9783-52b3da59a7d0',
  ],
  hs_analytics_source: [
    'ORGANIC_SEARCH',
    'PAID_SEARCH',
    'EMAIL_MARKETING',
    'SOCIAL_MEDIA',
    'REFERRALS',
    'OTHER_CAMPAIGNS',
    'DIRECT_TRAFFIC',
    'OFFLINE',
    'PAID_SOCIAL',
    'AI_REFERRALS',
  ],
  hs_object_source_label: ['CRM_UI', 'IMPORT', 'INTEGRATION', 'FORM', 'API', 'EMAIL', 'MOBILE_IOS', 'WORKFLOWS', 'SALES', 'CONVERSATIONS'],
  type: ['PROSPECT', 'PARTNER', 'RESELLER', 'VENDOR', 'OTHER'],
  hs_buying_role: ['BUDGET_HOLDER', 'CHAMPION', 'DECISION_MAKER', 'END_USER', 'INFLUENCER', 'LEGAL_AND_COMPLIANCE', 'BLOCKER', 'OTHER'],
  hs_legal_basis: [
    'Legitimate interest – prospect/lead',
    'Legitimate interest - existing customer',
    'Legitimate interest - other',
    'Performance of a contract',
    'Freely given consent from contact',
    'Not applicable',
  ],
  hs_language: ['en', 'fr', 'de', 'es', 'ja', 'pt-br', 'nl', 'it'],
  hs_timezone: ['america_slash_new_york', 'europe_slash_berlin', 'asia_slash_tokyo', 'europe_slash_london', 'america_slash_sao_paulo'],
  numemployees: ['1-5', '5-25', '25-50', '50-100', '100-500', '500-1000', '1000+'],
  deal_currency_code: ['USD', 'EUR', 'GBP', 'JPY', 'CHF'],
  hs_marketable_status: ['true', 'false'],
  hs_ticket_priority: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'],
  hs_ticket_category: ['PRODUCT_ISSUE', 'BILLING_ISSUE', 'FEATURE_REQUEST', 'GENERAL_INQUIRY'],
  hs_resolution: ['ISSUE_FIXED', 'FEATURE_REQUEST_TRACKED', 'REFUND_APPLIED', 'SENT_KNOWLEDGE_DOCUMENT_LINK'],
  source_type: ['CHAT', 'EMAIL', 'FORM', 'PHONE'],
  hs_status: ['DRAFT', 'APPROVAL_NOT_NEEDED', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED'],
  hs_payment_status: ['PENDING', 'PROCESSING', 'PAID', 'FAILED'],
  hs_esign_status: ['PENDING', 'SIGNED', 'DECLINED'],
  hs_currency: ['USD', 'EUR', 'GBP', 'JPY'],
  hs_line_item_currency_code: ['USD', 'EUR', 'GBP', 'JPY'],
  hs_product_type: ['inventory', 'non_inventory', 'service'],
  recurringbillingfrequency: ['weekly', 'biweekly', 'monthly', 'quarterly', 'per_six_months', 'annually', 'per_two_years', 'per_three_years'],
  hs_lead_type: ['NEW_BUSINESS', 'EXISTING_BUSINESS', 'RE_ATTEMPTING'],
  hs_lead_label: ['HOT', 'WARM', 'COLD'],
};
KNOWN_OPTIONS.hs_latest_source = KNOWN_OPTIONS.hs_analytics_source;
KNOWN_OPTIONS.hs_analytics_latest_source = KNOWN_OPTIONS.hs_analytics_source;

const GENERIC_OPTION_WORDS = [
  'LOW',
  'MEDIUM',
  'HIGH',
  'NONE',
  'OTHER',
  'PENDING',
  'ACTIVE',
  'INACTIVE',
  'UNKNOWN',
  'YES',
  'NO',
  'PARTIAL',
  'EXPIRED',
  'MANUAL',
  'AUTOMATIC',
];

/** Enumerations whose values are ids of other things (owners, teams, records, files): options kept outside. */
const ID_LIST =
  /(^|_)(owner_id|owner_ids|user_ids|team_id|team_ids|owning_teams|object_ids|attachment_ids|queue_membership_ids|business_unit_ids|tag_ids|contact_vids|inline_image_ids)$/;
const OWNER_REFERENCE = /(^hubspot_owner_id$|owner_ids?$|owner_ids_(to|from|cc|bcc)$)/;

function humanize(name: string): string {
  const words = name.replace(/^hs_/, '').replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Options of the pipeline properties: the ids of the type's live pipelines and stages (`pipelines.ts`). */
function pipelineOptions(type: ObjectType, name: string): string[] | undefined {
  const pipelines = initialPipelines(type).filter((p) => p.archivedAt === undefined);
  if (pipelines.length === 0) return undefined;
  if (name === 'pipeline' || name === 'hs_pipeline') return pipelines.map((p) => p.id);
  if (name === 'dealstage' || name === 'hs_pipeline_stage')
    return [...new Set(pipelines.flatMap((p) => p.stages.filter((s) => s.archivedAt === undefined).map((s) => s.id)))];
  return undefined;
}

function optionValuesFor(type: ObjectType, name: string, seed: number): string[] {
  const pipeline = pipelineOptions(type, name);
  if (pipeline) return pipeline;
  const known = KNOWN_OPTIONS[name];
  if (known) return known;
  const count = 2 + (seed % 7);
  const start = (seed >>> 3) % GENERIC_OPTION_WORDS.length;
  return Array.from({ length: count }, (_, k) => GENERIC_OPTION_WORDS[(start + k) % GENERIC_OPTION_WORDS.length]);
}

function optionLabel(value: string): string {
  const text = value.replace(/_/g, ' ').toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- groups, flags and metadata -----------------------------------------------------------------------------

function groupFor(type: ObjectType, singular: string, name: string, hubspotDefined: boolean): string {
  if (!hubspotDefined) return name.length % 3 === 0 ? `${singular}_custom_properties` : `${singular}information`;
  if (type !== 'contacts' && type !== 'companies' && type !== 'deals') return `${singular}information`;
  if (/^hs_analytics|^ip_|_touch_converting_campaign$|^num_(unique_)?conversion/.test(name)) return 'analyticsinformation';
  if (/^hs_social|twitter|linkedin|facebook|googleplus|followercount|kloutscore/.test(name)) return 'socialmediainformation';
  if (/^hs_email_(?!domain$)|^hs_emailconfirmation|^hs_marketable/.test(name)) return 'emailinformation';
  if (/^hs_v2_|^hs_date_(entered|exited)|^hs_time_in_/.test(name)) return type === 'deals' ? 'dealstages' : 'lifecycle_stage_pipeline';
  if (/^notes_|^num_notes|^num_contacted|^engagements_|^hs_last_sales_activity|^hs_latest_meeting|_sales_email_/.test(name)) return `${singular}_activity`;
  if (/^hs_content_membership|^hs_membership|^hs_registration|^hs_registered/.test(name)) return 'contact_activity';
  return type === 'deals' ? 'dealinformation' : `${singular}information`;
}

const HIDDEN =
  /^hs_(testpurge|testrollback|all_contact_vids|calculated_|searchable_|gps_|mobile_sdk_push_tokens|unique_creation_key|source_portal_id|source_object_id|direction_and_unique_id|scs_|email_encoded|email_facsimile|merged_object_ids|read_only|pinned_engagement_id|is_contact)|_raw$|_ms_teams_payload$|_shadow$/;

const SYSTEM_VALUE =
  /^(hs_object_id|createdate|lastmodifieddate|hs_createdate|hs_lastmodifieddate|hs_analytics_|hs_object_source|hs_created_by|hs_updated_by|hs_all_|hs_user_ids_of_|hs_merged_object_ids|num_|hs_num_|notes_last|hs_latest_|hs_last_|hs_v2_|hs_date_(entered|exited)|hs_time_in_|hs_email_(bounce|click|delivered|open|replied)$)/;

/** Form-field defaults real portals expose on forms (contacts and companies only). */
const FORM_FIELDS = new Set([
  'firstname',
  'lastname',
  'email',
  'phone',
  'mobilephone',
  'company',
  'jobtitle',
  'address',
  'city',
  'state',
  'zip',
  'country',
  'website',
  'message',
  'salutation',
  'fax',
  'industry',
  'annualrevenue',
  'numemployees',
  'name',
  'domain',
  'description',
  'lifecyclestage',
  'hs_language',
  'date_of_birth',
  'gender',
  'school',
  'degree',
]);

/** Stamps in the past, so a portal's definitions predate every record write. */
const CATALOG_EPOCH = Date.UTC(2019, 7, 6);

function stamp(seed: number, spanDays: number): string {
  return new Date(CATALOG_EPOCH + (seed % (spanDays * 86_400)) * 1000 + (seed % 997)).toISOString();
}

const CORE_FORM_ORDER = [
  'firstname',
  'lastname',
  'email',
  'phone',
  'lifecyclestage',
  'name',
  'domain',
  'dealname',
  'amount',
  'closedate',
  'pipeline',
  'dealstage',
];

function definitionFor(type: ObjectType, named: NamedProperty, hubspotDefined: boolean, index: number, singular = singularName(type)): PropertyDefinition {
  const { name, type: propertyType, fieldType } = named;
  const seed = hashSeed('property', type, name);
  const calculated = fieldType.startsWith('calculation_');
  const idList = propertyType === 'enumeration' && ID_LIST.test(name);
  const readOnlyValue = calculated || (hubspotDefined && (SYSTEM_VALUE.test(name) || idList));
  const label = named.label ?? CORE_LABELS[name] ?? humanize(name);
  const options: PropertyOption[] = [];
  if (propertyType === 'bool' || (propertyType === 'enumeration' && fieldType === 'booleancheckbox')) {
    options.push({ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false });
  } else if (propertyType === 'enumeration' && !idList) {
    optionValuesFor(type, name, seed).forEach((value, displayOrder) => {
      // A retired option stays listed, hidden, as HubSpot keeps options records still hold.
      options.push({ label: optionLabel(value), value, displayOrder, hidden: displayOrder > 0 && (seed + displayOrder) % 23 === 0 });
    });
  }
  const formOrder = CORE_FORM_ORDER.indexOf(name);
  const definition: PropertyDefinition = {
    name,
    label,
    type: propertyType,
    fieldType,
    description: hubspotDefined && seed % 7 !== 0 ? `${label} of the ${singular}.` : '',
    groupName: groupFor(type, singular, name, hubspotDefined),
    options,
    displayOrder: hubspotDefined ? (formOrder >= 0 ? formOrder : -1) : index,
    calculated,
    externalOptions: idList,
    hasUniqueValue: name === 'hs_object_id' || name === 'hs_unique_creation_key',
    hidden: hubspotDefined && HIDDEN.test(name),
    hubspotDefined,
    modificationMetadata: { archivable: !hubspotDefined, readOnlyDefinition: hubspotDefined, readOnlyValue },
    formField: (type === 'contacts' || type === 'companies') && (hubspotDefined ? FORM_FIELDS.has(name) : !calculated && propertyType !== 'datetime'),
    dataSensitivity: 'non_sensitive',
    archived: false,
  };
  if (propertyType === 'enumeration') definition.modificationMetadata.readOnlyOptions = hubspotDefined;
  // HubSpot leaves createdAt off many of its oldest defaults; custom properties always carry who and when.
  if (!hubspotDefined || seed % 3 !== 0) definition.createdAt = stamp(seed, hubspotDefined ? 900 : 1800);
  definition.updatedAt = stamp(seed >>> 1, hubspotDefined ? 1900 : 1950);
  if (definition.createdAt && definition.updatedAt < definition.createdAt) definition.updatedAt = definition.createdAt;
  if (!hubspotDefined) {
    definition.createdUserId = String(10_000_000 + (seed % 900_000));
    definition.updatedUserId = definition.createdUserId;
  }
  if (idList && OWNER_REFERENCE.test(name)) definition.referencedObjectType = 'OWNER';
  if (calculated && !hubspotDefined) definition.calculationFormula = `if is_present(amount) then amount * 2 else 0`;
  if (propertyType === 'number' && /amount|revenue|mrr|arr|acv|tcv|_value$/.test(name)) definition.showCurrencySymbol = true;
  return definition;
}

// ---- value specs --------------------------------------------------------------------------------------------

const UINT32 = 0x1_0000_0000;

function kindFor(type: ObjectType, definition: PropertyDefinition, core: ReadonlySet<string>): ValueKind {
  const { name, type: t, fieldType } = definition;
  if (core.has(name)) return 'core';
  // Contacts keep the legacy modified date; their hs_lastmodifieddate is listed but never filled, so a search
  // filtering contacts on it matches nothing (contract §2.3).
  if (type === 'contacts' && name === 'hs_lastmodifieddate') return 'never';
  if (name === 'hs_createdate' || name === 'createdate') return 'created';
  if (t === 'bool' || (t === 'enumeration' && fieldType === 'booleancheckbox')) return 'bool';
  if (t === 'enumeration') return definition.externalOptions ? 'ids' : fieldType === 'checkbox' ? 'checkbox' : 'select';
  if (t === 'number') return definition.showCurrencySymbol ? 'currency' : 'number';
  if (t === 'date') return 'date';
  if (t === 'datetime') return 'datetime';
  if (t === 'phone_number' || fieldType === 'phonenumber') return 'phone';
  if (t === 'object_coordinates') return 'coordinates';
  if (fieldType === 'html') return 'html';
  if (fieldType === 'textarea') return 'textarea';
  if (fieldType === 'file') return 'file';
  if (/(^|_)email$|_email_(to|from|cc|bcc|sender)_email$/.test(name)) return 'email';
  if (/url$|website|_page$|photo|logo/.test(name)) return 'url';
  return 'text';
}

/** Share of records holding a value: most properties are empty on most records, as in real portals. */
function fillRate(seed: number, hubspotDefined: boolean, kind: ValueKind): number {
  if (kind === 'core' || kind === 'created') return 1;
  if (kind === 'never') return 0;
  const bucket = seed % 100;
  if (!hubspotDefined) return bucket < 40 ? 0.1 : bucket < 80 ? 0.4 : 0.85;
  if (kind === 'ids') return 0.6;
  return bucket < 55 ? 0.03 : bucket < 80 ? 0.25 : bucket < 95 ? 0.7 : 0.95;
}

const TYPED_KINDS = new Set<ValueKind>(['number', 'currency', 'date', 'datetime', 'bool', 'select', 'checkbox', 'phone']);

function specFor(type: ObjectType, definition: PropertyDefinition, core: ReadonlySet<string>, addedAt?: number): ValueSpec {
  const seed = hashSeed('values', type, definition.name);
  const kind = kindFor(type, definition, core);
  // Users type into properties, so some values break their declared type: often for custom properties, now and
  // then for HubSpot's own (imports and integrations write them too).
  const invalidRate = !TYPED_KINDS.has(kind) ? 0 : !definition.hubspotDefined ? 0.08 : (seed >>> 7) % 2 === 0 ? 0.05 : 0;
  const spec: ValueSpec = {
    name: definition.name,
    kind,
    fillBelow: Math.floor(fillRate(seed, definition.hubspotDefined, kind) * (UINT32 - 1)),
    invalidBelow: Math.floor(invalidRate * (UINT32 - 1)),
    epochMs: kind === 'datetime' && (seed >>> 11) % 4 === 0,
    options: definition.options.map((o) => o.value),
    salt: seed,
  };
  if (kind === 'ids' && definition.referencedObjectType === 'OWNER') spec.owner = /owner_id$/.test(definition.name) ? 'single' : 'list';
  if (addedAt !== undefined) spec.addedAt = addedAt;
  return spec;
}

// ---- generated names ----------------------------------------------------------------------------------------

/** Suffixes of generated HubSpot-style names, with the type their name implies. */
const GENERATED_SUFFIXES = parseNames(`
score:nn last_updated:td count_30_days:nn status:es source summary:sa is_active:bb first_date:td last_date:td rank:nn
category:es tags:ec ratio:nq label reason:er
`);

function generatedPrefixes(type: StandardType): string[] {
  switch (type) {
    case 'contacts':
      return ['hs_intent', 'hs_enrichment', 'hs_ai', 'hs_lead', 'hs_journey', 'hs_buyer_intent'];
    case 'companies':
      return ['hs_intent', 'hs_enrichment', 'hs_target_account', 'hs_revenue', 'hs_health', 'hs_ai', 'hs_buying_group', 'hs_research_agent'];
    case 'deals':
      return ['hs_forecast', 'hs_deal_health', 'hs_approval', 'hs_ai', 'hs_revenue', 'hs_buying_committee'];
    default:
      return [`hs_${singularName(type)}`, 'hs_engagement', 'hs_ai_summary', 'hs_sentiment'];
  }
}

function topUp(type: StandardType, names: NamedProperty[], target: number): NamedProperty[] {
  const taken = new Set(names.map((n) => n.name));
  const out = [...names];
  for (const prefix of generatedPrefixes(type)) {
    for (const suffix of GENERATED_SUFFIXES) {
      if (out.length >= target) return out;
      const name = `${prefix}_${suffix.name}`;
      if (taken.has(name)) continue;
      taken.add(name);
      out.push({ name, type: suffix.type, fieldType: suffix.fieldType });
    }
  }
  return out;
}

/** Every kind of custom property a portal admin can create, cycled so even a few cover multi-select checkboxes. */
const CUSTOM_KINDS = parseNames(`
c:ec t n:nn d:dd dt:td s:es b:bb r:er p:pp a:sa h:sh f:sf q:nq
`);
const CUSTOM_WORDS_A = [
  'preferred',
  'primary',
  'legacy',
  'internal',
  'partner',
  'renewal',
  'billing',
  'onboarding',
  'region',
  'account',
  'support',
  'marketing',
  'sales',
  'product',
  'contract',
  'customer',
  'churn',
  'nps',
  'tier',
  'crm',
];
const CUSTOM_WORDS_B = [
  'contact_method',
  'channel',
  'segment',
  'score',
  'status',
  'date',
  'owner_name',
  'notes',
  'level',
  'source',
  'region',
  'plan',
  'flag',
  'code',
  'count',
  'budget',
  'stage',
  'reason',
  'interests',
  'phone',
];

function customNames(type: StandardType, count: number, taken: Set<string>): NamedProperty[] {
  const out: NamedProperty[] = [];
  // The contacts' long free-text biography predates the catalogs; it stays as the first custom property.
  if (type === 'contacts' && count > 0) out.push({ name: 'biography', type: 'string', fieldType: 'textarea' });
  for (let n = 0; out.length < count; n++) {
    const kind = CUSTOM_KINDS[n % CUSTOM_KINDS.length];
    const a = CUSTOM_WORDS_A[n % CUSTOM_WORDS_A.length];
    const b = CUSTOM_WORDS_B[Math.floor(n / CUSTOM_WORDS_A.length) % CUSTOM_WORDS_B.length];
    const round = Math.floor(n / (CUSTOM_WORDS_A.length * CUSTOM_WORDS_B.length));
    const name = `${a}_${b}${round > 0 ? `_${round + 1}` : ''}`;
    if (taken.has(name)) continue;
    taken.add(name);
    out.push({ name, type: kind.type, fieldType: kind.fieldType });
  }
  return out;
}

// ---- building -----------------------------------------------------------------------------------------------

function assemble(
  type: ObjectType,
  definitions: PropertyDefinition[],
  core: ReadonlySet<string>,
  archived: PropertyDefinition[] = [],
  addedAt = new Map<string, number>(),
): PropertyCatalog {
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const specs = definitions.map((d) => specFor(type, d, core, addedAt.get(d.name)));
  return { type, definitions, specs, byName, specByName: new Map(specs.map((spec) => [spec.name, spec])), archived, core };
}

function build(type: StandardType, mode: CatalogMode, customCount: number): PropertyCatalog {
  const core = coreNames(type);
  let named: Array<{ property: NamedProperty; hubspotDefined: boolean }>;
  if (mode === 'minimal') {
    named = [...systemNames(type), ...parseNames(CORE[type])].map((property) => ({ property, hubspotDefined: property.name !== 'biography' }));
  } else {
    const defaults = topUp(type, realPropertyNames(type), DEFAULT_PROPERTY_COUNTS[type]);
    const taken = new Set(defaults.map((d) => d.name));
    named = [
      ...defaults.map((property) => ({ property, hubspotDefined: true })),
      ...customNames(type, customCount, taken).map((property) => ({ property, hubspotDefined: false })),
    ];
  }
  const firstCustom = named.findIndex((n) => !n.hubspotDefined);
  const definitions = named.map(({ property, hubspotDefined }, index) =>
    definitionFor(type, property, hubspotDefined, hubspotDefined ? index : index - firstCustom),
  );
  const catalog = assemble(type, definitions, core);
  for (const name of core) {
    // Realistic catalogs list every property the hand-written generators fill (biography only as a custom one).
    if (!catalog.byName.has(name) && !(name === 'biography' && customCount === 0)) throw new Error(`catalog for ${type} lacks core property ${name}`);
  }
  return catalog;
}

const catalogs = new Map<string, PropertyCatalog>();

/** The catalog of one standard type; built once per (type, mode, custom count) and shared (it is immutable). */
export function propertyCatalog(type: StandardType, mode: CatalogMode, customCount: number): PropertyCatalog {
  const count = mode === 'minimal' ? 0 : customCount;
  const key = `${type}:${mode}:${count}`;
  let catalog = catalogs.get(key);
  if (!catalog) catalogs.set(key, (catalog = build(type, mode, count)));
  return catalog;
}

/**
 * A custom object's catalog: the `hs_*` properties HubSpot gives every custom object, then the schema's own
 * (properties added at run time last, empty on records not modified since). `minimal` keeps the system
 * properties, the primary display property and the pipeline.
 */
export function customObjectCatalog(schema: SimSchema, mode: CatalogMode): PropertyCatalog {
  const type = schema.objectTypeId;
  const singular = schema.labels.singular.toLowerCase();
  const core = new Set(['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate', schema.primaryDisplayProperty, 'hs_pipeline', 'hs_pipeline_stage']);
  const defaults = customObjectDefaultNames().filter((p) => mode === 'realistic' || core.has(p.name));
  const own = schema.properties.filter((p) => mode === 'realistic' || core.has(p.name));
  const definitions = [
    ...defaults.map((p, n) => definitionFor(type, p, true, n, singular)),
    ...own.map((p, n) => {
      const definition = definitionFor(type, p, false, n, singular);
      definition.groupName = `${schema.name}_information`;
      // The secondary display property is the object's unique code (a project code, a VIN).
      definition.hasUniqueValue = schema.secondaryDisplayProperties[0] === p.name;
      if (p.addedAt !== undefined) definition.createdAt = definition.updatedAt = new Date(p.addedAt).toISOString();
      return definition;
    }),
  ];
  // The pipeline properties list the object's own pipeline and stages.
  const pipeline = customObjectPipeline(schema.id, schema.createdAt);
  for (const definition of definitions) {
    const values = definition.name === 'hs_pipeline' ? [pipeline.id] : definition.name === 'hs_pipeline_stage' ? pipeline.stages.map((s) => s.id) : undefined;
    if (values)
      definition.options = values.map((value, displayOrder) => ({
        label: definition.name === 'hs_pipeline' ? pipeline.label : pipeline.stages[displayOrder].label,
        value,
        displayOrder,
        hidden: false,
      }));
  }
  const addedAt = new Map(own.filter((p) => p.addedAt !== undefined).map((p) => [p.name, p.addedAt!]));
  return assemble(type, definitions, core, [], addedAt);
}

const ADDED_WORDS = ['renewal_risk', 'health_score', 'segment_code', 'nps_bucket', 'expansion_flag', 'region_override', 'referral_source', 'billing_entity'];

/**
 * A custom property created at run time by a portal admin: a new definition at the end of the catalog, empty on
 * every record until the record is next modified (HubSpot does not backfill a new property). Returns the new
 * catalog; the old one is left as it was (catalogs are shared between portals).
 */
export function withAddedProperty(catalog: PropertyCatalog, now: number, serial: number, userId: string): PropertyCatalog {
  const kind = CUSTOM_KINDS[serial % CUSTOM_KINDS.length];
  const taken = new Set([...catalog.definitions, ...catalog.archived].map((d) => d.name));
  let name = `${ADDED_WORDS[serial % ADDED_WORDS.length]}_${serial + 1}`;
  while (taken.has(name)) name += '_x';
  const custom = catalog.definitions.filter((d) => !d.hubspotDefined).length;
  const definition = definitionFor(catalog.type, { name, type: kind.type, fieldType: kind.fieldType }, false, custom);
  definition.createdAt = definition.updatedAt = new Date(now).toISOString();
  definition.createdUserId = definition.updatedUserId = userId;
  const addedAt = new Map(catalog.specs.filter((s) => s.addedAt !== undefined).map((s) => [s.name, s.addedAt!]));
  addedAt.set(name, now);
  return assemble(catalog.type, [...catalog.definitions, definition], catalog.core, [...catalog.archived], addedAt);
}

/** A custom (archivable) property archived at run time; undefined when the catalog has none left to archive. */
export function withArchivedProperty(catalog: PropertyCatalog, now: number, pick: (n: number) => number): PropertyCatalog | undefined {
  const archivable = catalog.definitions.filter((d) => d.modificationMetadata.archivable && !catalog.core.has(d.name) && d.name !== 'biography');
  if (archivable.length === 0) return undefined;
  const victim = archivable[pick(archivable.length)];
  const archived: PropertyDefinition = { ...victim, archived: true, archivedAt: new Date(now).toISOString(), updatedAt: new Date(now).toISOString() };
  const addedAt = new Map(catalog.specs.filter((s) => s.addedAt !== undefined).map((s) => [s.name, s.addedAt!]));
  return assemble(
    catalog.type,
    catalog.definitions.filter((d) => d !== victim),
    catalog.core,
    [...catalog.archived, archived],
    addedAt,
  );
}
