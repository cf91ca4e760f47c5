import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../src/sim/simulator.js';
import { call } from './http-client.js';

/**
 * Issue 16: `portals: N` serves N independent portals on one port. Each has its own token (`sim-token-k`), its
 * own seed (`seed + k - 1`, so portal k is the portal `--seed seed+k-1` serves alone), data, rate-limit windows,
 * daily count and OAuth installs; the request log names the portal; control endpoints take `?portal=k`.
 */

const SIZE = { contacts: 60, companies: 6, deals: 8, engagements: 40, forms: 2, submissions: 10 };

async function accessToken(sim: RunningSimulator, refreshToken: string): Promise<{ status: number; token?: string }> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: sim.oauth.config.clientId,
    client_secret: sim.oauth.config.clientSecret,
    refresh_token: refreshToken,
  });
  const reply = await fetch(`${sim.url}/oauth/v1/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: reply.status, token: reply.status === 200 ? ((await reply.json()) as { access_token: string }).access_token : undefined };
}

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('a fleet of portals on one port', () => {
  let fleet: RunningSimulator;
  beforeAll(async () => {
    fleet = await startSimulator({ seed: 40, portals: 3, size: SIZE, tenSecondLimit: 4, rateLimitWindowMs: 60_000, dailyLimit: 1_000_000 });
  });
  afterAll(async () => {
    await fleet.close();
  });

  it('gives each portal its own token and seed, and generates a portal only when first used', async () => {
    expect(fleet.portals.map((p) => [p.index, p.token, p.seed])).toEqual([
      [1, 'sim-token-1', 40],
      [2, 'sim-token-2', 41],
      [3, 'sim-token-3', 42],
    ]);
    const before = (await call(fleet.url, 'GET', '/__sim/portals', { token: null })).json().portals;
    expect(before.map((p: { generated: boolean }) => p.generated)).toEqual([false, false, false]);
    expect((await call(fleet.url, 'GET', '/crm/v3/objects/contacts?limit=1', { token: 'sim-token' })).status).toBe(401);
    expect((await call(fleet.url, 'GET', '/crm/v3/objects/contacts?limit=1', { token: 'sim-token-4' })).status).toBe(401);
    expect((await call(fleet.url, 'GET', '/crm/v3/objects/contacts?limit=1', { token: 'sim-token-2' })).status).toBe(200);
    const after = (await call(fleet.url, 'GET', '/__sim/portals', { token: null })).json().portals;
    expect(after.map((p: { generated: boolean }) => p.generated)).toEqual([false, true, false]);
  });

  it('serves each portal its own data: portal k equals the single portal of seed + k - 1', async () => {
    const single = await startSimulator({ seed: 41, size: SIZE });
    try {
      const viaFleet = (await call(fleet.url, 'GET', '/crm/v3/objects/deals?limit=100&properties=dealname,amount', { token: 'sim-token-2' })).json().results;
      const alone = (await call(single.url, 'GET', '/crm/v3/objects/deals?limit=100&properties=dealname,amount')).json().results;
      expect(viaFleet).toEqual(alone);
      const other = (await call(fleet.url, 'GET', '/crm/v3/objects/deals?limit=100&properties=dealname,amount', { token: 'sim-token-3' })).json().results;
      expect(digest(other)).not.toBe(digest(viaFleet));
      const manifest = (await call(fleet.url, 'GET', '/__sim/manifest?portal=2', { token: null })).json();
      expect(manifest.seed).toBe(41);
      expect(digest(manifest)).toBe(digest(single.manifest()));
      expect(digest(fleet.portals[1].manifest())).toBe(digest(single.manifest()));
    } finally {
      await single.close();
    }
  });

  it('keeps rate-limit windows apart: one portal at its limit does not slow another; the log names the portal', async () => {
    const from = fleet.requests().length;
    const statuses = async (token: string, n: number) => {
      const out: number[] = [];
      for (let k = 0; k < n; k++) out.push((await call(fleet.url, 'GET', '/crm/v3/owners?limit=1', { token })).status);
      return out;
    };
    const first = await statuses('sim-token-3', 6);
    expect(first.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(await statuses('sim-token-1', 3)).toEqual([200, 200, 200]);
    const log = fleet.requests().slice(from);
    expect(log.filter((e) => e.portal === 3).length).toBe(6);
    expect(log.filter((e) => e.portal === 1).map((e) => e.window)).toEqual([1, 2, 3]);
    const portal3 = (await call(fleet.url, 'GET', '/__sim/requests?portal=3', { token: null })).json();
    expect(portal3.every((e: { portal: number }) => e.portal === 3)).toBe(true);
    expect(fleet.portals[2].requests().every((e) => e.portal === 3)).toBe(true);
  });

  it('changes one portal at a time: ?portal=k of the mutate endpoint, mutate() of a portal', async () => {
    const before = [1, 2].map((k) => digest(fleet.portals[k - 1].manifest()));
    const applied = (await call(fleet.url, 'POST', '/__sim/mutate?n=20&portal=2', { token: null })).json().applied;
    expect(applied.length).toBeGreaterThan(0);
    expect(digest(fleet.portals[0].manifest())).toBe(before[0]);
    expect(digest(fleet.portals[1].manifest())).not.toBe(before[1]);
  });
});

describe('daily counts and OAuth installs per portal', () => {
  let fleet: RunningSimulator;
  beforeAll(async () => {
    fleet = await startSimulator({ seed: 50, portals: 2, size: SIZE, dailyLimit: 3 });
  });
  afterAll(async () => {
    await fleet.close();
  });

  it('counts the day per portal: portal 1 out of its day leaves portal 2 untouched', async () => {
    const day1: number[] = [];
    for (let k = 0; k < 4; k++) day1.push((await call(fleet.url, 'GET', '/crm/v3/owners?limit=1', { token: 'sim-token-1' })).status);
    expect(day1).toEqual([200, 200, 200, 429]);
    const refused = await call(fleet.url, 'GET', '/crm/v3/owners?limit=1', { token: 'sim-token-1' });
    expect(refused.json().policyName).toBe('DAILY');
    const other = await call(fleet.url, 'GET', '/crm/v3/owners?limit=1', { token: 'sim-token-2' });
    expect(other.status).toBe(200);
    expect(other.headers['x-hubspot-ratelimit-daily-remaining']).toBe('2');
  });

  it("reads an OAuth install's portal with its access tokens, with no daily limit and no daily headers", async () => {
    const refresh = fleet.oauth.install('agency-client', 2);
    const { token } = await accessToken(fleet, refresh);
    const viaOAuth = await call(fleet.url, 'GET', '/crm/v3/objects/contacts?limit=5&properties=email', { token: token! });
    expect(viaOAuth.status).toBe(200);
    expect(viaOAuth.headers['x-hubspot-ratelimit-daily']).toBeUndefined();
    expect(viaOAuth.headers['x-hubspot-ratelimit-daily-remaining']).toBeUndefined();
    expect(viaOAuth.headers['x-hubspot-ratelimit-max']).toBeDefined();
    const viaPrivate = await call(fleet.url, 'GET', '/crm/v3/objects/contacts?limit=5&properties=email', { token: 'sim-token-2' });
    expect(viaOAuth.json().results).toEqual(viaPrivate.json().results);
    // Portal 2's day is spent (3 calls by its private token); OAuth calls have no daily limit.
    for (let k = 0; k < 3; k++) await call(fleet.url, 'GET', '/crm/v3/owners?limit=1', { token: 'sim-token-2' });
    expect((await call(fleet.url, 'GET', '/crm/v3/owners?limit=1', { token: 'sim-token-2' })).status).toBe(429);
    expect((await call(fleet.url, 'GET', '/crm/v3/owners?limit=1', { token: token! })).status).toBe(200);
    const logged = fleet.requests().filter((e) => e.path === '/crm/v3/objects/contacts');
    expect(logged.map((e) => e.portal)).toEqual([2, 2]);
    const inPortal1 = fleet.oauth.install('other-client', 1);
    const other = await accessToken(fleet, inPortal1);
    const portal1 = await call(fleet.url, 'GET', '/crm/v3/objects/contacts?limit=5&properties=email', { token: other.token! });
    expect(portal1.json().results).not.toEqual(viaOAuth.json().results);
  });
});
