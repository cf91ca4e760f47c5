import type pg from 'pg';
import type { Database } from '../src/db/database.js';
import { ASSOCIATION_BATCH_LIMIT, LIST_PAGE_LIMIT, SEARCH_PAGE_LIMIT } from '../src/hubspot/api.js';
import { ident } from '../src/db/database.js';
import type { Clock } from '../src/clock.js';
import { stagedMerge } from '../src/load/staged-merge.js';
import { cleanJsonText } from '../src/load/clean-text.js';
import { readCursor, writeCursor } from '../src/load/sync-state.js';
import type { CopyValue } from '../src/load/copy-format.js';
import type {
  AssociationRead, CrmObjectType, CrmRecord, ExtractorEvent, FanOut, HubSpotReader, SearchRequest,
} from './types.js';

/**
 * Behaviour shared by every extractor lives here once; the files beside it are declarations.
 *
 * Crash safety rests on one rule: a page of rows, the cursor that covers it and the association work it
 * creates (rows in association_queue) are committed in one transaction. Association reads drain that
 * queue and delete what they drained in the transaction that writes the associations.
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
}

export class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}

export abstract class BaseExtractor {
  abstract readonly name: string;
  private rows = 0;

  abstract run(ctx: ExtractorContext): Promise<void>;

  /** Extractors are declared once and reused by scheduled runs: each run counts from zero. */
  protected begin(ctx: ExtractorContext, mode: string): void {
    this.rows = 0;
    ctx.emit({ type: 'extractor:start', extractor: this.name, mode });
  }

  protected table(ctx: ExtractorContext, name: string): string {
    return `${ident(ctx.db.schema)}.${ident(name)}`;
  }

  protected checkStop(ctx: ExtractorContext): void {
    if (ctx.signal.aborted) throw new StopRequested();
  }

  protected progress(ctx: ExtractorContext, rows: number, total?: number): void {
    this.rows += rows;
    ctx.emit({ type: 'extractor:progress', extractor: this.name, rows: this.rows, total });
  }

  get rowsLoaded(): number {
    return this.rows;
  }

  /** Reads this stream's cursor. */
  protected cursor<T>(ctx: ExtractorContext, stream: string): Promise<T | undefined> {
    return readCursor<T>(ctx.db, ctx.db.schema, stream);
  }

  /** Commits `work` and the new cursor together. */
  protected commit(ctx: ExtractorContext, stream: string, cursor: unknown, work: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
    return ctx.db.transaction(async (tx) => {
      await work(tx);
      await writeCursor(tx, ctx.db.schema, stream, cursor);
    });
  }
}

/** The declaration of a CRM object type; everything else is inherited. */
export interface CrmObjectDeclaration {
  /** API object type and table name. */
  name: CrmObjectType;
  primaryKey: 'id';
  /** Last-modified property the search API filters on: contacts use `lastmodifieddate`, the rest `hs_lastmodifieddate`. */
  cursorField: 'lastmodifieddate' | 'hs_lastmodifieddate';
  /** Types whose associations are read from this side (each pair is read from one side only). */
  associations: CrmObjectType[];
  /** Properties to fetch; default: all, from the properties API. */
  properties?: string[];
}

interface ObjectCursor {
  /** A full pass in progress: its start (DB time, ms) and the next list page. */
  full?: { startedAt: number; after?: string; archived?: boolean };
  /** An id sweep in progress. */
  sweep?: { startedAt: number; after?: string };
  /** Changes loaded: every record with modified < ts, plus (in keyset mode) those at ts with id <= id. */
  incremental?: { ts: number; id?: string };
  lastFullAt?: number;
  lastSweepAt?: number;
  lastAssociationsAt?: number;
}


export class CrmObjectExtractor extends BaseExtractor {
  readonly name: string;

  constructor(readonly decl: CrmObjectDeclaration) {
    super();
    this.name = decl.name;
  }

  get stream(): string {
    return `objects:${this.decl.name}`;
  }

  async run(ctx: ExtractorContext): Promise<void> {
    const properties = this.decl.properties ?? (await ctx.reader.getPropertyNames(this.decl.name));
    let cursor = (await this.cursor<ObjectCursor>(ctx, this.stream)) ?? {};
    const now = await dbNow(ctx);
    const full = ctx.options.fullRefresh || !cursor.incremental || cursor.full !== undefined;
    this.begin(ctx, full ? 'full' : 'incremental');

    if (full) {
      if (!cursor.full || (ctx.options.fullRefresh && !cursor.full)) cursor = { ...cursor, full: { startedAt: now } };
      cursor = await this.fullPass(ctx, cursor, properties);
    } else {
      cursor = await this.incrementalPass(ctx, cursor, properties);
      if (ctx.options.includeArchived) cursor = await this.archivedPass(ctx, cursor, properties);
      const sweepDue = ctx.options.sweepDeletes || cursor.sweep !== undefined || now - (cursor.lastSweepAt ?? 0) >= ctx.options.deleteSweepMs;
      if (sweepDue) cursor = await this.sweepPass(ctx, cursor);
      const assocDue = ctx.options.refreshAssociations || now - (cursor.lastAssociationsAt ?? 0) >= ctx.options.associationsRefreshMs;
      if (assocDue && this.decl.associations.length > 0) {
        await this.enqueueAllForAssociations(ctx);
        cursor = { ...cursor, lastAssociationsAt: now };
        await this.commit(ctx, this.stream, cursor, async () => {});
      }
    }
    await this.drainAssociations(ctx);
    ctx.emit({ type: 'extractor:done', extractor: this.name, rows: this.rowsLoaded });
  }

  /** Lists every record (and archived ones when asked); at the end, ids not seen are marked deleted. */
  private async fullPass(ctx: ExtractorContext, cursor: ObjectCursor, properties: string[]): Promise<ObjectCursor> {
    let state = cursor.full!;
    const fetch = (s: NonNullable<ObjectCursor['full']>) =>
      prefetched(ctx.reader.listObjectsPage(this.decl.name, { after: s.after, limit: LIST_PAGE_LIMIT, properties, archived: s.archived === true }));
    let pending = fetch(state);
    const batch = new PageBatch(ctx.clock);
    const flush = async (next: ObjectCursor, finished: boolean) => {
      const records = batch.take();
      await this.commit(ctx, this.stream, next, async (tx) => {
        await this.loadRecords(ctx, tx, records);
        if (finished) await this.markUnseenDeleted(ctx, tx, state.startedAt);
      });
      this.progress(ctx, records.length);
    };
    for (;;) {
      if (ctx.signal.aborted) {
        // What was fetched is committed with its cursor before stopping.
        if (!batch.empty) await flush(cursor, false);
        throw new StopRequested();
      }
      const archived = state.archived === true;
      const page = await pending;
      const nextState = page.nextAfter
        ? { ...state, after: page.nextAfter }
        : !archived && ctx.options.includeArchived
          ? { startedAt: state.startedAt, archived: true }
          : undefined;
      // The next page is asked for while this one is loaded; the cursor only moves with committed rows.
      if (nextState) pending = fetch(nextState);
      cursor = nextState ? { ...cursor, full: nextState } : this.afterFullPass(cursor, state.startedAt, ctx);
      batch.add(page.results);
      if (!nextState || batch.due()) await flush(cursor, !nextState);
      if (!nextState) return cursor;
      state = nextState;
    }
  }

  private afterFullPass(cursor: ObjectCursor, startedAt: number, ctx: ExtractorContext): ObjectCursor {
    const { full: _full, sweep: _sweep, ...rest } = cursor;
    return {
      ...rest,
      // Records modified while the pass ran may have been listed before they changed: read them again.
      incremental: { ts: Math.max(0, startedAt - ctx.options.searchLagMs) },
      lastFullAt: startedAt,
      lastSweepAt: startedAt,
      lastAssociationsAt: startedAt,
    };
  }

  /**
   * Changes since the cursor through the search API. Every query asks for the first page only
   * (modified >= ts, sorted by modified): offset paging over a changing result set can skip records, and
   * a first-page query can never reach the 10,000-result cap. When a whole page shares one millisecond,
   * that millisecond is drained by an id keyset instead.
   */
  private async incrementalPass(ctx: ExtractorContext, cursor: ObjectCursor, properties: string[]): Promise<ObjectCursor> {
    const upper = ctx.clock.now() - ctx.options.searchLagMs;
    let inc = cursor.incremental!;
    const field = this.decl.cursorField;
    const props = [...new Set([...properties, field, 'hs_object_id'])];
    while (inc.ts <= upper) {
      this.checkStop(ctx);
      const keyset = inc.id !== undefined;
      const request: SearchRequest = keyset
        ? {
            filterGroups: [{ filters: [
              { propertyName: field, operator: 'EQ', value: String(inc.ts) },
              { propertyName: 'hs_object_id', operator: 'GT', value: inc.id! },
            ] }],
            sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
            properties: props,
            limit: SEARCH_PAGE_LIMIT,
          }
        : {
            filterGroups: [{ filters: [{ propertyName: field, operator: 'BETWEEN', value: String(inc.ts), highValue: String(upper) }] }],
            sorts: [{ propertyName: field, direction: 'ASCENDING' }],
            properties: props,
            limit: SEARCH_PAGE_LIMIT,
          };
      const page = await ctx.reader.searchObjects(this.decl.name, request);
      const rows = page.results;
      let nextInc: { ts: number; id?: string };
      if (keyset) {
        nextInc = rows.length < SEARCH_PAGE_LIMIT ? { ts: inc.ts + 1 } : { ts: inc.ts, id: rows[rows.length - 1].id };
      } else if (rows.length < SEARCH_PAGE_LIMIT) {
        nextInc = { ts: upper + 1 };
      } else {
        const lastTs = modifiedMs(rows[rows.length - 1], field);
        // A full page all at the cursor's millisecond: no progress by time is possible, switch to the id keyset.
        nextInc = lastTs > inc.ts ? { ts: lastTs } : { ts: inc.ts, id: '0' };
      }
      const next = { ...cursor, incremental: nextInc };
      await this.commit(ctx, this.stream, next, (tx) => this.loadRecords(ctx, tx, rows));
      this.progress(ctx, rows.length);
      cursor = next;
      inc = nextInc;
    }
    return cursor;
  }

  /** Archived records never appear in search; with --include-archived they are listed on every run. */
  private async archivedPass(ctx: ExtractorContext, cursor: ObjectCursor, properties: string[]): Promise<ObjectCursor> {
    let after: string | undefined;
    do {
      this.checkStop(ctx);
      const page = await ctx.reader.listObjectsPage(this.decl.name, { after, limit: LIST_PAGE_LIMIT, properties, archived: true });
      await ctx.db.transaction((tx) => this.loadRecords(ctx, tx, page.results));
      this.progress(ctx, page.results.length);
      after = page.nextAfter;
    } while (after);
    return cursor;
  }

  /** Lists ids only; records not listed since the sweep started vanished from the portal. */
  private async sweepPass(ctx: ExtractorContext, cursor: ObjectCursor): Promise<ObjectCursor> {
    let sweep = cursor.sweep ?? { startedAt: await dbNow(ctx) };
    const fetch = (after?: string) =>
      prefetched(ctx.reader.listObjectsPage(this.decl.name, { after, limit: LIST_PAGE_LIMIT, properties: ['hs_object_id'], archived: false }));
    let pending = fetch(sweep.after);
    for (;;) {
      this.checkStop(ctx);
      const page = await pending;
      const done = !page.nextAfter;
      if (!done) pending = fetch(page.nextAfter);
      const next: ObjectCursor = done
        ? (({ sweep: _s, ...rest }) => ({ ...rest, lastSweepAt: sweep.startedAt }))(cursor)
        : { ...cursor, sweep: { ...sweep, after: page.nextAfter } };
      await this.commit(ctx, this.stream, next, async (tx) => {
        await tx.query(`update ${this.table(ctx, this.decl.name)} set seen_at = now() where id = any($1::bigint[])`, [page.results.map((r) => r.id)]);
        if (done) await this.markUnseenDeleted(ctx, tx, sweep.startedAt);
      });
      cursor = next;
      if (done) return cursor;
      sweep = next.sweep!;
    }
  }

  private async markUnseenDeleted(ctx: ExtractorContext, tx: pg.PoolClient, sinceMs: number): Promise<void> {
    const t = this.table(ctx, this.decl.name);
    const { rows } = await tx.query<{ id: string }>(
      `update ${t} set deleted_at = now() where deleted_at is null and seen_at < to_timestamp($1 / 1000.0) returning id`,
      [sinceMs],
    );
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    const a = this.table(ctx, 'associations');
    await tx.query(`delete from ${a} where (from_type = $1 and from_id = any($2::bigint[])) or (to_type = $1 and to_id = any($2::bigint[]))`, [this.decl.name, ids]);
    await tx.query(`delete from ${this.table(ctx, 'association_queue')} where from_type = $1 and from_id = any($2::bigint[])`, [this.decl.name, ids]);
    ctx.emit({ type: 'extractor:note', extractor: this.name, message: `${ids.length} records no longer in the portal, marked deleted` });
  }

  /** Upserts records and queues their associations, inside the caller's transaction. */
  private async loadRecords(ctx: ExtractorContext, tx: pg.PoolClient, records: CrmRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows: CopyValue[][] = records.map((r) => [
      r.id,
      cleanJsonText(r.properties ?? {}),
      r.createdAt ?? null,
      r.updatedAt ?? null,
      r.archived === true,
      r.archivedAt ?? null,
      null,
    ]);
    await stagedMerge(tx, {
      schema: ctx.db.schema,
      table: this.decl.name,
      columns: ['id', 'properties', 'created_at', 'updated_at', 'archived', 'archived_at', 'deleted_at'],
      key: ['id'],
      touch: ['synced_at = now()', 'seen_at = now()'],
    }, rows);
    if (this.decl.associations.length > 0) {
      await tx.query(
        `insert into ${this.table(ctx, 'association_queue')} (from_type, to_type, from_id)
         select $1, t, i from unnest($2::text[]) t, unnest($3::bigint[]) i
         on conflict (from_type, to_type, from_id) do update set queued_at = now()`,
        [this.decl.name, this.decl.associations, records.map((r) => r.id)],
      );
    }
  }

  private async enqueueAllForAssociations(ctx: ExtractorContext): Promise<void> {
    await ctx.db.query(
      `insert into ${this.table(ctx, 'association_queue')} (from_type, to_type, from_id)
       select $1, t, o.id from ${this.table(ctx, this.decl.name)} o, unnest($2::text[]) t where o.deleted_at is null
       on conflict (from_type, to_type, from_id) do update set queued_at = now()`,
      [this.decl.name, this.decl.associations],
    );
  }

  /**
   * Reads the associations of every queued record through the v4 batch endpoint, 1,000 inputs a call,
   * following each input's own paging, fanned out through the shared processor.
   */
  private async drainAssociations(ctx: ExtractorContext): Promise<void> {
    for (const to of this.decl.associations) {
      this.checkStop(ctx);
      const { rows } = await ctx.db.query<{ lo: string }>(
        `select from_id as lo from (select from_id, row_number() over (order by from_id) as n
           from ${this.table(ctx, 'association_queue')} where from_type = $1 and to_type = $2) q
         where (n - 1) % ${ASSOCIATION_BATCH_LIMIT} = 0 order by from_id`,
        [this.decl.name, to],
      );
      const chunks = rows.map((r, i) => ({ lo: r.lo, hi: rows[i + 1]?.lo }));
      // Association batches are independent of each other: they wait behind the sequential list chains and
      // fill the capacity those leave, so the run does not end on one chain at its own pace.
      await ctx.fanOut.processBatch(chunks, (chunk) => this.readAssociationChunk(ctx, to, chunk), { desc: 'associations', priority: -1 });
    }
  }

  private async readAssociationChunk(ctx: ExtractorContext, to: CrmObjectType, chunk: { lo: string; hi?: string }): Promise<void> {
    if (ctx.signal.aborted) return;
    const queue = this.table(ctx, 'association_queue');
    const { rows } = await ctx.db.query<{ from_id: string; started: string }>(
      `select from_id, (extract(epoch from now()) * 1000)::bigint as started from ${queue}
       where from_type = $1 and to_type = $2 and from_id >= $3 and ($4::bigint is null or from_id < $4) order by from_id`,
      [this.decl.name, to, chunk.lo, chunk.hi ?? null],
    );
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.from_id);
    const startedAt = Number(rows[0].started);
    const found = new Map<string, AssociationRead['to']>();
    let inputs: { id: string; after?: string }[] = ids.map((id) => ({ id }));
    while (inputs.length > 0) {
      const reads = await ctx.reader.batchReadAssociations(this.decl.name, to, inputs);
      const more: { id: string; after?: string }[] = [];
      for (const read of reads) {
        const list = found.get(read.fromId) ?? [];
        list.push(...read.to);
        found.set(read.fromId, list);
        if (read.nextAfter) more.push({ id: read.fromId, after: read.nextAfter });
      }
      inputs = more;
    }
    const assocRows: CopyValue[][] = [];
    for (const [fromId, targets] of found) {
      for (const target of targets) {
        for (const type of target.associationTypes) {
          assocRows.push([this.decl.name, fromId, to, target.toObjectId, type.typeId, type.category, type.label ?? null]);
        }
      }
    }
    await ctx.db.transaction(async (tx) => {
      const a = this.table(ctx, 'associations');
      await tx.query(`delete from ${a} where from_type = $1 and to_type = $2 and from_id = any($3::bigint[])`, [this.decl.name, to, ids]);
      await stagedMerge(tx, {
        schema: ctx.db.schema,
        table: 'associations',
        columns: ['from_type', 'from_id', 'to_type', 'to_id', 'type_id', 'category', 'label'],
        key: ['from_type', 'from_id', 'to_type', 'to_id', 'type_id'],
        touch: ['synced_at = now()'],
      }, assocRows);
      // Ids queued again while we read (the record changed meanwhile) stay queued for another read.
      await tx.query(
        `delete from ${queue} where from_type = $1 and to_type = $2 and from_id = any($3::bigint[]) and queued_at <= to_timestamp($4 / 1000.0)`,
        [this.decl.name, to, ids, startedAt],
      );
    });
    ctx.emit({ type: 'associations:loaded', extractor: this.name, rows: assocRows.length });
  }
}

/**
 * Pages waiting to be committed together. Under the API's rate limit pages trickle in and each batch is a
 * page or two; when they come faster than they commit, batches grow to LOAD_BATCH_ROWS, where COPY and the
 * merge cost a fraction per row of what they cost page by page. A crash loses only uncommitted pages.
 * Each transaction costs a fixed ~7 ms (round trips, COPY start and drain): a tenth of a 10,000-row batch's
 * COPY, a fifth of a 5,000-row one's. 10,000 records hold about 15 MB.
 */
export const LOAD_BATCH_ROWS = 10_000;
export const LOAD_LINGER_MS = 250;

class PageBatch {
  private records: CrmRecord[] = [];
  private since = 0;

  constructor(private readonly clock: Clock) {}

  get empty(): boolean {
    return this.records.length === 0;
  }

  add(records: CrmRecord[]): void {
    if (this.records.length === 0) this.since = this.clock.now();
    for (const r of records) this.records.push(r);
  }

  due(): boolean {
    return this.records.length >= LOAD_BATCH_ROWS || this.clock.now() - this.since >= LOAD_LINGER_MS;
  }

  take(): CrmRecord[] {
    const out = this.records;
    this.records = [];
    return out;
  }
}

/** A request started ahead of need: if the run stops before it is awaited, its failure must not go unhandled. */
function prefetched<T>(request: Promise<T>): Promise<T> {
  request.catch(() => {});
  return request;
}

async function dbNow(ctx: ExtractorContext): Promise<number> {
  const { rows } = await ctx.db.query<{ ms: string }>('select (extract(epoch from now()) * 1000)::bigint as ms');
  return Number(rows[0].ms);
}

function modifiedMs(record: CrmRecord, field: string): number {
  const v = record.properties[field] ?? record.updatedAt;
  if (v === null || v === undefined) return 0;
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}

export function crmObject(decl: CrmObjectDeclaration): CrmObjectExtractor {
  return new CrmObjectExtractor(decl);
}
