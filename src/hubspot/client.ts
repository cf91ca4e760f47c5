import http from 'node:http';
import https from 'node:https';
import { Client } from '@hubspot/api-client';

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
 */
export function createHubSpotClient(options: HubSpotClientOptions): Client {
  const base = new URL(options.baseUrl);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, maxFreeSockets: 16 };
  const httpAgent = base.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const client = new Client({
    accessToken: options.accessToken,
    basePath: options.baseUrl.replace(/\/+$/, ''),
    httpAgent,
  });
  void client.crm.objects.basicApi;
  void client.crm.objects.batchApi;
  void client.crm.objects.searchApi;
  void client.crm.properties.coreApi;
  void client.marketing.forms.formsApi;
  agents.set(client, httpAgent);
  return client;
}

const agents = new WeakMap<Client, http.Agent>();

/**
 * Closes the client's pooled keep-alive sockets. A run's client is dropped when the run ends; without this its
 * idle sockets stayed open, one pool more for every run of a scheduled process.
 */
export function closeHubSpotClient(client: Client): void {
  agents.get(client)?.destroy();
  agents.delete(client);
}

export type HubSpotClient = Client;
