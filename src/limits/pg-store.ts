import { ident, type Queryable } from '../db/database.js';

/**
 * The SQL of the shared limits (tables and the acquire/release functions are in
 * src/db/migrations/002_shared_limits.sql, which also states the counting rule). One small function per
 * statement; every one takes the schema because the pool's connections do not set a search_path.
 */

/**
 * NOTIFY channel. Payloads are a kind letter then `schema/limit name` ('/' never appears in either):
 * `r` slots were released, `u` the limit or the line changed (update, delete, a waiter left).
 */
export const LIMITS_CHANNEL = 'hubspot_extract_limits';

export interface SharedLimitDefinition {
  name: string;
  limit: number;
  slotDecayPerSecond: number;
  /** Set for rolling-window limits: `limit` requests per `windowMs`. */
  windowMs?: number;
  active: boolean;
  tags: string[];
}

export interface SharedLimitRow extends SharedLimitDefinition {
  createdAt: Date;
  updatedAt: Date;
}

export interface SharedLimitSummary extends SharedLimitRow {
  /** Slots counted right now (held, inside their window, or not yet decayed). */
  inUse: number;
  holders: number;
  waiting: number;
}

export interface HolderUsage {
  holder: string;
  /** Slots held by running work (lease not expired, not released). */
  heldSlots: number;
  /** All slots of this holder still counted, including released ones inside their window. */
  countedSlots: number;
  leases: number;
  firstAcquiredAt: Date;
  /** Latest lease expiry of the held slots (undefined when nothing is held any more). */
  leaseExpiresAt?: Date;
}

export interface DenialRow {
  at: Date;
  holder: string;
  slots: number;
  reason: string;
}

export interface WaiterRow {
  ticket: number;
  holder: string;
  slots: number;
  enqueuedAt: Date;
}

function table(schema: string, name: string): string {
  return `${ident(schema)}.${name}`;
}

interface LimitDbRow {
  name: string;
  limit: number;
  slot_decay_per_second: number;
  window_ms: number | null;
  active: boolean;
  tags: string[];
  created_at: Date;
  updated_at: Date;
}

const LIMIT_COLUMNS = 'name, "limit", slot_decay_per_second, window_ms, active, tags, created_at, updated_at';

function toRow(r: LimitDbRow): SharedLimitRow {
  const row: SharedLimitRow = {
    name: r.name,
    limit: r.limit,
    slotDecayPerSecond: Number(r.slot_decay_per_second),
    active: r.active,
    tags: r.tags,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.window_ms !== null) row.windowMs = r.window_ms;
  return row;
}

/** Creates the limit unless one of that name exists; returns whether it was created. */
export async function insertLimit(q: Queryable, schema: string, d: SharedLimitDefinition): Promise<boolean> {
  const { rowCount } = await q.query(
    `insert into ${table(schema, 'limits')} (name, "limit", slot_decay_per_second, window_ms, active, tags)
     values ($1, $2, $3, $4, $5, $6) on conflict (name) do nothing`,
    [d.name, d.limit, d.slotDecayPerSecond, d.windowMs ?? null, d.active, d.tags],
  );
  return rowCount === 1;
}

/**
 * Creates or replaces a definition (tags are kept unless given); slots already held stay counted against
 * the new values, and waiting processes are woken to apply them.
 */
export async function upsertLimit(q: Queryable, schema: string, d: Omit<SharedLimitDefinition, 'tags'> & { tags?: string[] }): Promise<void> {
  await q.query(
    `insert into ${table(schema, 'limits')} (name, "limit", slot_decay_per_second, window_ms, active, tags)
     values ($1, $2, $3, $4, $5, coalesce($6, '{}'::text[]))
     on conflict (name) do update set "limit" = excluded."limit", slot_decay_per_second = excluded.slot_decay_per_second,
       window_ms = excluded.window_ms, active = excluded.active, tags = coalesce($6, limits.tags), updated_at = now()`,
    [d.name, d.limit, d.slotDecayPerSecond, d.windowMs ?? null, d.active, d.tags ?? null],
  );
  await notifyLimitChanged(q, schema, d.name);
}

export async function getLimit(q: Queryable, schema: string, name: string): Promise<SharedLimitRow | undefined> {
  const { rows } = await q.query<LimitDbRow>(`select ${LIMIT_COLUMNS} from ${table(schema, 'limits')} where name = $1`, [name]);
  return rows[0] && toRow(rows[0]);
}

export async function listLimits(q: Queryable, schema: string): Promise<SharedLimitSummary[]> {
  const { rows } = await q.query<LimitDbRow & { in_use: number; holders: string; waiting: string }>(
    `select ${LIMIT_COLUMNS.split(', ')
      .map((c) => `m.${c}`)
      .join(', ')},
       coalesce((select sum(c.counted) from ${table(schema, 'limit_lease_counts')} c where c.limit_name = m.name), 0) as in_use,
       (select count(distinct c.holder) from ${table(schema, 'limit_lease_counts')} c where c.limit_name = m.name and c.held) as holders,
       (select count(*) from ${table(schema, 'limit_waiters')} w where w.limit_name = m.name and w.expires_at > now()) as waiting
     from ${table(schema, 'limits')} m order by m.name`,
  );
  return rows.map((r) => ({ ...toRow(r), inUse: Number(r.in_use), holders: Number(r.holders), waiting: Number(r.waiting) }));
}

export interface LimitPatch {
  limit?: number;
  slotDecayPerSecond?: number;
  active?: boolean;
}

/** Applies the patch and wakes every process waiting on the limit; undefined when no such limit. */
export async function updateLimit(q: Queryable, schema: string, name: string, patch: LimitPatch): Promise<SharedLimitRow | undefined> {
  const { rows } = await q.query<LimitDbRow>(
    `update ${table(schema, 'limits')} set "limit" = coalesce($2, "limit"),
       slot_decay_per_second = coalesce($3, slot_decay_per_second), active = coalesce($4, active), updated_at = now()
     where name = $1 returning ${LIMIT_COLUMNS}`,
    [name, patch.limit ?? null, patch.slotDecayPerSecond ?? null, patch.active ?? null],
  );
  if (rows.length === 0) return undefined;
  await notifyLimitChanged(q, schema, name);
  return toRow(rows[0]);
}

/** Deletes the limit with its leases, tickets and denials; wakes its waiters. */
export async function deleteLimit(q: Queryable, schema: string, name: string): Promise<boolean> {
  const { rowCount } = await q.query(`delete from ${table(schema, 'limits')} where name = $1`, [name]);
  if (rowCount === 0) return false;
  await notifyLimitChanged(q, schema, name);
  return true;
}

export async function notifyLimitChanged(q: Queryable, schema: string, name: string): Promise<void> {
  await q.query('select pg_notify($1, $2)', [LIMITS_CHANNEL, `u${schema}/${name}`]);
}

export async function limitUsage(q: Queryable, schema: string, name: string): Promise<{ inUse: number; limit: number } | undefined> {
  const { rows } = await q.query<{ limit: number; in_use: number }>(
    `select m."limit", coalesce((select sum(c.counted) from ${table(schema, 'limit_lease_counts')} c where c.limit_name = m.name), 0) as in_use
     from ${table(schema, 'limits')} m where m.name = $1`,
    [name],
  );
  return rows[0] && { limit: rows[0].limit, inUse: Number(rows[0].in_use) };
}

export async function holdersOf(q: Queryable, schema: string, name: string): Promise<HolderUsage[]> {
  const { rows } = await q.query<{
    holder: string;
    held_slots: string;
    counted_slots: number;
    leases: string;
    first_acquired_at: Date;
    lease_expires_at: Date | null;
  }>(
    `select holder, coalesce(sum(slots) filter (where held), 0) as held_slots, sum(counted) as counted_slots, count(*) as leases,
       min(acquired_at) as first_acquired_at, max(expires_at) filter (where held) as lease_expires_at
     from ${table(schema, 'limit_lease_counts')} where limit_name = $1 and (held or counted > 0)
     group by holder order by min(acquired_at)`,
    [name],
  );
  return rows.map((r) => {
    const usage: HolderUsage = {
      holder: r.holder,
      heldSlots: Number(r.held_slots),
      countedSlots: Number(r.counted_slots),
      leases: Number(r.leases),
      firstAcquiredAt: r.first_acquired_at,
    };
    if (r.lease_expires_at) usage.leaseExpiresAt = r.lease_expires_at;
    return usage;
  });
}

export async function waitersOf(q: Queryable, schema: string, name: string): Promise<WaiterRow[]> {
  const { rows } = await q.query<{ ticket: string; holder: string; slots: number; enqueued_at: Date }>(
    `select ticket, holder, slots, enqueued_at from ${table(schema, 'limit_waiters')}
     where limit_name = $1 and expires_at > now() order by ticket`,
    [name],
  );
  return rows.map((r) => ({ ticket: Number(r.ticket), holder: r.holder, slots: r.slots, enqueuedAt: r.enqueued_at }));
}

export async function recentDenials(q: Queryable, schema: string, name: string, count = 10): Promise<DenialRow[]> {
  const { rows } = await q.query<DenialRow>(
    `select at, holder, slots, reason from ${table(schema, 'limit_denials')} where limit_name = $1 order by id desc limit $2`,
    [name, count],
  );
  return rows;
}

/** Records a denial decided outside limit_acquire (a timeout, a request larger than the limit); keeps the latest 50. */
export async function recordDenial(q: Queryable, schema: string, name: string, holder: string, slots: number, reason: string): Promise<void> {
  await q.query(
    `with added as (
       insert into ${table(schema, 'limit_denials')} (limit_name, holder, slots, reason)
       select name, $2, $3, $4 from ${table(schema, 'limits')} where name = $1 returning id)
     delete from ${table(schema, 'limit_denials')} d where d.limit_name = $1 and d.id < (
       select min(x.id) from (select r.id from ${table(schema, 'limit_denials')} r where r.limit_name = $1 order by r.id desc limit 49) x)`,
    [name, holder, slots, reason],
  );
}

export interface AcquireRequest {
  /** Sorted, distinct limit names; every request takes its slots on all of them or on none. */
  names: readonly string[];
  holder: string;
  /** Slots per request, in queue order; the longest prefix that fits is granted. */
  slots: readonly number[];
  /** Rate mode: slots decay (slot pools) or age out of the window, and are never released. */
  rate: boolean;
  leaseMs: number;
  /** The place in line this caller already holds, if it waited before. */
  ticket?: number;
  recordDenial: boolean;
}

export type AcquireStatus = 'granted' | 'waiting' | 'capacity' | 'unknown' | 'misconfigured';

export interface AcquireResult {
  status: AcquireStatus;
  /** Requests granted (a prefix of `slots`). */
  granted: number;
  /** Lease ids of the granted requests, `names.length` per request, request by request. */
  leaseIds: number[];
  ticket?: number;
  /** When to look again (ms, by the database's clock); undefined when it cannot be foreseen. */
  retryMs?: number;
  /** The retry moment is fixed by slots already released or decaying: a release elsewhere cannot bring it closer. */
  retryExact: boolean;
  /** The limit that blocked, was unknown or misconfigured. */
  blockedName?: string;
  /** The first limit's `limit` and occupancy after this call. */
  limit?: number;
  inUse?: number;
}

export async function acquireSlots(q: Queryable, schema: string, r: AcquireRequest): Promise<AcquireResult> {
  const { rows } = await q.query<{
    status: AcquireStatus;
    lease_ids: string[] | null;
    granted: number;
    ticket: string | null;
    retry_ms: number | null;
    blocked_name: string | null;
    limit_value: number | null;
    in_use: number | null;
    retry_exact: boolean | null;
  }>(`select * from ${ident(schema)}.limit_acquire($1, $2, $3, $4, $5, $6, $7)`, [
    r.names,
    r.holder,
    r.slots,
    r.rate,
    Math.round(r.leaseMs),
    r.ticket ?? null,
    r.recordDenial,
  ]);
  const row = rows[0];
  const result: AcquireResult = {
    status: row.status,
    granted: row.granted ?? 0,
    leaseIds: (row.lease_ids ?? []).map(Number),
    retryExact: row.retry_exact === true,
  };
  if (row.ticket !== null) result.ticket = Number(row.ticket);
  if (row.retry_ms !== null) result.retryMs = Number(row.retry_ms);
  if (row.blocked_name !== null) result.blockedName = row.blocked_name;
  if (row.limit_value !== null) result.limit = row.limit_value;
  if (row.in_use !== null) result.inUse = Number(row.in_use);
  return result;
}

/** `agoMs[i]`: how long ago lease i's work completed (0 when unknown); the window counts from then. */
export async function releaseLeases(q: Queryable, schema: string, ids: readonly number[], agoMs: readonly number[] = []): Promise<void> {
  if (ids.length === 0) return;
  await q.query(`select ${ident(schema)}.limit_release($1, $2)`, [ids, ids.map((_, i) => agoMs[i] ?? 0)]);
}

/**
 * Extends the given leases and tickets of the holder in one statement. Only ids the process knows it
 * holds are renewed: a lease granted by a call whose answer was lost must lapse, not live forever. A
 * lease that already expired is not revived either: its slots may have been handed to someone else, and
 * its id is missing from `renewed`, which is how the holder learns it lost it.
 */
export async function renewHolder(
  q: Queryable,
  schema: string,
  holder: string,
  leaseMs: number,
  leaseIds: readonly number[],
  tickets: readonly number[],
): Promise<{ leases: number; waiters: number; renewed: number[] }> {
  const { rows } = await q.query<{ renewed: string[] | null; waiters: string }>(
    `with l as (
       update ${table(schema, 'limit_leases')} set expires_at = clock_timestamp() + $2 * interval '1 millisecond'
       where id = any ($3) and holder = $1 and counted_until is null and expires_at > clock_timestamp() returning id),
     w as (
       update ${table(schema, 'limit_waiters')} set expires_at = clock_timestamp() + $2 * interval '1 millisecond'
       where ticket = any ($4) and holder = $1 returning 1)
     select (select array_agg(id) from l) as renewed, (select count(*) from w) as waiters`,
    [holder, Math.round(leaseMs), leaseIds, tickets],
  );
  const renewed = (rows[0].renewed ?? []).map(Number);
  return { leases: renewed.length, waiters: Number(rows[0].waiters), renewed };
}

/** Gives up a place in line and wakes the waiters behind it (its reservation is gone). */
export async function dropTicket(q: Queryable, schema: string, ticket: number): Promise<void> {
  const { rows } = await q.query<{ limit_name: string }>(`delete from ${table(schema, 'limit_waiters')} where ticket = $1 returning limit_name`, [ticket]);
  for (const r of rows) await notifyLimitChanged(q, schema, r.limit_name);
}

/** On shutdown: gives back everything the holder still holds and leaves every line it stood in. */
export async function releaseHolder(q: Queryable, schema: string, holder: string): Promise<void> {
  const { rows } = await q.query<{ id: string }>(`select id from ${table(schema, 'limit_leases')} where holder = $1 and counted_until is null`, [holder]);
  await releaseLeases(
    q,
    schema,
    rows.map((r) => Number(r.id)),
  );
  const { rows: tickets } = await q.query<{ ticket: string }>(`select distinct ticket from ${table(schema, 'limit_waiters')} where holder = $1`, [holder]);
  for (const t of tickets) await dropTicket(q, schema, Number(t.ticket));
}
