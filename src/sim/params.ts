import { outOfRange, validationError, type HttpReply } from './error-bodies.js';

/** Query and body parameter parsing shared by the routes; failures come back as HubSpot's 400 replies. */

/** Array parameters arrive comma-separated (docs) or as repeated keys (@hubspot/api-client); accept both. */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value.length > 0);
}

export function booleanParam(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reply: HttpReply };

export function integerParam(raw: unknown, name: string, fallback: number, min: number, max: number): Parsed<number> {
  if (raw === undefined || raw === null || raw === '') return { ok: true, value: fallback };
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(value)) {
    return { ok: false, reply: validationError(`Unable to parse ${name}: ${String(raw)} is not an integer`) };
  }
  if (value < min || value > max) return { ok: false, reply: outOfRange(name, value, min, max) };
  return { ok: true, value };
}
