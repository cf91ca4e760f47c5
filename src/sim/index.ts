export { startSimulator, type RunningSimulator, type SimulatedPortal } from './simulator.js';
export { simCommand } from './command.js';
export {
  resolveOptions,
  DEFAULT_TOKEN,
  PRESET_SIZES,
  PRESET_CUSTOM_PROPERTIES,
  TIER_LIMITS,
  type CatalogMode,
  type SimulatorOptions,
  type Tier,
  type Preset,
  type PortalSize,
  type FaultRates,
} from './options.js';
export { DATED_VERSIONS, type DatedVersion } from './api-versions.js';
export type { PropertyDefinition } from './property-catalog.js';
export type {
  Manifest,
  ManifestRecord,
  ManifestAssociation,
  ManifestForm,
  ManifestSubmission,
  ManifestObjectType,
  ManifestOptions,
  HistorySelection,
} from './manifest.js';
export type { HistoryEntry } from './history.js';
export { portalToken, portalSeed } from './portal-host.js';
export type { RequestLogEntry } from './request-log.js';
export {
  OBJECT_TYPES,
  CLASSIC_TYPES,
  ENGAGEMENT_TYPES,
  OPTIONAL_TYPES,
  OBJECT_TYPE_IDS,
  ASSOCIATION_PAIRS,
  modifiedDateProperty,
  createdDateProperty,
  type ObjectType,
  type StandardType,
  type OptionalType,
} from './schema.js';
