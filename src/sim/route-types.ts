import type { HttpReply } from './error-bodies.js';
import type { SimulatorOptions } from './options.js';
import type { PageDrift } from './page-drift.js';
import type { Portal } from './portal.js';
import type { RequestKind } from './rate-limits.js';

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
