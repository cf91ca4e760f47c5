import { seededRandom } from '../clock.js';
import { hashSeed } from './ids.js';
import { pickPipelineStage, type SimPipeline } from './pipelines.js';
import type { PropertyCatalog, ValueSpec } from './property-catalog.js';
import { createdDateProperty, modifiedDateProperty, type ObjectType } from './schema.js';

/**
 * Property values are a pure function of (seed, type, index, version, dates, catalog), computed on demand rather
 * than stored: a large portal then costs a few numbers per record, and search can show an older version of a
 * record (index lag) by recomputing it from that version.
 *
 * The hand-written "core" properties (names, bodies, stages...) hold the hard values, placed by index so every
 * preset (even `small`) contains each of them. Every other catalog property is filled by its `ValueSpec`: empty on
 * most records, and, as in real portals where users and imports type into them, sometimes invalid for its
 * declared type (`N/A` in a number, 31 February in a date, `maybe` in a bool, an option that is not listed).
 * Values are always strings, as the API sends them.
 */

export interface RecordState {
  id: string;
  idx: number;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type PropertyValues = Record<string, string | null>;

/**
 * What values point at, from the portal: owners assignable at an instant, the type's pipelines (a record sits in
 * a pipeline and stage that existed, unarchived, when it was last modified), the generated products line items
 * refer to, and a custom object's primary display property. All of it is itself a function of the seed and the
 * portal's history, so values stay pure.
 */
export interface ValueRefs {
  ownersAt(t: number): readonly string[];
  pipelines(type: ObjectType): readonly SimPipeline[];
  productIds: readonly string[];
  primaryDisplayProperty(type: ObjectType): string | undefined;
}

/** References for code that needs values without a portal (no owners, no pipelines, no products). */
export const NO_REFS: ValueRefs = { ownersAt: () => [], pipelines: () => [], productIds: [], primaryDisplayProperty: () => undefined };

const FIRST_NAMES = ['Anna', 'José', 'Zoë', 'Łukasz', 'Søren', '李', 'Мария', 'محمد', 'Ngọc', 'Ólafur', 'Amélie', 'Bob', 'Chidi', 'Dagný', 'Émile', "O'Neil"];
const LAST_NAMES = ['Smith', 'García', 'Müller', 'Nakamura', 'Kowalski', '王', 'Иванова', 'Björk', 'Nguyễn', "D'Angelo", 'Øster', 'Papadopoulos'];
const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];
const INDUSTRIES = ['COMPUTER_SOFTWARE', 'BANKING', 'RETAIL', 'HOSPITAL_HEALTH_CARE', 'EDUCATION_MANAGEMENT'];
const CITIES = ['Zürich', 'São Paulo', '東京', 'Kraków', 'Reykjavík', 'Berlin', 'Cambridge', 'Québec'];
const WORDS = ['renewal', 'follow-up', 'quote', 'démo', 'kickoff', 'pricing', '会議', 'onboarding', 'churn', 'upsell', '🚀', 'Q3'];
const TASK_STATUS = ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED'];
const MEETING_OUTCOMES = ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED'];
const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
const PRODUCT_WORDS = [
  'Seat licence',
  'Onboarding package',
  'Premium support',
  'Données API',
  'Implementation day',
  'Hardware kit',
  'Training ☕',
  '年間プラン',
];
const QUOTE_STATUS = ['DRAFT', 'APPROVAL_NOT_NEEDED', 'PENDING_APPROVAL', 'APPROVED', 'REJECTED'];
const LEAD_TYPES = ['NEW_BUSINESS', 'EXISTING_BUSINESS', 'RE_ATTEMPTING'];

const LONG_PATTERN = 'Lorem ipsum ünïcödé 😀 "quoted" \\ back\tslash — 長い文字列 🧪\n';

const longTexts = new Map<string, string>();

/** A string of exactly `codePoints` code points, never splitting a surrogate pair (memoized: few, but big). */
export function longText(codePoints: number, salt: number): string {
  const key = `${codePoints}:${salt}`;
  const cached = longTexts.get(key);
  if (cached !== undefined) return cached;
  const chars = Array.from(`${salt}:` + LONG_PATTERN);
  const whole = chars.join('');
  let text = whole.repeat(Math.floor(codePoints / chars.length));
  for (let i = 0; i < codePoints % chars.length; i++) text += chars[i];
  longTexts.set(key, text);
  return text;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sentence(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(pick(random, WORDS));
  return out.join(' ');
}

function asciiFold(name: string): string {
  const folded = name
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
  return folded || 'user';
}

const TYPE_SALT: Record<string, number> = {
  contacts: 0x9e3779b1,
  companies: 0x85ebca77,
  deals: 0xc2b2ae3d,
  calls: 0x27d4eb2f,
  emails: 0x165667b1,
  meetings: 0xd3a2646c,
  notes: 0xfd7046c5,
  tasks: 0xb55a4f09,
  tickets: 0x68e31da4,
  products: 0xb5297a4d,
  line_items: 0x1b56c4e9,
  quotes: 0x7feb352d,
  leads: 0x846ca68b,
};

/** Salt of a type: fixed for standard types, from the type key for custom ones (computed once per key). */
function typeSalt(type: ObjectType): number {
  let salt = TYPE_SALT[type];
  if (salt === undefined) TYPE_SALT[type] = salt = hashSeed('type-salt', type);
  return salt;
}

/** Numeric-only seed mix: this runs once per record served, so it avoids the string hashing of hashSeed. */
export function recordSeed(seed: number, type: ObjectType, idx: number, version: number): number {
  let h = Math.imul(seed ^ typeSalt(type), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ idx, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ Math.imul(version, 0x27d4eb2f), 0x165667b1);
  return (h ^ (h >>> 15)) >>> 0;
}

function pipelineValues(values: PropertyValues, refs: ValueRefs, type: ObjectType, state: RecordState, random: () => number, names: [string, string]): void {
  const picked = pickPipelineStage(refs.pipelines(type), state.updatedAt, random);
  values[names[0]] = picked?.pipeline ?? null;
  values[names[1]] = picked?.stage ?? null;
}

/** The hand-written properties of a record (a superset of what the minimal catalog lists). */
function coreValues(seed: number, type: ObjectType, state: RecordState, refs: ValueRefs): PropertyValues {
  const random = seededRandom(recordSeed(seed, type, state.idx, state.version));
  const i = state.idx;
  const created = iso(state.createdAt);
  const values: PropertyValues = {
    hs_object_id: state.id,
    [createdDateProperty(type)]: created,
    [modifiedDateProperty(type)]: state.updatedAt === state.createdAt ? created : iso(state.updatedAt),
  };
  switch (type) {
    case 'contacts': {
      let first = pick(random, FIRST_NAMES);
      if (i % 50 === 7) first = `Nul\u0000${first}`;
      if (i % 53 === 9) first = '';
      let last = pick(random, LAST_NAMES);
      if (i % 41 === 11) last = '';
      if (i % 37 === 3) last = `${last} 👍🏽`;
      values.firstname = first;
      values.lastname = last;
      values.email = i % 61 === 17 ? null : `${asciiFold(first)}.${i}.v${state.version}@example.com`;
      values.phone = i % 5 === 0 ? null : `+1-555-${String(Math.floor(random() * 10000)).padStart(4, '0')}`;
      values.lifecyclestage = pick(random, LIFECYCLE);
      values.biography = i % 97 === 13 ? longText(20_000, i) : i % 3 === 0 ? null : sentence(random, 6);
      break;
    }
    case 'companies': {
      values.name = i % 29 === 4 ? `🚀 Rocket ${i} GmbH & Co. KG` : `${pick(random, LAST_NAMES)} ${pick(random, ['Inc', 'Ltd', 'AG', 'SARL', '株式会社'])}`;
      values.domain = i % 13 === 6 ? null : `company${i}.example.com`;
      values.industry = pick(random, INDUSTRIES);
      values.city = pick(random, CITIES);
      values.description = i % 71 === 5 ? longText(30_000, i) : i % 19 === 2 ? '' : `${sentence(random, 5)}${i % 23 === 1 ? '\u0000' : ''}`;
      break;
    }
    case 'deals': {
      values.dealname = i % 31 === 2 ? `Deal 💰 ${i} — “smart quotes”` : `${pick(random, WORDS)} deal ${i}`;
      values.amount = i % 11 === 4 ? null : (Math.floor(random() * 10_000_000) / 100).toFixed(2);
      values.closedate = iso(state.createdAt + Math.floor(random() * 90) * 86_400_000);
      pipelineValues(values, refs, type, state, random, ['pipeline', 'dealstage']);
      break;
    }
    case 'tickets':
      values.subject = i % 47 === 6 ? '' : i % 29 === 3 ? `Ticket 🎫 ${i} — “can't log in”` : `${pick(random, WORDS)} issue ${i}`;
      values.content = i % 83 === 7 ? longText(25_000, i) : i % 13 === 2 ? null : `${sentence(random, 12)}${i % 31 === 4 ? ' \u0000' : ''}`;
      pipelineValues(values, refs, type, state, random, ['hs_pipeline', 'hs_pipeline_stage']);
      values.hs_ticket_priority = i % 17 === 5 ? null : pick(random, PRIORITIES);
      break;
    case 'products':
      values.name = i % 19 === 3 ? `Widget™ ${i} 🚀` : `${pick(random, PRODUCT_WORDS)} ${i}`;
      values.description = i % 23 === 4 ? longText(20_000, i) : i % 7 === 0 ? null : `${sentence(random, 8)}${i % 37 === 5 ? '\u0000' : ''}`;
      values.price = i % 13 === 6 ? null : (Math.floor(random() * 500_000) / 100).toFixed(2);
      values.hs_sku = i % 11 === 3 ? null : `SKU-${String(i).padStart(5, '0')}-${Math.floor(random() * 1000)}`;
      break;
    case 'line_items': {
      const quantity = i % 41 === 7 ? 0 : 1 + Math.floor(random() * 20);
      const price = Math.floor(random() * 200_000) / 100;
      values.name = i % 31 === 2 ? `Ligne « spéciale » ${i} 🧾` : `${pick(random, PRODUCT_WORDS)} × ${quantity}`;
      values.quantity = String(quantity);
      values.price = price.toFixed(2);
      values.amount = (quantity * price).toFixed(2);
      // Line items made in a quote's editor have no product (HubSpot: hs_product_id may be unset).
      values.hs_product_id = i % 9 === 4 || refs.productIds.length === 0 ? null : pick(random, refs.productIds);
      break;
    }
    case 'quotes':
      values.hs_title = i % 17 === 3 ? `Quote “${i}” — Angebot 📄` : `Quote for ${pick(random, WORDS)} ${i}`;
      values.hs_status = pick(random, QUOTE_STATUS);
      values.hs_expiration_date = iso(state.createdAt + (30 + Math.floor(random() * 60)) * 86_400_000);
      values.hs_public_url_key =
        i % 5 === 0
          ? null
          : Math.floor(random() * 2 ** 52)
              .toString(16)
              .padStart(13, '0');
      values.hs_quote_amount = i % 19 === 7 ? null : (Math.floor(random() * 5_000_000) / 100).toFixed(2);
      break;
    case 'leads': {
      const first = pick(random, FIRST_NAMES);
      values.hs_lead_name =
        i % 29 === 5 ? `Nul\u0000${first}` : i % 37 === 9 ? `${first} 👋🏾 ${pick(random, LAST_NAMES)}` : `${first} ${pick(random, LAST_NAMES)}`;
      pipelineValues(values, refs, type, state, random, ['hs_pipeline', 'hs_pipeline_stage']);
      values.hs_lead_type = i % 11 === 6 ? null : pick(random, LEAD_TYPES);
      break;
    }
    default: {
      const primary = refs.primaryDisplayProperty(type);
      if (primary === undefined) break;
      // A custom object: its primary display property holds the hard values; its pipeline comes from its schema.
      values[primary] =
        i % 50 === 7 ? `Nul\u0000${i}` : i % 23 === 3 ? `Projet « ${i} » 🏗️` : i % 41 === 6 ? longText(20_000, i) : `${pick(random, WORDS)} ${i}`;
      pipelineValues(values, refs, type, state, random, ['hs_pipeline', 'hs_pipeline_stage']);
      break;
    }
    case 'calls':
      values.hs_timestamp = created;
      values.hs_call_title = i % 17 === 3 ? '' : `Call: ${sentence(random, 3)}`;
      values.hs_call_body = i % 43 === 8 ? `body with nul \u0000 inside` : sentence(random, 12);
      values.hs_call_duration = String(Math.floor(random() * 3_600_000));
      break;
    case 'emails':
      values.hs_timestamp = created;
      values.hs_email_subject = `Re: ${sentence(random, 4)}`;
      values.hs_email_text = i % 89 === 10 ? longText(12_000, i) : sentence(random, 20);
      values.hs_email_direction = pick(random, ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL']);
      break;
    case 'meetings':
      values.hs_timestamp = created;
      values.hs_meeting_title = `${pick(random, WORDS)} 📅`;
      values.hs_meeting_body = i % 7 === 0 ? null : sentence(random, 10);
      values.hs_meeting_outcome = pick(random, MEETING_OUTCOMES);
      break;
    case 'notes':
      values.hs_timestamp = created;
      // 65,536 characters is HubSpot's maximum note body (contract §2.4).
      values.hs_note_body = i % 211 === 1 ? longText(65_536, i) : i % 29 === 9 ? '' : sentence(random, 15);
      break;
    case 'tasks':
      values.hs_timestamp = iso(state.createdAt + 86_400_000);
      values.hs_task_subject = `Task ${i}: ${sentence(random, 3)}`;
      values.hs_task_body = i % 19 === 4 ? null : sentence(random, 8);
      values.hs_task_status = pick(random, TASK_STATUS);
      break;
  }
  return values;
}

// ---- catalog-driven values ----------------------------------------------------------------------------------

/** Murmur3's finalizer: a cheap, well-mixed 32-bit hash of one integer. */
function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const DAY = 86_400_000;
const TEXT_WORDS = [
  'Acme',
  'north',
  'Zürich',
  'renewal',
  'pilot',
  'Q4',
  'enterprise',
  'São Paulo',
  'inbound',
  'webinar',
  '東京',
  'partner',
  'trial',
  'Kraków',
  'expansion',
  '🚀',
];
const INVALID: Partial<Record<ValueSpec['kind'], string[]>> = {
  number: ['N/A', '1,234.50', 'twelve', '12abc', ' 42 ', '1e400', '--5'],
  currency: ['N/A', '$1,200.00', '1.234,56 €', 'TBD'],
  date: ['31/02/2025', '2025-02-30', '2025-13-01', 'yesterday', '0000-00-00'],
  datetime: ['2025-02-30T10:00:00.000Z', '31/02/2025 10:00', 'not a date', '17410824000000000000'],
  bool: ['maybe', 'Yes', '1', 'TRUE ', 'null'],
  select: ['legacy_value_removed', 'Other (please specify)', 'n/a'],
  phone: ['call me', '+1 (555) ABC-DEFG', 'n/a'],
};

function words(random: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(pick(random, TEXT_WORDS));
  return out.join(' ');
}

function someDay(random: () => number, state: RecordState): number {
  return state.createdAt + Math.floor((random() * 500 - 100) * DAY) + Math.floor(random() * DAY);
}

function generated(spec: ValueSpec, base: number, state: RecordState, refs: ValueRefs): string | null {
  // A property created after the record was last modified has no value on it yet.
  if (spec.addedAt !== undefined && state.updatedAt < spec.addedAt) return null;
  const h = mix32(base ^ spec.salt);
  if (h >= spec.fillBelow) return null;
  const random = seededRandom(h);
  const invalid = spec.invalidBelow > 0 && mix32(h ^ 0x5bd1e995) < spec.invalidBelow;
  if (invalid) {
    if (spec.kind === 'checkbox') return `${spec.options[0] ?? 'x'};not_an_option;;`;
    const bad = INVALID[spec.kind];
    if (bad) return pick(random, bad);
  }
  switch (spec.kind) {
    case 'text':
      return words(random, 1 + Math.floor(random() * 3));
    case 'textarea':
      return `${words(random, 4)}\n${words(random, 6)}`;
    case 'html':
      return `<p>${words(random, 5)}</p><p><b>${words(random, 2)}</b> &amp; more</p>`;
    case 'email':
      return `user${Math.floor(random() * 100_000)}@example.${pick(random, ['com', 'de', 'co.jp'])}`;
    case 'url':
      return `https://www.example.com/${Math.floor(random() * 1000)}?utm_source=${pick(random, ['google', 'newsletter', 'linkedin'])}`;
    case 'file':
      return `https://f.hubspotusercontent-na1.net/hubfs/${Math.floor(random() * 1e8)}/file-${Math.floor(random() * 1000)}.pdf`;
    case 'number':
      return random() < 0.7 ? String(Math.floor(random() * 10_000)) : (random() * 1000).toFixed(1 + Math.floor(random() * 3));
    case 'currency':
      return (Math.floor(random() * 5_000_000) / 100).toFixed(2);
    case 'date':
      return new Date(someDay(random, state)).toISOString().slice(0, 10);
    case 'datetime': {
      const ms = someDay(random, state);
      // Some datetimes come back as epoch-millisecond strings: always for some properties, now and then for others.
      return spec.epochMs !== random() < 0.03 ? String(ms) : new Date(ms).toISOString();
    }
    case 'bool':
      return random() < 0.5 ? 'true' : 'false';
    case 'select':
      return spec.options.length > 0 ? pick(random, spec.options) : null;
    case 'checkbox': {
      if (spec.options.length === 0) return null;
      const chosen = new Set<string>();
      const n = 1 + Math.floor(random() * Math.min(3, spec.options.length));
      for (let k = 0; k < n; k++) chosen.add(pick(random, spec.options));
      return [...chosen].join(';');
    }
    case 'ids': {
      if (spec.owner) {
        // Owner references point at owners who could be assigned when the record was last modified.
        const owners = refs.ownersAt(state.updatedAt);
        if (owners.length === 0) return null;
        if (spec.owner === 'single') return pick(random, owners);
        const chosen = new Set<string>();
        for (let k = 1 + Math.floor(random() * 3); k > 0; k--) chosen.add(pick(random, owners));
        return [...chosen].join(';');
      }
      const n = 1 + Math.floor(random() * 3);
      return Array.from({ length: n }, () => String(10_000_000 + Math.floor(random() * 90_000_000))).join(';');
    }
    case 'phone':
      return `+${pick(random, ['1', '44', '49', '81'])} ${String(Math.floor(random() * 1e9)).padStart(9, '0')}`;
    case 'coordinates':
      return `0-${pick(random, ['27', '46', '47', '48', '49'])}-${Math.floor(random() * 1e10)}`;
    default:
      return null;
  }
}

/**
 * The names of a reply's `properties` object, prepared once per distinct list (`propertySelection`): each name's
 * spec (none for a name the catalog lacks), and a template object holding every name with `null`, in order.
 */
export interface PropertySelection {
  names: readonly string[];
  specs: ReadonlyArray<ValueSpec | undefined>;
  template: Readonly<PropertyValues>;
}

/** Selections by catalog (a catalog is replaced, never changed, when a property is added or archived). */
const selections = new WeakMap<PropertyCatalog, Map<string, PropertySelection>>();
/** Distinct property lists kept per catalog; a client asks for a few, a test for more, so past this the cache restarts. */
const SELECTIONS_PER_CATALOG = 64;

/**
 * The selection of `names` (in that order, a repeated name once) from the catalog, shared by every record served
 * with it. Records are filled from the template because pages carry hundreds of properties: an object copied
 * from a template keeps its shape (fast properties, one hidden class for the whole page), where one built key by
 * key walks the hidden-class transitions for every key of every record; JSON.stringify then takes its fast path.
 * On a 642-property page that is about five times cheaper to build and serialize.
 */
export function propertySelection(catalog: PropertyCatalog, names: readonly string[]): PropertySelection {
  let byKey = selections.get(catalog);
  if (!byKey) selections.set(catalog, (byKey = new Map()));
  const key = names.join('\n');
  let selection = byKey.get(key);
  if (!selection) {
    // Object.fromEntries makes an object with fast properties; one filled key by key in a loop would turn into a
    // dictionary after a dozen keys, and so would every copy of it.
    const template: PropertyValues = Object.fromEntries(names.map((name) => [name, null]));
    // Object key order (integer-like names first) is the order JSON.stringify writes, so values follow it too.
    const ordered = Object.keys(template);
    selection = { names: ordered, specs: ordered.map((name) => catalog.specByName.get(name)), template };
    if (byKey.size >= SELECTIONS_PER_CATALOG) byKey.clear();
    byKey.set(key, selection);
  }
  return selection;
}

const wholeCatalogs = new WeakMap<PropertyCatalog, PropertySelection>();

/** The selection of every catalog property, in catalog order (the manifest's records). */
function wholeCatalog(catalog: PropertyCatalog): PropertySelection {
  let selection = wholeCatalogs.get(catalog);
  if (!selection)
    wholeCatalogs.set(
      catalog,
      (selection = propertySelection(
        catalog,
        catalog.specs.map((spec) => spec.name),
      )),
    );
  return selection;
}

/** Calls `visit` with the value of each spec for the record, in order: the one place values are computed. */
function eachValue(
  seed: number,
  type: ObjectType,
  state: RecordState,
  refs: ValueRefs,
  specs: ReadonlyArray<ValueSpec | undefined>,
  visit: (k: number, value: string | null) => void,
): void {
  const core = coreValues(seed, type, state, refs);
  const base = recordSeed(seed, type, state.idx, state.version);
  const created = core[createdDateProperty(type)];
  for (let k = 0; k < specs.length; k++) {
    const spec = specs[k];
    if (spec === undefined) continue;
    switch (spec.kind) {
      case 'core':
        visit(k, core[spec.name] ?? null);
        break;
      case 'created':
        visit(k, created);
        break;
      case 'never':
        visit(k, null);
        break;
      default:
        visit(k, generated(spec, base, state, refs));
    }
  }
}

/** The record's values of a selection's names as the API returns them: `null` when empty or not in the catalog. */
export function selectedValues(seed: number, type: ObjectType, state: RecordState, refs: ValueRefs, selection: PropertySelection): PropertyValues {
  const out: PropertyValues = { ...selection.template };
  const { names } = selection;
  eachValue(seed, type, state, refs, selection.specs, (k, value) => {
    if (value !== null) out[names[k]] = value;
  });
  return out;
}

const scratches = new WeakMap<PropertySelection, { values: PropertyValues; busy: boolean }>();

/**
 * `use(selectedValues(...))` without a new object: the values are written into one scratch copy of the
 * selection's template, handed to `use` (which must not keep it: serializing it is the point), then set back to
 * `null`. A page of 100 records of 642 properties otherwise makes 100 objects of 642 fields for the collector.
 */
export function withSelectedValues<T>(
  seed: number,
  type: ObjectType,
  state: RecordState,
  refs: ValueRefs,
  selection: PropertySelection,
  use: (values: Readonly<PropertyValues>) => T,
): T {
  let scratch = scratches.get(selection);
  if (!scratch) scratches.set(selection, (scratch = { values: { ...selection.template }, busy: false }));
  // Re-entered (nothing does today): a fresh copy keeps the outer caller's values intact.
  if (scratch.busy) return use(selectedValues(seed, type, state, refs, selection));
  const { values } = scratch;
  const { names } = selection;
  const filled: number[] = [];
  eachValue(seed, type, state, refs, selection.specs, (k, value) => {
    if (value === null) return;
    values[names[k]] = value;
    filled.push(k);
  });
  scratch.busy = true;
  try {
    return use(values);
  } finally {
    for (const k of filled) values[names[k]] = null;
    scratch.busy = false;
  }
}

/**
 * The record's properties exactly as the API returns them, in catalog order: every catalog property, or only the
 * named ones (unknown names skipped), which spares computing hundreds of values to serve a few.
 */
export function propertyValues(
  seed: number,
  type: ObjectType,
  state: RecordState,
  catalog: PropertyCatalog,
  refs: ValueRefs,
  only?: readonly string[],
): PropertyValues {
  if (!only) return selectedValues(seed, type, state, refs, wholeCatalog(catalog));
  const specs = only.map((name) => catalog.specByName.get(name)).filter((spec) => spec !== undefined);
  const out: PropertyValues = {};
  eachValue(seed, type, state, refs, specs, (k, value) => {
    out[specs[k]!.name] = value;
  });
  return out;
}
