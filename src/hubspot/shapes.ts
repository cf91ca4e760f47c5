import { MalformedResponseError } from '../processor/errors.js';

/**
 * Every 2xx reply is checked against its endpoint's shape before anything reads it. An edge page served
 * with 200, `{}`, a string, a body cut short: none of it is data, and reading it as data is how a list
 * "ends" early and a pass marks every record deleted (issues 13, 17). A failed check throws
 * MalformedResponseError, which the executor retries like any transient failure.
 *
 * The typed client deserialises whatever it gets into its model classes (a 200 HTML page becomes `{}`, a
 * string `results` becomes `[{}]`), so the checks run on `data` after the client returns as well.
 */
export type ShapeKind =
  'list' | 'search' | 'batch-read' | 'association-batch' | 'properties' | 'forms' | 'submissions' | 'schemas' | 'owners' | 'pipelines' | 'history-batch';

export function checkShape(kind: ShapeKind, endpoint: string, data: unknown): void {
  const problem = shapeProblem(kind, data);
  if (problem) throw new MalformedResponseError(endpoint, problem);
}

/** What is wrong with `data` for this kind of reply, or undefined when it has the shape. */
export function shapeProblem(kind: ShapeKind, data: unknown): string | undefined {
  if (!isObject(data)) return `expected a JSON object, got ${describe(data)}`;
  const results = data.results;
  if (!Array.isArray(results)) return `no results array (results is ${describe(results)})`;
  const each = ITEM_CHECKS[kind];
  for (let i = 0; i < results.length; i++) {
    const problem = each(results[i]);
    if (problem) return `results[${i}] ${problem}`;
  }
  const paging = pagingProblem(data.paging);
  if (paging) return paging;
  if (kind === 'search' && !(typeof data.total === 'number' && Number.isFinite(data.total))) {
    return `no numeric total (total is ${describe(data.total)})`;
  }
  if ((kind === 'batch-read' || kind === 'association-batch' || kind === 'history-batch') && data.errors !== undefined && !Array.isArray(data.errors)) {
    return `errors is ${describe(data.errors)}, not an array`;
  }
  return undefined;
}

const ITEM_CHECKS: Record<ShapeKind, (item: unknown) => string | undefined> = {
  list: recordProblem,
  search: recordProblem,
  'batch-read': recordProblem,
  'association-batch': (item) => {
    if (!isObject(item)) return `is ${describe(item)}, not an object`;
    const from = (item.from ?? item._from) as unknown;
    if (!isObject(from) || !isId(from.id)) return 'has no from.id';
    if (!Array.isArray(item.to)) return 'has no to array';
    return undefined;
  },
  properties: (item) => (isObject(item) && typeof item.name === 'string' && item.name !== '' ? undefined : 'is not a property with a name'),
  forms: (item) => (isObject(item) && typeof item.id === 'string' && item.id !== '' ? undefined : 'is not a form with an id'),
  submissions: (item) => (isObject(item) ? undefined : `is ${describe(item)}, not an object`),
  // A schema names its type (`objectTypeId`, used in every path of its records) and its `name` (its table's);
  // its associations, when present, are definitions with both type ids.
  schemas: (item) => {
    if (!isObject(item)) return `is ${describe(item)}, not an object`;
    if (typeof item.objectTypeId !== 'string' || item.objectTypeId === '') return 'is not a schema with an objectTypeId';
    if (typeof item.name !== 'string' || item.name === '') return 'is not a schema with a name';
    if (item.associations !== undefined && !Array.isArray(item.associations)) return 'has associations that are not an array';
    for (const a of (item.associations as unknown[] | undefined) ?? []) {
      if (!isObject(a) || typeof a.fromObjectTypeId !== 'string' || typeof a.toObjectTypeId !== 'string')
        return 'has an association without fromObjectTypeId/toObjectTypeId';
    }
    return undefined;
  },
  owners: (item) => (isObject(item) && isId(item.id) ? undefined : 'is not an owner with an id'),
  pipelines: (item) => {
    if (!isObject(item) || typeof item.id !== 'string' || item.id === '') return 'is not a pipeline with an id';
    if (!Array.isArray(item.stages)) return `has no stages array (stages is ${describe(item.stages)})`;
    const bad = item.stages.findIndex((s) => !isObject(s) || typeof s.id !== 'string' || s.id === '');
    return bad < 0 ? undefined : `stages[${bad}] is not a stage with an id`;
  },
  // A record read with propertiesWithHistory: each named property's changes as an array (HubSpot's ValueWithTimestamp).
  'history-batch': (item) => {
    const problem = recordProblem(item);
    if (problem) return problem;
    const history = (item as Record<string, unknown>).propertiesWithHistory;
    if (history === undefined || history === null) return undefined;
    if (!isObject(history)) return `has propertiesWithHistory that is ${describe(history)}, not an object`;
    for (const [name, changes] of Object.entries(history)) {
      if (!Array.isArray(changes)) return `has propertiesWithHistory.${name} that is ${describe(changes)}, not an array`;
      const bad = changes.findIndex((c) => !isObject(c) || c.timestamp === undefined || c.timestamp === null);
      if (bad >= 0) return `has propertiesWithHistory.${name}[${bad}] without a timestamp`;
    }
    return undefined;
  },
};

function recordProblem(item: unknown): string | undefined {
  if (!isObject(item)) return `is ${describe(item)}, not an object`;
  if (!isId(item.id)) return `has no id (id is ${describe(item.id)})`;
  if (item.properties !== undefined && item.properties !== null && !isObject(item.properties)) return 'has properties that are not an object';
  return undefined;
}

function pagingProblem(paging: unknown): string | undefined {
  if (paging === undefined || paging === null) return undefined;
  if (!isObject(paging)) return `paging is ${describe(paging)}`;
  const next = paging.next;
  if (next === undefined || next === null) return undefined;
  if (!isObject(next)) return `paging.next is ${describe(next)}`;
  const after = next.after;
  if (after === undefined || after === null) return undefined;
  if ((typeof after === 'string' && after !== '') || (typeof after === 'number' && Number.isFinite(after))) return undefined;
  return `paging.next.after is ${describe(after)}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isId(v: unknown): boolean {
  return (typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isFinite(v));
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
