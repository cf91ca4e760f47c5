import { seededRandom } from '../clock.js';
import { createdDateProperty, modifiedDateProperty, type ObjectType } from './schema.js';

/**
 * Property values are a pure function of (seed, type, index, version, dates), computed on demand rather than
 * stored: a large portal then costs a few numbers per record, and search can show an older version of a record
 * (index lag) by recomputing it from that version.
 *
 * The hard values are placed by index so every preset (even `small`) contains each of them.
 */

export interface RecordState {
  id: string;
  idx: number;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type PropertyValues = Record<string, string | null>;

const FIRST_NAMES = ['Anna', 'José', 'Zoë', 'Łukasz', 'Søren', '李', 'Мария', 'محمد', 'Ngọc', 'Ólafur', 'Amélie', 'Bob', 'Chidi', 'Dagný', 'Émile', 'O\'Neil'];
const LAST_NAMES = ['Smith', 'García', 'Müller', 'Nakamura', 'Kowalski', '王', 'Иванова', 'Björk', 'Nguyễn', 'D\'Angelo', 'Øster', 'Papadopoulos'];
const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer'];
const INDUSTRIES = ['COMPUTER_SOFTWARE', 'BANKING', 'RETAIL', 'HOSPITAL_HEALTH_CARE', 'EDUCATION_MANAGEMENT'];
const CITIES = ['Zürich', 'São Paulo', '東京', 'Kraków', 'Reykjavík', 'Berlin', 'Cambridge', 'Québec'];
const WORDS = ['renewal', 'follow-up', 'quote', 'démo', 'kickoff', 'pricing', '会議', 'onboarding', 'churn', 'upsell', '🚀', 'Q3'];
const STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'];
const TASK_STATUS = ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED'];
const MEETING_OUTCOMES = ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED'];

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
  const folded = name.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
  return folded || 'user';
}

const TYPE_SALT: Record<ObjectType, number> = {
  contacts: 0x9e3779b1,
  companies: 0x85ebca77,
  deals: 0xc2b2ae3d,
  calls: 0x27d4eb2f,
  emails: 0x165667b1,
  meetings: 0xd3a2646c,
  notes: 0xfd7046c5,
  tasks: 0xb55a4f09,
};

/** Numeric-only seed mix: this runs once per record served, so it avoids the string hashing of hashSeed. */
function recordSeed(seed: number, type: ObjectType, idx: number, version: number): number {
  let h = Math.imul(seed ^ TYPE_SALT[type], 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ idx, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ Math.imul(version, 0x27d4eb2f), 0x165667b1);
  return (h ^ (h >>> 15)) >>> 0;
}

export function propertyValues(seed: number, type: ObjectType, state: RecordState): PropertyValues {
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
      values.pipeline = 'default';
      values.dealstage = pick(random, STAGES);
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
