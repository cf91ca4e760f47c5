import type { PropertyHistorySelection } from '../../config/property-history.js';
import type { Database } from '../../src/db/database.js';
import { HISTORY_BATCH_LIMIT, type RecordHistory } from '../../src/hubspot/api.js';
import { insertPropertyHistory, recordsSyncedSince, type HistoryRow } from '../../src/load/metadata.js';
import { databaseNow, readCursor, writeCursor } from '../../src/load/sync-state.js';
import { StopRequested } from '../base.js';
import type { ExtractorEvent, FanOut } from '../types.js';
import type { MetadataObjectType } from './portal-metadata.js';

/**
 * Property history (HUBSPOT_PROPERTY_HISTORY), read after the records it belongs to: every record of the type stored
 * or re-read since the last history pass (all of them on a first or full run, the changed ones on an incremental run),
 * 50 a batch read with `propertiesWithHistory` (HubSpot's limit). Every change HubSpot keeps is inserted; one already
 * stored is skipped by the table's unique key, so reruns add nothing.
 *
 * The pass is resumable: its position (the last id whose history is stored) is committed with the rows, and it only
 * moves its watermark (`since`, on the database's clock, compared with `synced_at`) when it reaches the end. Naming a
 * new property in the setting reads the whole type again for it. It runs while no extractor writes the type (after
 * the run's extractors), so no record can be stamped behind the watermark.
 */
export interface HistoryReader {
  batchReadHistory(type: string, ids: readonly string[], properties: readonly string[], archived: boolean): Promise<RecordHistory[]>;
  /** The run's one read of the type's definitions (cached: no call of its own). */
  getPropertyNames(type: string): Promise<string[]>;
}

export interface HistoryContext {
  db: Database;
  reader: HistoryReader;
  fanOut: FanOut;
  signal: AbortSignal;
  emit(event: ExtractorEvent): void;
  /** Types the portal lacks have no history to read. */
  unavailable: { has(type: string): boolean };
}

interface HistoryCursor {
  /** Epoch ms (database clock): records synced at or after it are due. */
  since: number;
  /** The properties read (sorted); another set reads the whole type again. */
  properties: string[];
  /** A pass in progress: when it started (the next `since`) and the last id done. */
  pass?: { startedAt: number; after?: string };
}

export const historyStream = (type: string) => `history:${type}`;

/** Ids per step: read as one page, their batch reads sent together, committed together. */
const STEP_IDS = HISTORY_BATCH_LIMIT * 20;

export async function extractPropertyHistory(
  ctx: HistoryContext,
  selection: PropertyHistorySelection,
  objectTypes: readonly MetadataObjectType[],
): Promise<number> {
  let total = 0;
  for (const type of objectTypes) {
    const named = selection[type.name];
    if (!named || named.length === 0 || ctx.unavailable.has(type.name)) continue;
    // Portals differ: a name this one lacks is a warning, and is left out of the pass (and of its cursor).
    const catalog = new Set(await ctx.reader.getPropertyNames(type.apiType));
    const unknown = named.filter((n) => !catalog.has(n));
    if (unknown.length > 0) {
      ctx.emit({
        type: 'extractor:note',
        extractor: `${type.name} history`,
        level: 'warn',
        message: `HUBSPOT_PROPERTY_HISTORY names properties this portal does not have for ${type.name}: ${unknown.join(', ')}`,
      });
    }
    const properties = named.filter((n) => catalog.has(n));
    if (properties.length > 0) total += await historyOfType(ctx, type, [...properties].sort());
  }
  return total;
}

async function historyOfType(ctx: HistoryContext, type: MetadataObjectType, properties: string[]): Promise<number> {
  const { db } = ctx;
  const schema = db.schema;
  const stream = historyStream(type.name);
  const stored = await readCursor<HistoryCursor>(db, schema, stream);
  const sameProperties = stored !== undefined && stored.properties.join(',') === properties.join(',');
  const since = sameProperties ? stored.since : 0;
  const pass = sameProperties && stored.pass ? stored.pass : { startedAt: await databaseNow(db) };
  let after = pass.after;
  let inserted = 0;
  const extractor = `${type.name} history`;
  ctx.emit({ type: 'extractor:start', extractor, mode: since === 0 ? 'full' : 'incremental' });
  for (;;) {
    if (ctx.signal.aborted) throw new StopRequested();
    const ids = await recordsSyncedSince(db, schema, type.table, since, after, STEP_IDS);
    if (ids.length === 0) break;
    const batches: { ids: string[]; archived: boolean }[] = [];
    for (const archived of [false, true]) {
      const these = ids.filter((r) => r.archived === archived).map((r) => r.id);
      for (let i = 0; i < these.length; i += HISTORY_BATCH_LIMIT) batches.push({ ids: these.slice(i, i + HISTORY_BATCH_LIMIT), archived });
    }
    const rows: HistoryRow[] = [];
    await ctx.fanOut.processBatch(
      batches,
      async (b) => {
        const read = await ctx.reader.batchReadHistory(type.apiType, b.ids, properties, b.archived);
        rows.push(...historyRows(read));
      },
      { desc: extractor },
    );
    after = ids[ids.length - 1].id;
    const cursor: HistoryCursor = { since, properties, pass: { startedAt: pass.startedAt, after } };
    inserted += await db.transaction(async (tx) => {
      const n = await insertPropertyHistory(tx, schema, type.name, rows);
      await writeCursor(tx, schema, stream, cursor);
      return n;
    });
    ctx.emit({ type: 'extractor:progress', extractor, rows: inserted });
  }
  await writeCursor(db, schema, stream, { since: pass.startedAt, properties } satisfies HistoryCursor);
  ctx.emit({ type: 'extractor:done', extractor, rows: inserted });
  return inserted;
}

/** Each change as a row; HubSpot sends them newest first, a cleared value as "". */
export function historyRows(records: readonly RecordHistory[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const r of records) {
    for (const [property, changes] of Object.entries(r.history)) {
      for (const c of changes) {
        rows.push({
          objectId: r.id,
          property,
          value: c.value,
          changedAt: c.timestamp,
          sourceType: c.sourceType,
          sourceId: c.sourceId,
          updatedByUserId: c.updatedByUserId,
        });
      }
    }
  }
  return rows;
}
