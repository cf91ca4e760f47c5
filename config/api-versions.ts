/**
 * The HubSpot API versions the tool can speak (HUBSPOT_API_VERSION). Declared here, below every layer, because
 * the settings validate the choice and `src/hubspot/endpoints.ts` maps each version to its paths.
 */
export const API_VERSIONS = ['2026-09', '2026-03', 'legacy'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const DEFAULT_API_VERSION: ApiVersion = '2026-09';
