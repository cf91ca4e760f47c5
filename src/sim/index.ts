export { startSimulator, type RunningSimulator } from './simulator.js';
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
export type { Manifest, ManifestRecord, ManifestAssociation, ManifestForm, ManifestSubmission } from './manifest.js';
export type { RequestLogEntry } from './request-log.js';
export { OBJECT_TYPES, ENGAGEMENT_TYPES, OBJECT_TYPE_IDS, ASSOCIATION_PAIRS, modifiedDateProperty, type ObjectType } from './schema.js';
