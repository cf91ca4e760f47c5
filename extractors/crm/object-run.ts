import type pg from 'pg';
import { BATCH_READ_LIMIT, SEARCH_PAGE_LIMIT, LIST_PAGE_LIMIT, type SearchRequest } from '../../src/hubspot/api.js';
import { ObjectTypeUnavailableError, RequestTooLongError } from '../../src/processor/errors.js';
import { URL_BUDGET_BYTES } from '../../src/hubspot/request-size.js';
import {
  countDeleteCandidates,
  enqueueAllForAssociations,
  idsToLoad,
  markDeleted,
  readDeleteCandidates,
  recordRowBytes,
  toRecordRow,
  touchSeen,
  upsertRecords,
  type RecordRow,
} from '../../src/load/objects.js';
import { databaseNow, readCursor, writeCursor } from '../../src/load/sync-state.js';
import { StopRequested, type CrmObjectDeclaration, type ExtractorContext } from '../base.js';
import { onConfirm, startConfirm, type ConfirmEvent } from '../passes/confirm.js';
import {
  fullStart,
  newAssociationTargets,
  objectStream,
  planPasses,
  sweepStart,
  type FullPosition,
  type ObjectCursor,
  type Strategy,
  type SweepPosition,
} from '../passes/cursor.js';
import { incrementalSearch, onIncremental, startIncremental, type IncrementalEvent, type SearchRow } from '../passes/incremental.js';
import { onListing, startListing, type ListingEvent, type ListingPass } from '../passes/listing.js';
import type { CrmRecord } from '../types.js';
import { drainAssociations } from './associations.js';
import { EventQueue } from './event-queue.js';
import { StagedPages } from './staged-pages.js';
import { planReads, type ReadPlan } from './strategy.js';

/**
 * One run of one CRM object type: the driver of its passes. It holds the run's state (rows counted, the
 * strategy, a switch to by-ids after a 414), performs the effects the pure transitions in `passes/` return
 * (HTTP through the reader, SQL through `src/load/`), and feeds their outcomes back as events.
 */
export async function runCrmObject(decl: CrmObjectDeclaration, ctx: ExtractorContext): Promise<void> {
  if (ctx.unavailable.has(decl.name)) return;
  try {
    await new ObjectRun(decl, ctx).run();
  } catch (error) {
    // A type the portal does not have (leads without Sales Hub: 403 on its first call, its properties) is
    // reported once and skipped; the run goes on. Any other type named by the error is not this one's to judge.
    if (!(error instanceof ObjectTypeUnavailableError) || !error.types.includes(decl.apiType)) throw error;
    ctx.unavailable.report(decl.name, error);
  }
}

/**
 * A page as a source returns it: records (already in the form they are written in: a parsed page of a real
 * portal's contacts is several MB of objects, the rows a fraction of it, and pages wait in the pipeline), or
 * ids (to read, or to touch), and where the next one starts.
 */
interface SourcePage {
  items?: RecordRow[];
  ids?: string[];
  next?: string;
}

class ObjectRun {
  private readonly stream: string;
  private rows = 0;
  private plan!: ReadPlan;
  /** Set when a 414 came back for an inline list page: the rest of the run reads by ids. */
  private byIdsForced = false;

  constructor(
    private readonly decl: CrmObjectDeclaration,
    private readonly ctx: ExtractorContext,
  ) {
    this.stream = objectStream(decl.name);
  }

  private get strategy(): Strategy {
    return this.byIdsForced ? 'by-ids' : this.plan.strategy;
  }

  async run(): Promise<void> {
    const { ctx, decl } = this;
    const catalog = await ctx.reader.getPropertyNames(decl.apiType);
    this.plan = planReads({
      type: decl.name,
      cursorField: decl.cursorField,
      catalog,
      selection: ctx.options.properties,
      listUrlBytes: (properties) => ctx.reader.listUrlBytes(decl.apiType, properties),
      urlBudgetBytes: URL_BUDGET_BYTES,
    });
    if (this.plan.unknown.length > 0) {
      this.note(`HUBSPOT_PROPERTIES names properties this portal does not have for ${decl.name}: ${this.plan.unknown.join(', ')}`, 'warn');
    }
    let cursor = (await readCursor<ObjectCursor>(ctx.db, ctx.db.schema, this.stream)) ?? {};
    const now = Math.min(await databaseNow(ctx.db), ctx.catalogsReadAfter ?? Infinity);
    const o = ctx.options;
    const passes = planPasses(cursor, { ...o, readsAssociations: decl.associations.length > 0 }, now);
    const full = passes.includes('full') || cursor.confirm?.pass === 'full';
    const fresh = newAssociationTargets(cursor, decl.associations);
    if (fresh.length > 0) {
      // Pairs this type never read (a custom object added to the portal since the last run): every stored record
      // is queued for them now, not at the next full association refresh. A full pass queues what it loads anyway.
      cursor = { ...cursor, associationTargets: [...decl.associations] };
      await this.commit(cursor, (tx) => (passes.includes('full') ? Promise.resolve() : enqueueAllForAssociations(tx, ctx.db.schema, decl.name, fresh)));
    }
    ctx.emit({
      type: 'extractor:start',
      extractor: decl.name,
      mode: full ? 'full' : 'incremental',
      strategy: this.strategy,
      properties: this.plan.properties.length,
    });
    for (const pass of passes) {
      this.checkStop();
      switch (pass) {
        case 'confirm':
          cursor = await this.confirm(cursor);
          break;
        case 'full':
          cursor = await this.fullPass(cursor, now);
          break;
        case 'incremental':
          cursor = await this.incrementalPass(cursor);
          break;
        case 'archived':
          await this.withByIdsFallback(() => this.listing('archived', cursor, { startedAt: now, archived: true }, this.strategy === 'by-ids'));
          break;
        case 'sweep': {
          const position: SweepPosition = sweepStart(cursor, await databaseNow(ctx.db));
          cursor = await this.listing('sweep', { ...cursor, sweep: position }, position, false);
          break;
        }
        case 'enqueue-associations':
          await enqueueAllForAssociations(ctx.db, ctx.db.schema, decl.name, decl.associations);
          cursor = { ...cursor, lastAssociationsAt: now };
          await this.commit(cursor, async () => {});
          break;
      }
    }
    await drainAssociations(ctx, decl);
    ctx.emit({ type: 'extractor:done', extractor: decl.name, rows: this.rows });
  }

  /** The full pass, resumed from what was committed when a 414 switched it to by-ids. */
  private async fullPass(cursor: ObjectCursor, now: number): Promise<ObjectCursor> {
    let current = cursor;
    return this.withByIdsFallback(
      async () => {
        const position: FullPosition = fullStart(current, this.strategy, now);
        return this.listing('full', { ...current, full: position }, position, this.strategy === 'by-ids');
      },
      async () => {
        current = (await readCursor<ObjectCursor>(this.ctx.db, this.ctx.db.schema, this.stream)) ?? current;
      },
    );
  }

  /**
   * A 414 on an inline list page (a proxy with a lower URL limit than HubSpot's) switches the rest of the
   * run to by-ids and runs `pass` again; a 414 when already reading by ids fails the run with a clear line.
   */
  private async withByIdsFallback<T>(pass: () => Promise<T>, beforeRetry: () => Promise<void> = async () => {}): Promise<T> {
    for (;;) {
      const strategy = this.strategy;
      try {
        return await pass();
      } catch (error) {
        if (!(error instanceof RequestTooLongError)) throw error;
        if (strategy === 'by-ids') {
          throw new Error(
            `${this.decl.name}: ${error.message} even for an ids-only request: something between here and HubSpot limits URLs below that; raise its limit`,
          );
        }
        this.byIdsForced = true;
        this.ctx.emit({ type: 'extractor:strategy', extractor: this.decl.name, strategy: 'by-ids' });
        this.note(`${error.message}: reading ${this.decl.name} by ids (batch/read) for the rest of this run`, 'warn');
        await beforeRetry();
      }
    }
  }

  /**
   * Drives a listing pass (full, sweep, archived): fetches pages, reads ids by batch/read when the strategy
   * says so, stages and commits pages in order, and ends with the deletion confirmation (full, sweep).
   */
  private async listing(pass: ListingPass, cursor: ObjectCursor, position: FullPosition | SweepPosition, readIds: boolean): Promise<ObjectCursor> {
    const { ctx } = this;
    const queue = new EventQueue<ListingEvent<RecordRow | string>>(ctx.signal);
    const staged = new StagedPages<RecordRow, ObjectCursor>(ctx.clock, recordRowBytes);
    let committed = cursor;
    const flush = async () => {
      const batch = staged.take();
      if (!batch) return;
      await this.commit(batch.cursor, (tx) => upsertRecords(tx, ctx.db.schema, this.decl.name, batch.items, this.decl.associations));
      committed = batch.cursor;
      this.progress(batch.items.length);
    };
    let step = startListing<RecordRow | string>({
      pass,
      stream: this.stream,
      cursor,
      position,
      listArchived: pass !== 'archived' && ctx.options.includeArchived,
      readIds,
    });
    for (;;) {
      for (const effect of step.effects) {
        switch (effect.kind) {
          case 'fetch':
            queue.track(
              this.fetchListPage(pass, readIds, effect.after, effect.archived),
              (page) => ({ type: 'page', ...page }),
              (error) => ({ type: 'failed', error }),
            );
            break;
          case 'read':
            queue.track(
              this.readRecords(effect.ids, effect.archived),
              (items) => ({ type: 'read', seq: effect.seq, items }),
              (error) => ({ type: 'failed', error }),
            );
            break;
          case 'stage':
            if (pass === 'sweep') {
              // Ids only: marked seen, and any the table lacks (or holds as deleted or with the other archived flag) read and stored.
              await this.touch(effect.items as string[], effect.archived, effect.cursor);
              committed = effect.cursor;
            } else {
              staged.add(effect.items as RecordRow[], effect.cursor);
              if (staged.due()) await flush();
            }
            break;
          case 'flush':
            await flush();
            break;
          case 'confirm':
            return this.confirm(effect.cursor);
          case 'done':
            return committed;
          case 'fail':
            throw effect.error;
          case 'stopped':
            throw new StopRequested();
        }
      }
      const event = await queue.next();
      step = onListing(step.state, event === 'stop' ? { type: 'stop' } : event);
    }
  }

  /** One page of a listing, by the pass and strategy. */
  private async fetchListPage(pass: ListingPass, readIds: boolean, after: string | undefined, archived: boolean): Promise<SourcePage> {
    const { reader } = this.ctx;
    const type = this.decl.apiType;
    if (archived || pass === 'sweep') {
      // Archived records are never in search: listed, with the properties when they fit, else ids only. The
      // sweep lists ids too: at 100 ids a call it spends the window (ours alone, and little used by an
      // incremental run) rather than the search API's 5/s, which every app of the account shares.
      const inline = pass !== 'sweep' && !readIds;
      const page = await reader.listObjectsPage(type, {
        after,
        limit: LIST_PAGE_LIMIT,
        properties: inline ? this.plan.properties : ['hs_object_id'],
        archived,
      });
      return inline ? { items: page.results.map(toRecordRow), next: page.nextAfter } : { ids: page.results.map((r) => r.id), next: page.nextAfter };
    }
    if (readIds) {
      // Ids from the search keyset, each query a first page: the search budget, not the ten-second window.
      const page = await reader.searchObjects(type, idKeysetSearch(after));
      const ids = page.results.map((r) => r.id);
      return { ids, next: ids.length === SEARCH_PAGE_LIMIT ? ids[ids.length - 1] : undefined };
    }
    const page = await reader.listObjectsPage(type, { after, limit: LIST_PAGE_LIMIT, properties: this.plan.properties, archived: false });
    return { items: page.results.map(toRecordRow), next: page.nextAfter };
  }

  /** Rows of `ids` with every selected property; ids not found (deleted since they were listed) are left out. */
  private async readRecords(ids: readonly string[], archived: boolean): Promise<RecordRow[]> {
    const { results } = await this.ctx.reader.batchReadObjects(this.decl.apiType, ids, this.plan.properties, archived);
    return results.map(toRecordRow);
  }

  private async touch(ids: readonly string[], archived: boolean, cursor: ObjectCursor): Promise<void> {
    const { ctx } = this;
    const missing = await idsToLoad(ctx.db, ctx.db.schema, this.decl.name, ids, archived);
    const rows: RecordRow[] = [];
    for (let i = 0; i < missing.length; i += BATCH_READ_LIMIT) rows.push(...(await this.readRecords(missing.slice(i, i + BATCH_READ_LIMIT), archived)));
    await this.commit(cursor, async (tx) => {
      await touchSeen(tx, ctx.db.schema, this.decl.name, ids);
      await upsertRecords(tx, ctx.db.schema, this.decl.name, rows, this.decl.associations);
    });
    if (rows.length > 0) this.progress(rows.length);
  }

  private async incrementalPass(cursor: ObjectCursor): Promise<ObjectCursor> {
    const { ctx, decl } = this;
    const upper = ctx.clock.now() - ctx.options.searchLagMs;
    const inline = this.plan.searchInline;
    const properties = inline ? this.plan.properties : [decl.cursorField, 'hs_object_id'];
    const queue = new EventQueue<IncrementalEvent<RecordRow>>(ctx.signal);
    const staged = new StagedPages<RecordRow, ObjectCursor>(ctx.clock, recordRowBytes);
    let committed = cursor;
    const flush = async () => {
      const batch = staged.take();
      if (!batch) return;
      await this.commit(batch.cursor, (tx) => upsertRecords(tx, ctx.db.schema, decl.name, batch.items, decl.associations));
      committed = batch.cursor;
      this.progress(batch.items.length);
    };
    let step = startIncremental<RecordRow>(this.stream, cursor, upper, !inline);
    for (;;) {
      for (const effect of step.effects) {
        switch (effect.kind) {
          case 'search': {
            const request = incrementalSearch(effect.position, upper, decl.cursorField, properties);
            const page = ctx.reader.searchObjects(decl.apiType, request).then((p) => ({
              rows: p.results.map((r): SearchRow => ({ id: r.id, modifiedMs: modifiedMs(r, decl.cursorField) })),
              records: inline ? p.results.map(toRecordRow) : undefined,
            }));
            queue.track(
              page,
              (p) => ({ type: 'page', ...p }),
              (error) => ({ type: 'failed', error }),
            );
            break;
          }
          case 'read':
            queue.track(
              this.readRecords(effect.ids, false),
              (items) => ({ type: 'read', seq: effect.seq, items }),
              (error) => ({ type: 'failed', error }),
            );
            break;
          case 'stage':
            staged.add(effect.items, effect.cursor);
            if (staged.due()) await flush();
            break;
          case 'flush':
            await flush();
            break;
          case 'done':
            return committed;
          case 'fail':
            throw effect.error;
          case 'stopped':
            throw new StopRequested();
        }
      }
      const event = await queue.next();
      step = onIncremental(step.state, event === 'stop' ? { type: 'stop' } : event);
    }
  }

  /** Confirms the deletion candidates a listing left (see passes/confirm.ts); returns the cursor the pass ends with. */
  private async confirm(cursor: ObjectCursor): Promise<ObjectCursor> {
    const { ctx, decl } = this;
    const schema = ctx.db.schema;
    let step = startConfirm(this.stream, cursor, ctx.options.maxDeleteShare, ctx.options.searchLagMs);
    let calls = 0;
    for (;;) {
      let event: ConfirmEvent | undefined;
      for (const effect of step.effects) {
        switch (effect.kind) {
          case 'count':
            event = { type: 'counted', ...(await countDeleteCandidates(ctx.db, schema, decl.name, effect.confirm.startedAt, effect.confirm.archivedListed)) };
            break;
          case 'candidates':
            event = {
              type: 'candidates',
              ids: await readDeleteCandidates(ctx.db, schema, decl.name, effect.confirm.startedAt, effect.confirm.archivedListed, effect.after, effect.limit),
            };
            break;
          case 'read': {
            const read = await ctx.reader.batchReadObjects(decl.apiType, effect.ids, this.plan.properties, effect.archived);
            calls++;
            event = { type: 'read', archived: effect.archived, found: read.results, missing: read.missingIds };
            break;
          }
          case 'apply': {
            const { load, archived, deleted } = effect.outcome;
            const rows = [...load, ...archived].map(toRecordRow);
            await this.commit(effect.cursor, async (tx) => {
              await upsertRecords(tx, schema, decl.name, rows, decl.associations);
              await markDeleted(tx, schema, decl.name, deleted);
            });
            ctx.emit({ type: 'deletes:confirmed', extractor: decl.name, calls, loaded: load.length, archived: archived.length, deleted: deleted.length });
            if (deleted.length > 0) this.note(`${deleted.length} records no longer in the portal (confirmed by batch/read), marked deleted`);
            calls = 0;
            break;
          }
          case 'commit':
            await this.commit(effect.cursor, async () => {});
            cursor = effect.cursor;
            break;
          case 'note':
            this.note(effect.message, 'warn');
            break;
          case 'done':
            return cursor;
          case 'stopped':
            throw new StopRequested();
        }
      }
      step = onConfirm(step.state, ctx.signal.aborted ? { type: 'stop' } : event!);
    }
  }

  /** Commits `work` and the cursor together. */
  private commit(cursor: ObjectCursor, work: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
    const { db } = this.ctx;
    return db.transaction(async (tx) => {
      await work(tx);
      await writeCursor(tx, db.schema, this.stream, cursor);
    });
  }

  private progress(rows: number): void {
    this.rows += rows;
    this.ctx.emit({ type: 'extractor:progress', extractor: this.decl.name, rows: this.rows });
  }

  private note(message: string, level: 'info' | 'warn' = 'info'): void {
    this.ctx.emit({ type: 'extractor:note', extractor: this.decl.name, message, level });
  }

  private checkStop(): void {
    if (this.ctx.signal.aborted) throw new StopRequested();
  }
}

/** Ids above `after`, ascending, 200 a query, always a first page (never the 10,000-result cap). */
export function idKeysetSearch(after: string | undefined): SearchRequest {
  return {
    filterGroups: after === undefined ? [] : [{ filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: after }] }],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
    properties: ['hs_object_id'],
    limit: SEARCH_PAGE_LIMIT,
  };
}

function modifiedMs(record: CrmRecord, field: string): number {
  const v = record.properties[field] ?? record.updatedAt;
  if (v === null || v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}
