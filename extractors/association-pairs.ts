/**
 * Which association pairs a run reads, and from which side. HubSpot keeps one edge per pair and answers it from
 * either side; each pair is read once, from the side with fewer records (1,000 inputs a call, so the fewer
 * inputs, the fewer calls), and stored in that direction.
 *
 * The side is chosen by a fixed order of typical sizes rather than by this portal's counts: the direction a pair is
 * stored in must not change from one run to the next (a record's stored associations are replaced by reading that
 * record's side; a pair read from the other side would leave the old rows standing beside the new). The order is
 * that of real portals and of the simulator's presets (products < quotes < companies < deals ≈ tickets < leads <
 * custom objects < line items < each engagement type < contacts): see README "Database schema".
 */

/** The pairs HubSpot defines among the standard types the tool extracts (each once, either direction). */
export const STANDARD_PAIRS: readonly (readonly [string, string])[] = [
  ['contacts', 'companies'],
  ['deals', 'contacts'],
  ['deals', 'companies'],
  ...(['calls', 'emails', 'meetings', 'notes', 'tasks'] as const).flatMap((e) => [
    [e, 'contacts'] as const,
    [e, 'companies'] as const,
    [e, 'deals'] as const,
    [e, 'tickets'] as const,
  ]),
  ['tickets', 'contacts'],
  ['tickets', 'companies'],
  ['tickets', 'deals'],
  ['line_items', 'deals'],
  ['quotes', 'deals'],
  ['quotes', 'line_items'],
  ['quotes', 'contacts'],
  ['quotes', 'companies'],
  ['tasks', 'quotes'],
  ['leads', 'contacts'],
  ['leads', 'companies'],
];

/** Stands for every custom object in READING_ORDER. */
export const CUSTOM_OBJECTS = '(custom objects)';

/** Fewest records first: a pair is read from its type that comes first here. */
export const READING_ORDER: readonly string[] = [
  'products',
  'quotes',
  'companies',
  'deals',
  'tickets',
  'leads',
  CUSTOM_OBJECTS,
  'line_items',
  'calls',
  'emails',
  'meetings',
  'notes',
  'tasks',
  'contacts',
];

function rank(type: string, custom: ReadonlySet<string>): number {
  const i = READING_ORDER.indexOf(custom.has(type) ? CUSTOM_OBJECTS : type);
  // A type the order does not know (none today) reads its pairs itself: last is the safest guess of its size.
  return i < 0 ? READING_ORDER.length : i;
}

/** `[reader, other]` for a pair: the side earlier in READING_ORDER; two of the same rank (two custom objects) by name. */
export function readingSide(a: string, b: string, custom: ReadonlySet<string> = new Set()): [string, string] {
  const ra = rank(a, custom);
  const rb = rank(b, custom);
  if (ra !== rb) return ra < rb ? [a, b] : [b, a];
  return a <= b ? [a, b] : [b, a];
}

/**
 * For each type, the types whose associations it reads, from `pairs` (standard and custom, either direction,
 * duplicates ignored). `custom`: the names of the custom object types among them.
 */
export function associationPlan(pairs: readonly (readonly [string, string])[], custom: ReadonlySet<string> = new Set()): Map<string, string[]> {
  const plan = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const [a, b] of pairs) {
    if (a === b) continue;
    const [from, to] = readingSide(a, b, custom);
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    plan.set(from, [...(plan.get(from) ?? []), to]);
  }
  return plan;
}

const STANDARD_PLAN = associationPlan(STANDARD_PAIRS);

/** The standard types a standard type reads the associations of (its declaration's list; custom pairs are added per run). */
export function standardReadTargets(type: string): string[] {
  return [...(STANDARD_PLAN.get(type) ?? [])];
}
