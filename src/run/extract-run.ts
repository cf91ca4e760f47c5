import { setMaxListeners } from 'node:events';
import type { Settings } from '../../config/settings.js';
import type { Database } from '../db/database.js';
import type { Clock } from '../clock.js';
import type { RunContext } from './run-context.js';
import { DailyBudgetExhausted, FatalRunError, RunStopped } from '../processor/errors.js';
import type { RequestStats } from '../processor/request-stats.js';
import {
  isCrmObjectExtractor,
  isCustomObjectsSelection,
  isFormsExtractor,
  StopRequested,
  type AnyExtractor,
  type ExtractorContext,
  type RunOptions,
  type Selected,
} from '../../extractors/base.js';
import { apiTypeOf, resolveObjectTypes, UnavailableTypes } from '../../extractors/object-types.js';
import { runExtractors, selectedStandardTypes } from '../../extractors/registry.js';
import type { ExtractorEvent, FanOut, HubSpotReader } from '../../extractors/types.js';
import type { Strategy } from '../../extractors/passes/cursor.js';
import { finishRunRecord, startRunRecord, type RunRecord, type RunStatus } from './run-record.js';
import { ident } from '../db/database.js';
import { databaseNow } from '../load/sync-state.js';
import { minimumFullRunCalls, type CallBudget } from './call-budget.js';
import { HubSpotApi, LIST_PAGE_LIMIT, type PropertyDefinition } from '../hubspot/api.js';
import { extractPortalMetadata, type MetadataReader, type PortalMetadataResult } from '../../extractors/metadata/portal-metadata.js';
import { extractPropertyHistory, type HistoryReader } from '../../extractors/metadata/property-history.js';
import { runInTask } from '../processor/task-context.js';

/**
 * One extraction run from lock to summary: every selected extractor runs side by side on the run's one
 * shared processor (one budget), the outcome and statistics are stored in `runs`.
 */
export interface ExtractRunRequest {
  settings: Settings;
  db: Database;
  context: RunContext;
  /** What `--objects` selected; custom objects become extractors once the run has discovered them. */
  extractors: Selected[];
  fullRefresh: boolean;
  includeArchived: boolean;
  refreshAssociations: boolean;
  sweepDeletes: boolean;
  clock: Clock;
  /** Aborted on the first SIGTERM/SIGINT: pages in flight finish and commit, then the run stops. */
  signal: AbortSignal;
  onEvent?: (event: ExtractorEvent) => void;
  /** Requests made for the cost estimate (searches), reported apart from the run's own. */
  estimateRequests?: () => Promise<number>;
  /** The `runs` row, when the caller started it (to stamp its log lines with the id); started here otherwise. */
  run?: RunRecord;
  /** Records per object type expected by the cost estimate; used to start the longest list chains first. */
  expectedRecords?: Promise<Record<string, number> | undefined>;
}

/** Full when asked, or when no object type has been extracted into this schema yet. */
export async function runMode(db: Database, fullRefresh: boolean): Promise<'full' | 'incremental'> {
  const hadState = await db.query(`select 1 from ${ident(db.schema)}.sync_state where stream like 'objects:%' limit 1`);
  return fullRefresh || hadState.rowCount === 0 ? 'full' : 'incremental';
}

export interface ExtractRunSummary {
  runId: string;
  status: RunStatus;
  mode: 'full' | 'incremental';
  rows: Record<string, number>;
  calls: number;
  /** Search requests made for the cost estimate (outside the ten-second window). */
  estimateCalls: number;
  /** The fewest calls a full run of what was stored needs (README formula): window plus search; only for full runs. */
  minimumCalls?: number;
  /** The same minimum by budget, and the time the limits allow for it. */
  minimum?: CallBudget;
  /** Search requests the run made (outside the ten-second window; the estimate's not included). */
  searchCalls: number;
  /** Association inputs not read this run (an error other than NO_ASSOCIATIONS_FOUND, or absent from the reply): kept queued. */
  associationInputsKept: number;
  /** Types skipped because the portal does not have them (or the key may not read them), with HubSpot's answer. */
  unavailableTypes: Record<string, string>;
  /** Per CRM type: how its records were read (the last strategy of the run) and how many properties. */
  reads: Record<string, { strategy: Strategy; properties?: number }>;
  /**
   * Typed relations' notes for the summary (`typedRelationNotes`: properties left out at 1,600 columns, relations
   * not rebuilt), metadata streams skipped, and typed data the loader could not keep in step (stale until the next
   * run's rebuild refills it).
   */
  notes: string[];
  stats: RequestStats;
  error?: string;
  exitCode: number;
}

/**
 * The run's reader. Property definitions are read once per type per run and shared: the metadata step stores them,
 * and the object extractor's `getPropertyNames` is served from the same read. A failed read is kept too: the step's
 * failure (or stop) already ends the run, and the extractors then meet the same error without sending the request
 * again.
 */
export function readerFor(api: HubSpotApi): HubSpotReader & MetadataReader & HistoryReader {
  const definitions = new Map<string, Promise<PropertyDefinition[]>>();
  const getPropertyDefinitions = (type: string): Promise<PropertyDefinition[]> => {
    let read = definitions.get(type);
    if (!read) {
      read = api.getProperties(type);
      definitions.set(type, read);
    }
    return read;
  };
  return {
    getPropertyDefinitions,
    listOwnersPage: (archived, after) => api.listOwnersPage(archived, after),
    getPipelines: (type) => api.getPipelines(type),
    batchReadHistory: (type, ids, properties, archived) => api.batchReadHistory(type, ids, properties, archived),
    getPropertyNames: async (type) => (await getPropertyDefinitions(type)).map((p) => p.name),
    listObjectsPage: (type, o) => api.listObjectsPage(type, o),
    listUrlBytes: (type, properties) => Buffer.byteLength(api.listRequestTarget(type, { limit: LIST_PAGE_LIMIT, properties, archived: false })),
    searchObjects: (type, request) => api.searchObjects(type, request),
    batchReadObjects: (type, ids, properties, archived) => api.batchReadObjects(type, ids, properties, archived),
    batchReadAssociations: (from, to, inputs) => api.batchReadAssociations(from, to, inputs),
    listSchemas: () => api.listSchemas(),
    listFormsPage: (after) => api.listFormsPage(after),
    listFormSubmissionsPage: (formId, after) => api.listFormSubmissionsPage(formId, after),
  };
}

/** The shared processor as extractors see it: an item that fails after its retries fails the run. */
export function fanOutFor(context: RunContext): FanOut {
  return {
    async processBatch(items, fn, { desc, priority }) {
      const result = await context.processor.processBatch(items, (item) => fn(item), { desc, priority });
      if (result.failed.length > 0) {
        throw new Error(
          `${desc}: ${result.failed.length} of ${items.length} items failed after retries (first: ${result.failed[0].error}); they stay queued for the next run`,
        );
      }
    },
  };
}

export async function runExtraction(req: ExtractRunRequest): Promise<ExtractRunSummary> {
  const { db, context } = req;
  const mode = await runMode(db, req.fullRefresh);
  const run =
    req.run ??
    (await startRunRecord(
      db,
      mode,
      req.extractors.map((e) => e.name),
    ));
  const rows: Record<string, number> = {};
  const strategies = new Map<string, Strategy>();
  const propertyCounts = new Map<string, number>();
  let confirmCalls = 0;
  let associationInputsKept = 0;
  const emit = (event: ExtractorEvent) => {
    if (event.type === 'extractor:progress' || event.type === 'extractor:done') rows[event.extractor] = event.rows;
    if (event.type === 'associations:loaded') rows.associations = (rows.associations ?? 0) + event.rows;
    if (event.type === 'extractor:start' && event.strategy) strategies.set(event.extractor, event.strategy);
    if (event.type === 'extractor:start' && event.properties !== undefined) propertyCounts.set(event.extractor, event.properties);
    if (event.type === 'extractor:strategy') strategies.set(event.extractor, event.strategy);
    if (event.type === 'deletes:confirmed') confirmCalls += event.calls;
    if (event.type === 'associations:kept') {
      associationInputsKept += event.inputs;
      req.onEvent?.({
        type: 'extractor:note',
        extractor: event.extractor,
        level: 'warn',
        message: `${event.inputs} ${event.extractor} -> ${event.to} association inputs not read (${event.reason}): their stored associations are kept and they stay queued for the next run`,
      });
    }
    req.onEvent?.(event);
  };
  // Searches are counted apart: they spend the search API's own budget, not the ten-second window.
  let searchCalls = 0;
  const countSearches = context.events.on((e) => {
    if (e.type === 'request-start' && e.endpoint.endsWith('/search')) searchCalls++;
  });
  const options: RunOptions = {
    fullRefresh: req.fullRefresh,
    includeArchived: req.includeArchived,
    refreshAssociations: req.refreshAssociations,
    sweepDeletes: req.sweepDeletes,
    associationsRefreshMs: req.settings.associationsRefreshHours * 3_600_000,
    deleteSweepMs: req.settings.deleteSweepHours * 3_600_000,
    searchLagMs: req.settings.searchLagMs,
    properties: req.settings.properties,
    maxDeleteShare: req.settings.maxDeleteShare,
  };
  // One extractor's fatal error (401, daily budget) stops the others at their next page.
  const stop = new AbortController();
  // Every pass of every type listens for the stop: with the types of issue 14 and any number of custom objects,
  // more than Node's default of 10 at once, which is no leak.
  setMaxListeners(0, stop.signal);
  const onOuterAbort = () => stop.abort();
  req.signal.addEventListener('abort', onOuterAbort, { once: true });
  // A signal that came before this point (during start-up) stops the run too, before its first page.
  if (req.signal.aborted) stop.abort();
  const unavailable = new UnavailableTypes(emit);
  const reader = readerFor(context.api);
  const catalogsReadAfter = await databaseNow(db);
  const base = { db, reader, catalogsReadAfter, fanOut: fanOutFor(context), clock: req.clock, options, signal: stop.signal, emit, unavailable };
  let firstError: unknown;
  let ctx: ExtractorContext = { ...base, objectTypes: [] };
  let extractors: AnyExtractor[] = [];
  const wantsCustom = req.extractors.some(isCustomObjectsSelection);

  // The run's object types (issue 14, streams-obj), before any extractor starts: custom objects discovered from the
  // schemas API, their tables created, `object_types` upserted. Every stream below works from `ctx.objectTypes`.
  try {
    const resolved = await runInTask({ desc: 'object types', priority: 0 }, () => resolveObjectTypes(base, selectedStandardTypes(req.extractors), wantsCustom));
    ctx = { ...base, objectTypes: resolved.types };
    extractors = runExtractors(req.extractors, resolved);
  } catch (error) {
    if (!(error instanceof StopRequested) && !(error instanceof RunStopped)) firstError = error;
    stop.abort();
  }

  // Longest chain first: each type's list pages form one sequential chain, so the run ends when the longest
  // one does. Its requests go ahead in the limiters' queues once the estimate says how long each chain is.
  const tasks = new Map(extractors.map((e) => [e.name, { desc: e.name, priority: 0 }]));
  void req.expectedRecords?.then((records) => {
    for (const [name, count] of Object.entries(records ?? {})) {
      const task = tasks.get(name);
      if (task) task.priority = Math.ceil(count / LIST_PAGE_LIMIT);
    }
  });
  // ---- Portal metadata and typed relations (issues 14, 15): owners, property definitions, pipelines, and each type's
  // `<table>_typed` rebuilt in the transaction that stores its definitions; before any object extractor starts, so
  // typed relations exist before rows load (the loader keeps them in step). The definitions are read once: the
  // extractors' `getPropertyNames` is served from the reader's cache. Every type of the run, custom ones included.
  const metadataTypes = ctx.objectTypes.map((t) => ({ name: t.name, table: t.table, apiType: apiTypeOf(t) }));
  const metadataContext = {
    db,
    reader,
    fanOut: ctx.fanOut,
    signal: stop.signal,
    emit,
    unavailable,
    typedRelations: req.settings.typedRelations,
    properties: req.settings.properties,
  };
  let metadata: PortalMetadataResult | undefined;
  if (firstError === undefined && !stop.signal.aborted)
    try {
      metadata = await runInTask({ desc: 'metadata', priority: 0 }, () => extractPortalMetadata(metadataContext, metadataTypes));
    } catch (error) {
      if (!(error instanceof RunStopped)) firstError = error;
      stop.abort();
    }
  // ---- end of the metadata step

  await Promise.all(
    extractors.map(async (extractor) => {
      try {
        await runInTask(tasks.get(extractor.name)!, () => extractor.run(ctx));
      } catch (error) {
        // A stop seen between pages (StopRequested) or while a request waited to be retried (RunStopped) is no failure.
        if (!(error instanceof StopRequested) && !(error instanceof RunStopped) && firstError === undefined) firstError = error;
        stop.abort();
      }
    }),
  );

  // ---- Property history (HUBSPOT_PROPERTY_HISTORY): after the records it belongs to, while nothing else writes them.
  const historyTypes = metadataTypes.filter((t) => req.settings.propertyHistory[t.name] !== undefined);
  for (const name of Object.keys(req.settings.propertyHistory)) {
    if (!historyTypes.some((t) => t.name === name))
      emit({
        type: 'extractor:note',
        extractor: `${name} history`,
        level: 'info',
        message: `${name} property history not read: ${name} is not extracted in this run`,
      });
  }
  if (historyTypes.length > 0 && firstError === undefined && !stop.signal.aborted) {
    try {
      await runInTask({ desc: 'property history', priority: 0 }, () => extractPropertyHistory(metadataContext, req.settings.propertyHistory, historyTypes));
    } catch (error) {
      if (!(error instanceof StopRequested) && !(error instanceof RunStopped)) firstError = error;
    }
  }
  // ---- end of property history

  req.signal.removeEventListener('abort', onOuterAbort);
  countSearches();

  // The estimate's searches run beside the run: wait for the last one so the count below is exact.
  const estimateCalls = (await req.estimateRequests?.()) ?? 0;
  const stats = context.stats();
  const status: RunStatus =
    firstError instanceof DailyBudgetExhausted ? 'budget_exhausted' : firstError ? 'failed' : req.signal.aborted ? 'stopped' : 'succeeded';
  let minimum: CallBudget | undefined;
  if (status === 'succeeded' && mode === 'full') {
    const objects = extractors.filter(isCrmObjectExtractor).map((e) => ({ decl: e.decl, strategy: strategies.get(e.name) ?? 'inline' }));
    minimum = await minimumFullRunCalls(db, {
      objects,
      schemas: wantsCustom,
      unavailable: new Set(Object.keys(unavailable.all())),
      forms: extractors.some(isFormsExtractor),
      includeArchived: req.includeArchived,
      confirmCalls,
      windowPerSecond: context.limits.ratePerSecond,
      searchPerSecond: req.settings.searchPerSecond,
      historyTypes: historyTypes.map((t) => t.name),
    });
  }
  // A database that cannot answer here fails the run record's update below, which says why; the notes are not worth a second error.
  const notes = [...(metadata?.notes ?? []), ...(await staleTypedRelations(db).catch(() => []))];
  const minimumCalls = minimum?.total;
  // The run's own searches: the estimate's are counted in `estimateCalls`.
  const runSearchCalls = Math.max(0, searchCalls - estimateCalls);
  const error = firstError === undefined ? undefined : errorLine(firstError);
  const reads = Object.fromEntries([...strategies].map(([type, strategy]) => [type, { strategy, properties: propertyCounts.get(type) }]));
  const unavailableTypes = unavailable.all();
  await finishRunRecord(
    db,
    run,
    status,
    {
      ...stats,
      estimateCalls,
      rows,
      minimumCalls,
      minimum,
      searchCalls: runSearchCalls,
      associationInputsKept,
      mode,
      reads,
      unavailableTypes,
      notes,
    },
    error,
  );
  return {
    runId: run.id,
    status,
    mode,
    rows,
    calls: stats.requests - estimateCalls,
    estimateCalls,
    minimumCalls,
    minimum,
    searchCalls: runSearchCalls,
    associationInputsKept,
    unavailableTypes,
    reads,
    notes,
    stats,
    error,
    exitCode: status === 'succeeded' || status === 'stopped' ? 0 : 1,
  };
}

/** Typed data the loader's hook could not keep in step this run (the next run's definitions refresh rebuilds it). */
async function staleTypedRelations(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ relation: string; stale: string }>(
    `select relation, stale from ${ident(db.schema)}.typed_relations where stale is not null order by relation`,
  );
  return rows.map((r) => `${r.relation}: typed data stale (${r.stale}); the next run rebuilds it`);
}

function errorLine(error: unknown): string {
  if (error instanceof FatalRunError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}
