import type { Client } from '@hubspot/api-client';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { HttpStatusError, RequestTooLongError, SkippedItemError } from '../processor/errors.js';
import type { CallResponse, CallSpec, RequestExecutor } from '../processor/request-executor.js';
import { endpointLabel, endpointPath, type ApiVersion } from './endpoints.js';
import { parseJsonKeepingBigIntegers } from './json-bigint.js';
import { datedListQuery, listRequestTarget, type ListQuery } from './request-size.js';
import { mayBeMissing } from './object-types.js';
import { checkShape, type ShapeKind } from './shapes.js';
import { sendApiRequest, typedCallOptions, type RawResponse } from './transport.js';

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
  return objectType === 'contacts' || objectType === '0-1' ? 'lastmodifieddate' : (MODIFIED_DATE_PROPERTY[objectType] ?? 'hs_lastmodifieddate');
}

export const LIST_PAGE_LIMIT = 100;
export const BATCH_READ_LIMIT = 100;
export const ASSOCIATION_BATCH_LIMIT = 1000;
export const SUBMISSIONS_PAGE_LIMIT = 50;
export const SEARCH_PAGE_LIMIT = 200;
/** The forms API documents no maximum; this is what a page asks for. */
export const FORMS_PAGE_LIMIT = 100;
/** The owners API's largest page (crmOwners.json: `limit` up to 500). */
export const OWNERS_PAGE_LIMIT = 500;
/**
 * Records per batch read when `propertiesWithHistory` names any property: HubSpot lowers the batch to 50 (the
 * spec: "will reduce the maximum number of objects"; 100 answered 400 in HubSpot/hubspot-api-python#143).
 */
export const HISTORY_BATCH_LIMIT = 50;

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
  /** The whole definition as the API sent it (options with every field, referencedObjectType, ...). */
  raw: Record<string, unknown>;
}

/** An owner as the owners API sends it (ids as strings). */
export interface OwnerRecord {
  id: string;
  userId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  teams?: unknown[];
  archived: boolean;
  createdAt?: string;
  updatedAt?: string;
  raw: Record<string, unknown>;
}

export interface PipelineStageRecord {
  id: string;
  label?: string;
  displayOrder?: number;
  metadata: Record<string, unknown>;
  archived: boolean;
  raw: Record<string, unknown>;
}

export interface PipelineRecord {
  id: string;
  label?: string;
  displayOrder?: number;
  archived: boolean;
  stages: PipelineStageRecord[];
  raw: Record<string, unknown>;
}

/** One change of a property (HubSpot's ValueWithTimestamp), newest first as sent. */
export interface PropertyChange {
  value: string | null;
  timestamp: string;
  sourceType?: string;
  sourceId?: string;
  updatedByUserId?: string;
}

export interface RecordHistory {
  id: string;
  history: Record<string, PropertyChange[]>;
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
  /**
   * Set when this input was not read: an error other than NO_ASSOCIATIONS_FOUND named it, or the reply did
   * not mention it at all. Its stored associations are not known to be stale.
   */
  error?: string;
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

/** As the API sends it; `conversionId` and `submittedAt` are absent on some real submissions (issue 17). */
export interface FormSubmission {
  conversionId?: string;
  submittedAt?: number;
  values: { name: string; value: string; objectTypeId?: string }[];
  pageUrl?: string;
  [field: string]: unknown;
}

/** What a refused schemas API names as missing: every custom object. */
export const CUSTOM_OBJECTS_TYPE = 'custom_objects';

/** A custom object schema, as much of it as the run needs (the schemas API's `ObjectSchema`). */
export interface ObjectSchema {
  objectTypeId: string;
  name: string;
  fullyQualifiedName?: string;
  archived: boolean;
  /** Association definitions, one per direction: `id` is the association type id. */
  associations: { id: string; fromObjectTypeId: string; toObjectTypeId: string }[];
}

/** The types of a call that a portal may lack (object-types.ts): a 403/404 then skips them instead of failing the run. */
function missable(...types: string[]): string[] | undefined {
  const may = types.filter(mayBeMissing);
  return may.length > 0 ? may : undefined;
}

export class HubSpotApi {
  /**
   * `version` picks every CRM path (HUBSPOT_API_VERSION). `legacy` calls v3/v4 through the typed client; the
   * dated versions go through `client.apiRequest`, which the typed client's methods do not cover (contract §2.9).
   */
  constructor(
    private readonly client: Client,
    private readonly executor: RequestExecutor,
    readonly version: ApiVersion,
  ) {}

  /** The request target a list call sends, for the URL-length decision (see request-size.ts). */
  listRequestTarget(objectType: string, query: ListQuery): string {
    return listRequestTarget(this.version, this.baseUrl, objectType, query);
  }

  private get baseUrl(): string {
    return (this.client.config.basePath ?? 'https://api.hubapi.com').replace(/\/+$/, '');
  }

  async listObjectsPage(
    objectType: string,
    options: { after?: string; limit?: number; properties?: readonly string[]; archived?: boolean } = {},
  ): Promise<Page<HubSpotObject>> {
    const limit = Math.min(options.limit ?? LIST_PAGE_LIMIT, LIST_PAGE_LIMIT);
    const archived = options.archived ?? false;
    const endpoint = endpointLabel(this.version, 'objects.list');
    const path = endpointPath(this.version, 'objects.list', { type: objectType });
    const query: ListQuery = { limit, after: options.after, properties: options.properties, archived };
    const send = (): Promise<CallResponse<unknown>> =>
      this.version === 'legacy'
        ? httpInfo(
            this.client.crm.objects.basicApi.getPageWithHttpInfo(
              objectType,
              limit,
              options.after,
              options.properties && [...options.properties],
              undefined,
              undefined,
              archived,
              typedCallOptions(this.client),
            ),
          )
        : rawRequest(this.client, 'GET', `${path}${datedListQuery(query)}`);
    const { data } = await this.execute({ endpoint, method: 'GET', path, shape: 'list', send, mayBeMissing: missable(objectType) }).catch((e: unknown) => {
      throw tooLong(e, endpoint, () => Buffer.byteLength(this.listRequestTarget(objectType, query)));
    });
    const page = data as { results: unknown[]; paging?: { next?: { after?: unknown } } };
    return { results: page.results.map(normaliseObject), nextAfter: afterOf(page.paging) };
  }

  async batchReadObjects(objectType: string, ids: readonly string[], properties: readonly string[], archived = false): Promise<BatchReadResult> {
    if (ids.length === 0) return { results: [], missingIds: [] };
    if (ids.length > BATCH_READ_LIMIT) throw new RangeError(`batch read takes at most ${BATCH_READ_LIMIT} ids, got ${ids.length}`);
    const path = endpointPath(this.version, 'objects.batchRead', { type: objectType });
    const body = { inputs: ids.map((id) => ({ id: String(id) })), properties: [...properties], propertiesWithHistory: [] };
    const send = (): Promise<CallResponse<unknown>> =>
      this.version === 'legacy'
        ? httpInfo(this.client.crm.objects.batchApi.readWithHttpInfo(objectType, body, archived, typedCallOptions(this.client)))
        : rawRequest(this.client, 'POST', `${path}?archived=${archived}`, { body });
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'objects.batchRead'),
      method: 'POST',
      path,
      shape: 'batch-read',
      send,
      mayBeMissing: missable(objectType),
    });
    const results = (data as { results: unknown[] }).results.map(normaliseObject);
    // Whatever the 207's errors say (their format differs between versions), an id asked for and not
    // returned is missing: deleted, archived (when not asked for archived ones) or never there.
    const found = new Set(results.map((r) => r.id));
    return { results, missingIds: [...new Set(ids.map(String))].filter((id) => !found.has(id)) };
  }

  async searchObjects(objectType: string, request: SearchRequest): Promise<SearchPage> {
    const body = { ...request, limit: Math.min(request.limit ?? SEARCH_PAGE_LIMIT, SEARCH_PAGE_LIMIT) };
    const path = endpointPath(this.version, 'objects.search', { type: objectType });
    const send = (): Promise<CallResponse<unknown>> =>
      this.version === 'legacy'
        ? // The client types `sorts` as string[] but passes objects through unchanged (contract §2.3).
          httpInfo(this.client.crm.objects.searchApi.doSearchWithHttpInfo(objectType, body as never, typedCallOptions(this.client)))
        : rawRequest(this.client, 'POST', path, { body });
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'objects.search'),
      method: 'POST',
      path,
      search: true,
      shape: 'search',
      send,
      mayBeMissing: missable(objectType),
    });
    const page = data as { total: number; results: unknown[]; paging?: { next?: { after?: unknown } } };
    return { total: page.total, results: page.results.map(normaliseObject), nextAfter: afterOf(page.paging) };
  }

  /**
   * A type's property definitions, each with `raw`: the whole definition as sent. Through `apiRequest` at every
   * version: the typed client's v3 `Property` model drops the fields it does not know (`dataSensitivity`, and
   * whatever HubSpot adds next), and `property_definitions.raw` must keep the whole definition (issue 14).
   */
  async getProperties(objectType: string, archived = false): Promise<PropertyDefinition[]> {
    const path = endpointPath(this.version, 'properties', { type: objectType });
    const send = (): Promise<CallResponse<unknown>> => rawRequest(this.client, 'GET', path, { qs: { archived } });
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'properties'),
      method: 'GET',
      path,
      shape: 'properties',
      send,
      mayBeMissing: missable(objectType),
    });
    return (data as { results: Record<string, unknown>[] }).results.map((p) => {
      const raw = normaliseDates(p);
      const options = p.options as { label: string; value: string }[] | undefined;
      return { ...(raw as unknown as PropertyDefinition), options: options?.map((o) => ({ label: o.label, value: o.value })), raw };
    });
  }

  /**
   * One page of owners, live or archived (`archived=true` lists only archived ones: a run reads both, since old
   * records point at owners deactivated since). `legacy` through the typed client (v3), dated versions through
   * `apiRequest`.
   */
  async listOwnersPage(archived: boolean, after?: string): Promise<Page<OwnerRecord>> {
    const path = endpointPath(this.version, 'owners.list');
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'owners.list'),
      method: 'GET',
      path,
      // An app without `crm.objects.owners.read` still extracts everything else (its owner labels stay empty).
      scopeOptional: true,
      shape: 'owners',
      send: () =>
        this.version === 'legacy'
          ? httpInfo(this.client.crm.owners.ownersApi.getPageWithHttpInfo(undefined, after, OWNERS_PAGE_LIMIT, archived, typedCallOptions(this.client)))
          : rawRequest(this.client, 'GET', path, { qs: { limit: OWNERS_PAGE_LIMIT, after, archived } }),
    });
    const page = data as { results: Record<string, unknown>[]; paging?: { next?: { after?: unknown } } };
    return { results: page.results.map(normaliseOwner), nextAfter: afterOf(page.paging) };
  }

  /** Every live pipeline of a type with its live stages (unpaged; archived ones are not listed). */
  async getPipelines(objectType: string): Promise<PipelineRecord[]> {
    const path = endpointPath(this.version, 'pipelines.list', { type: objectType });
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'pipelines.list'),
      method: 'GET',
      path,
      shape: 'pipelines',
      mayBeMissing: missable(objectType),
      send: () =>
        this.version === 'legacy'
          ? httpInfo(this.client.crm.pipelines.pipelinesApi.getAllWithHttpInfo(objectType, typedCallOptions(this.client)))
          : rawRequest(this.client, 'GET', path),
    });
    return (data as { results: Record<string, unknown>[] }).results.map(normalisePipeline);
  }

  /**
   * The property history of up to 50 records (`propertiesWithHistory` in a batch read; no properties asked for).
   * Ids HubSpot does not return (deleted since) are simply absent.
   */
  async batchReadHistory(objectType: string, ids: readonly string[], properties: readonly string[], archived = false): Promise<RecordHistory[]> {
    if (ids.length === 0) return [];
    if (ids.length > HISTORY_BATCH_LIMIT) throw new RangeError(`a batch read with history takes at most ${HISTORY_BATCH_LIMIT} ids, got ${ids.length}`);
    const path = endpointPath(this.version, 'objects.batchRead', { type: objectType });
    const body = { inputs: ids.map((id) => ({ id: String(id) })), properties: ['hs_object_id'], propertiesWithHistory: [...properties] };
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'objects.batchRead'),
      method: 'POST',
      path,
      shape: 'history-batch',
      send: () =>
        this.version === 'legacy'
          ? httpInfo(this.client.crm.objects.batchApi.readWithHttpInfo(objectType, body, archived, typedCallOptions(this.client)))
          : rawRequest(this.client, 'POST', `${path}?archived=${archived}`, { body }),
    });
    return (data as { results: Record<string, unknown>[] }).results.map(normaliseHistory);
  }

  /**
   * Association batch read (v4 or dated). Sent through `apiRequest` and parsed from the raw text, because
   * `toObjectId` is a JSON number that can exceed 2^53 and the typed client's JSON.parse would round it.
   * Inputs with no associations come back as 207 NO_ASSOCIATIONS_FOUND errors: they are reported as empty,
   * not failed. An input named by any other error, or missing from both `results` and `errors`, comes back
   * with `error` set: its stored associations must be kept and it must be read again.
   */
  async batchReadAssociations(fromType: string, toType: string, inputs: readonly AssociationBatchInput[]): Promise<AssociationBatchEntry[]> {
    if (inputs.length === 0) return [];
    if (inputs.length > ASSOCIATION_BATCH_LIMIT) {
      throw new RangeError(`association batch read takes at most ${ASSOCIATION_BATCH_LIMIT} inputs, got ${inputs.length}`);
    }
    const path = endpointPath(this.version, 'associations.batchRead', { from: fromType, to: toType });
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'associations.batchRead'),
      method: 'POST',
      path,
      shape: 'association-batch',
      mayBeMissing: missable(fromType, toType),
      send: () =>
        rawRequest(this.client, 'POST', path, {
          body: { inputs: inputs.map((i) => (i.after ? { id: String(i.id), after: i.after } : { id: String(i.id) })) },
        }),
    });
    return normaliseAssociationBatch(data, inputs);
  }

  /**
   * Every custom object schema (unpaged: the API returns them all), with its association definitions; property
   * definitions are left out (`includePropertyDefinitions=false`): the properties API reads them per type.
   * `legacy` through the typed client's schemas API, the dated versions through `apiRequest`.
   */
  async listSchemas(): Promise<ObjectSchema[]> {
    const path = endpointPath(this.version, 'schemas.list');
    const send = (): Promise<CallResponse<unknown>> =>
      this.version === 'legacy'
        ? httpInfo(this.client.crm.schemas.coreApi.getAllWithHttpInfo(false, typedCallOptions(this.client)))
        : rawRequest(this.client, 'GET', path, { qs: { archived: false, includeAssociationDefinitions: true, includePropertyDefinitions: false } });
    // A key without the custom object scopes (or a portal without custom objects' product) is refused here: the
    // run goes on without custom objects (extractors/object-types.ts reports it once).
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'schemas.list'),
      method: 'GET',
      path,
      shape: 'schemas',
      send,
      mayBeMissing: [CUSTOM_OBJECTS_TYPE],
    });
    return (data as { results: Record<string, unknown>[] }).results.map((s) => ({
      objectTypeId: String(s.objectTypeId),
      name: String(s.name),
      ...(typeof s.fullyQualifiedName === 'string' ? { fullyQualifiedName: s.fullyQualifiedName } : {}),
      archived: s.archived === true,
      associations: ((s.associations as Record<string, unknown>[] | undefined) ?? []).map((a) => ({
        id: String(a.id),
        fromObjectTypeId: String(a.fromObjectTypeId),
        toObjectTypeId: String(a.toObjectTypeId),
      })),
    }));
  }

  /**
   * All form types: the API's default is `hubspot` only (contract §2.6). Sent through `apiRequest`: the
   * typed `formsApi.getPage` (13.x) maps only `formType: "hubspot"` in its deserializer, and a page holding
   * any `captured`, `flow` or `blog_comment` form makes it throw "getAttributeTypeMap is not a function".
   */
  async listFormsPage(after?: string, limit = FORMS_PAGE_LIMIT): Promise<Page<FormDefinition>> {
    const path = endpointPath(this.version, 'forms.list');
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'forms.list'),
      method: 'GET',
      path,
      shape: 'forms',
      send: () => rawRequest(this.client, 'GET', path, { qs: { after, limit, archived: false, formTypes: 'all' } }),
    });
    const page = data as { results: Record<string, unknown>[]; paging?: { next?: { after?: unknown } } };
    return { results: page.results.map((f) => normaliseDates(f) as FormDefinition), nextAfter: afterOf(page.paging) };
  }

  /** Not covered by the typed client: `apiRequest`, which never rejects on status, so HttpStatusError is raised here. */
  async listFormSubmissionsPage(formGuid: string, after?: string, limit = SUBMISSIONS_PAGE_LIMIT): Promise<Page<FormSubmission>> {
    const path = endpointPath(this.version, 'submissions.list', { guid: formGuid });
    const { data } = await this.execute({
      endpoint: endpointLabel(this.version, 'submissions.list'),
      method: 'GET',
      path,
      shape: 'submissions',
      send: () => rawRequest(this.client, 'GET', path, { qs: { limit: Math.min(limit, SUBMISSIONS_PAGE_LIMIT), after } }),
    });
    const page = data as { results: FormSubmission[]; paging?: { next?: { after?: unknown } } };
    return { results: page.results, nextAfter: afterOf(page.paging) };
  }

  /** One call through the executor, its reply checked against the endpoint's shape inside the attempt (so it is retried). */
  private execute(spec: Omit<CallSpec<unknown>, 'send'> & { shape: ShapeKind; send(): Promise<CallResponse<unknown>> }): Promise<CallResponse<unknown>> {
    const { shape, send, ...rest } = spec;
    return this.executor.execute({
      ...rest,
      send: async () => {
        const response = await send();
        checkShape(shape, spec.endpoint, response.data);
        return response;
      },
    });
  }
}

/** A 414 was skipped by the executor (retrying the same URL cannot help): say which request was too long. */
function tooLong(error: unknown, endpoint: string, urlBytes: () => number): unknown {
  if (error instanceof SkippedItemError && error.status === 414) return new RequestTooLongError(endpoint, urlBytes());
  return error;
}

function afterOf(paging: { next?: { after?: unknown } } | undefined | null): string | undefined {
  const after = paging?.next?.after;
  return after === undefined || after === null ? undefined : String(after);
}

/** Adapts a `...WithHttpInfo` promise to the executor's response shape. */
async function httpInfo<T>(call: Promise<{ httpStatusCode: number; headers: Record<string, string>; data: T }>): Promise<CallResponse<T>> {
  const info = await call;
  return { status: info.httpStatusCode, headers: lowerCaseKeys(info.headers), data: info.data };
}

/**
 * `client.apiRequest` (on the client's keep-alive pool: `transport.ts`) with the error semantics of the typed
 * APIs: a non-2xx answer rejects with an ApiException-shaped HttpStatusError, and an empty or broken 2xx body
 * rejects with SyntaxError.
 */
export async function rawRequest<T>(
  client: Client,
  method: string,
  path: string,
  options: { qs?: Record<string, string | number | boolean | undefined>; body?: unknown } = {},
): Promise<CallResponse<T>> {
  const qs: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.qs ?? {})) if (v !== undefined) qs[k] = String(v);
  const response = await sendApiRequest(client, {
    method,
    path,
    ...(Object.keys(qs).length ? { qs } : {}),
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value: string, name: string) => {
    headers[name.toLowerCase()] = value;
  });
  const text = await bodyText(response);
  if (response.status < 200 || response.status > 299) {
    throw new HttpStatusError(response.status, parseLenient(text), headers);
  }
  return { status: response.status, headers, data: parseJsonKeepingBigIntegers(text) as T };
}

/**
 * The body as text, as `response.text()` gives it (UTF-8, a BOM kept, bad bytes as U+FFFD, a stream error or abort
 * rejects), decoded chunk by chunk as it arrives. `text()` (node-fetch 2) concatenates the whole body into one Buffer
 * and decodes that: a 2 MB page of a wide catalog became a 2 MB buffer and a 4 MB string, each taking fresh pages from
 * the kernel, and V8's UTF-8 decoding into a string that large was the largest single CPU cost of a run (9 % of the
 * extract process on `medium`). Pieces of a chunk each stay small; JSON.parse joins them once.
 */
async function bodyText(response: RawResponse): Promise<string> {
  const body = response.body;
  if (!(body instanceof Readable)) return response.text();
  const decoder = new StringDecoder('utf8');
  let text = '';
  for await (const chunk of body) text += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
  return text + decoder.end();
}

function parseLenient(text: string): unknown {
  try {
    return parseJsonKeepingBigIntegers(text);
  } catch {
    return text;
  }
}

function normaliseAssociationBatch(data: unknown, inputs: readonly AssociationBatchInput[]): AssociationBatchEntry[] {
  const d = data as { results: unknown[]; errors?: unknown[] };
  const entries: AssociationBatchEntry[] = [];
  const seen = new Set<string>();
  for (const raw of d.results) {
    const r = raw as { from?: { id?: unknown }; _from?: { id?: unknown }; to: unknown[]; paging?: { next?: { after?: unknown } } };
    const fromId = String((r.from ?? r._from)!.id);
    const to = r.to.map((t) => {
      const o = t as { toObjectId: unknown; associationTypes?: AssociationType[] };
      return {
        toObjectId: String(o.toObjectId),
        associationTypes: (o.associationTypes ?? []).map((a) => ({ category: a.category, typeId: Number(a.typeId), label: a.label ?? null })),
      };
    });
    const after = afterOf(r.paging);
    entries.push({ fromId, to, ...(after === undefined ? {} : { nextAfter: after }) });
    seen.add(fromId);
  }
  for (const raw of d.errors ?? []) {
    const e = raw as { subCategory?: string; category?: string; message?: string; context?: { fromObjectId?: unknown[] } };
    const none = e.subCategory === 'crm.associations.NO_ASSOCIATIONS_FOUND';
    for (const id of e.context?.fromObjectId ?? []) {
      const fromId = String(id);
      if (seen.has(fromId)) continue;
      entries.push(none ? { fromId, to: [] } : { fromId, to: [], error: errorText(e) });
      seen.add(fromId);
    }
  }
  for (const input of inputs) {
    const fromId = String(input.id);
    if (!seen.has(fromId)) {
      entries.push({ fromId, to: [], error: 'missing from the reply (neither in results nor in errors)' });
      seen.add(fromId);
    }
  }
  return entries;
}

function errorText(e: { subCategory?: string; category?: string; message?: string }): string {
  const text = [e.category, e.subCategory].filter(Boolean).join('/');
  const message = e.message ? `: ${e.message}` : '';
  return (text || 'error') + message;
}

function normaliseObject(raw: unknown): HubSpotObject {
  const o = raw as {
    id: unknown;
    properties?: Record<string, string | null>;
    createdAt?: unknown;
    updatedAt?: unknown;
    archived?: boolean;
    archivedAt?: unknown;
  };
  return {
    id: String(o.id),
    properties: o.properties ?? {},
    createdAt: isoOf(o.createdAt),
    updatedAt: isoOf(o.updatedAt),
    archived: o.archived,
    ...(o.archivedAt !== undefined && o.archivedAt !== null ? { archivedAt: isoOf(o.archivedAt) } : {}),
  };
}

function normaliseOwner(o: Record<string, unknown>): OwnerRecord {
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    id: String(o.id),
    userId: str(o.userId),
    email: str(o.email),
    firstName: str(o.firstName),
    lastName: str(o.lastName),
    teams: Array.isArray(o.teams) ? o.teams : [],
    archived: o.archived === true,
    createdAt: isoOf(o.createdAt),
    updatedAt: isoOf(o.updatedAt),
    raw: plainJson(o),
  };
}

const orderOf = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

function normalisePipeline(p: Record<string, unknown>): PipelineRecord {
  const stages = (p.stages as Record<string, unknown>[]).map((s) => ({
    id: String(s.id),
    label: typeof s.label === 'string' ? s.label : undefined,
    displayOrder: orderOf(s.displayOrder),
    metadata: typeof s.metadata === 'object' && s.metadata !== null && !Array.isArray(s.metadata) ? (s.metadata as Record<string, unknown>) : {},
    archived: s.archived === true,
    raw: plainJson(s),
  }));
  return {
    id: String(p.id),
    label: typeof p.label === 'string' ? p.label : undefined,
    displayOrder: orderOf(p.displayOrder),
    archived: p.archived === true,
    stages,
    raw: plainJson(p),
  };
}

function normaliseHistory(r: Record<string, unknown>): RecordHistory {
  const history: Record<string, PropertyChange[]> = {};
  for (const [name, changes] of Object.entries((r.propertiesWithHistory ?? {}) as Record<string, Record<string, unknown>[]>)) {
    history[name] = changes.map((c) => ({
      value: c.value === undefined || c.value === null ? null : String(c.value),
      timestamp: isoOf(c.timestamp)!,
      ...(c.sourceType === undefined || c.sourceType === null ? {} : { sourceType: String(c.sourceType) }),
      ...(c.sourceId === undefined || c.sourceId === null ? {} : { sourceId: String(c.sourceId) }),
      ...(c.updatedByUserId === undefined || c.updatedByUserId === null ? {} : { updatedByUserId: String(c.updatedByUserId) }),
    }));
  }
  return { id: String(r.id), history };
}

/** As JSON has it: the typed client's model instances and Dates become plain objects and ISO strings. */
function plainJson(o: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
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
