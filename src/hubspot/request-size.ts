import type { ApiVersion } from './endpoints.js';
import { endpointPath } from './endpoints.js';

/**
 * How big a request is, exactly as it goes out, so the strategy can be chosen before a request fails.
 *
 * URLs: HubSpot's edge answers `414 URI Too Long` past about 8 KB (contract §6.1). The margin covers what is
 * not known when a pass chooses its strategy, or not part of path + query: the `after` cursor of later pages
 * (an int64 id on v3, an opaque token on the dated versions: a few hundred bytes is generous), and the request
 * line around the target ("GET " and " HTTP/1.1", which proxies count against the same 8 KB buffer).
 *
 * Search bodies: "A query can contain a maximum of 3,000 characters" (contract §1.3), counted on the JSON text.
 */
export const MAX_URL_BYTES = 8192;
export const URL_MARGIN_BYTES = 512;
/** What a list URL with every selected property may take, `after` not included. */
export const URL_BUDGET_BYTES = MAX_URL_BYTES - URL_MARGIN_BYTES;
export const SEARCH_BODY_MAX_CHARS = 3000;

export interface ListQuery {
  limit: number;
  after?: string;
  properties?: readonly string[];
  archived?: boolean;
}

/**
 * The dated paths' query string, built here rather than by `URLSearchParams`: array parameters are
 * comma-separated, as HubSpot documents them, and the commas stay literal (URLSearchParams would send each
 * as `%2C`, three bytes instead of one), so more properties fit a URL.
 */
export function datedListQuery(q: ListQuery): string {
  const parts = [`limit=${q.limit}`];
  if (q.after !== undefined) parts.push(`after=${encodeURIComponent(q.after)}`);
  if (q.properties && q.properties.length > 0) parts.push(`properties=${q.properties.map(encodeURIComponent).join(',')}`);
  parts.push(`archived=${q.archived === true}`);
  return `?${parts.join('&')}`;
}

/**
 * The request target (path and query, base path included) of a list call. `legacy` reproduces what
 * `crm.objects.basicApi.getPage` builds (URLSearchParams, one repeated `properties=` key per property:
 * `@hubspot/api-client` 13.x `RequestContext.appendQueryParam`); dated versions use `datedListQuery`.
 * A unit test checks both against the target a loopback server receives.
 */
export function listRequestTarget(version: ApiVersion, baseUrl: string, type: string, q: ListQuery): string {
  const path = endpointPath(version, 'objects.list', { type });
  if (version !== 'legacy') {
    const url = new URL(`${baseUrl}${path}${datedListQuery(q)}`);
    return url.pathname + url.search;
  }
  const url = new URL(`${baseUrl}${path}`);
  url.searchParams.set('limit', String(q.limit));
  if (q.after !== undefined) url.searchParams.set('after', q.after);
  for (const p of q.properties ?? []) url.searchParams.append('properties', p);
  url.searchParams.set('archived', String(q.archived === true));
  return url.pathname + url.search;
}

export function listUrlBytes(version: ApiVersion, baseUrl: string, type: string, q: ListQuery): number {
  return Buffer.byteLength(listRequestTarget(version, baseUrl, type, q));
}

/** A search body's length as HubSpot counts it: the characters of the JSON sent. */
export function searchBodyChars(body: unknown): number {
  return JSON.stringify(body).length;
}
