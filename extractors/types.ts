import type { AssociationBatchEntry, AssociationType, FormDefinition, FormSubmission, HubSpotObject, Page } from '../src/hubspot/api.js';

/**
 * What an extractor needs from HubSpot and from the run, kept narrow so extractors stay declarations.
 * `src/hubspot/reader.ts` implements `HubSpotReader` over the official client and the shared request executor.
 */
export const CRM_OBJECT_TYPES = ['contacts', 'companies', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks'] as const;
export type CrmObjectType = (typeof CRM_OBJECT_TYPES)[number];

/** Records and pages as the HubSpot layer returns them: ids as strings, paging reduced to `nextAfter`. */
export type CrmRecord = HubSpotObject;
export type { Page };

export interface SearchFilter {
  propertyName: string;
  operator: 'EQ' | 'GT' | 'GTE' | 'LT' | 'LTE' | 'BETWEEN';
  value?: string;
  highValue?: string;
}

export interface SearchRequest {
  filterGroups: { filters: SearchFilter[] }[];
  sorts: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties: string[];
  limit: number;
  after?: string;
}

export type { AssociationType };
export type AssociationRead = AssociationBatchEntry;
export type FormRecord = FormDefinition;
/** Submissions are keyed by `conversionId`, so the reader guarantees one. */
export type SubmissionRecord = FormSubmission & { conversionId: string };

export interface HubSpotReader {
  getPropertyNames(type: CrmObjectType): Promise<string[]>;
  listObjectsPage(type: CrmObjectType, options: { after?: string; limit: number; properties: string[]; archived: boolean }): Promise<Page<CrmRecord>>;
  searchObjects(type: CrmObjectType, request: SearchRequest): Promise<Page<CrmRecord> & { total: number }>;
  batchReadAssociations(from: CrmObjectType, to: CrmObjectType, inputs: { id: string; after?: string }[]): Promise<AssociationRead[]>;
  listFormsPage(after?: string): Promise<Page<FormRecord>>;
  listFormSubmissionsPage(formId: string, after?: string): Promise<Page<SubmissionRecord>>;
}

/** Parallel fan-out through the run's one shared processor (and so its one budget). */
export interface FanOut {
  /** `priority` below 0: work that can wait behind the sequential page chains (see AcquireOptions.priority). */
  processBatch<T>(items: T[], fn: (item: T) => Promise<void>, options: { desc: string; priority?: number }): Promise<void>;
}

/** What extractors report; the CLI turns these into progress bars or log lines. */
export type ExtractorEvent =
  | { type: 'extractor:start'; extractor: string; total?: number; mode: string }
  | { type: 'extractor:progress'; extractor: string; rows: number; total?: number }
  | { type: 'extractor:done'; extractor: string; rows: number }
  | { type: 'extractor:note'; extractor: string; message: string }
  /** Association rows written by one batch (a delta: several extractors write associations side by side). */
  | { type: 'associations:loaded'; extractor: string; rows: number };
