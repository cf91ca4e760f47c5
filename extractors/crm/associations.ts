import { ASSOCIATION_BATCH_LIMIT, type AssociatedObject } from '../../src/hubspot/api.js';
import { dequeue, queueChunkStarts, readQueueChunk, replaceAssociations } from '../../src/load/associations.js';
import type { CopyValue } from '../../src/load/copy-format.js';
import { ObjectTypeUnavailableError } from '../../src/processor/errors.js';
import type { CrmObjectDeclaration, ExtractorContext } from '../base.js';
import { apiTypeOf } from '../object-types.js';

/**
 * Association draining: reads the associations of every queued record of one type through the batch
 * endpoint, 1,000 inputs a call, following each input's own paging, fanned out through the run's processor.
 * The queue is filled in the transactions that load records; each chunk replaces its inputs' rows and takes
 * them off the queue in one transaction.
 *
 * Only inputs read whole (every page) or answered NO_ASSOCIATIONS_FOUND replace their stored rows. An input
 * named by any other error, or missing from the reply, keeps its rows and stays queued for the next run; the
 * run reports how many (issue 17: a 207 used to empty companies -> contacts and report nothing).
 */
export async function drainAssociations(ctx: ExtractorContext, decl: CrmObjectDeclaration): Promise<void> {
  for (const to of decl.associations) {
    if (ctx.signal.aborted) return;
    // A type this run found missing (leads without Sales Hub) has no associations to read; its queued inputs stay.
    if (ctx.unavailable.has(to)) continue;
    const starts = await queueChunkStarts(ctx.db, ctx.db.schema, decl.name, to, ASSOCIATION_BATCH_LIMIT);
    const chunks = starts.map((lo, i) => ({ lo, hi: starts[i + 1] }));
    // Association batches are independent of each other: they wait behind the sequential list chains and
    // fill the capacity those leave, so the run does not end on one chain at its own pace.
    await ctx.fanOut.processBatch(chunks, (chunk) => readChunk(ctx, decl.name, to, chunk), { desc: 'associations', priority: -1 });
  }
}

/** How paths name a type: a custom object's `objectTypeId`, a standard type's name. */
function apiType(ctx: ExtractorContext, name: string): string {
  const info = ctx.objectTypes.find((t) => t.name === name);
  return info ? apiTypeOf(info) : name;
}

async function readChunk(ctx: ExtractorContext, from: string, to: string, chunk: { lo: string; hi?: string }): Promise<void> {
  if (ctx.signal.aborted || ctx.unavailable.has(to)) return;
  try {
    await readChunkOnce(ctx, from, to, chunk);
  } catch (error) {
    // The other side is a type the portal lacks (this side was just read): reported once, the pair skipped for
    // the run, its inputs left queued. An error about this side itself fails as any other.
    if (!(error instanceof ObjectTypeUnavailableError) || !error.types.includes(apiType(ctx, to))) throw error;
    ctx.unavailable.report(to, error);
  }
}

async function readChunkOnce(ctx: ExtractorContext, from: string, to: string, chunk: { lo: string; hi?: string }): Promise<void> {
  const schema = ctx.db.schema;
  const { ids, startedAt } = await readQueueChunk(ctx.db, schema, from, to, chunk.lo, chunk.hi);
  if (ids.length === 0) return;
  const queued = new Set(ids);
  const found = new Map<string, AssociatedObject[]>();
  const kept = new Map<string, string>();
  let inputs: { id: string; after?: string }[] = ids.map((id) => ({ id }));
  while (inputs.length > 0) {
    const reads = await ctx.reader.batchReadAssociations(apiType(ctx, from), apiType(ctx, to), inputs);
    const more: { id: string; after?: string }[] = [];
    for (const read of reads) {
      if (!queued.has(read.fromId) || kept.has(read.fromId)) continue;
      if (read.error !== undefined) {
        kept.set(read.fromId, read.error);
        found.delete(read.fromId);
        continue;
      }
      const list = found.get(read.fromId) ?? [];
      list.push(...read.to);
      found.set(read.fromId, list);
      if (read.nextAfter) more.push({ id: read.fromId, after: read.nextAfter });
    }
    inputs = more;
  }
  const complete = ids.filter((id) => !kept.has(id));
  const rows: CopyValue[][] = [];
  for (const id of complete) {
    for (const target of found.get(id) ?? []) {
      for (const type of target.associationTypes) rows.push([from, id, to, target.toObjectId, type.typeId, type.category, type.label ?? null]);
    }
  }
  await ctx.db.transaction(async (tx) => {
    await replaceAssociations(tx, schema, from, to, complete, rows);
    await dequeue(tx, schema, from, to, complete, startedAt);
  });
  ctx.emit({ type: 'associations:loaded', extractor: from, rows: rows.length });
  if (kept.size > 0) {
    const [first] = kept.values();
    ctx.emit({ type: 'associations:kept', extractor: from, to, inputs: kept.size, reason: first });
  }
}
