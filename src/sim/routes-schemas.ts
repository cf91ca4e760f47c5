import { DATED_VERSIONS, type ApiVersion } from './api-versions.js';
import { schemaJson, schemaMatches } from './custom-objects.js';
import { json, notFound, type HttpReply } from './error-bodies.js';
import { booleanParam } from './params.js';
import { routePattern, type Route, type RouteContext } from './route-types.js';

/**
 * Custom object schemas (`schemas.json`): every schema in one unpaged list (v3 at `/crm-object-schemas/v3/schemas`
 * and its older alias `/crm/v3/schemas`, which connectors still call; the dated `/crm-object-schemas/{version}`),
 * or one by `objectTypeId`, fully qualified name or name. `archived=true` lists only archived schemas; the
 * `include…` flags (default true) drop associations, audit fields or properties.
 */

function flag(ctx: RouteContext, name: string): boolean {
  const raw = ctx.query.get(name);
  return raw === null || raw.toLowerCase() !== 'false';
}

function render(ctx: RouteContext, schema: Parameters<typeof schemaJson>[0]): Record<string, unknown> {
  return schemaJson(schema, ctx.portal.catalog(schema.objectTypeId).definitions, {
    associations: flag(ctx, 'includeAssociationDefinitions'),
    audit: flag(ctx, 'includeAuditMetadata'),
    propertyDefinitions: flag(ctx, 'includePropertyDefinitions'),
  });
}

function list(ctx: RouteContext): HttpReply {
  const archived = booleanParam(ctx.query, 'archived');
  return json(200, { results: ctx.portal.schemas.filter((s) => (s.archivedAt !== undefined) === archived).map((s) => render(ctx, s)) });
}

function getOne(ctx: RouteContext): HttpReply {
  const schema = ctx.portal.schemas.find((s) => s.archivedAt === undefined && schemaMatches(s, ctx.params.objectType));
  return schema ? json(200, render(ctx, schema)) : notFound(`Unable to find object schema for ${ctx.params.objectType}`);
}

function schemaRoutesAt(version: ApiVersion): Route[] {
  const bases = version === 'numbered' ? ['/crm-object-schemas/v3/schemas', '/crm/v3/schemas'] : [`/crm-object-schemas/${version}/schemas`];
  return bases.flatMap((base): Route[] => [
    { method: 'GET', pattern: routePattern(base), kind: 'standard', handle: list },
    { method: 'GET', pattern: routePattern(`${base}/:objectType`), kind: 'standard', handle: getOne },
  ]);
}

export const schemaRoutes: Route[] = [schemaRoutesAt('numbered'), ...DATED_VERSIONS.map(schemaRoutesAt)].flat();
