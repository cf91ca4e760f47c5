import type { Database } from '../db/database.js';
import { ident } from '../db/database.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import { resolveCredential, sealContext } from './credentials.js';
import { getPortal } from './registry.js';
import type { KeyRing } from './secret-box.js';

/**
 * OAuth public-app installs: the refresh token is the portal's credential; access tokens come from
 * `POST {HUBSPOT_BASE_URL}/oauth/v1/token` (form-encoded `grant_type=refresh_token`, client id and secret in
 * the body, never in the URL; shared/hubspot-openapi/oauth-v1.json, contract §6.4) and expire (`expires_in`).
 *
 * The access token last issued is cached in the registry, sealed, with its expiry, so every worker uses the
 * same one. A token is refreshed when less than min(5 minutes, half its lifetime) is left, by one worker at
 * a time per portal: under a transaction-level advisory lock, the first worker refreshes and the others, once
 * they get the lock, find the fresh token and use it. Times are the database's (`now()`), so workers on
 * machines whose clocks differ agree on what is fresh.
 *
 * A refresh answered as a dead grant (`invalid_grant`, HubSpot's `BAD_REFRESH_TOKEN`) marks the portal
 * `needs_reauth`: its jobs stop being scheduled until a new refresh token is given (`portals update`).
 */
export const TOKEN_PATH = '/oauth/v1/token';
const REFRESH_MARGIN_SECONDS = 300;
const TOKEN_TIMEOUT_MS = 30_000;

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** HUBSPOT_BASE_URL: serves the token endpoint as well as the API. */
  baseUrl: string;
}

/** The refresh token is dead: the install was removed or its grant revoked. Only a person can fix it. */
export class NeedsReauthError extends UserFacingError {
  constructor(portal: string, detail: string) {
    super(
      `portal ${portal} needs to be authorised again: the token endpoint refused its refresh token (${detail}); give a new one with: portals update ${portal} --refresh-token-…`,
      ExitCode.runFailed,
    );
    this.name = 'NeedsReauthError';
  }
}

/** Any other failed refresh (network, 5xx, 429, a rejected client id or secret): the run fails and is retried. */
export class TokenRefreshError extends UserFacingError {
  constructor(message: string) {
    super(message, ExitCode.runFailed);
    this.name = 'TokenRefreshError';
  }
}

export interface IssuedToken {
  accessToken: string;
  /** A new refresh token, when the endpoint rotated it. */
  refreshToken?: string;
  expiresInSeconds: number;
}

/** How a refusal reads: HubSpot's v1 body is `{status: "BAD_REFRESH_TOKEN", message}`; RFC 6749 says `{error: "invalid_grant"}`. */
export function isDeadGrant(status: number, body: unknown): boolean {
  if (status !== 400 && status !== 401) return false;
  const b = (body ?? {}) as Record<string, unknown>;
  const codes = [b.status, b.error, b.category, b.subCategory].filter((v): v is string => typeof v === 'string').map((v) => v.toUpperCase());
  return codes.some((c) => c === 'BAD_REFRESH_TOKEN' || c === 'INVALID_GRANT' || c.endsWith('.INVALID_REFRESH_TOKEN'));
}

export async function requestAccessToken(app: OAuthApp, refreshToken: string, portal: string, fetchImpl: typeof fetch = fetch): Promise<IssuedToken> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: refreshToken });
  let response: Response;
  try {
    response = await fetchImpl(`${app.baseUrl}${TOKEN_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', accept: 'application/json' },
      body: body.toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch (e) {
    throw new TokenRefreshError(
      `portal ${portal}: the token endpoint did not answer (${(e as Error).name === 'TimeoutError' ? 'timeout' : (e as Error).message})`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok) {
    const t = (json ?? {}) as { access_token?: unknown; refresh_token?: unknown; expires_in?: unknown };
    if (typeof t.access_token !== 'string' || !t.access_token || typeof t.expires_in !== 'number' || !(t.expires_in > 0)) {
      throw new TokenRefreshError(`portal ${portal}: the token endpoint answered ${response.status} without an access token and its expires_in`);
    }
    return {
      accessToken: t.access_token,
      refreshToken: typeof t.refresh_token === 'string' && t.refresh_token ? t.refresh_token : undefined,
      expiresInSeconds: t.expires_in,
    };
  }
  const b = (json ?? {}) as Record<string, unknown>;
  // The message is HubSpot's own text about the request; it never repeats the tokens sent in the body.
  const detail = [response.status, b.status ?? b.error ?? b.category, b.message ?? b.error_description].filter((v) => v !== undefined && v !== '').join(' ');
  if (isDeadGrant(response.status, json)) throw new NeedsReauthError(portal, detail);
  throw new TokenRefreshError(`portal ${portal}: the token endpoint refused the refresh (${detail || response.status})`);
}

export interface AccessToken {
  token: string;
  /** Milliseconds of validity left when it was read (database time). */
  remainingMs: number;
  /** This process's clock when it was read: `readAt + remainingMs` is its expiry on this machine's clock. */
  readAt: number;
  /** Milliseconds before expiry at which it is refreshed. */
  refreshBeforeMs: number;
}

interface CachedRow {
  fresh: boolean;
  remaining_ms: number | null;
  lifetime: number | null;
}

export class OAuthTokens {
  constructor(
    private readonly db: Database,
    private readonly keys: KeyRing,
    private readonly app: OAuthApp | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private freshness(name: string, q: Pick<Database, 'query'> = this.db) {
    return q.query<CachedRow>(
      `select access_expires_at - now() > least(interval '${REFRESH_MARGIN_SECONDS} seconds', make_interval(secs => coalesce(access_lifetime_seconds, 0) / 2.0)) as fresh,
              (extract(epoch from access_expires_at - now()) * 1000)::bigint as remaining_ms,
              access_lifetime_seconds as lifetime
         from ${ident(this.db.schema)}.portals where name = $1`,
      [name],
    );
  }

  private async cached(name: string, q: Pick<Database, 'query'> = this.db): Promise<AccessToken | undefined> {
    const [{ rows }, portal] = await Promise.all([this.freshness(name, q), getPortal(q, this.db.schema, name)]);
    if (!portal) throw new UserFacingError(`no portal named ${JSON.stringify(name)}`, ExitCode.runFailed);
    if (!rows[0]?.fresh || !portal.access) return undefined;
    return {
      token: this.keys.open(portal.access.sealed, sealContext(name, 'access')),
      remainingMs: Number(rows[0].remaining_ms),
      readAt: Date.now(),
      refreshBeforeMs: refreshBeforeMs(portal.access.lifetimeSeconds),
    };
  }

  /** A valid access token for the portal; refreshes it (once across all workers) when it is near its expiry. */
  async accessToken(name: string): Promise<AccessToken> {
    if (!this.keys.current)
      throw new UserFacingError('HUBSPOT_FLEET_KEY is not set: workers need it for OAuth portals (their access tokens are cached encrypted)', ExitCode.usage);
    const hit = await this.cached(name);
    if (hit) return hit;
    let reauth: NeedsReauthError | undefined;
    const result = await this.db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`hubspot-extract:oauth:${this.db.schema}:${name}`]);
      // Another worker may have refreshed while this one waited for the lock.
      const again = await this.cached(name, tx);
      if (again) return again;
      const portal = await getPortal(tx, this.db.schema, name);
      if (!portal) throw new UserFacingError(`no portal named ${JSON.stringify(name)}`, ExitCode.runFailed);
      if (!this.app)
        throw new UserFacingError(
          "HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET are not set: workers need the public app's credentials to refresh OAuth access tokens",
          ExitCode.usage,
        );
      const refreshToken = await resolveCredential(portal, this.keys, this.env);
      let issued: IssuedToken;
      // The token's life is counted from the request, the earliest the endpoint can have issued it.
      const requestedAt = Date.now();
      try {
        issued = await requestAccessToken({ ...this.app, baseUrl: portal.baseUrl ?? this.app.baseUrl }, refreshToken, name, this.fetchImpl);
      } catch (error) {
        if (!(error instanceof NeedsReauthError)) throw error;
        reauth = error;
        await tx.query(`update ${ident(this.db.schema)}.portals set status = 'needs_reauth', status_reason = $2, updated_at = now() where name = $1`, [
          name,
          error.message,
        ]);
        return undefined;
      }
      const sealed = this.keys.seal(issued.accessToken, sealContext(name, 'access'));
      await tx.query(
        `update ${ident(this.db.schema)}.portals
            set access_ciphertext = $2, access_key_id = $3, access_expires_at = now() + make_interval(secs => $4), access_lifetime_seconds = $4,
                access_refreshed_at = now(), updated_at = now()
          where name = $1`,
        [name, sealed.ciphertext, sealed.keyId, issued.expiresInSeconds],
      );
      if (issued.refreshToken && issued.refreshToken !== refreshToken && portal.credential.kind === 'encrypted') {
        // HubSpot's v1 endpoint returns the same refresh token; should it ever rotate it, keep the new one.
        const next = this.keys.seal(issued.refreshToken, sealContext(name, 'credential'));
        await tx.query(`update ${ident(this.db.schema)}.portals set credential_ciphertext = $2, credential_key_id = $3 where name = $1`, [
          name,
          next.ciphertext,
          next.keyId,
        ]);
      }
      return {
        token: issued.accessToken,
        remainingMs: issued.expiresInSeconds * 1000,
        readAt: requestedAt,
        refreshBeforeMs: refreshBeforeMs(issued.expiresInSeconds),
      };
    });
    if (reauth) throw reauth;
    return result!;
  }
}

export function refreshBeforeMs(lifetimeSeconds: number): number {
  return Math.min(REFRESH_MARGIN_SECONDS, lifetimeSeconds / 2) * 1000;
}

/**
 * Keeps a run's client on a valid access token: refreshes a little before expiry (through OAuthTokens, so
 * once per portal across the fleet) and hands each new token to `use`. A dead grant calls `onDead`.
 */
export function keepAccessTokenFresh(
  tokens: OAuthTokens,
  portal: string,
  first: AccessToken,
  use: (token: string) => void,
  onError: (error: Error) => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let current = first.token;
  const schedule = (inMs: number) => {
    if (stopped) return;
    timer = setTimeout(tick, Math.max(0, inMs));
    timer.unref();
  };
  // When to ask again: by this machine's clock, from when the token was read (not from when this was called).
  const dueIn = (t: AccessToken) => t.readAt + t.remainingMs - t.refreshBeforeMs - Date.now();
  const tick = async () => {
    try {
      const next = await tokens.accessToken(portal);
      if (stopped) return;
      if (next.token !== current) use((current = next.token));
      // At least 100 ms apart: a token this machine's clock finds due but the database's not yet is asked for again shortly.
      schedule(Math.max(dueIn(next), 100));
    } catch (error) {
      if (stopped) return;
      onError(error as Error);
      // A transient failure is tried again soon; the old token is still valid for a while.
      if (!(error instanceof NeedsReauthError)) schedule(1000);
    }
  };
  schedule(dueIn(first));
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
