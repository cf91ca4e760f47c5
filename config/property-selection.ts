/**
 * Which properties each object type is read with (HUBSPOT_PROPERTIES, `--properties`): per type, a list to
 * include, or a list to exclude (each name led by `-`), e.g.
 * `contacts:email,firstname;emails:-hs_email_html,-hs_email_text`. Types not named get every property.
 * For users who must leave out PII or long email bodies; the default is every property.
 */
export interface TypeSelection {
  mode: 'include' | 'exclude';
  names: readonly string[];
}

export type PropertySelection = Readonly<Record<string, TypeSelection>>;

export const ALL_PROPERTIES: PropertySelection = Object.freeze({});

const TYPE = /^[a-z_][a-z0-9_]*$/;
/** HubSpot internal property names: letters, digits, `_`, and `-`/`.` in some integration-defined ones. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class PropertySelectionError extends Error {}

/** Parses the setting's text; a syntax problem throws one line saying what and where. */
export function parsePropertySelection(text: string): PropertySelection {
  const out: Record<string, TypeSelection> = {};
  for (const rawPart of text.split(';')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const colon = part.indexOf(':');
    if (colon < 0) throw new PropertySelectionError(`"${part}" has no "type:" (expected e.g. contacts:email,firstname)`);
    const type = part.slice(0, colon).trim().toLowerCase();
    if (!TYPE.test(type)) throw new PropertySelectionError(`"${type}" is not an object type name`);
    if (out[type]) throw new PropertySelectionError(`${type} is named twice`);
    const items = part
      .slice(colon + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) throw new PropertySelectionError(`${type}: no properties listed`);
    const excluded = items.filter((i) => i.startsWith('-'));
    if (excluded.length > 0 && excluded.length < items.length) {
      throw new PropertySelectionError(`${type}: mixes included and excluded (-) properties; list the ones to keep or the ones to leave out`);
    }
    const names = items.map((i) => (i.startsWith('-') ? i.slice(1).trim() : i));
    const bad = names.find((n) => !NAME.test(n));
    if (bad !== undefined) throw new PropertySelectionError(`${type}: "${bad}" is not a property name`);
    out[type] = Object.freeze({ mode: excluded.length > 0 ? 'exclude' : 'include', names: Object.freeze([...new Set(names)]) });
  }
  return Object.freeze(out);
}

/** Types the selection names that the tool does not extract (checked at start: exit 2). */
export function unknownSelectionTypes(selection: PropertySelection, known: readonly string[]): string[] {
  return Object.keys(selection).filter((t) => !known.includes(t));
}

/**
 * The properties to read for one type, from the portal's catalog. `always` (the cursor field and
 * `hs_object_id`) are read whatever the selection says. `unknown` lists the names the selection gives that
 * the catalog lacks: a warning, since portals differ.
 */
export function selectProperties(
  selection: PropertySelection,
  type: string,
  catalog: readonly string[],
  always: readonly string[],
): { properties: string[]; unknown: string[] } {
  const chosen = selection[type];
  const known = new Set(catalog);
  const unknown = chosen ? chosen.names.filter((n) => !known.has(n)) : [];
  let names: string[];
  if (!chosen) names = [...catalog];
  else if (chosen.mode === 'include') names = chosen.names.filter((n) => known.has(n));
  else {
    const drop = new Set(chosen.names);
    names = catalog.filter((n) => !drop.has(n));
  }
  return { properties: [...new Set([...names, ...always])], unknown };
}
