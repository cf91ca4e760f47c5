import { cleanText } from './clean-text.js';

/**
 * Encodes one row for `COPY ... FROM STDIN` in Postgres text format: tab-separated, `\N` for NULL,
 * with backslash, tab, newline and carriage return escaped.
 */
export type CopyValue = string | number | boolean | null | undefined;

export function copyLine(values: CopyValue[]): string {
  return `${values.map(copyField).join('\t')}\n`;
}

function copyField(v: CopyValue): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return cleanText(v).replace(COPY_SPECIAL, (c) => COPY_ESCAPES[c]);
}

// One pass over each value instead of one per escaped character (values can be 65,536 characters long).
const COPY_SPECIAL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
