import { Client } from '@hubspot/api-client';
import { attachAgent, detachAgent } from './transport.js';

export interface HubSpotClientOptions {
  accessToken: string;
  /** Origin without a trailing slash (HUBSPOT_BASE_URL). */
  baseUrl: string;
  /** Upper bound on pooled sockets; the processor never has more requests in flight than its pool. */
  maxSockets?: number;
}

/**
 * The one HubSpot client of a process. No `limiterOptions` and no `numberOfApiCallRetries`, so the
 * client's bottleneck limiter and retry decorator are off and the executor's limits and retries are
 * the only ones (contract §4.2, §4.3).
 *
 * Decorators live in a process-wide singleton that every `new Client()` overwrites, and API groups
 * pick them up lazily on first access (contract §4.2). The groups we call are therefore touched here,
 * right after construction, so they are bound to "no decorators" even if other code later builds a
 * client with a limiter.
 *
 * Its keep-alive pool is attached through `transport.ts`, which every request of `api.ts` goes through
 * (the client's own `httpAgent` option is never used by 13.x: see there).
 */
export function createHubSpotClient(options: HubSpotClientOptions): Client {
  const client = new Client({ accessToken: options.accessToken, basePath: options.baseUrl.replace(/\/+$/, '') });
  void client.crm.objects.basicApi;
  void client.crm.objects.batchApi;
  void client.crm.objects.searchApi;
  void client.crm.properties.coreApi;
  void client.marketing.forms.formsApi;
  attachAgent(client, options.baseUrl, { maxSockets: options.maxSockets ?? 64 });
  return client;
}

/**
 * Closes the client's pooled keep-alive sockets. A run's client is dropped when the run ends; without this its
 * idle sockets stayed open, one pool more for every run of a scheduled process.
 */
export function closeHubSpotClient(client: Client): void {
  detachAgent(client);
}

export type HubSpotClient = Client;
