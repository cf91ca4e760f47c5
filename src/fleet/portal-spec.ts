import { Cron } from 'croner';
import { TIER_LIMITS, TIERS, type Tier } from '../../config/settings.js';
import { selectExtractors } from '../../extractors/registry.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import type { Sealed } from './secret-box.js';

/**
 * What the registry holds about one portal, and the checks every value passes before it is stored.
 * Each check fails with one line naming the flag and the expected form (exit 2, nothing touched).
 */
export type AuthKind = 'private_app' | 'oauth';
export type CredentialKind = 'env' | 'file' | 'encrypted';
export type PortalStatus = 'active' | 'paused' | 'needs_reauth';

/** Public (OAuth) apps: 110 requests per 10 s per installing account, no daily limit (contract §1.1). */
export const OAUTH_PER_10S = 110;

export interface CredentialSpec {
  kind: CredentialKind;
  /** Environment variable name (`env`) or absolute file path (`file`). */
  ref?: string;
  /** `encrypted`: the sealed token. */
  sealed?: Sealed;
}

export interface PortalRecord {
  name: string;
  schema: string;
  auth: AuthKind;
  /** Private apps: the account's tier (limits from it unless overridden). */
  tier?: Tier;
  maxRequestsPer10s?: number;
  dailyLimit?: number;
  /** Comma-separated extractor list as `extract --objects` takes it; undefined: all. */
  objects?: string;
  /** Cron expression (evaluated in UTC); undefined: runs only when queued with `portals run`. */
  schedule?: string;
  /** API origin when not the workers' HUBSPOT_BASE_URL (a proxy, a simulator); serves the token endpoint too. */
  baseUrl?: string;
  status: PortalStatus;
  statusReason?: string;
  credential: CredentialSpec;
  /** OAuth: the cached access token (sealed) and its expiry. */
  access?: { sealed: Sealed; expiresAt: Date; lifetimeSeconds: number; refreshedAt: Date };
  nextRunAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface EffectiveLimits {
  per10s: number;
  /** undefined: no daily limit (OAuth). */
  daily?: number;
}

export function effectiveLimits(p: Pick<PortalRecord, 'auth' | 'tier' | 'maxRequestsPer10s' | 'dailyLimit'>): EffectiveLimits {
  if (p.auth === 'oauth') return { per10s: p.maxRequestsPer10s ?? OAUTH_PER_10S, daily: p.dailyLimit };
  const tier = TIER_LIMITS[p.tier ?? 'professional'];
  return { per10s: p.maxRequestsPer10s ?? tier.per10s, daily: p.dailyLimit ?? tier.daily };
}

function usage(message: string): UserFacingError {
  return new UserFacingError(message, ExitCode.usage);
}

const NAME = /^[a-z][a-z0-9_]{0,39}$/;
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) throw usage(`portal name ${JSON.stringify(name)}: expected a lower-case letter then up to 39 letters, digits or _ (e.g. acme_eu)`);
  return name;
}

export function defaultSchema(name: string): string {
  return `hubspot_${name}`;
}

export function checkSchema(schema: string, fleetSchema: string): string {
  if (!SCHEMA.test(schema)) throw usage(`--schema: expected a lower-case SQL identifier (letters, digits, _), got ${JSON.stringify(schema)}`);
  if (schema === fleetSchema || schema.startsWith(`${fleetSchema}_`))
    throw usage(`--schema: ${JSON.stringify(schema)} belongs to the fleet itself (HUBSPOT_FLEET_SCHEMA); choose another`);
  return schema;
}

export function checkTier(tier: string): Tier {
  if (!(TIERS as readonly string[]).includes(tier)) throw usage(`--tier: expected one of ${TIERS.join('|')}, got ${JSON.stringify(tier)}`);
  return tier as Tier;
}

export function checkPositiveInt(flag: string, value: string, example: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0 || n > 2_147_483_647)
    throw usage(`${flag}: expected a positive whole number (e.g. ${example}), got ${JSON.stringify(value)}`);
  return n;
}

export function checkObjects(list: string): string {
  try {
    selectExtractors(list);
  } catch (e) {
    throw usage((e as Error).message);
  }
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(',');
}

/** Cron schedules are evaluated in UTC, so workers on machines in different time zones agree. */
export function cronFor(expression: string): Cron {
  return new Cron(expression, { paused: true, timezone: 'UTC' });
}

export function checkSchedule(expression: string): string {
  try {
    cronFor(expression).stop();
  } catch (e) {
    throw usage(`--schedule: ${JSON.stringify(expression)} is not a cron expression (${(e as Error).message}); e.g. "*/15 * * * *"`);
  }
  return expression;
}

export function nextRunAfter(expression: string, after: Date): Date | undefined {
  const cron = cronFor(expression);
  try {
    return cron.nextRun(after) ?? undefined;
  } finally {
    cron.stop();
  }
}

export function checkBaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') return url.replace(/\/+$/, '');
  } catch {
    /* reported below */
  }
  throw usage(`--base-url: expected an http(s) URL such as https://api.hubapi.com, got ${JSON.stringify(url)}`);
}

export function checkEnvName(flag: string, name: string): string {
  if (!ENV_NAME.test(name)) throw usage(`${flag}: expected the name of an environment variable (e.g. HUBSPOT_TOKEN_ACME), got ${JSON.stringify(name)}`);
  return name;
}

export function checkFilePath(flag: string, file: string): string {
  // Workers on other machines resolve the path: a relative one would depend on each worker's directory.
  if (!file.startsWith('/')) throw usage(`${flag}: expected an absolute path (workers on other machines resolve it), got ${JSON.stringify(file)}`);
  return file;
}
