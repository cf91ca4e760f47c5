import type { Client } from '@hubspot/api-client';
import { HttpStatusError } from '../processor/errors.js';
import type { CallResponse, RequestExecutor } from '../processor/request-executor.js';
import { parseJsonKeepingBigIntegers } from './json-bigint.js';

/**
 * Typed HubSpot endpoints for the extractors. Every call goes through the run's executor (limits,
 * timeout, retries, breaker, server sync) and returns plain, normalised data: ids are strings, dates
 * ISO strings, paging reduced to `nextAfter`.
 */

/** The property incremental search cursors on (contract §2.3): contacts differ from every other type. */
export const MODIFIED_DATE_PROPERTY: Readonly<Record<string, string>> = {
  contacts: 'lastmodifieddate',
  companies: 'hs_lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  tickets: 'hs_lastmodifieddate',
  calls: 'hs_lastmodifieddate',
  emails: 'hs_lastmodifieddate',
  meetings: 'hs_lastmodifieddate',
  notes: 'hs_lastmodifieddate',
  tasks: 'hs_lastmodifieddate',
};

export function modifiedDateProperty(objectType: string): string {
  return objectType === 'contacts' || objectType === '0-1' ? 'lastmodifieddate' : MODIFIED_DATE_PROPERTY[objectType] ?? 'hs_lastmodifieddate';
}

export const LIST_PAGE_LIMIT = 100;
export const BATCH_READ_LIMIT = 100;
export const ASSOCIATION_BATCH_LIMIT = 1000;
export const SUBMISSIONS_PAGE_LIMIT = 50;
export const SEARCH_PAGE_LIMIT = 200;
/** The forms API documents no maximum; this is what a page asks for. */
export const FORMS_PAGE_LIMIT = 100;

export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  archivedAt?: string;
}

export interface Page<T> {
  results: T[];
  /** Cursor of the next page; undefined on the last page. */
  nextAfter?: string;
}

export interface SearchPage extends Page<HubSpotObject> {
  total: number;
}

export interface BatchReadResult {
  results: HubSpotObject[];
  /** Ids HubSpot could not return (deleted or never existed), from a 207's errors. */
  missingIds: string[];
}

export interface SearchRequest {
  filterGroups?: { filters: { propertyName: string; operator: string; value?: string; highValue?: string; values?: string[] }[] }[];
  sorts?: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties?: string[];
  limit?: number;
  after?: string | number;
  query?: string;
}

export interface PropertyDefinition {
  name: string;
  label?: string;
  type: string;
  fieldType?: string;
  groupName?: string;
  description?: string;
  hubspotDefined?: boolean;
  calculated?: boolean;
  archived?: boolean;
  options?: { label: string; value: string }[];
}

export interface AssociationType {
  category: string;
  typeId: number;
  label: string | null;
}

export interface AssociatedObject {
  /** Kept as a string: the JSON number can exceed 2^53. */
  toObjectId: string;
  associationTypes: AssociationType[];
}

export interface AssociationBatchInput {
  id: string;
  after?: string;
}

export interface AssociationBatchEntry {
  fromId: string;
  to: AssociatedObject[];
  /** Pass back as `{id: fromId, after}` to read the next page of this input's associations. */
  nextAfter?: string;
}

export interface FormDefinition {
  id: string;
  name: string;
  formType: string;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  [field: string]: unknown;
}

export interface FormSubmission {
  conversionId?: string;
  submittedAt: number;
  values: { name: string; value: string; objectTypeId?: string }[];
  pageUrl?: string;
  [field: string]: unknown;
}

export class HubSpotApi {
  constructor(
    private readonly client: Client,
    private readonly executor: RequestExecutor,
  ) {}

  async listObjectsPage(
    objectType: string,
    options: { after?: string; limit?: number; properties?: string[]; archived?: boolean } = {},
  ): Promise<Page<HubSpotObject>> {
    const limit = Math.min(options.limit ?? LIST_PAGE_LIMIT, LIST_PAGE_LIMIT);
    const { data } = await this.executor.execute({
      endpoint: 'GET /crm/v3/objects/{type}',
      method: 'GET',
      path: `/crm/v3/objects/${objectType}`,
      send: () =>
        httpInfo(
          this.client.crm.objects.basicApi.getPageWithHttpInfo(
            objectType,
            limit,
            options.after,
            options.properties,
            undefined,
            undefined,
            options.archived ?? false,
          ),
        ),
    });
    return { results: (data.results ?? []).map(normaliseObject), nextAfter: data.paging?.next?.after ?? undefined };
  }

  async batchReadObjects(objectType: string, ids: readonly string[], properties: string[], archived = false): Promise<BatchReadResult> {
    if (ids.length === 0) return { results: [], missingIds: [] };
    if (ids.length > BATCH_READ_LIMIT) throw new RangeError(`batch read takes at most ${BATCH_READ_LIMIT} ids, got ${ids.length}`);
    const { data } = await this.executor.execute({
      endpoint: 'POST /crm/v3/objects/{type}/batch/read',
      method: 'POST',
      path: `/crm/v3/objects/${objectType}/batch/read`,
      send: () =>
        httpInfo(
          this.client.crm.objects.batchApi.readWithHttpInfo(
            objectType,
            { inputs: ids.map((id) => ({ id: String(id) })), properties, propertiesWithHistory: [] },
            archived,
          ),
        ),
    });
    const errors = ((data as { errors?: { context?: Record<string, string[]> }[] }).errors ?? []);
    const missingIds = errors.flatMap((e) => e.context?.ids ?? []);
    return { results: (data.results ?? []).map(normaliseObject), missingIds };
  }

  async searchObjects(objectType: string, request: SearchRequest): Promise<SearchPage> {
    const body = { ...request, limit: Math.min(request.limit ?? SEARCH_PAGE_LIMIT, SEARCH_PAGE_LIMIT) };
    const { data } = await this.executor.execute({
      endpoint: 'POST /crm/v3/objects/{type}/search',
      method: 'POST',
      path: `/crm/v3/objects/${objectType}/search`,
      search: true,
      // The client types `sorts` as string[] but passes objects through unchanged (contract §2.3).
      send: () => httpInfo(this.client.crm.objects.searchApi.doSearchWithHttpInfo(objectType, body as never)),
    });
    return {
      total: data.total ?? 0,
      results: (data.results ?? []).map(normaliseObject),
      nextAfter: data.paging?.next?.after ?? undefined,
    };
  }

  async getProperties(objectType: string, archived = false): Promise<PropertyDefinition[]> {
    const { data } = await this.executor.execute({
      endpoint: 'GET /crm/v3/properties/{type}',
      method: 'GET',
      path: `/crm/v3/properties/${objectType}`,
      send: () => httpInfo(this.client.crm.properties.coreApi.getAllWithHttpInfo(objectType, archived)),
    });
    return (data.results ?? []).map((p) => ({ ...(p as unknown as PropertyDefinition), options: p.options?.map((o) => ({ label: o.label, value: o.value })) }));
  }

  /**
   * v4 batch read. Sent through `apiRequest` and parsed from the raw text, because `toObjectId` is a
   * JSON number that can exceed 2^53 and the typed client's JSON.parse would round it. Inputs with no
   * associations come back as 207 NO_ASSOCIATIONS_FOUND errors: they are reported as empty, not failed.
   */
  async batchReadAssociations(fromType: string, toType: string, inputs: readonly AssociationBatchInput[]): Promise<AssociationBatchEntry[]> {
    if (inputs.length === 0) return [];
    if (inputs.length > ASSOCIATION_BATCH_LIMIT) {
      throw new RangeError(`association batch read takes at most ${ASSOCIATION_BATCH_LIMIT} inputs, got ${inputs.length}`);
    }
    const path = `/crm/v4/associations/${fromType}/${toType}/batch/read`;
    const { data } = await this.executor.execute({
      endpoint: 'POST /crm/v4/associations/{from}/{to}/batch/read',
      method: 'POST',
      path,
      send: () =>
        rawRequest(this.client, 'POST', path, {
          body: { inputs: inputs.map((i) => (i.after ? { id: String(i.id), after: i.after } : { id: String(i.id) })) },
        }),
    });
    return normaliseAssociationBatch(data);
  }

  /**
   * All form types: the API's default is `hubspot` only (contract §2.6). Sent through `apiRequest`: the
   * typed `formsApi.getPage` (13.x) maps only `formType: "hubspot"` in its deserializer, and a page holding
   * any `captured`, `flow` or `blog_comment` form makes it throw "getAttributeTypeMap is not a function".
   */
  async listFormsPage(after?: string, limit = FORMS_PAGE_LIMIT): Promise<Page<FormDefinition>> {
    const { data } = await this.executor.execute({
      endpoint: 'GET /marketing/v3/forms',
      method: 'GET',
      path: '/marketing/v3/forms',
      send: () =>
        rawRequest<{ results?: FormDefinition[]; paging?: { next?: { after?: string } } }>(this.client, 'GET', '/marketing/v3/forms', {
          qs: { after, limit, archived: false, formTypes: 'all' },
        }),
    });
    return {
      results: (data.results ?? []).map((f) => normaliseDates(f as unknown as Record<string, unknown>) as FormDefinition),
      nextAfter: data.paging?.next?.after ?? undefined,
    };
  }

  /** Not covered by the typed client: `apiRequest`, which never rejects on status, so HttpStatusError is raised here. */
  async listFormSubmissionsPage(formGuid: string, after?: string, limit = SUBMISSIONS_PAGE_LIMIT): Promise<Page<FormSubmission>> {
    const path = `/form-integrations/v1/submissions/forms/${encodeURIComponent(formGuid)}`;
    const { data } = await this.executor.execute({
      endpoint: 'GET /form-integrations/v1/submissions/forms/{guid}',
      method: 'GET',
      path,
      send: () =>
        rawRequest<{ results?: FormSubmission[]; paging?: { next?: { after?: string } } }>(this.client, 'GET', path, {
          qs: { limit: Math.min(limit, SUBMISSIONS_PAGE_LIMIT), after },
        }),
    });
    return { results: data.results ?? [], nextAfter: data.paging?.next?.after ?? undefined };
  }
}

/** Adapts a `...WithHttpInfo` promise to the executor's response shape. */
async function httpInfo<T>(call: Promise<{ httpStatusCode: number; headers: Record<string, string>; data: T }>): Promise<CallResponse<T>> {
  const info = await call;
  return { status: info.httpStatusCode, headers: lowerCaseKeys(info.headers), data: info.data };
}

/**
 * `client.apiRequest` with the error semantics of the typed APIs: a non-2xx answer rejects with an
 * ApiException-shaped HttpStatusError, and an empty or broken 2xx body rejects with SyntaxError.
 */
export async function rawRequest<T>(
  client: Client,
  method: string,
  path: string,
  options: { qs?: Record<string, string | number | boolean | undefined>; body?: unknown } = {},
): Promise<CallResponse<T>> {
  const qs: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.qs ?? {})) if (v !== undefined) qs[k] = String(v);
  const response = await client.apiRequest({
    method,
    path,
    ...(Object.keys(qs).length ? { qs } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value: string, name: string) => {
    headers[name.toLowerCase()] = value;
  });
  const text = await response.text();
  if (response.status < 200 || response.status > 299) {
    throw new HttpStatusError(response.status, parseLenient(text), headers);
  }
  return { status: response.status, headers, data: parseJsonKeepingBigIntegers(text) as T };
}

function parseLenient(text: string): unknown {
  try {
    return parseJsonKeepingBigIntegers(text);
  } catch {
    return text;
  }
}

function normaliseAssociationBatch(data: unknown): AssociationBatchEntry[] {
  const d = (data ?? {}) as { results?: unknown[]; errors?: unknown[] };
  const entries: AssociationBatchEntry[] = [];
  const seen = new Set<string>();
  for (const raw of d.results ?? []) {
    const r = raw as { from?: { id?: unknown }; _from?: { id?: unknown }; to?: unknown[]; paging?: { next?: { after?: unknown } } };
    const fromId = String((r.from ?? r._from)?.id ?? '');
    const to = (r.to ?? []).map((t) => {
      const o = t as { toObjectId: unknown; associationTypes?: AssociationType[] };
      return {
        toObjectId: String(o.toObjectId),
        associationTypes: (o.associationTypes ?? []).map((a) => ({ category: a.category, typeId: Number(a.typeId), label: a.label ?? null })),
      };
    });
    const after = r.paging?.next?.after;
    entries.push({ fromId, to, nextAfter: after === undefined || after === null ? undefined : String(after) });
    seen.add(fromId);
  }
  for (const raw of d.errors ?? []) {
    const e = raw as { subCategory?: string; context?: { fromObjectId?: unknown[] } };
    if (e.subCategory !== 'crm.associations.NO_ASSOCIATIONS_FOUND') continue;
    for (const id of e.context?.fromObjectId ?? []) {
      const fromId = String(id);
      if (!seen.has(fromId)) {
        entries.push({ fromId, to: [] });
        seen.add(fromId);
      }
    }
  }
  return entries;
}

function normaliseObject(raw: unknown): HubSpotObject {
  const o = raw as { id: unknown; properties?: Record<string, string | null>; createdAt?: unknown; updatedAt?: unknown; archived?: boolean; archivedAt?: unknown };
  return {
    id: String(o.id),
    properties: o.properties ?? {},
    createdAt: isoOf(o.createdAt),
    updatedAt: isoOf(o.updatedAt),
    archived: o.archived,
    ...(o.archivedAt !== undefined && o.archivedAt !== null ? { archivedAt: isoOf(o.archivedAt) } : {}),
  };
}

function normaliseDates(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}

function isoOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return String(v);
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = String(v);
  return out;
}
