import { DATED_VERSIONS, hasPerObjectAssociations, partialBatchStatus, type ApiVersion } from './api-versions.js';
import { json, validationError, type HttpReply } from './error-bodies.js';
import { isIdString, lowerBoundId } from './ids.js';
import { integerParam } from './params.js';
import type { DirectedPair } from './schema.js';
import { isReply, resolveTypeParam, routePattern, type Route, type RouteContext } from './route-types.js';
import type { ObjectType } from './schema.js';

/**
 * Associations v4 and the dated versions (contract §2.5, §6.4). `toObjectId` is written into the JSON text as a
 * bare number, as HubSpot sends it, so ids above 2^53 reach the client exactly as a JSON number literal
 * (JSON.parse will round them).
 */

const PER_OBJECT_MAX = 500;
const BATCH_INPUT_MAX = 1000;

function encodeCursor(id: string): string {
  return Buffer.from(`a:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('a:') ? text.slice(2) : '';
  return isIdString(id) ? id : undefined;
}

/** One edge's types: the pair's default type with a null label (contract §2.5), then its labels (Primary, user-defined). */
function associatedObjectJson(ctx: RouteContext, from: ObjectType, to: ObjectType, fromId: string, toId: string, directed?: DirectedPair): string {
  return `{"toObjectId":${toId},"associationTypes":${ctx.portal.associationTypesJson(from, to, fromId, toId, directed)}}`;
}

interface Page {
  ids: string[];
  next?: string;
}

function pageOf(all: string[], after: string | undefined, limit: number): Page {
  const start = after === undefined ? 0 : lowerBoundId(all, after, (x) => x);
  const ids = all.slice(start, start + limit);
  const next = all[start + limit];
  return next === undefined ? { ids } : { ids, next };
}

function resolvePair(
  ctx: RouteContext,
  fromRaw: string,
  toRaw: string,
): { from: ObjectType; to: ObjectType; fromName: string; toName: string; directed?: DirectedPair } | HttpReply {
  const from = resolveTypeParam(ctx, fromRaw);
  if (isReply(from)) return from;
  const to = resolveTypeParam(ctx, toRaw);
  if (isReply(to)) return to;
  return { from: from.type, to: to.type, fromName: from.info.singular, toName: to.info.singular, directed: ctx.portal.findPair(from.type, to.type) };
}

/** Where the per-object read of a version lives (for `paging.next.link`). */
function perObjectPath(version: ApiVersion, type: string, id: string, to: string): string {
  return version === 'numbered' ? `/crm/v4/objects/${type}/${id}/associations/${to}` : `/crm/objects/${version}/${type}/${id}/associations/${to}`;
}

function perObject(ctx: RouteContext, version: ApiVersion): HttpReply {
  const pair = resolvePair(ctx, ctx.params.type, ctx.params.to);
  if ('status' in pair) return pair;
  const { from, to } = pair;
  const limit = integerParam(ctx.query.get('limit') ?? undefined, 'limit', PER_OBJECT_MAX, 1, PER_OBJECT_MAX);
  if (!limit.ok) return limit.reply;
  const afterRaw = ctx.query.get('after');
  let after: string | undefined;
  if (afterRaw) {
    after = decodeCursor(afterRaw);
    if (after === undefined) return validationError(`Invalid after: ${afterRaw}`);
  }
  const all = pair.directed ? ctx.portal.associatedIds(from, to, ctx.params.id) : [];
  const page = pageOf(all, after, limit.value);
  const results = page.ids.map((id) => associatedObjectJson(ctx, from, to, ctx.params.id, id, pair.directed)).join(',');
  let paging = '';
  if (page.next !== undefined) {
    const cursor = encodeCursor(page.next);
    const link = new URL(perObjectPath(version, ctx.params.type, ctx.params.id, ctx.params.to), ctx.baseUrl);
    link.searchParams.set('after', cursor);
    link.searchParams.set('limit', String(limit.value));
    paging = `,"paging":${JSON.stringify({ next: { after: cursor, link: link.toString() } })}`;
  }
  return { status: 200, body: `{"results":[${results}]${paging}}`, contentType: 'application/json;charset=utf-8' };
}

function batchRead(ctx: RouteContext, version: ApiVersion): HttpReply {
  const pair = resolvePair(ctx, ctx.params.from, ctx.params.to);
  if ('status' in pair) return pair;
  const { from, to } = pair;
  const body = ctx.body as { inputs?: unknown } | undefined;
  if (!body || !Array.isArray(body.inputs)) return validationError('Invalid input JSON: inputs is required');
  if (body.inputs.length > BATCH_INPUT_MAX) {
    return validationError(`Batch input size must be less than or equal to ${BATCH_INPUT_MAX}. Got ${body.inputs.length}.`);
  }
  const modelled = pair.directed !== undefined;
  const pageSize = ctx.options.batchAssociationPageSize;
  const results: string[] = [];
  const errors: unknown[] = [];
  for (const input of body.inputs as Array<{ id?: unknown; after?: unknown }>) {
    const id = String(input?.id ?? '');
    let after: string | undefined;
    if (typeof input?.after === 'string' && input.after !== '') {
      after = decodeCursor(input.after);
      if (after === undefined) return validationError(`Invalid after for input ${id}: ${input.after}`);
    }
    const all = modelled && isIdString(id) ? ctx.portal.associatedIds(from, to, id) : [];
    const page = pageOf(all, after, pageSize);
    if (page.ids.length === 0) {
      errors.push({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${pair.toName} is associated with ${pair.fromName} ${id}.`,
        context: { fromObjectId: [id], fromObjectType: [pair.fromName], toObjectType: [pair.toName] },
        errors: [],
        links: {},
      });
      continue;
    }
    const to_ = page.ids.map((toId) => associatedObjectJson(ctx, from, to, id, toId, pair.directed)).join(',');
    let paging = '';
    if (page.next !== undefined) {
      const cursor = encodeCursor(page.next);
      // "The 'link' field is deprecated and should be ignored"; 2026-09 has no per-object read for it to name.
      const next: Record<string, string> = { after: cursor };
      if (hasPerObjectAssociations(version)) {
        const link = new URL(perObjectPath(version, ctx.params.from, id, ctx.params.to), ctx.baseUrl);
        link.searchParams.set('after', cursor);
        next.link = link.toString();
      }
      paging = `,"paging":${JSON.stringify({ next })}`;
    }
    results.push(`{"from":{"id":${JSON.stringify(id)}},"to":[${to_}]${paging}}`);
  }
  const stamp = JSON.stringify(new Date(ctx.now).toISOString());
  const tail = errors.length > 0 ? `,"numErrors":${errors.length},"errors":${JSON.stringify(errors)}` : '';
  return {
    status: errors.length > 0 ? partialBatchStatus(version) : 200,
    body: `{"status":"COMPLETE","results":[${results.join(',')}]${tail},"startedAt":${stamp},"completedAt":${stamp}}`,
    contentType: 'application/json;charset=utf-8',
  };
}

/** The types defined between two object types in this direction: the default, then HubSpot's and the portal's labels. */
function labels(ctx: RouteContext): HttpReply {
  const pair = resolvePair(ctx, ctx.params.from, ctx.params.to);
  if ('status' in pair) return pair;
  const directed = pair.directed;
  if (!directed) return json(200, { results: [] });
  const { reversed } = directed;
  const typeId = reversed ? directed.pair.reverseTypeId : directed.pair.typeId;
  const results: Array<{ category: string; typeId: number; label: string | null }> = [{ category: directed.pair.category, typeId, label: null }];
  if (pair.from === 'contacts' && pair.to === 'companies') results.push({ category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' });
  if (pair.from === 'companies' && pair.to === 'contacts') results.push({ category: 'HUBSPOT_DEFINED', typeId: 2, label: 'Primary' });
  for (const label of directed.pair.labels)
    results.push({ category: label.category, typeId: reversed ? label.reverseTypeId : label.typeId, label: label.label });
  return json(200, { results });
}

function associationRoutesAt(version: ApiVersion): Route[] {
  const routes: Route[] =
    version === 'numbered'
      ? [
          { method: 'POST', pattern: routePattern('/crm/v4/associations/:from/:to/batch/read'), kind: 'standard', handle: (ctx) => batchRead(ctx, version) },
          { method: 'GET', pattern: routePattern('/crm/v4/associations/:from/:to/labels'), kind: 'standard', handle: labels },
          // The spec's own path for v4 labels (associationsSchema.json).
          { method: 'GET', pattern: routePattern('/crm/associations/v4/:from/:to/labels'), kind: 'standard', handle: labels },
        ]
      : [
          {
            method: 'POST',
            pattern: routePattern(`/crm/associations/${version}/:from/:to/batch/read`),
            kind: 'standard',
            handle: (ctx) => batchRead(ctx, version),
          },
          { method: 'GET', pattern: routePattern(`/crm/associations/${version}/:from/:to/labels`), kind: 'standard', handle: labels },
        ];
  if (hasPerObjectAssociations(version)) {
    const path = version === 'numbered' ? '/crm/v4/objects/:type/:id/associations/:to' : `/crm/objects/${version}/:type/:id/associations/:to`;
    routes.push({ method: 'GET', pattern: routePattern(path), kind: 'standard', handle: (ctx) => perObject(ctx, version) });
  }
  return routes;
}

export const associationRoutes: Route[] = [associationRoutesAt('numbered'), ...DATED_VERSIONS.map(associationRoutesAt)].flat();
