import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../../src/sim/index.js';
import { createRunContext } from '../../../src/run/run-context.js';
import { agentOf } from '../../../src/hubspot/transport.js';
import { simSettings, TEST_WINDOW_MS } from '../../helpers/extract-harness.js';

/**
 * The run's keep-alive pool is the one every request uses, on every path: typed client methods (`legacy`) and
 * `apiRequest` (the dated versions, forms, submissions, associations). Fails on e3f2e9c: @hubspot/api-client
 * 13.x never used the `httpAgent` it was given, so each request went out on Node's global agent, with as many
 * sockets as requests in flight (`maxSockets` had no effect).
 */
let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({
    preset: 'small',
    seed: 71,
    rateLimitWindowMs: TEST_WINDOW_MS,
    size: { contacts: 120, companies: 10, deals: 10, engagements: 40, forms: 2, submissions: 20 },
  });
});
afterAll(async () => {
  await sim?.close();
});

describe('HTTP keep-alive', () => {
  it.each(['legacy', '2026-09'] as const)(
    "%s: every request goes out on the run's pool, within its socket limit (fails on e3f2e9c)",
    async (version) => {
      // HUBSPOT_MAX_CONCURRENCY 1: the pool holds at most 2 sockets.
      const settings = simSettings(sim, { HUBSPOT_API_VERSION: version, HUBSPOT_MAX_CONCURRENCY: '1' });
      const context = createRunContext(settings, { windowMs: TEST_WINDOW_MS, trackDailyBudget: false, initialLatencyMs: 20 });
      const requests: { path: string; ours: boolean }[] = [];
      const sockets = new Set<Socket>();
      const onStart = (message: unknown) => {
        const request = (message as { request: ClientRequest }).request;
        requests.push({ path: request.path, ours: (request as ClientRequest & { agent?: unknown }).agent === agentOf(context.client) });
        // The socket is assigned at once (a free one of the pool) or later (a new one, or after a wait).
        if (request.socket) sockets.add(request.socket);
        else request.once('socket', (socket) => sockets.add(socket));
      };
      diagnosticsChannel.subscribe('http.client.request.start', onStart);
      try {
        const api = context.api;
        const page = await api.listObjectsPage('contacts', { limit: 10, properties: ['email'] });
        const ids = page.results.map((r) => r.id);
        await api.getProperties('contacts');
        await api.batchReadObjects('contacts', ids, ['email']);
        await api.searchObjects('contacts', { limit: 5, properties: ['email'] });
        await api.batchReadAssociations(
          'contacts',
          'companies',
          ids.map((id) => ({ id })),
        );
        const forms = await api.listFormsPage();
        await api.listFormSubmissionsPage(forms.results.find((f) => f.formType !== 'blog_comment')!.id);
        // Many at once: a pool of 2 sockets serves them all; the global agent would open one socket each.
        await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? api.getProperties('deals') : api.listObjectsPage('deals', { limit: 5 }))));
      } finally {
        diagnosticsChannel.unsubscribe('http.client.request.start', onStart);
        await context.close();
      }
      expect(requests.length).toBeGreaterThanOrEqual(19);
      expect(requests.filter((r) => !r.ours).map((r) => r.path)).toEqual([]);
      expect(sockets.size).toBeGreaterThan(0);
      expect(sockets.size).toBeLessThanOrEqual(2);
    },
    60_000,
  );

  it('keeps every socket of its pool open between bursts: none is closed to be opened again (fails on 473cff8: 16 idle at most)', async () => {
    // HUBSPOT_MAX_CONCURRENCY 16: the pool holds up to 32 sockets. Replies take 50 ms, so each burst of 24 is in flight at once.
    sim.setOptions({ latencyMedianMs: 50, latencyTailMs: 50 });
    const context = createRunContext(simSettings(sim, { HUBSPOT_MAX_CONCURRENCY: '16' }), { windowMs: TEST_WINDOW_MS, trackDailyBudget: false });
    const opened = new Set<Socket>();
    let closed = 0;
    const onStart = (message: unknown) => {
      const request = (message as { request: ClientRequest }).request;
      const socket = request.socket;
      if (!socket || opened.has(socket)) return;
      opened.add(socket);
      socket.once('close', () => closed++);
    };
    diagnosticsChannel.subscribe('http.client.request.start', onStart);
    try {
      const burst = () => Promise.all(Array.from({ length: 24 }, () => context.api.listObjectsPage('contacts', { limit: 1 })));
      // The run's first request goes alone (its headers first); the bursts come after it.
      await context.api.listObjectsPage('contacts', { limit: 1 });
      await burst();
      await new Promise((resolve) => setImmediate(resolve));
      const afterFirstBurst = opened.size;
      await burst();
      await new Promise((resolve) => setImmediate(resolve));
      expect(afterFirstBurst).toBeGreaterThan(16);
      expect({ closed, opened: opened.size }).toEqual({ closed: 0, opened: afterFirstBurst });
    } finally {
      diagnosticsChannel.unsubscribe('http.client.request.start', onStart);
      sim.setOptions({ latencyMedianMs: 0, latencyTailMs: 0 });
      await context.close();
    }
  }, 60_000);
});
