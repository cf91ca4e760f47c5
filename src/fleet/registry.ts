import type { Queryable } from '../db/database.js';
import { ident } from '../db/database.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import type { Tier } from '../../config/settings.js';
import type { AuthKind, CredentialSpec, PortalRecord, PortalStatus } from './portal-spec.js';

/**
 * The portal registry's SQL (table `portals` in the fleet schema, src/fleet/migrations/020_fleet_registry.sql).
 * One small function per statement; each takes the fleet schema.
 */
interface PortalRow {
  name: string;
  schema_name: string;
  auth: AuthKind;
  tier: Tier | null;
  max_requests_per_10s: number | null;
  daily_limit: number | null;
  objects: string | null;
  schedule: string | null;
  base_url: string | null;
  status: PortalStatus;
  status_reason: string | null;
  credential_kind: CredentialSpec['kind'];
  credential_ref: string | null;
  credential_ciphertext: Buffer | null;
  credential_key_id: string | null;
  access_ciphertext: Buffer | null;
  access_key_id: string | null;
  access_expires_at: Date | null;
  access_lifetime_seconds: number | null;
  access_refreshed_at: Date | null;
  next_run_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

function fromRow(r: PortalRow): PortalRecord {
  return {
    name: r.name,
    schema: r.schema_name,
    auth: r.auth,
    tier: r.tier ?? undefined,
    maxRequestsPer10s: r.max_requests_per_10s ?? undefined,
    dailyLimit: r.daily_limit ?? undefined,
    objects: r.objects ?? undefined,
    schedule: r.schedule ?? undefined,
    baseUrl: r.base_url ?? undefined,
    status: r.status,
    statusReason: r.status_reason ?? undefined,
    credential: {
      kind: r.credential_kind,
      ref: r.credential_ref ?? undefined,
      sealed: r.credential_ciphertext && r.credential_key_id ? { ciphertext: r.credential_ciphertext, keyId: r.credential_key_id } : undefined,
    },
    access:
      r.access_ciphertext && r.access_key_id && r.access_expires_at
        ? {
            sealed: { ciphertext: r.access_ciphertext, keyId: r.access_key_id },
            expiresAt: r.access_expires_at,
            lifetimeSeconds: r.access_lifetime_seconds ?? 0,
            refreshedAt: r.access_refreshed_at ?? r.access_expires_at,
          }
        : undefined,
    nextRunAt: r.next_run_at ?? undefined,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type NewPortal = Omit<PortalRecord, 'createdAt' | 'updatedAt' | 'access' | 'statusReason'>;

export async function insertPortal(q: Queryable, schema: string, p: NewPortal): Promise<void> {
  try {
    await q.query(
      `insert into ${ident(schema)}.portals (name, schema_name, auth, tier, max_requests_per_10s, daily_limit, objects, schedule, status,
         credential_kind, credential_ref, credential_ciphertext, credential_key_id, next_run_at, base_url)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        p.name,
        p.schema,
        p.auth,
        p.tier ?? null,
        p.maxRequestsPer10s ?? null,
        p.dailyLimit ?? null,
        p.objects ?? null,
        p.schedule ?? null,
        p.status,
        p.credential.kind,
        p.credential.ref ?? null,
        p.credential.sealed?.ciphertext ?? null,
        p.credential.sealed?.keyId ?? null,
        p.nextRunAt ?? null,
        p.baseUrl ?? null,
      ],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      const detail = String((error as { constraint?: string }).constraint ?? '');
      throw new UserFacingError(
        detail.includes('schema')
          ? `another portal already loads into schema ${JSON.stringify(p.schema)}: choose another with --schema`
          : `a portal named ${JSON.stringify(p.name)} already exists (change it with: portals update)`,
        ExitCode.usage,
      );
    }
    throw error;
  }
}

export async function getPortal(q: Queryable, schema: string, name: string, options: { forUpdate?: boolean } = {}): Promise<PortalRecord | undefined> {
  const { rows } = await q.query<PortalRow>(`select * from ${ident(schema)}.portals where name = $1${options.forUpdate ? ' for update' : ''}`, [name]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function listPortals(q: Queryable, schema: string): Promise<PortalRecord[]> {
  const { rows } = await q.query<PortalRow>(`select * from ${ident(schema)}.portals order by name`);
  return rows.map(fromRow);
}

/** Fields `portals update` may change; `null` clears an optional one. */
export interface PortalPatch {
  tier?: Tier | null;
  maxRequestsPer10s?: number | null;
  dailyLimit?: number | null;
  objects?: string | null;
  schedule?: string | null;
  baseUrl?: string | null;
  nextRunAt?: Date | null;
  status?: PortalStatus;
  statusReason?: string | null;
  auth?: AuthKind;
  /** A new credential also forgets the cached OAuth access token (it belonged to the old one). */
  credential?: CredentialSpec;
}

export async function updatePortal(q: Queryable, schema: string, name: string, patch: PortalPatch): Promise<boolean> {
  const sets: string[] = [];
  const values: unknown[] = [name];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (patch.tier !== undefined) set('tier', patch.tier);
  if (patch.maxRequestsPer10s !== undefined) set('max_requests_per_10s', patch.maxRequestsPer10s);
  if (patch.dailyLimit !== undefined) set('daily_limit', patch.dailyLimit);
  if (patch.objects !== undefined) set('objects', patch.objects);
  if (patch.schedule !== undefined) set('schedule', patch.schedule);
  if (patch.baseUrl !== undefined) set('base_url', patch.baseUrl);
  if (patch.nextRunAt !== undefined) set('next_run_at', patch.nextRunAt);
  if (patch.status !== undefined) set('status', patch.status);
  if (patch.statusReason !== undefined) set('status_reason', patch.statusReason);
  if (patch.auth !== undefined) set('auth', patch.auth);
  if (patch.credential) {
    set('credential_kind', patch.credential.kind);
    set('credential_ref', patch.credential.ref ?? null);
    set('credential_ciphertext', patch.credential.sealed?.ciphertext ?? null);
    set('credential_key_id', patch.credential.sealed?.keyId ?? null);
    sets.push('access_ciphertext = null', 'access_key_id = null', 'access_expires_at = null', 'access_lifetime_seconds = null', 'access_refreshed_at = null');
  }
  if (sets.length === 0) return true;
  sets.push('updated_at = now()');
  const { rowCount } = await q.query(`update ${ident(schema)}.portals set ${sets.join(', ')} where name = $1`, values);
  return (rowCount ?? 0) > 0;
}

export async function deletePortal(q: Queryable, schema: string, name: string): Promise<boolean> {
  const { rowCount } = await q.query(`delete from ${ident(schema)}.portals where name = $1`, [name]);
  return (rowCount ?? 0) > 0;
}

export function unknownPortal(name: string): UserFacingError {
  return new UserFacingError(`no portal named ${JSON.stringify(name)} (see: hubspot-extract portals ls)`, ExitCode.usage);
}
