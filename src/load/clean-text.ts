/**
 * Postgres cannot store U+0000 in text or jsonb. Rather than drop a record over it, every NUL is replaced
 * by U+FFFD (the Unicode replacement character), which keeps a visible trace that something was there.
 * Lone surrogates (invalid UTF-16, which Postgres would also refuse) get the same treatment.
 */
export const NUL_REPLACEMENT = '\uFFFD';

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Node 20's `String.prototype.isWellFormed` (ES2024; not in the ES2023 lib the project compiles against). */
const isWellFormed = (value: string): boolean => (value as string & { isWellFormed(): boolean }).isWellFormed();

export function cleanText(value: string): string {
  // Most text has nothing to replace: two native scans instead of the regex's lookarounds.
  if (!value.includes('\u0000') && isWellFormed(value)) return value;
  return value.replace(UNSTORABLE, NUL_REPLACEMENT);
}

/**
 * What JSON.stringify writes for an unstorable character: `\u0000` for U+0000, `\udXXX` for a lone surrogate
 * (a paired one is written as itself), each preceded by an even number of backslashes (an odd number would make
 * the escape's own backslash an escaped one: the text `\\u0000` is a backslash and "u0000").
 */
const ESCAPED_UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/**
 * JSON text with every string (keys and values) cleaned, as `JSON.stringify(cleanJson(value))` but without
 * building a cleaned copy of the value (pages of long engagement bodies make that copy the largest allocation
 * of a run) or calling back for every value: the native stringify, then one replace over its escapes, only
 * when there are any.
 */
export function cleanJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u') ? text.replace(ESCAPED_UNSTORABLE, `$1${NUL_REPLACEMENT}`) : text;
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
