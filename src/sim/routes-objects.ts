import { DATED_VERSIONS, objectsPath, partialBatchStatus, type ApiVersion } from './api-versions.js';
import { errorBody, json, jsonPage, JsonText, jsonText, notFound, outOfRange, validationError, type HttpReply } from './error-bodies.js';
import { compareIds, isIdString } from './ids.js';
import { booleanParam, integerParam, listParam } from './params.js';
import type { SimRecord, VisibleState } from './portal.js';
import { propertySelection, type PropertySelection } from './property-values.js';
import { isReply, resolveTypeParam, routePattern, type Route, type RouteContext } from './route-types.js';
import { alwaysReturnedProperties, createdDateProperty, defaultProperties, modifiedDateProperty, type ObjectType } from './schema.js';

/**
 * CRM object endpoints: list, by id, batch read, search (contract §2.1–2.4) and the properties API, at v3 and at
 * the dated versions (same shapes except where `api-versions.ts` says otherwise).
 */

const LIST_MAX = 100;
const BATCH_MAX = 100;
/**
 * Reading `propertiesWithHistory` lowers both: list pages and batch reads take at most 50 records (estuary's
 * HubSpot connector asks for 50 in both cases; HubSpot answered a list page of 100 with history with a 400,
 * HubSpot/hubspot-api-python#143; the spec: "Usage of this parameter will reduce the maximum number of objects").
 */
export const HISTORY_PAGE_MAX = 50;
const SEARCH_MAX = 200;
/** "The search endpoints are limited to 10,000 total results for any given query." */
export const SEARCH_RESULT_CAP = 10_000;
const SEARCH_BODY_MAX_CHARS = 3000;

const iso = (ms: number) => new Date(ms).toISOString();

/** Which properties a reply carries: the defaults, or the requested ones plus those always returned. */
function selectProperties(ctx: RouteContext, type: ObjectType, requested: string[]): string[] {
  if (requested.length === 0) return defaultProperties(type);
  const known = ctx.portal.catalog(type).byName;
  const names = [...alwaysReturnedProperties(type)];
  const seen = new Set(names);
  // Unknown names are dropped silently, as HubSpot does.
  for (const name of requested) {
    if (known.has(name) && !seen.has(name)) {
      seen.add(name);
      names.push(name);
    }
  }
  return names;
}

interface Serializable {
  id: string;
  idx: number;
  version: number;
  createdAt: number;
  updatedAt: number;
  archivedAt?: number;
}

/** The names of `propertiesWithHistory` the type has (unknown ones are ignored, as HubSpot does). */
function historyNames(ctx: RouteContext, type: ObjectType, requested: readonly string[]): string[] {
  const known = ctx.portal.catalog(type).byName;
  return [...new Set(requested.filter((name) => known.has(name)))];
}

/** One record as the API writes it (`id`, `properties`, history when asked, dates, archived), as JSON text. */
function serializeObject(
  ctx: RouteContext,
  type: ObjectType,
  record: Serializable,
  selection: PropertySelection,
  history: readonly string[] = [],
  associations?: Record<string, unknown>,
): JsonText {
  // The date properties already hold these instants as ISO strings (absent from a catalog, they are left out).
  const specs = ctx.portal.catalog(type).specByName;
  const created = specs.has(createdDateProperty(type)) ? createdDateProperty(type) : undefined;
  const modified = specs.has(modifiedDateProperty(type)) ? modifiedDateProperty(type) : undefined;
  const withHistory = history.length > 0 ? ctx.portal.history(record as SimRecord, history) : undefined;
  // Serialized at once: the properties are lent for this call only (`withSelectedValues`).
  return new JsonText(
    ctx.portal.withSelectedProperties({ ...record, type }, selection, (properties) =>
      JSON.stringify({
        id: record.id,
        properties,
        propertiesWithHistory: withHistory,
        createdAt: created === undefined ? undefined : properties[created],
        updatedAt: modified === undefined ? undefined : properties[modified],
        archived: record.archivedAt !== undefined,
        archivedAt: record.archivedAt !== undefined ? iso(record.archivedAt) : undefined,
        associations,
      }),
    ),
  );
}

/** `selectProperties`' names, prepared for serializing records (`propertySelection`). */
function selectionOf(ctx: RouteContext, type: ObjectType, names: readonly string[]): PropertySelection {
  return propertySelection(ctx.portal.catalog(type), names);
}

function inlineAssociations(
  ctx: RouteContext,
  type: ObjectType,
  id: string,
  toTypes: Array<{ type: ObjectType; name: string }>,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  const from = ctx.portal.typeInfo(type).singular;
  for (const to of toTypes) {
    const ids = ctx.portal.associatedIds(type, to.type, id);
    if (ids.length === 0) continue;
    const label = `${from}_to_${ctx.portal.typeInfo(to.type).singular}`;
    out[to.name] = { results: ids.map((other) => ({ id: other, type: label })) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Whether a record belongs in a list of live records or of archived ones. */
function inList(record: SimRecord, archived: boolean): boolean {
  return (record.archivedAt !== undefined) === archived;
}

/**
 * The types of `associations=`, keyed as HubSpot keys them in the reply (a standard type's plural name, a custom
 * object's fully qualified name); unknown and missing types are ignored, as HubSpot does.
 */
function associationParam(ctx: RouteContext, type: ObjectType): Array<{ type: ObjectType; name: string }> {
  const out: Array<{ type: ObjectType; name: string }> = [];
  for (const name of listParam(ctx.query, 'associations')) {
    const resolved = ctx.portal.resolveType(name);
    if (resolved && 'type' in resolved && resolved.type !== type && ctx.portal.findPair(type, resolved.type))
      out.push({ type: resolved.type, name: resolved.info.schema ? resolved.info.schema.fullyQualifiedName : resolved.type });
  }
  return out;
}

function list(ctx: RouteContext, version: ApiVersion): HttpReply {
  const resolved = resolveTypeParam(ctx, ctx.params.type);
  if (isReply(resolved)) return resolved;
  const { type } = resolved;
  const history = historyNames(ctx, type, listParam(ctx.query, 'propertiesWithHistory'));
  const withHistory = listParam(ctx.query, 'propertiesWithHistory').length > 0;
  const limit = integerParam(ctx.query.get('limit') ?? undefined, 'limit', 10, 1, LIST_MAX);
  if (!limit.ok) return limit.reply;
  if (withHistory && limit.value > HISTORY_PAGE_MAX) return outOfRange('limit', limit.value, 1, HISTORY_PAGE_MAX);
  const after = ctx.query.get('after');
  if (after !== null && after !== '' && !isIdString(after)) return validationError(`Invalid after: ${after} is not a record id`);
  const archived = booleanParam(ctx.query, 'archived');
  const selection = selectionOf(ctx, type, selectProperties(ctx, type, listParam(ctx.query, 'properties')));
  const toTypes = associationParam(ctx, type);

  const records = ctx.portal.records(type);
  const cursorAt = after ? ctx.portal.indexFrom(type, after) : 0;
  let start = cursorAt;
  const plan = ctx.drift.next(ctx.options.pageDrift, ctx.options.pageDriftWindowMs, ctx.now, Boolean(after));
  const skips = (record: SimRecord) => plan !== undefined && record.updatedAt > plan.skipModifiedAfter;
  if (plan) {
    // Start a few records early, so the previous page's last records (those this page does not skip) come again.
    for (let i = cursorAt - 1, back = 0; i >= 0 && back < plan.repeat; i--) {
      if (!inList(records[i], archived) || skips(records[i])) continue;
      start = i;
      back++;
    }
  }
  let repeated = 0;
  let skipped = 0;
  const results: JsonText[] = [];
  let next: string | undefined;
  for (let i = start; i < records.length; i++) {
    const record = records[i];
    if (!inList(record, archived)) continue;
    if (results.length === limit.value) {
      next = record.id;
      break;
    }
    if (skips(record)) {
      skipped++;
      continue;
    }
    if (i < cursorAt) repeated++;
    const associations = toTypes.length > 0 && !archived ? inlineAssociations(ctx, type, record.id, toTypes) : undefined;
    results.push(serializeObject(ctx, type, record, selection, history, associations));
  }
  const body: Record<string, unknown> = { results };
  if (next !== undefined) {
    const link = new URL(objectsPath(version, ctx.params.type), ctx.baseUrl);
    link.searchParams.set('limit', String(limit.value));
    link.searchParams.set('after', next);
    body.paging = { next: { after: next, link: link.toString() } };
  }
  const reply = jsonPage(200, body);
  if (plan) reply.drift = { repeated, skipped };
  return reply;
}

function getOne(ctx: RouteContext): HttpReply {
  const resolved = resolveTypeParam(ctx, ctx.params.type);
  if (isReply(resolved)) return resolved;
  const { type } = resolved;
  const record = ctx.portal.get(type, ctx.params.id);
  const archived = booleanParam(ctx.query, 'archived');
  if (!record || (record.archivedAt !== undefined) !== archived) return notFound(`Object not found.  objectId are usually numeric.`);
  const history = historyNames(ctx, type, listParam(ctx.query, 'propertiesWithHistory'));
  const selection = selectionOf(ctx, type, selectProperties(ctx, type, listParam(ctx.query, 'properties')));
  return jsonText(200, serializeObject(ctx, type, record, selection, history));
}

function batchRead(ctx: RouteContext, version: ApiVersion): HttpReply {
  const resolved = resolveTypeParam(ctx, ctx.params.type);
  if (isReply(resolved)) return resolved;
  const { type } = resolved;
  const body = ctx.body as { inputs?: unknown; properties?: unknown; propertiesWithHistory?: unknown } | undefined;
  if (!body || !Array.isArray(body.inputs)) return validationError('Invalid input JSON: inputs is required');
  const requestedHistory = Array.isArray(body.propertiesWithHistory) ? body.propertiesWithHistory.filter((p): p is string => typeof p === 'string') : [];
  const max = requestedHistory.length > 0 ? HISTORY_PAGE_MAX : BATCH_MAX;
  if (body.inputs.length > max) {
    return validationError(
      `Batch input size must be less than or equal to ${max}${max === HISTORY_PAGE_MAX ? ' when propertiesWithHistory is requested' : ''}. Got ${body.inputs.length}.`,
    );
  }
  const history = historyNames(ctx, type, requestedHistory);
  const ids: string[] = [];
  for (const input of body.inputs) {
    const id = (input as { id?: unknown })?.id;
    if (typeof id !== 'string' && typeof id !== 'number') return validationError('Invalid input JSON: every input needs an id');
    if (!ids.includes(String(id))) ids.push(String(id));
  }
  const requested = Array.isArray(body.properties) ? body.properties.filter((p): p is string => typeof p === 'string') : [];
  const selection = selectionOf(ctx, type, selectProperties(ctx, type, requested));
  const archived = booleanParam(ctx.query, 'archived');
  const results: JsonText[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const record = ctx.portal.get(type, id);
    if (!record || (record.archivedAt !== undefined) !== archived) missing.push(id);
    else results.push(serializeObject(ctx, type, record, selection, history));
  }
  const stamp = iso(ctx.now);
  const reply: Record<string, unknown> = { status: 'COMPLETE', results, startedAt: stamp, completedAt: stamp };
  if (missing.length === 0) return jsonPage(200, reply);
  reply.numErrors = 1;
  reply.errors = [
    {
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `Could not get some ${resolved.info.singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
      context: { ids: missing },
      errors: [],
      links: {},
    },
  ];
  return jsonPage(partialBatchStatus(version), reply);
}

// ---- search ------------------------------------------------------------------------------------------------

interface Filter {
  propertyName?: unknown;
  operator?: unknown;
  value?: unknown;
  highValue?: unknown;
  values?: unknown;
}

type Comparable = { kind: 'number'; value: number } | { kind: 'id'; value: string } | { kind: 'string'; value: string } | null;

/** A date, datetime or number property's value as a number; null when it is not one (values may be invalid). */
function numericValue(raw: string, propertyType: string): number | null {
  if (propertyType === 'number') {
    const value = raw.trim() === '' ? NaN : Number(raw);
    return Number.isFinite(value) ? value : null;
  }
  // Dates come back as ISO strings or epoch-millisecond strings.
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(value) ? value : null;
}

/** Reads one property of a visible record as a comparable value, without computing every property. */
function makeReader(ctx: RouteContext, type: ObjectType) {
  const definitions = ctx.portal.catalog(type).byName;
  const created = createdDateProperty(type);
  const modified = modifiedDateProperty(type);
  return (state: VisibleState, name: string): Comparable => {
    if (name === 'hs_object_id') return { kind: 'id', value: state.id };
    if (name === created) return { kind: 'number', value: state.createdAt };
    if (name === modified) return { kind: 'number', value: state.updatedAt };
    const definition = definitions.get(name);
    if (!definition) return null;
    const raw = ctx.portal.properties({ ...state, type }, [name])[name];
    if (raw === null || raw === undefined || raw === '') return null;
    if (definition.type === 'datetime' || definition.type === 'date' || definition.type === 'number') {
      // A value invalid for its type matches no comparison, as HubSpot's index could not have stored it.
      const value = numericValue(raw, definition.type);
      return value === null ? null : { kind: 'number', value };
    }
    return { kind: 'string', value: raw.toLowerCase() };
  };
}

/** Converts a filter operand to the property's kind: dates accept epoch ms strings (the docs) or ISO strings. */
function operand(like: Comparable, raw: unknown): Comparable {
  if (raw === undefined || raw === null || like === null) return null;
  const text = String(raw);
  if (like.kind === 'id') return isIdString(text) ? { kind: 'id', value: text } : null;
  if (like.kind === 'number') {
    const value = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isNaN(value) ? null : { kind: 'number', value };
  }
  return { kind: 'string', value: text.toLowerCase() };
}

function compare(a: Comparable, b: Comparable): number {
  if (a === null || b === null) return NaN;
  if (a.kind === 'id' && b.kind === 'id') return compareIds(a.value, b.value);
  if (a.kind === 'number' && b.kind === 'number') return a.value - b.value;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

function matches(filter: Filter, actual: Comparable): boolean {
  const op = String(filter.operator);
  switch (op) {
    case 'HAS_PROPERTY':
      return actual !== null;
    case 'NOT_HAS_PROPERTY':
      return actual === null;
    case 'EQ':
      return compare(actual, operand(actual, filter.value)) === 0;
    case 'NEQ':
      return actual === null || compare(actual, operand(actual, filter.value)) !== 0;
    case 'LT':
      return compare(actual, operand(actual, filter.value)) < 0;
    case 'LTE':
      return compare(actual, operand(actual, filter.value)) <= 0;
    case 'GT':
      return compare(actual, operand(actual, filter.value)) > 0;
    case 'GTE':
      return compare(actual, operand(actual, filter.value)) >= 0;
    case 'BETWEEN':
      return compare(actual, operand(actual, filter.value)) >= 0 && compare(actual, operand(actual, filter.highValue)) <= 0;
    case 'IN':
    case 'NOT_IN': {
      const values = Array.isArray(filter.values) ? filter.values : [];
      const found = values.some((v) => compare(actual, operand(actual, v)) === 0);
      return op === 'IN' ? found : actual === null || !found;
    }
    case 'CONTAINS_TOKEN':
    case 'NOT_CONTAINS_TOKEN': {
      const token = String(filter.value ?? '')
        .toLowerCase()
        .replace(/\*/g, '');
      const found = actual !== null && String(actual.value).toLowerCase().includes(token);
      return op === 'CONTAINS_TOKEN' ? found : !found;
    }
    default:
      return false;
  }
}

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

interface Sort {
  propertyName: string;
  descending: boolean;
}

function parseSorts(raw: unknown): Sort[] | string {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return 'sorts must be an array';
  const sorts: Sort[] = [];
  for (const item of raw) {
    // The spec types sorts as string[]; the docs send objects. Accept both.
    if (typeof item === 'string') {
      const descending = item.startsWith('-');
      sorts.push({ propertyName: descending ? item.slice(1) : item, descending });
    } else if (item && typeof item === 'object' && typeof (item as { propertyName?: unknown }).propertyName === 'string') {
      const { propertyName, direction } = item as { propertyName: string; direction?: unknown };
      sorts.push({ propertyName, descending: String(direction ?? 'ASCENDING').toUpperCase() === 'DESCENDING' });
    } else return 'Each sort needs a propertyName';
  }
  return sorts;
}

function search(ctx: RouteContext): HttpReply {
  const resolved = resolveTypeParam(ctx, ctx.params.type);
  if (isReply(resolved)) return resolved;
  const { type } = resolved;
  if (ctx.rawBody.length > SEARCH_BODY_MAX_CHARS) {
    return validationError(`Search request body exceeds the maximum of ${SEARCH_BODY_MAX_CHARS} characters.`);
  }
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) return validationError('Invalid input JSON: expected an object');
  const limit = integerParam(body.limit, 'limit', 10, 1, SEARCH_MAX);
  if (!limit.ok) return limit.reply;
  // "You must format the value in the after parameter as an integer."
  const afterRaw = body.after ?? '0';
  const afterText = String(afterRaw);
  if (!/^\d+$/.test(afterText)) return validationError(`Invalid after: ${afterText} must be an integer`);
  const after = Number(afterText);
  if (after + limit.value > SEARCH_RESULT_CAP) {
    return json(
      400,
      errorBody(
        'VALIDATION_ERROR',
        `There was a problem with the request. Search results are limited to ${SEARCH_RESULT_CAP} total; after (${after}) + limit (${limit.value}) exceeds it.`,
      ),
    );
  }
  const groups = Array.isArray(body.filterGroups) ? (body.filterGroups as Array<{ filters?: unknown }>) : [];
  if (groups.length > 5) return validationError('Too many filter groups: the maximum is 5.');
  let filterCount = 0;
  for (const group of groups) {
    const filters = Array.isArray(group?.filters) ? (group.filters as Filter[]) : [];
    if (filters.length > 6) return validationError('Too many filters in a group: the maximum is 6.');
    filterCount += filters.length;
    for (const filter of filters) {
      if (typeof filter?.propertyName !== 'string' || !OPERATORS.has(String(filter.operator))) {
        return validationError(`Invalid filter: ${JSON.stringify(filter)}`);
      }
    }
  }
  if (filterCount > 18) return validationError('Too many filters: the maximum is 18.');
  const sorts = parseSorts(body.sorts);
  if (typeof sorts === 'string') return validationError(sorts);
  if (sorts.length > 1) return validationError('Only one sort is allowed.');
  const requested = Array.isArray(body.properties) ? body.properties.filter((p): p is string => typeof p === 'string') : [];
  const selection = selectionOf(ctx, type, selectProperties(ctx, type, requested));
  const queryText = typeof body.query === 'string' ? body.query.toLowerCase() : '';

  const read = makeReader(ctx, type);
  // A text query looks in the default properties, a custom object's in its schema's searchable ones.
  const defaults = resolved.info.schema ? [...defaultProperties(type), ...resolved.info.schema.searchableProperties] : defaultProperties(type);
  const matching = ctx.portal.searchView(type, ctx.now).filter((state) => {
    // "Archived CRM objects won't appear in any search results."
    if (state.archived) return false;
    if (groups.length > 0) {
      const any = groups.some((group) => ((group.filters as Filter[] | undefined) ?? []).every((f) => matches(f, read(state, String(f.propertyName)))));
      if (!any) return false;
    }
    if (queryText)
      return defaults.some((name) => {
        const value = read(state, name);
        return value !== null && String(value.value).toLowerCase().includes(queryText);
      });
    return true;
  });
  const sort = sorts[0] ?? { propertyName: 'hs_object_id', descending: false };
  const keyed = matching.map((state) => ({ state, key: read(state, sort.propertyName) }));
  keyed.sort((a, b) => {
    // Records without the sort property go last; ties fall back to id so the order is total.
    if (a.key === null || b.key === null) {
      if (a.key !== b.key) return a.key === null ? 1 : -1;
    } else {
      const c = compare(a.key, b.key);
      if (c !== 0) return sort.descending ? -c : c;
    }
    return compareIds(a.state.id, b.state.id);
  });
  const page = keyed.slice(after, after + limit.value).map(({ state }) => {
    const object = serializeObject(ctx, type, state, selection);
    return object;
  });
  const reply: Record<string, unknown> = { total: matching.length, results: page };
  // Like HubSpot, the page ending at the cap still offers a next cursor; following it answers 400.
  if (after + limit.value < keyed.length) reply.paging = { next: { after: String(after + limit.value) } };
  return jsonPage(200, reply);
}

/**
 * The properties API: every live definition of the type's catalog, or with `archived=true` only the archived
 * ones (properties archived at run time); `dataSensitivity` defaults to `non_sensitive` (every property here), and
 * `properties` narrows the list.
 */
function properties(ctx: RouteContext): HttpReply {
  const resolved = resolveTypeParam(ctx, ctx.params.type);
  if (isReply(resolved)) return resolved;
  const { type } = resolved;
  const sensitivity = ctx.query.get('dataSensitivity') ?? 'non_sensitive';
  if (!['non_sensitive', 'sensitive', 'highly_sensitive'].includes(sensitivity)) return validationError(`Invalid dataSensitivity: ${sensitivity}`);
  if (sensitivity !== 'non_sensitive') return json(200, { results: [] });
  const only = new Set(listParam(ctx.query, 'properties'));
  const catalog = ctx.portal.catalog(type);
  const definitions = booleanParam(ctx.query, 'archived') ? catalog.archived : catalog.definitions;
  return json(200, { results: only.size === 0 ? definitions : definitions.filter((d) => only.has(d.name)) });
}

function objectRoutesAt(version: ApiVersion): Route[] {
  const base = version === 'numbered' ? '/crm/v3/objects' : `/crm/objects/${version}`;
  return [
    { method: 'GET', pattern: routePattern(`${base}/:type`), kind: 'standard', handle: (ctx) => list(ctx, version) },
    { method: 'GET', pattern: routePattern(`${base}/:type/:id`), kind: 'standard', handle: getOne },
    { method: 'POST', pattern: routePattern(`${base}/:type/batch/read`), kind: 'standard', handle: (ctx) => batchRead(ctx, version) },
    { method: 'POST', pattern: routePattern(`${base}/:type/search`), kind: 'search', handle: search },
    {
      method: 'GET',
      pattern: routePattern(version === 'numbered' ? '/crm/v3/properties/:type' : `/crm/properties/${version}/:type`),
      kind: 'standard',
      handle: properties,
    },
  ];
}

export const objectRoutes: Route[] = [objectRoutesAt('numbered'), ...DATED_VERSIONS.map(objectRoutesAt)].flat();
