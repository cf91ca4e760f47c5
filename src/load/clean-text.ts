/**
 * Postgres cannot store U+0000 in text or jsonb. Rather than drop a record over it, every NUL is replaced
 * by U+FFFD (the Unicode replacement character), which keeps a visible trace that something was there.
 * Lone surrogates (invalid UTF-16, which Postgres would also refuse) get the same treatment.
 */
export const NUL_REPLACEMENT = '\uFFFD';

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function cleanText(value: string): string {
  return value.replace(UNSTORABLE, NUL_REPLACEMENT);
}

/**
 * JSON text with every string value cleaned, in one pass and without building a cleaned copy of the value
 * first (pages of long engagement bodies make that copy the largest allocation of a run).
 */
export function cleanJsonText(value: unknown): string {
  // Keys are HubSpot property names (identifiers); values are where U+0000 turns up.
  return JSON.stringify(value, (_key, v) => (typeof v === 'string' ? cleanText(v) : v));
}

/** Deep-cleans every string (keys included) of a JSON-like value. */
export function cleanJson<T>(value: T): T {
  if (typeof value === 'string') return cleanText(value) as T;
  if (Array.isArray(value)) return value.map(cleanJson) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[cleanText(k)] = cleanJson(v);
    return out as T;
  }
  return value;
}
