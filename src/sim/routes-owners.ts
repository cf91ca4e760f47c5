import { DATED_VERSIONS, type ApiVersion } from './api-versions.js';
import { json, notFound, validationError, type HttpReply } from './error-bodies.js';
import { ownerJson } from './owners.js';
import { booleanParam, integerParam } from './params.js';
import { routePattern, type Route, type RouteContext } from './route-types.js';

/**
 * Owners (`crmOwners.json`, v3 and the dated `/crm/owners/{version}`): a page of up to 500 owners (default 100),
 * ascending by id, with an opaque `after`; `archived=true` lists only archived owners, `email` filters by address.
 * One owner by id (or by user id with `idProperty=userId`); an archived one only with `archived=true`.
 */

const OWNERS_MAX = 500;

function encodeCursor(id: string): string {
  return Buffer.from(`o:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^o:\d+$/.test(text) ? text.slice(2) : undefined;
}

function ownersPath(version: ApiVersion): string {
  return version === 'numbered' ? '/crm/v3/owners' : `/crm/owners/${version}`;
}

function list(ctx: RouteContext, version: ApiVersion): HttpReply {
  const limit = integerParam(ctx.query.get('limit') ?? undefined, 'limit', 100, 1, OWNERS_MAX);
  if (!limit.ok) return limit.reply;
  const afterRaw = ctx.query.get('after');
  let after: string | undefined;
  if (afterRaw) {
    after = decodeCursor(afterRaw);
    if (after === undefined) return validationError(`Invalid after: ${afterRaw}`);
  }
  const archived = booleanParam(ctx.query, 'archived');
  const email = ctx.query.get('email')?.toLowerCase();
  const matching = ctx.portal.owners.owners.filter(
    (o) =>
      (o.archivedAt !== undefined) === archived &&
      (email === undefined || email === '' || o.email?.toLowerCase() === email) &&
      (after === undefined || BigInt(o.id) >= BigInt(after)),
  );
  const page = matching.slice(0, limit.value);
  const body: Record<string, unknown> = { results: page.map(ownerJson) };
  const next = matching[limit.value];
  if (next) {
    const cursor = encodeCursor(next.id);
    const link = new URL(ownersPath(version), ctx.baseUrl);
    link.searchParams.set('limit', String(limit.value));
    link.searchParams.set('after', cursor);
    if (archived) link.searchParams.set('archived', 'true');
    body.paging = { next: { after: cursor, link: link.toString() } };
  }
  return json(200, body);
}

function getOne(ctx: RouteContext): HttpReply {
  const idProperty = ctx.query.get('idProperty') ?? 'id';
  if (idProperty !== 'id' && idProperty !== 'userId') return validationError(`Invalid idProperty: ${idProperty} (id or userId)`);
  if (!/^\d+$/.test(ctx.params.ownerId)) return validationError(`Unable to parse ownerId: ${ctx.params.ownerId} is not an integer`);
  const archived = booleanParam(ctx.query, 'archived');
  const owner = ctx.portal.owners.owners.find((o) => (idProperty === 'id' ? o.id === ctx.params.ownerId : String(o.userId) === ctx.params.ownerId));
  if (!owner || (owner.archivedAt !== undefined) !== archived) return notFound(`Owner ${ctx.params.ownerId} not found.`);
  return json(200, ownerJson(owner));
}

function ownerRoutesAt(version: ApiVersion): Route[] {
  const base = ownersPath(version);
  return [
    { method: 'GET', pattern: routePattern(base), kind: 'standard', handle: (ctx) => list(ctx, version) },
    { method: 'GET', pattern: routePattern(`${base}/:ownerId`), kind: 'standard', handle: getOne },
  ];
}

export const ownerRoutes: Route[] = [ownerRoutesAt('numbered'), ...DATED_VERSIONS.map(ownerRoutesAt)].flat();
