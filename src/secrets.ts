/**
 * Secrets (the access token, database passwords) must never reach logs, errors or the database. Every
 * line the CLI prints goes through a redactor built from the run's settings.
 */
export type Redactor = (text: string) => string;

export function createRedactor(secrets: Iterable<string>): Redactor {
  const list = [...new Set([...secrets].filter((s) => s && s.length >= 4))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (t) => t;
  const encoded = list.flatMap((s) => [s, encodeURIComponent(s)]);
  const pattern = new RegExp([...new Set(encoded)].map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, '[redacted]');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Also hides `Bearer <anything>` and URL passwords, for secrets we were never told about. */
export function redactCredentials(text: string): string {
  return text.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]').replace(/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1[redacted]@');
}
