/**
 * Which path each logical endpoint has in each API version (HUBSPOT_API_VERSION). Every CRM path the tool
 * calls is built here, so moving to the next dated version is one line.
 *
 * HubSpot's numbered versions are ending: v4 (associations) is unsupported from 2027-03-30 and v1-v3 from
 * September 2027; each date-based version (`/crm/objects/2026-09/...`) is supported for 18 months after it
 * ships (contract §6.4). Forms (`/marketing/v3/forms`) and form submissions (`/form-integrations/v1/...`)
 * have no dated GA version yet, so they keep their numbered paths whatever the setting.
 */

import type { ApiVersion } from '../../config/api-versions.js';

export { API_VERSIONS, DEFAULT_API_VERSION, type ApiVersion } from '../../config/api-versions.js';

export type Endpoint =
  | 'objects.list'
  | 'objects.batchRead'
  | 'objects.search'
  | 'properties'
  | 'associations.batchRead'
  | 'associations.labels'
  | 'forms.list'
  | 'submissions.list'
  | 'schemas.list'
  | 'owners.list'
  | 'pipelines.list';

export interface EndpointParams {
  type?: string;
  from?: string;
  to?: string;
  guid?: string;
}

/** `legacy` is the v3/v4 paths the typed `@hubspot/api-client` methods call. */
const LEGACY: Record<Endpoint, string> = {
  'objects.list': '/crm/v3/objects/{type}',
  'objects.batchRead': '/crm/v3/objects/{type}/batch/read',
  'objects.search': '/crm/v3/objects/{type}/search',
  properties: '/crm/v3/properties/{type}',
  'associations.batchRead': '/crm/v4/associations/{from}/{to}/batch/read',
  'associations.labels': '/crm/v4/associations/{from}/{to}/labels',
  'forms.list': '/marketing/v3/forms',
  'submissions.list': '/form-integrations/v1/submissions/forms/{guid}',
  // Custom object schemas: `crm-object-schemas` kept its own prefix in the dated versions (2026-09 schemas spec).
  'schemas.list': '/crm-object-schemas/v3/schemas',
  'owners.list': '/crm/v3/owners',
  'pipelines.list': '/crm/v3/pipelines/{type}',
};

function dated(version: string): Record<Endpoint, string> {
  return {
    'objects.list': `/crm/objects/${version}/{type}`,
    'objects.batchRead': `/crm/objects/${version}/{type}/batch/read`,
    'objects.search': `/crm/objects/${version}/{type}/search`,
    properties: `/crm/properties/${version}/{type}`,
    'associations.batchRead': `/crm/associations/${version}/{from}/{to}/batch/read`,
    'associations.labels': `/crm/associations/${version}/{from}/{to}/labels`,
    'forms.list': LEGACY['forms.list'],
    'submissions.list': LEGACY['submissions.list'],
    'schemas.list': `/crm-object-schemas/${version}/schemas`,
    'owners.list': `/crm/owners/${version}`,
    'pipelines.list': `/crm/pipelines/${version}/{type}`,
  };
}

const TEMPLATES: Record<ApiVersion, Record<Endpoint, string>> = {
  '2026-09': dated('2026-09'),
  '2026-03': dated('2026-03'),
  legacy: LEGACY,
};

/** The path template, e.g. `/crm/objects/2026-09/{type}`: the breaker key and statistics label of a call. */
export function endpointTemplate(version: ApiVersion, endpoint: Endpoint): string {
  return TEMPLATES[version][endpoint];
}

/** The concrete path (no query string), each parameter URI-encoded. */
export function endpointPath(version: ApiVersion, endpoint: Endpoint, params: EndpointParams = {}): string {
  return endpointTemplate(version, endpoint).replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = params[name as keyof EndpointParams];
    if (value === undefined) throw new Error(`${endpoint}: missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}

/** The endpoint's label for breakers and statistics: method and template. */
export function endpointLabel(version: ApiVersion, endpoint: Endpoint): string {
  const method = endpoint === 'objects.batchRead' || endpoint === 'objects.search' || endpoint === 'associations.batchRead' ? 'POST' : 'GET';
  return `${method} ${endpointTemplate(version, endpoint)}`;
}
