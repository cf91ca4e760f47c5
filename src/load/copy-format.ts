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
  return cleanText(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
