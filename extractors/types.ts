import type {
  AssociationBatchEntry,
  AssociationType,
  BatchReadResult,
  FormDefinition,
  FormSubmission,
  HubSpotObject,
  ObjectSchema,
  Page,
} from '../src/hubspot/api.js';

/**
 * What an extractor needs from HubSpot and from the run, kept narrow so extractors stay declarations.
 * `src/run/extract-run.ts` (`readerFor`) implements `HubSpotReader` over the run's HubSpotApi.
 */
/**
 * A CRM object type as a path names it: a standard type's plural (`contacts`, `line_items`) or a custom object's
 * `objectTypeId` (`2-3589506`). Not a closed set: custom objects are only known at run time (object-types.ts).
 */
export type CrmObjectType = string;
export type { ObjectSchema };

/** Records and pages as the HubSpot layer returns them: ids as strings, paging reduced to `nextAfter`. */
export type CrmRecord = HubSpotObject;
export type { Page };

/** One definition of a search request, in the HubSpot layer. */
export type { SearchRequest } from '../src/hubspot/api.js';
import type { SearchRequest } from '../src/hubspot/api.js';

export type { AssociationType };
export type AssociationRead = AssociationBatchEntry;
export type FormRecord = FormDefinition;
/** As the API sends it: `conversionId` and `submittedAt` may be missing (see passes/submissions.ts for the key). */
export type SubmissionRecord = FormSubmission;

export interface HubSpotReader {
  getPropertyNames(type: CrmObjectType): Promise<string[]>;
  listObjectsPage(type: CrmObjectType, options: { after?: string; limit: number; properties: readonly string[]; archived: boolean }): Promise<Page<CrmRecord>>;
  /** Bytes of the list request target for these properties, `after` not included (the strategy decision). */
  listUrlBytes(type: CrmObjectType, properties: readonly string[]): number;
  searchObjects(type: CrmObjectType, request: SearchRequest): Promise<Page<CrmRecord> & { total: number }>;
  batchReadObjects(type: CrmObjectType, ids: readonly string[], properties: readonly string[], archived: boolean): Promise<BatchReadResult>;
  batchReadAssociations(from: CrmObjectType, to: CrmObjectType, inputs: { id: string; after?: string }[]): Promise<AssociationRead[]>;
  /** Every custom object schema the portal has, with its association definitions. */
  listSchemas(): Promise<ObjectSchema[]>;
  listFormsPage(after?: string): Promise<Page<FormRecord>>;
  listFormSubmissionsPage(formId: string, after?: string): Promise<Page<SubmissionRecord>>;
}

/** Parallel fan-out through the run's one shared processor (and so its one budget). */
export interface FanOut {
  /** `priority` below 0: work that can wait behind the sequential page chains (see AcquireOptions.priority). */
  processBatch<T>(items: readonly T[], fn: (item: T) => Promise<void>, options: { desc: string; priority?: number }): Promise<void>;
}

/** What extractors report; the CLI turns these into progress bars or log lines. */
export type ExtractorEvent =
  /**
   * `strategy`: how a CRM type's records are read this run (inline list pages, or ids then batch/read);
   * `properties`: how many properties it reads (the portal's catalog, or HUBSPOT_PROPERTIES's selection of it).
   */
  | { type: 'extractor:start'; extractor: string; total?: number; mode: string; strategy?: 'inline' | 'by-ids'; properties?: number }
  | { type: 'extractor:progress'; extractor: string; rows: number; total?: number }
  /** The strategy changed during the run (a 414 switched the type to by-ids). */
  | { type: 'extractor:strategy'; extractor: string; strategy: 'inline' | 'by-ids' }
  | { type: 'extractor:done'; extractor: string; rows: number }
  | { type: 'extractor:note'; extractor: string; message: string; level?: 'info' | 'warn' }
  /** Association rows written by one batch (a delta: several extractors write associations side by side). */
  | { type: 'associations:loaded'; extractor: string; rows: number }
  /** Inputs of one association batch not read (an error other than NO_ASSOCIATIONS_FOUND, or absent from the reply): kept queued. */
  | { type: 'associations:kept'; extractor: string; to: string; inputs: number; reason: string }
  /** One chunk of deletion candidates confirmed (a delta): calls made, and what they turned out to be. */
  | { type: 'deletes:confirmed'; extractor: string; calls: number; loaded: number; archived: number; deleted: number };
