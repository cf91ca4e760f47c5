import { hashSeed } from './ids.js';
import type { PropertyDefinition } from './property-catalog.js';
import type { RecordState } from './property-values.js';

/**
 * Property history (`propertiesWithHistory`, contract §2.1): every value a property held, newest first, as
 * `{value, timestamp, sourceType, sourceId?, updatedByUserId?}` (spec `ValueWithTimestamp`; HubSpot's own sample in
 * HubSpot/hubspot-api-nodejs#154). The newest entry is the current value.
 *
 * It is derived, never stored. A generated record has a seeded past before its first known state (a property
 * changed 0–3 times between the record's creation and its generated modified date; the pipeline stage, lifecycle
 * stage, owner and a few others always have some), and each run-time change of the record (a new version at a
 * known instant) adds an entry for every property whose value changed. A value cleared to nothing is an entry
 * with `""`; a property never set has no entries. Same seed and same changes at the same instants give the same
 * history.
 */

export interface HistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
  updatedByUserId?: number;
}

/** One known state of a record: its version and the instant it became current. */
export interface VersionPoint {
  version: number;
  at: number;
}

/** Properties analysts follow; they always have a past in generated records. */
const RICH = new Set([
  'dealstage',
  'pipeline',
  'hs_pipeline_stage',
  'lifecyclestage',
  'amount',
  'hubspot_owner_id',
  'hs_ticket_priority',
  'hs_lead_status',
  'hs_status',
  'hs_lead_type',
  'closedate',
]);
/** Set once when the record is created and never changed. */
const IMMUTABLE = new Set(['hs_object_id', 'createdate', 'hs_createdate', 'hs_unique_creation_key']);
const MODIFIED = new Set(['lastmodifieddate', 'hs_lastmodifieddate']);

const SOURCES: Array<{ type: string; user: boolean; id?: (n: number) => string }> = [
  { type: 'CRM_UI', user: true },
  { type: 'CRM_UI', user: true },
  { type: 'IMPORT', user: true, id: (n) => `${40_000_000 + (n % 9_000_000)}` },
  { type: 'API', user: false, id: (n) => `${1_000_000 + (n % 900_000)}` },
  { type: 'WORKFLOWS', user: false, id: (n) => `enrollmentId:${n % 100_000_000}` },
  { type: 'INTEGRATION', user: false, id: (n) => `${200_000 + (n % 90_000)}` },
  { type: 'SALES', user: true },
];

/** How many earlier values a generated record's property had before its first known state. */
export function generatedDepth(seed: number, type: string, idx: number, definition: PropertyDefinition): number {
  if (IMMUTABLE.has(definition.name)) return 0;
  const h = hashSeed(seed, 'history-depth', type, idx, definition.name);
  if (RICH.has(definition.name)) return 1 + (h % 4);
  return h % 5 < 3 ? 0 : 1 + (h % 2);
}

function source(
  seed: number,
  type: string,
  idx: number,
  version: number,
  definition: PropertyDefinition,
  userIds: readonly number[],
): Omit<HistoryEntry, 'value' | 'timestamp'> {
  if (definition.calculated) return { sourceType: 'CALCULATED' };
  const h = hashSeed(seed, 'history-source', type, idx, version, definition.name);
  const s = SOURCES[h % SOURCES.length];
  const out: Omit<HistoryEntry, 'value' | 'timestamp'> = { sourceType: s.type };
  // A user's edit names the user as its source; an import, app or workflow names itself (and an import its user).
  const user = s.user && userIds.length > 0 ? userIds[(h >>> 8) % userIds.length] : undefined;
  if (s.id) out.sourceId = s.id(h >>> 4);
  else if (user !== undefined) out.sourceId = `userId:${user}`;
  if (user !== undefined) out.updatedByUserId = user;
  return out;
}

/**
 * The history of one property of one record. `points` are the record's known states, oldest first (the
 * generated state first); `valueAt` gives the property's value in a state (a version and its instant).
 */
export function propertyHistory(args: {
  seed: number;
  type: string;
  record: Pick<RecordState, 'idx' | 'createdAt'>;
  definition: PropertyDefinition;
  points: readonly VersionPoint[];
  valueAt: (state: { version: number; updatedAt: number }) => string | null;
  userIds: readonly number[];
}): HistoryEntry[] {
  const { seed, type, record, definition, points, valueAt, userIds } = args;
  const first = points[0];
  const timeline: Array<{ version: number; at: number }> = [];
  // The generated past: pseudo-versions -depth..-1 spread between creation and the first known state.
  const depth = generatedDepth(seed, type, record.idx, definition);
  const span = Math.max(0, first.at - record.createdAt);
  for (let j = depth; j >= 1; j--) timeline.push({ version: -j, at: record.createdAt + Math.floor((span * (depth - j)) / (depth + 1)) });
  timeline.push(...points);
  const entries: HistoryEntry[] = [];
  let previous: string | null | undefined;
  for (const [n, point] of timeline.entries()) {
    const value = valueAt({ version: point.version, updatedAt: point.at });
    if (value === previous || (value === null && previous === undefined)) {
      previous = value;
      continue;
    }
    // The first value is set when the record is created, later ones when the record changed (the modified date
    // itself is always set when its state began).
    const at = n === 0 && !MODIFIED.has(definition.name) ? record.createdAt : point.at;
    entries.push({ value: value ?? '', timestamp: new Date(at).toISOString(), ...source(seed, type, record.idx, point.version, definition, userIds) });
    previous = value;
  }
  return entries.reverse();
}
