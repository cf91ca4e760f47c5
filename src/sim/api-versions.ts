/**
 * HubSpot's API versions as the simulator serves them (contract §6.4): the numbered v3/v4 paths, and the dated
 * versions `2026-03` and `2026-09` beside them. Where the dated specs differ from v3/v4 in a way a reply shows,
 * the difference is named here once and the routes ask.
 */

export const DATED_VERSIONS = ['2026-03', '2026-09'] as const;
export type DatedVersion = (typeof DATED_VERSIONS)[number];

/** `numbered` is v3 for objects and properties, v4 for associations. */
export type ApiVersion = 'numbered' | DatedVersion;

/**
 * Paths of the numbered CRM versions, which HubSpot stops supporting (v4 on 2027-03-30, v1–v3 in September 2027).
 * `/crm/associations/v4/...` (association labels) is v4 too, and `/crm-object-schemas/v3/...` (custom object
 * schemas) v3. Forms (`/marketing/v3/forms`) and form submissions (`/form-integrations/v1/...`) have no dated GA
 * version and are not part of the CRM sunset.
 */
export function isNumberedCrmPath(path: string): boolean {
  return /^\/crm\/(v3|v4)\//.test(path) || path.startsWith('/crm/associations/v4/') || path.startsWith('/crm-object-schemas/v3/');
}

/**
 * The 2026-09 specs declare only 200 for object and association batch reads: the partial-success 207 of v3/v4
 * and 2026-03 is gone, and `errors`/`numErrors` moved into the 200 body (`BatchResponseSimplePublicObject`,
 * `BatchResponsePublicAssociationMultiWithLabel`).
 */
export function partialBatchStatus(version: ApiVersion): 200 | 207 {
  return version === '2026-09' ? 200 : 207;
}

/**
 * The per-object association read (`GET .../objects/{type}/{id}/associations/{toType}`) exists in v4 and 2026-03;
 * the 2026-09 association spec no longer has it (batch read only).
 */
export function hasPerObjectAssociations(version: ApiVersion): boolean {
  return version !== '2026-09';
}

/** Path of the object list for a version, for `paging.next.link`. */
export function objectsPath(version: ApiVersion, type: string): string {
  return version === 'numbered' ? `/crm/v3/objects/${type}` : `/crm/objects/${version}/${type}`;
}
