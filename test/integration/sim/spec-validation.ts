import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OpenAPIBackend } from 'openapi-backend';
import { expect } from 'vitest';
import type { RawResponse } from './http-client.js';

/**
 * Validation of simulator replies against HubSpot's official OpenAPI specs, read from ../shared/hubspot-openapi/
 * (never copied into the repo), for the contract tests.
 *
 * Where HubSpot's docs and real replies contradict the spec, the simulator follows the docs and
 * `documentedDeviations` rewrites exactly those fields before validation (contract §2.1, §2.5, §2.6, §3):
 * - property values may be `null` ([obs]); the spec types them `string`;
 * - v4 `toObjectId` is a JSON number; the spec types it `string`;
 * - an unlabelled association type has `label: null`; the spec types it `string`;
 * - forms have formType captured/flow/blog_comment (docs, Estuary, Airbyte); the spec's enum lists only hubspot;
 * - a v4 batch error's subCategory is a string ("crm.associations.NO_ASSOCIATIONS_FOUND", [obs] in several
 *   repos); the spec's StandardError types it as an object.
 */

export const specDir = path.resolve(process.cwd(), '..', 'shared', 'hubspot-openapi');
export const DATED = ['2026-03', '2026-09'] as const;

/** The spec file of a standard type (`line_items` is `lineItems.json`). */
export function specFile(type: string): string {
  return type === 'line_items' ? 'lineItems.json' : `${type}.json`;
}

/** `file` is relative to the spec folder, e.g. `contacts.json` or `2026-09/objects.json`. */
export async function loadSpec(file: string): Promise<OpenAPIBackend> {
  const definition = JSON.parse(readFileSync(path.join(specDir, file), 'utf8'));
  // The specs declare error replies (`default` -> components.responses.Error) with content type `*/*`, which
  // openapi-backend does not validate at all: any body passed, so error replies (and statuses a version does not
  // declare, like 207 at 2026-09) were never checked. HubSpot sends them as JSON; validate them as such.
  for (const response of Object.values(definition.components?.responses ?? {}) as Array<{ content?: Record<string, unknown> }>) {
    if (response.content?.['*/*'] && !response.content['application/json']) {
      response.content['application/json'] = response.content['*/*'];
      delete response.content['*/*'];
    }
  }
  // The specs are not strictly valid OpenAPI (extra keys beside $ref), so skip definition validation (quick).
  const api = new OpenAPIBackend({
    definition,
    quick: true,
    strict: false,
    validate: true,
    ajvOpts: { logger: false },
    customizeAjv: (ajv) => {
      ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
      ajv.addFormat('int32', true);
      ajv.addFormat('int64', true);
      return ajv;
    },
  });
  await api.init();
  return api;
}

export function documentedDeviations(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => documentedDeviations(item));
  if (value === null) return key === 'label' ? undefined : '';
  if (typeof value === 'number' && key === 'toObjectId') return String(value);
  if (typeof value === 'string' && key === 'formType') return 'hubspot';
  if (typeof value === 'string' && key === 'subCategory') return {};
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const adjusted = documentedDeviations(v, k);
      if (adjusted !== undefined) out[k] = adjusted;
    }
    return out;
  }
  return value;
}

/** Reads the reply keeping toObjectId digits exact (as strings), then applies the documented deviations. */
export function bodyForValidation(reply: RawResponse): unknown {
  const exact = reply.text.replace(/"toObjectId":(\d+)/g, '"toObjectId":"$1"');
  return documentedDeviations(JSON.parse(exact));
}

export function operationId(api: OpenAPIBackend, method: string, template: string): string {
  const operation = api.getOperations().find((op) => op.method === method && op.path === template);
  if (!operation?.operationId) throw new Error(`no ${method} ${template} in spec`);
  return operation.operationId;
}

/** The first of `templates` the spec declares for `method` (per-type specs name paths by name, type id or {objectType}). */
export function declared(api: OpenAPIBackend, method: string, templates: string[]): string {
  const found = templates.find((template) => api.getOperations().some((op) => op.method === method && op.path === template));
  if (!found) throw new Error(`none of ${templates.join(', ')} in spec`);
  return found;
}

export function expectValid(api: OpenAPIBackend, method: string, template: string, reply: RawResponse) {
  const result = api.validateResponse(bodyForValidation(reply), operationId(api, method, template), reply.status);
  expect(result.errors ?? [], `${method} ${template} ${reply.status}: ${JSON.stringify(result.errors)}`).toEqual([]);
  expect(result.valid).toBe(true);
}
