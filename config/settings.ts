import { z } from 'zod';
import { config as loadDotenv } from 'dotenv';
import { HUBSPOT_TIERS, hubspotTierPreset, type HubSpotTier } from './presets.js';
import { TYPED_RELATIONS_MODES, type TypedRelationsMode } from '../src/load/typed-relations.js';

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

/** HubSpot's documented limits for privately distributed apps (contract §1.1), from the presets. */
export const TIER_LIMITS = Object.fromEntries(
  TIERS.map((tier) => {
    const [tenSecondly, daily] = hubspotTierPreset(tier).windows;
    return [tier, { per10s: tenSecondly.limit, daily: daily.limit }];
  }),
) as Record<Tier, { per10s: number; daily: number }>;

/** Development runs beside a person's other work, so it asks for less of the machine and the API. */
const PROFILE_DEFAULTS: Record<AppEnv, Partial<Record<SettingKey, string>>> = {
  development: { HUBSPOT_MAX_CONCURRENCY: '8', LOG_LEVEL: 'info' },
  staging: { HUBSPOT_MAX_CONCURRENCY: '16', LOG_LEVEL: 'info' },
  production: { HUBSPOT_MAX_CONCURRENCY: '32', LOG_LEVEL: 'info' },
};

const positiveInt = (example: string) =>
  z.string().trim().regex(/^\d+$/, `expected a positive whole number (e.g. ${example})`)
    .transform(Number)
    .refine((n) => n > 0 && Number.isSafeInteger(n), `expected a positive whole number (e.g. ${example})`);
const nonNegativeInt = (example: string) =>
  z.string().trim().regex(/^\d+$/, `expected a whole number >= 0 (e.g. ${example})`).transform(Number);
const fraction = (what: string) =>
  z.string().trim().regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, `expected ${what}`).transform(Number);
const bool = z.string().trim().toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), 'expected true or false')
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().trim().toLowerCase()
    .refine((v): v is T[number] => (values as readonly string[]).includes(v), `expected one of ${values.join('|')}`)
    .transform((v) => v as T[number]);
const identifier = z.string().trim()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier (letters, digits, _; e.g. hubspot)');
const url = z.string().trim()
  .refine((v) => { try { const u = new URL(v); return u.protocol === 'http:' || u.protocol === 'https:'; } catch { return false; } },
    'expected an http(s) URL such as https://api.hubapi.com')
  .transform((v) => v.replace(/\/+$/, ''));
const postgresUrl = z.string().trim()
  .refine((v) => { try { return ['postgres:', 'postgresql:'].includes(new URL(v).protocol); } catch { return false; } },
    'expected a URL such as postgres://user:password@host:5432/db');
const text = z.string();

interface SettingSpec {
  schema: z.ZodType<unknown, string>;
  default?: string;
  description: string;
  secret?: boolean;
}

export const SETTINGS = {
  HUBSPOT_ACCESS_TOKEN: { schema: text.refine((v) => v.trim().length > 0, 'expected a private-app access token'), description: 'Private-app access token. Unset: extract needs --demo (runs against the bundled simulator).', secret: true },
  HUBSPOT_BASE_URL: { schema: url, default: 'https://api.hubapi.com', description: 'API origin, no trailing slash (the simulator sets this itself in --demo).' },
  HUBSPOT_TIER: { schema: oneOf(TIERS), default: 'professional', description: 'Account tier: sets the 10-second and daily limits (free|starter|professional|enterprise|api-addon).' },
  HUBSPOT_MAX_REQUESTS_PER_10S: { schema: positiveInt('190'), description: 'Overrides the tier\'s rolling 10-second limit.' },
  HUBSPOT_DAILY_LIMIT: { schema: positiveInt('625000'), description: 'Overrides the tier\'s daily limit.' },
  HUBSPOT_SAFETY_MARGIN: { schema: fraction('a fraction between 0 and 1 (e.g. 1.0 or 0.9)'), default: '1.0', description: 'Fraction of the limits this tool may use (1.0: all of it; the limiter is exact).' },
  HUBSPOT_DAILY_RESERVE: { schema: fraction('a fraction between 0 and 1 (e.g. 0.1)'), default: '0.1', description: 'Share of the daily limit left for other apps; a run stops cleanly before eating into it.' },
  HUBSPOT_SEARCH_PER_SECOND: { schema: positiveInt('5'), default: '5', description: 'Search API limit (requests per second per account).' },
  HUBSPOT_MAX_CONCURRENCY: { schema: positiveInt('32'), description: 'Upper bound on requests in flight (the pool is sized from rate x latency under this cap). Default by APP_ENV: 8/16/32.' },
  HUBSPOT_REQUEST_TIMEOUT_MS: { schema: positiveInt('30000'), default: '30000', description: 'A request with no response after this many ms is aborted and retried.' },
  HUBSPOT_MAX_ATTEMPTS: { schema: positiveInt('6'), default: '6', description: 'Attempts per request before a transient failure fails the item.' },
  HUBSPOT_SEARCH_LAG_MS: { schema: nonNegativeInt('60000'), default: '60000', description: 'Incremental cursors never pass now minus this lag, so records the search index shows late are still caught.' },
  HUBSPOT_ASSOCIATIONS_REFRESH_HOURS: { schema: nonNegativeInt('24'), default: '0', description: 'Re-read every association when the last full read is this old (0: every run; cheap, read from the smaller side). Adding one changes neither object\'s modified date.' },
  HUBSPOT_DELETE_SWEEP_HOURS: { schema: positiveInt('24'), default: '24', description: 'Run the id-only sweep that finds hard-deleted records this often; --sweep-deletes forces it.' },
  HUBSPOT_SHARED_LIMITS: { schema: bool, default: 'false', description: 'Share the rate limits through Postgres with every process using the same database.' },
  HUBSPOT_LIMITS_LEASE_MS: { schema: positiveInt('5000'), default: '5000', description: 'Lease of a shared-limit slot holder; a crashed holder\'s slots return after this.' },
  HUBSPOT_LIMITS_SCHEMA: { schema: identifier, description: 'Postgres schema of the shared limits (default: HUBSPOT_DB_SCHEMA). Set it alike in processes that load one portal into different schemas, so they spend one budget.' },
  DATABASE_URL: { schema: postgresUrl, description: 'Postgres to load into. Unset: an embedded Postgres is started under .data/postgres.', secret: true },
  HUBSPOT_DB_SCHEMA: { schema: identifier, default: 'hubspot', description: 'Postgres schema for the extracted tables.' },
  HUBSPOT_TYPED_RELATIONS: { schema: oneOf(TYPED_RELATIONS_MODES), default: 'table', description: 'Typed columns per object table as <table>_typed: table (typed values kept by the loader; fast queries), view (read from the jsonb at query time; no load cost, slow on big tables) or off.' },
  LOG_LEVEL: { schema: oneOf(LOG_LEVELS), description: 'trace|debug|info|warn|error|fatal|silent (default info).' },
  APP_ENV: { schema: oneOf(APP_ENVS), default: 'development', description: 'Environment profile: development|staging|production (development uses less concurrency).' },
  METRICS_PORT: { schema: positiveInt('9464'), description: 'Serve Prometheus metrics on this port during runs (unset: off).' },
} satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

export interface Settings {
  accessToken?: string;
  baseUrl: string;
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
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SettingsError';
  }
}

export type SettingsInput = Partial<Record<SettingKey, string | undefined>>;

/** Reads `.env` into a copy of the environment without mutating process.env (tests stay isolated). */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env, dotenvPath?: string): SettingsInput {
  const fromFile: Record<string, string> = {};
  loadDotenv({ path: dotenvPath, processEnv: fromFile, quiet: true } as Parameters<typeof loadDotenv>[0]);
  return { ...fromFile, ...pick(env) };
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
    const source = raw === undefined || raw === '' ? profileDefault ?? spec.default : raw;
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
  };
}

/** Settings from the real environment and `.env`, with flags on top. */
export function loadSettings(flags: SettingsInput = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  return parseSettings(readEnvironment(env), flags);
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

/** Strings that must never be printed: the token and any database password. */
export function secretsOf(s: Pick<Settings, 'accessToken' | 'databaseUrl'>): string[] {
  const out: string[] = [];
  if (s.accessToken) out.push(s.accessToken);
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
