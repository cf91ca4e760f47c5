import { missingScopes, validationError, type HttpReply } from './error-bodies.js';
import type { SimulatorOptions } from './options.js';
import type { PageDrift } from './page-drift.js';
import type { Portal, TypeInfo } from './portal.js';
import type { RequestKind } from './rate-limits.js';
import { READ_SCOPES, singularName, type ObjectType } from './schema.js';

export interface RouteContext {
  portal: Portal;
  options: SimulatorOptions;
  /** Simulator clock time of arrival. */
  now: number;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Raw request body (POST routes). */
  rawBody: string;
  /** Parsed JSON body, or undefined when absent or unparsable. */
  body: unknown;
  /** Origin the client used, for `paging.next.link`. */
  baseUrl: string;
  /** Seeded drift of object list pages. */
  drift: PageDrift;
  /** How the request authenticated: a private app's token (or service key) or an OAuth access token. */
  auth: 'private' | 'oauth';
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  kind: RequestKind;
  handle(ctx: RouteContext): HttpReply;
}

/** Turns `/crm/v3/objects/:type/search` into an anchored pattern with named groups. */
export function routePattern(template: string): RegExp {
  const source = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, '(?<$1>[^/]+)');
  return new RegExp(`^${source}/?$`);
}

/**
 * A path's object type for a route: the type, or the reply HubSpot gives for it: 403 for a type the portal lacks
 * (`missingScopes`), 400 for a name it does not know.
 */
export function resolveTypeParam(ctx: RouteContext, raw: string): { type: ObjectType; info: TypeInfo } | HttpReply {
  const resolved = ctx.portal.resolveType(raw);
  if (resolved === undefined) return validationError(`Unable to infer object type from: ${raw}`);
  if ('missing' in resolved) return missingScopes(READ_SCOPES[resolved.missing], ctx.auth, singularName(resolved.missing).toUpperCase(), ctx.portal.portalId);
  return resolved;
}

export function isReply(value: object): value is HttpReply {
  return 'status' in value;
}
