import type { PropertySelection } from '../config/property-selection.js';
import type { Database } from '../src/db/database.js';
import type { Clock } from '../src/clock.js';
import type { CrmObjectType, ExtractorEvent, FanOut, HubSpotReader } from './types.js';
import type { ObjectTypeInfo, UnavailableTypes } from './object-types.js';

/**
 * The extractor contract, and only the contract: what a declaration says, what a run gives an extractor,
 * what an extractor is. The behaviour lives in `crm/` (CRM object types) and `forms/`; the pure transitions
 * of every pass in `passes/`.
 *
 * Crash safety rests on one rule: a page of rows, the cursor that covers it and the association work it
 * creates (rows in association_queue) are committed in one transaction.
 */
export interface RunOptions {
  fullRefresh: boolean;
  includeArchived: boolean;
  /** Re-read every association now instead of when HUBSPOT_ASSOCIATIONS_REFRESH_HOURS says it is due. */
  refreshAssociations: boolean;
  /** Run the id sweep for hard deletes now instead of when HUBSPOT_DELETE_SWEEP_HOURS says it is due. */
  sweepDeletes: boolean;
  associationsRefreshMs: number;
  deleteSweepMs: number;
  searchLagMs: number;
  /** HUBSPOT_PROPERTIES: per-type include/exclude lists. */
  properties: PropertySelection;
  /** HUBSPOT_MAX_DELETE_SHARE. */
  maxDeleteShare: number;
}

export interface ExtractorContext {
  db: Database;
  reader: HubSpotReader;
  fanOut: FanOut;
  clock: Clock;
  options: RunOptions;
  /** Aborted on SIGTERM/SIGINT: finish the page in flight, commit, stop. */
  signal: AbortSignal;
  emit(event: ExtractorEvent): void;
  /**
   * Every CRM object type this run extracts (standard ones selected, custom ones discovered), resolved before
   * any extractor starts (object-types.ts `resolveObjectTypes`); their tables exist and `object_types` lists them.
   */
  objectTypes: readonly ObjectTypeInfo[];
  /** Types found missing from the portal (403/404 on their endpoints): report each once here and skip it. */
  unavailable: UnavailableTypes;
  /**
   * Database time before the run read any property catalog. A full pass that starts later still counts from here:
   * a property added and filled on a record after the catalog was read, but before the pass started, would
   * otherwise be missing from that record until it changed again (the next incremental run starts at the pass's start).
   */
  catalogsReadAfter?: number;
}

export class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}

/** The declaration of a CRM object type; everything else is shared behaviour. Frozen once declared. */
export interface CrmObjectDeclaration {
  /** The type's name: its table, its `object_type` in every table, its sync_state stream (ObjectTypeInfo.name). */
  readonly name: string;
  /** How paths name it: the plural of a standard type, a custom object's `objectTypeId`. */
  readonly apiType: CrmObjectType;
  readonly primaryKey: 'id';
  /** Last-modified property the search API filters on: contacts use `lastmodifieddate`, the rest `hs_lastmodifieddate`. */
  readonly cursorField: 'lastmodifieddate' | 'hs_lastmodifieddate';
  /** Types (by name) whose associations are read from this side (each pair is read from one side only: association-pairs.ts). */
  readonly associations: readonly string[];
}

/** What a run starts. Declared once and reused by scheduled runs, so it holds no per-run state. */
export interface Extractor {
  readonly name: string;
  run(ctx: ExtractorContext): Promise<void>;
}

export interface CrmObjectExtractor extends Extractor {
  readonly kind: 'crm-object';
  readonly decl: CrmObjectDeclaration;
  /** Its cursor's `sync_state` stream. */
  readonly stream: string;
}

export interface FormsExtractor extends Extractor {
  readonly kind: 'forms';
}

/**
 * The selection of every custom object the portal has (`--objects custom_objects`, or all): not an extractor
 * itself, since the types are only known at run time; the run makes one CRM object extractor per custom object
 * it discovers.
 */
export interface CustomObjectsSelection {
  readonly kind: 'custom-objects';
  readonly name: 'custom_objects';
}

export type AnyExtractor = CrmObjectExtractor | FormsExtractor;
/** What `--objects` selects. */
export type Selected = AnyExtractor | CustomObjectsSelection;

export function isCustomObjectsSelection(e: Selected): e is CustomObjectsSelection {
  return e.kind === 'custom-objects';
}

export function isCrmObjectExtractor(e: Extractor | Selected): e is CrmObjectExtractor {
  return (e as Partial<CrmObjectExtractor>).kind === 'crm-object';
}

export function isFormsExtractor(e: Extractor | Selected): e is FormsExtractor {
  return (e as Partial<FormsExtractor>).kind === 'forms';
}
