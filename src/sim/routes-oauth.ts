import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { json, type HttpReply } from './error-bodies.js';

/**
 * A public app's OAuth token endpoint, `POST /oauth/v1/token` (shared/hubspot-openapi/oauth-v1.json, contract
 * §6.4): form-encoded `grant_type=refresh_token`, `client_id`, `client_secret`, `refresh_token`; answers
 * `{access_token, refresh_token, expires_in, token_type}`. Access tokens expire on the simulator's clock and
 * keep working until then after a newer one is issued (HubSpot does not revoke on refresh).
 *
 * Each install (refresh token) has its own rate-limit window, whatever access token it uses: the server keys
 * the window by install, so a refresh does not hand out a fresh window (110 per 10 s per installing account).
 * An install belongs to one portal (with `--portals N`, `install(id, k)`): its tokens read that portal's data and
 * count in that portal's limiter, with no daily limit and no daily headers (OAuth calls have none, contract §1.5).
 * Errors have HubSpot's v1 shapes: a revoked or unknown refresh token answers 400 `BAD_REFRESH_TOKEN`, a
 * wrong client 400 `BAD_CLIENT_ID` / `BAD_CLIENT_SECRET`. Tests install, revoke and count refreshes directly.
 */
export const OAUTH_TOKEN_PATH = '/oauth/v1/token';

export interface SimOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** Lifetime of an access token (HubSpot: 1800 s). */
  accessTokenTtlSeconds: number;
  /** How long the token endpoint takes to answer, on the simulator's clock. */
  latencyMs: number;
}

export interface TokenRequestRecord {
  install?: string;
  start: number;
  end: number;
  status: number;
}

interface Install {
  id: string;
  revoked: boolean;
  /** The simulated portal (1..N) the app was installed in. */
  portal: number;
}

export class SimOAuth {
  config: SimOAuthConfig = { clientId: 'sim-client-id', clientSecret: 'sim-client-secret', accessTokenTtlSeconds: 1800, latencyMs: 0 };
  private readonly installs = new Map<string, Install>();
  private readonly accessTokens = new Map<string, { install: string; portal: number; expiresAt: number }>();
  /** Every token request, in arrival order. */
  readonly requests: TokenRequestRecord[] = [];

  constructor(private readonly clock: Clock) {}

  /** A new install of the app in portal `portal` (1..N, default the first); returns its refresh token. */
  install(id: string = `install-${this.installs.size + 1}`, portal = 1): string {
    const refreshToken = `sim-refresh-${randomBytes(16).toString('hex')}`;
    this.installs.set(refreshToken, { id, revoked: false, portal });
    return refreshToken;
  }

  /** The install was removed from the portal: its refresh token stops working (access tokens expire as issued). */
  revoke(refreshToken: string): void {
    const install = this.installs.get(refreshToken);
    if (install) install.revoked = true;
  }

  /** The install (and its portal) an access token belongs to; 'expired' past its expiry; undefined when unknown. */
  authenticate(token: string, now: number): { install: string; portal: number } | 'expired' | undefined {
    const grant = this.accessTokens.get(token);
    if (!grant) return undefined;
    return now >= grant.expiresAt ? 'expired' : { install: grant.install, portal: grant.portal };
  }

  async handleToken(method: string, rawBody: string): Promise<HttpReply> {
    const start = this.clock.now();
    const record: TokenRequestRecord = { start, end: start, status: 0 };
    this.requests.push(record);
    const reply = this.answer(method, new URLSearchParams(rawBody), record);
    if (this.config.latencyMs > 0) await this.clock.sleep(this.config.latencyMs);
    record.end = this.clock.now();
    record.status = reply.status;
    return reply;
  }

  private answer(method: string, form: URLSearchParams, record: TokenRequestRecord): HttpReply {
    const error = (status: string, message: string) => json(400, { status, message, correlationId: randomUUID(), requestId: randomUUID() });
    if (method !== 'POST') return json(405, { status: 'error', message: 'Method not allowed', correlationId: randomUUID() });
    if (form.get('grant_type') !== 'refresh_token') return error('BAD_GRANT_TYPE', 'grant_type must be refresh_token');
    if (form.get('client_id') !== this.config.clientId) return error('BAD_CLIENT_ID', 'missing or unknown client id');
    if (form.get('client_secret') !== this.config.clientSecret) return error('BAD_CLIENT_SECRET', 'missing or invalid client secret');
    const refreshToken = form.get('refresh_token') ?? '';
    const install = this.installs.get(refreshToken);
    if (!install || install.revoked) return error('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
    record.install = install.id;
    const accessToken = `sim-access-${randomBytes(24).toString('hex')}`;
    this.accessTokens.set(accessToken, { install: install.id, portal: install.portal, expiresAt: this.clock.now() + this.config.accessTokenTtlSeconds * 1000 });
    return json(200, { token_type: 'bearer', access_token: accessToken, refresh_token: refreshToken, expires_in: this.config.accessTokenTtlSeconds });
  }
}
