/**
 * Which properties' history to read (HUBSPOT_PROPERTY_HISTORY, `--property-history`), per object type:
 * `deals:dealstage,amount;contacts:lifecyclestage`. Opt in, because HubSpot returns history 50 records a call (half
 * a plain batch read), so it adds about one window call per 50 records of each type named.
 */
export type PropertyHistorySelection = Readonly<Record<string, readonly string[]>>;

export const NO_PROPERTY_HISTORY: PropertyHistorySelection = Object.freeze({});

const TYPE = /^[a-z_][a-z0-9_]*$/;
/** HubSpot internal property names: letters, digits, `_`, and `-`/`.` in some integration-defined ones. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class PropertyHistoryError extends Error {}

/** Parses the setting's text; a syntax problem throws one line saying what and where. */
export function parsePropertyHistory(text: string): PropertyHistorySelection {
  const out: Record<string, readonly string[]> = {};
  for (const rawPart of text.split(';')) {
    const part = rawPart.trim();
    if (part === '') continue;
    const colon = part.indexOf(':');
    if (colon < 0) throw new PropertyHistoryError(`"${part}" has no "type:" (expected e.g. deals:dealstage,amount)`);
    const type = part.slice(0, colon).trim().toLowerCase();
    if (!TYPE.test(type)) throw new PropertyHistoryError(`"${type}" is not an object type name`);
    if (out[type]) throw new PropertyHistoryError(`${type} is named twice`);
    const names = part
      .slice(colon + 1)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (names.length === 0) throw new PropertyHistoryError(`${type}: no properties listed`);
    const bad = names.find((n) => !NAME.test(n));
    if (bad !== undefined) throw new PropertyHistoryError(`${type}: "${bad}" is not a property name`);
    out[type] = Object.freeze([...new Set(names)]);
  }
  return Object.freeze(out);
}

/** Types named that the tool does not extract (checked at start: exit 2). */
export function unknownHistoryTypes(selection: PropertyHistorySelection, known: readonly string[]): string[] {
  return Object.keys(selection).filter((t) => !known.includes(t));
}
