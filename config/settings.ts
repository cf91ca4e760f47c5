import { z } from 'zod';
import { parse as parseDotenv } from 'dotenv';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HUBSPOT_TIERS, HUBSPOT_TIER_LIMITS, type HubSpotTier } from './hubspot-limits.js';
import { ALL_PROPERTIES, parsePropertySelection, PropertySelectionError, type PropertySelection } from './property-selection.js';
import { API_VERSIONS, DEFAULT_API_VERSION, type ApiVersion } from './api-versions.js';
import { TYPED_RELATIONS_MODES, type TypedRelationsMode } from './typed-relations-modes.js';
import { NO_PROPERTY_HISTORY, parsePropertyHistory, PropertyHistoryError, type PropertyHistorySelection } from './property-history.js';

/**
 * One typed settings schema. Precedence: command-line flags > environment (and `.env`) > profile
 * defaults (APP_ENV) > defaults. Every setting is declared once here; `.env.example` is generated from
 * this table (scripts/write-env-example.ts) and a test keeps the two in step.
 */

export const TIERS = HUBSPOT_TIERS;
export type Tier = HubSpotTier;
export const APP_ENVS = ['development', 'staging', 'production'] as const;
export type AppEnv = (typeof APP_ENVS)[number];
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** HubSpot's documented limits for privately distributed apps (contract §1.1), written in hubspot-limits.ts. */
export const TIER_LIMITS = HUBSPOT_TIER_LIMITS;

/** Development runs beside a person's other work, so it asks for less of the machine and the API. */
const PROFILE_DEFAULTS: Record<AppEnv, Partial<Record<SettingKey, string>>> = {
  development: { HUBSPOT_MAX_CONCURRENCY: '8', LOG_LEVEL: 'info' },
  staging: { HUBSPOT_MAX_CONCURRENCY: '16', LOG_LEVEL: 'info' },
  production: { HUBSPOT_MAX_CONCURRENCY: '32', LOG_LEVEL: 'info' },
};

const positiveInt = (example: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected a positive whole number (e.g. ${example})`)
    .transform(Number)
    .refine((n) => n > 0 && Number.isSafeInteger(n), `expected a positive whole number (e.g. ${example})`);
const nonNegativeInt = (example: string) => z.string().trim().regex(/^\d+$/, `expected a whole number >= 0 (e.g. ${example})`).transform(Number);
const fraction = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, `expected ${what}`)
    .transform(Number);
const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v): v is T[number] => (values as readonly string[]).includes(v), `expected one of ${values.join('|')}`)
    .transform((v) => v as T[number]);
const identifier = z
  .string()
  .trim()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier (letters, digits, _; e.g. hubspot)')
  // Postgres refuses to create schemas named pg_* (and information_schema is its own): fail here, not mid-migration.
  .refine(
    (v) => !v.startsWith('pg_') && v !== 'information_schema',
    'names starting with pg_ (and information_schema) are reserved by Postgres; pick another, e.g. hubspot',
  );
const port = z
  .string()
  .trim()
  .regex(/^\d+$/, 'expected a TCP port from 1 to 65535 (e.g. 9464)')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65_535, 'expected a TCP port from 1 to 65535 (e.g. 9464)');
/** Shorter leases lapse between two renewals (every lease / 3) whenever a round trip or the event loop is slow. */
export const MIN_LEASE_MS = 1000;
const leaseMs = positiveInt('5000').refine(
  (n) => n >= MIN_LEASE_MS,
  `expected at least ${MIN_LEASE_MS} (ms; a shorter lease lapses between renewals), e.g. 5000`,
);
const url = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an http(s) URL such as https://api.hubapi.com')
  .transform((v) => v.replace(/\/+$/, ''));
const postgresUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'expected a URL such as postgres://user:password@host:5432/db');
const text = z.string();
const propertySelection = z.string().transform((v, ctx) => {
  try {
    return parsePropertySelection(v);
  } catch (e) {
    if (!(e instanceof PropertySelectionError)) throw e;
    ctx.addIssue({ code: 'custom', message: `${e.message}; expected type:name,name;type:-name (a leading - excludes)` });
    return z.NEVER;
  }
});
const propertyHistory = z.string().transform((v, ctx) => {
  try {
    return parsePropertyHistory(v);
  } catch (e) {
    if (!(e instanceof PropertyHistoryError)) throw e;
    ctx.addIssue({ code: 'custom', message: `${e.message}; expected type:name,name;type:name (e.g. deals:dealstage,amount;contacts:lifecyclestage)` });
    return z.NEVER;
  }
});
/** A 256-bit key, as 64 hex digits or 44 base64 characters (e.g. `openssl rand -base64 32`). */
const aesKey = z
  .string()
  .trim()
  .refine(
    (v) => /^[0-9a-fA-F]{64}$/.test(v) || (/^[A-Za-z0-9+/]{43}=$/.test(v) && Buffer.from(v, 'base64').length === 32),
    'expected a 256-bit key: 64 hex digits or 44 base64 characters (make one with: openssl rand -base64 32)',
  );
const limitName = z
  .string()
  .trim()
  .refine((v) => v.length > 0 && !/[/%&><]/.test(v), 'expected a limit name without / % & > <');

interface SettingSpec {
  schema: z.ZodType<unknown, string>;
  default?: string;
  description: string;
  secret?: boolean;
}

export const SETTINGS = {
  HUBSPOT_ACCESS_TOKEN: {
    schema: text.refine((v) => v.trim().length > 0, 'expected a Service Key or private-app access token'),
    description:
      'A Service Key (Development > Keys > Service keys in HubSpot) or a legacy private-app access token. Unset: extract needs --demo (runs against the bundled simulator).',
    secret: true,
  },
  HUBSPOT_BASE_URL: {
    schema: url,
    default: 'https://api.hubapi.com',
    description: 'API origin, no trailing slash (the simulator sets this itself in --demo).',
  },
  HUBSPOT_API_VERSION: {
    schema: oneOf(API_VERSIONS),
    default: DEFAULT_API_VERSION,
    description:
      'CRM API version of every CRM path: 2026-09|2026-03 (date-based, each supported 18 months) or legacy (v3/v4: v4 unsupported from 2027-03-30, v3 from September 2027).',
  },
  HUBSPOT_PROPERTIES: {
    schema: propertySelection,
    description:
      'Properties read per object type, e.g. contacts:email,firstname;emails:-hs_email_html (a leading - excludes). Types not named: every property (the default).',
  },
  HUBSPOT_PROPERTY_HISTORY: {
    schema: propertyHistory,
    description:
      'Properties whose every change to store in property_history, per object type, e.g. deals:dealstage,amount;contacts:lifecyclestage. Unset: no history (it is read 50 records a call).',
  },
  HUBSPOT_MAX_DELETE_SHARE: {
    schema: fraction('a fraction between 0 and 1 (e.g. 0.5)'),
    default: '0.5',
    description: "A pass refuses to mark more than this share of a table's live rows deleted at once (and says why); raise it to accept a mass delete.",
  },
  HUBSPOT_TIER: {
    schema: oneOf(TIERS),
    default: 'professional',
    description: 'Account tier: sets the 10-second and daily limits (free|starter|professional|enterprise|api-addon).',
  },
  HUBSPOT_MAX_REQUESTS_PER_10S: { schema: positiveInt('190'), description: "Overrides the tier's rolling 10-second limit." },
  HUBSPOT_DAILY_LIMIT: { schema: positiveInt('625000'), description: "Overrides the tier's daily limit." },
  HUBSPOT_SAFETY_MARGIN: {
    schema: fraction('a fraction between 0 and 1 (e.g. 1.0 or 0.9)'),
    default: '1.0',
    description: 'Fraction of the limits this tool may use (1.0: all of it; the limiter is exact).',
  },
  HUBSPOT_DAILY_RESERVE: {
    schema: fraction('a fraction between 0 and 1 (e.g. 0.1)'),
    default: '0.1',
    description: 'Share of the daily limit left for other apps; a run stops cleanly before eating into it.',
  },
  HUBSPOT_SEARCH_PER_SECOND: { schema: positiveInt('5'), default: '5', description: 'Search API limit (requests per second per account).' },
  HUBSPOT_MAX_CONCURRENCY: {
    schema: positiveInt('32'),
    description: 'Upper bound on requests in flight (the pool is sized from rate x latency under this cap). Default by APP_ENV: 8/16/32.',
  },
  HUBSPOT_REQUEST_TIMEOUT_MS: {
    schema: positiveInt('30000'),
    default: '30000',
    description: 'A request with no response after this many ms is aborted and retried.',
  },
  HUBSPOT_MAX_ATTEMPTS: { schema: positiveInt('6'), default: '6', description: 'Attempts per request before a transient failure fails the item.' },
  HUBSPOT_SEARCH_LAG_MS: {
    schema: nonNegativeInt('60000'),
    default: '60000',
    description: 'Incremental cursors never pass now minus this lag, so records the search index shows late are still caught.',
  },
  HUBSPOT_ASSOCIATIONS_REFRESH_HOURS: {
    schema: nonNegativeInt('24'),
    default: '24',
    description:
      'Re-read every association when the last full read is this old (0: every run). Every run reads the associations of the records it loads; one added or removed on records that did not change (it changes neither modified date) shows after the next full read. README "Associations: what a run re-reads" has the measurements.',
  },
  HUBSPOT_DELETE_SWEEP_HOURS: {
    schema: positiveInt('24'),
    default: '24',
    description: 'Run the id-only sweep that finds hard-deleted records this often; --sweep-deletes forces it.',
  },
  HUBSPOT_SHARED_LIMITS: { schema: bool, default: 'false', description: 'Share the rate limits through Postgres with every process using the same database.' },
  HUBSPOT_LIMITS_LEASE_MS: {
    schema: leaseMs,
    default: '5000',
    description: `Lease of a shared-limit slot holder (ms, at least ${MIN_LEASE_MS}); a crashed or paused holder\'s slots return after this.`,
  },
  HUBSPOT_LIMITS_SCHEMA: {
    schema: identifier,
    description:
      'Postgres schema of the shared limits (default: HUBSPOT_DB_SCHEMA). Set it alike in processes that load one portal into different schemas, so they spend one budget.',
  },
  DATABASE_URL: { schema: postgresUrl, description: 'Postgres to load into. Unset: an embedded Postgres is started under .data/postgres.', secret: true },
  HUBSPOT_DB_SCHEMA: { schema: identifier, default: 'hubspot', description: 'Postgres schema for the extracted tables.' },
  HUBSPOT_TYPED_RELATIONS: {
    schema: oneOf(TYPED_RELATIONS_MODES),
    default: 'table',
    description:
      'Typed columns per object table as <table>_typed: table (typed values kept by the loader; fast queries), view (read from the jsonb at query time; no load cost, slow on big tables) or off.',
  },
  LOG_LEVEL: { schema: oneOf(LOG_LEVELS), description: 'trace|debug|info|warn|error|fatal|silent (default info).' },
  APP_ENV: {
    schema: oneOf(APP_ENVS),
    default: 'development',
    description: 'Environment profile: development|staging|production (development uses less concurrency).',
  },
  METRICS_PORT: { schema: port, description: 'Serve Prometheus metrics on this port during runs (unset: off).' },
  HUBSPOT_LIMIT_NAME: {
    schema: limitName,
    default: 'hubspot',
    description:
      "Name of the shared limit holding the portal's ten-second window (with shared limits); its search limit is NAME-search. Fleet workers name each portal's limits after the portal.",
  },
  // The fleet (`portals`, `fleet`, `worker` commands): many portals, many worker processes, one Postgres.
  HUBSPOT_FLEET_SCHEMA: {
    schema: identifier,
    default: 'hubspot_fleet',
    description: "Schema of the fleet's portal registry and shared limits; pg-boss keeps its queue in NAME_pgboss.",
  },
  HUBSPOT_FLEET_KEY: {
    schema: aesKey,
    description: 'AES-256-GCM key for tokens stored encrypted in the registry (and OAuth access tokens cached there): 64 hex digits or base64 of 32 bytes.',
    secret: true,
  },
  HUBSPOT_FLEET_KEY_OLD: {
    schema: aesKey,
    description: 'The previous HUBSPOT_FLEET_KEY during a key rotation: still read, never written (portals rotate-key re-encrypts under the new key).',
    secret: true,
  },
  HUBSPOT_CLIENT_ID: {
    schema: text.refine((v) => v.trim().length > 0, "expected the public app's client id"),
    description: 'OAuth public app: client id, used by workers to refresh access tokens of OAuth portals.',
  },
  HUBSPOT_CLIENT_SECRET: {
    schema: text.refine((v) => v.trim().length > 0, "expected the public app's client secret"),
    description: 'OAuth public app: client secret (never printed or stored).',
    secret: true,
  },
  HUBSPOT_WORKER_CONCURRENCY: { schema: positiveInt('2'), default: '2', description: 'Portal runs one worker process runs at once.' },
  HUBSPOT_WORKER_HEARTBEAT_SECONDS: {
    schema: positiveInt('30'),
    default: '30',
    description: 'A worker beats every third of this; one silent for longer is dead and its runs are handed to other workers.',
  },
  HUBSPOT_WORKER_POLL_SECONDS: { schema: positiveInt('2'), default: '2', description: 'How often an idle worker asks the queue for a portal run.' },
  HUBSPOT_WORKER_RETRY_LIMIT: {
    schema: nonNegativeInt('3'),
    default: '3',
    description: 'Retries of a failed (or lost) portal run before it waits for its next schedule.',
  },
  HUBSPOT_WORKER_RETRY_DELAY_SECONDS: {
    schema: nonNegativeInt('30'),
    default: '30',
    description: 'First retry delay of a failed or lost portal run (doubling, with jitter).',
  },
  HUBSPOT_WORKER_LOCKED_DELAY_SECONDS: {
    schema: positiveInt('60'),
    default: '60',
    description: 'A run that finds its portal locked by another process is queued again after this.',
  },
} satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

export interface Settings {
  accessToken?: string;
  baseUrl: string;
  apiVersion: ApiVersion;
  /** Per-type property include/exclude lists (HUBSPOT_PROPERTIES); empty: every property. */
  properties: PropertySelection;
  /** Per-type properties whose history is stored (HUBSPOT_PROPERTY_HISTORY); empty: none. */
  propertyHistory: PropertyHistorySelection;
  maxDeleteShare: number;
  tier: Tier;
  maxRequestsPer10s: number;
  dailyLimit: number;
  safetyMargin: number;
  dailyReserve: number;
  searchPerSecond: number;
  maxConcurrency: number;
  requestTimeoutMs: number;
  maxAttempts: number;
  searchLagMs: number;
  associationsRefreshHours: number;
  deleteSweepHours: number;
  sharedLimits: boolean;
  limitsLeaseMs: number;
  /** Schema of the shared limits; the data schema unless set. */
  limitsSchema: string;
  databaseUrl?: string;
  dbSchema: string;
  typedRelations: TypedRelationsMode;
  logLevel: (typeof LOG_LEVELS)[number];
  appEnv: AppEnv;
  metricsPort?: number;
  /** Shared limits: NAME (the ten-second window) and NAME-search. */
  limitName: string;
  fleet: FleetSettings;
}

/** The fleet's settings (workers and the `portals`/`fleet` commands). */
export interface FleetSettings {
  schema: string;
  key?: string;
  oldKey?: string;
  clientId?: string;
  clientSecret?: string;
  workerConcurrency: number;
  heartbeatSeconds: number;
  pollSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
  lockedDelaySeconds: number;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SettingsError';
  }
}

export type SettingsInput = Partial<Record<SettingKey, string | undefined>>;

/**
 * Reads `.env` (in the working directory unless `dotenvPath` says otherwise) into a copy of the environment,
 * without mutating process.env (tests stay isolated). A `.env` that exists but cannot be read is an error:
 * silently ignoring it would run with other settings than the ones the operator wrote down (with no
 * DATABASE_URL, an embedded database would be created instead of theirs). Keys of ours that it misspells
 * are reported through `warn`.
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, dotenvPath?: string, warn: (line: string) => void = () => {}): SettingsInput {
  const file = path.resolve(dotenvPath ?? '.env');
  let fromFile: Record<string, string> = {};
  if (pathExists(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new SettingsError([`${file}: exists but cannot be read (${reason}); make it a readable file, or remove it`]);
    }
    fromFile = parseDotenv(text);
    for (const line of unknownKeyWarnings(Object.keys(fromFile), file)) warn(line);
  }
  return { ...pick(fromFile), ...pick(env) };
}

function pathExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** `HUBSPOT_*` keys that are none of ours: almost always a typo, which would otherwise be ignored in silence. */
export function unknownKeyWarnings(keys: string[], where: string): string[] {
  const known = Object.keys(SETTINGS);
  return keys
    .filter((k) => k.startsWith('HUBSPOT_') && !known.includes(k))
    .map((k) => {
      const close = closestKey(k, known);
      return `${where}: unknown setting ${k} is ignored${close ? `; did you mean ${close}?` : ''} (every setting is listed in .env.example)`;
    });
}

function closestKey(key: string, known: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const k of known) {
    const d = editDistance(key, k);
    if (!best || d < best.distance) best = { key: k, distance: d };
  }
  return best && best.distance <= Math.max(3, Math.floor(key.length / 4)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function pick(env: NodeJS.ProcessEnv): SettingsInput {
  const out: SettingsInput = {};
  for (const key of Object.keys(SETTINGS) as SettingKey[]) if (env[key] !== undefined) out[key] = env[key];
  return out;
}

/**
 * Parses settings from env and flags (flags win). Every problem is collected and thrown together as a
 * SettingsError, one line each, naming the variable and the expected form; secret values are never echoed.
 */
export function parseSettings(env: SettingsInput, flags: SettingsInput = {}): Settings {
  const merged: SettingsInput = { ...env };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k as SettingKey] = v;
  const problems: string[] = [];
  const values: Partial<Record<SettingKey, unknown>> = {};

  const read = (key: SettingKey, profileDefault?: string) => {
    const spec: SettingSpec = SETTINGS[key];
    const raw = merged[key];
    const source = raw === undefined || raw === '' ? (profileDefault ?? spec.default) : raw;
    if (source === undefined) return;
    const result = spec.schema.safeParse(source);
    if (result.success) values[key] = result.data;
    else {
      const reason = result.error.issues[0]?.message ?? 'invalid value';
      const shown = spec.secret ? '' : `, got ${JSON.stringify(truncate(source))}`;
      problems.push(`${key}: ${reason}${shown}`);
    }
  };

  read('APP_ENV');
  const appEnv = (values.APP_ENV as AppEnv | undefined) ?? 'development';
  const profile = PROFILE_DEFAULTS[appEnv];
  for (const key of Object.keys(SETTINGS) as SettingKey[]) if (key !== 'APP_ENV') read(key, profile[key]);

  if (problems.length > 0) throw new SettingsError(problems);

  const tier = values.HUBSPOT_TIER as Tier;
  return {
    accessToken: values.HUBSPOT_ACCESS_TOKEN as string | undefined,
    baseUrl: values.HUBSPOT_BASE_URL as string,
    apiVersion: values.HUBSPOT_API_VERSION as ApiVersion,
    properties: (values.HUBSPOT_PROPERTIES as PropertySelection | undefined) ?? ALL_PROPERTIES,
    propertyHistory: (values.HUBSPOT_PROPERTY_HISTORY as PropertyHistorySelection | undefined) ?? NO_PROPERTY_HISTORY,
    maxDeleteShare: values.HUBSPOT_MAX_DELETE_SHARE as number,
    tier,
    maxRequestsPer10s: (values.HUBSPOT_MAX_REQUESTS_PER_10S as number | undefined) ?? TIER_LIMITS[tier].per10s,
    dailyLimit: (values.HUBSPOT_DAILY_LIMIT as number | undefined) ?? TIER_LIMITS[tier].daily,
    safetyMargin: values.HUBSPOT_SAFETY_MARGIN as number,
    dailyReserve: values.HUBSPOT_DAILY_RESERVE as number,
    searchPerSecond: values.HUBSPOT_SEARCH_PER_SECOND as number,
    maxConcurrency: values.HUBSPOT_MAX_CONCURRENCY as number,
    requestTimeoutMs: values.HUBSPOT_REQUEST_TIMEOUT_MS as number,
    maxAttempts: values.HUBSPOT_MAX_ATTEMPTS as number,
    searchLagMs: values.HUBSPOT_SEARCH_LAG_MS as number,
    associationsRefreshHours: values.HUBSPOT_ASSOCIATIONS_REFRESH_HOURS as number,
    deleteSweepHours: values.HUBSPOT_DELETE_SWEEP_HOURS as number,
    sharedLimits: values.HUBSPOT_SHARED_LIMITS as boolean,
    limitsLeaseMs: values.HUBSPOT_LIMITS_LEASE_MS as number,
    limitsSchema: (values.HUBSPOT_LIMITS_SCHEMA as string | undefined) ?? (values.HUBSPOT_DB_SCHEMA as string),
    databaseUrl: values.DATABASE_URL as string | undefined,
    dbSchema: values.HUBSPOT_DB_SCHEMA as string,
    typedRelations: values.HUBSPOT_TYPED_RELATIONS as TypedRelationsMode,
    logLevel: (values.LOG_LEVEL as Settings['logLevel']) ?? 'info',
    appEnv,
    metricsPort: values.METRICS_PORT as number | undefined,
    limitName: values.HUBSPOT_LIMIT_NAME as string,
    fleet: {
      schema: values.HUBSPOT_FLEET_SCHEMA as string,
      key: values.HUBSPOT_FLEET_KEY as string | undefined,
      oldKey: values.HUBSPOT_FLEET_KEY_OLD as string | undefined,
      clientId: values.HUBSPOT_CLIENT_ID as string | undefined,
      clientSecret: values.HUBSPOT_CLIENT_SECRET as string | undefined,
      workerConcurrency: values.HUBSPOT_WORKER_CONCURRENCY as number,
      heartbeatSeconds: values.HUBSPOT_WORKER_HEARTBEAT_SECONDS as number,
      pollSeconds: values.HUBSPOT_WORKER_POLL_SECONDS as number,
      retryLimit: values.HUBSPOT_WORKER_RETRY_LIMIT as number,
      retryDelaySeconds: values.HUBSPOT_WORKER_RETRY_DELAY_SECONDS as number,
      lockedDelaySeconds: values.HUBSPOT_WORKER_LOCKED_DELAY_SECONDS as number,
    },
  };
}

/** Settings from the real environment and `.env`, with flags on top. */
export function loadSettings(
  flags: SettingsInput = {},
  env: NodeJS.ProcessEnv = process.env,
  warn: (line: string) => void = (line) => process.stderr.write(`warning: ${line}\n`),
): Settings {
  return parseSettings(readEnvironment(env, undefined, warn), flags);
}

/** The rolling-window limit this tool may use after the safety margin. */
export function effectiveWindowLimit(s: Pick<Settings, 'maxRequestsPer10s' | 'safetyMargin'>): number {
  return Math.max(1, Math.floor(s.maxRequestsPer10s * s.safetyMargin));
}

/** Renders `.env.example`: every setting, its default and one line of meaning. */
export function renderEnvExample(): string {
  const lines = ['# hubspot-extract settings. Copy to .env; flags override env, env overrides defaults.', ''];
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, SettingSpec][]) {
    lines.push(`# ${spec.description}`);
    const profile = APP_ENVS.filter((e) => PROFILE_DEFAULTS[e][key] !== undefined);
    if (profile.length > 0) lines.push(`# Default by APP_ENV: ${profile.map((e) => `${e}=${PROFILE_DEFAULTS[e][key]}`).join(', ')}`);
    // Settings with no fixed default stay commented out, so copying the file changes nothing.
    lines.push(`${spec.default === undefined ? '# ' : ''}${key}=${spec.default ?? ''}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Strings that must never be printed: the token, the fleet's keys, the app's secret and any database password. */
export function secretsOf(s: Pick<Settings, 'accessToken' | 'databaseUrl'> & { fleet?: Pick<FleetSettings, 'key' | 'oldKey' | 'clientSecret'> }): string[] {
  const out: string[] = [];
  if (s.accessToken) out.push(s.accessToken);
  for (const secret of [s.fleet?.key, s.fleet?.oldKey, s.fleet?.clientSecret]) if (secret) out.push(secret);
  if (s.databaseUrl) {
    try {
      const pw = decodeURIComponent(new URL(s.databaseUrl).password);
      if (pw) out.push(pw);
    } catch {
      /* parseSettings already validated it */
    }
  }
  return out;
}

function truncate(v: string): string {
  return v.length > 60 ? `${v.slice(0, 57)}...` : v;
}
