import { describe, expect, it } from 'vitest';
import { isDeadGrant, refreshBeforeMs } from '../../../src/fleet/oauth.js';

describe('token endpoint refusals', () => {
  it("a dead grant in HubSpot's v1 shape (BAD_REFRESH_TOKEN) and in RFC 6749's (invalid_grant)", () => {
    expect(isDeadGrant(400, { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token' })).toBe(true);
    expect(isDeadGrant(400, { error: 'invalid_grant', error_description: 'refresh token revoked' })).toBe(true);
    expect(isDeadGrant(400, { status: 'error', message: 'x', category: 'BAD_REFRESH_TOKEN', correlationId: 'c' })).toBe(true);
  });

  it('anything else is not a dead grant: a wrong client, a server error, a rate limit', () => {
    expect(isDeadGrant(400, { status: 'BAD_CLIENT_ID', message: 'missing or unknown client id' })).toBe(false);
    expect(isDeadGrant(400, { error: 'invalid_client' })).toBe(false);
    expect(isDeadGrant(500, { status: 'BAD_REFRESH_TOKEN' })).toBe(false);
    expect(isDeadGrant(429, { status: 'error', errorType: 'RATE_LIMIT' })).toBe(false);
    expect(isDeadGrant(400, undefined)).toBe(false);
  });

  it('refreshes 5 minutes before expiry, or at half-life for short-lived tokens', () => {
    expect(refreshBeforeMs(1800)).toBe(300_000);
    expect(refreshBeforeMs(4)).toBe(2000);
  });
});
