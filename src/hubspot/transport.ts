import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Client } from '@hubspot/api-client';

/**
 * How the client's requests reach the network: the one module that knows how `@hubspot/api-client` 13.x sends
 * them (node-fetch 2, given an `agent` per request). Two defects of 13.x kept the keep-alive agent passed as
 * `httpAgent` from ever being used, so every request went out on Node's global agent (`maxSockets` ignored,
 * and the run's pool closed at its end was never the one in use):
 *
 * - typed methods (`basicApi.getPageWithHttpInfo`...): the generated `ObservableAPI` runs the configuration's
 *   middleware, where the client sets the agent, only when the call brings middleware of its own
 *   (`allMiddleware` stays empty otherwise). `typedCallOptions` brings one that sets the agent, appended to the
 *   client's own (so its header middleware runs as well);
 * - `apiRequest` never passes an agent to node-fetch. `sendApiRequest` builds the request with the client's own
 *   `Request` (URL, query, auth header, JSON body: exactly as `apiRequest` does) and sends it with node-fetch
 *   and the agent. It skips the client's decorators, which the tool turns off anyway (and which are a
 *   process-wide singleton any other `new Client()` could turn on).
 *
 * Client 14.x moves to the global fetch (undici), where a pool is a `dispatcher`, not an `agent`: this module
 * is what changes then. The keep-alive test (`test/integration/run/keep-alive.test.ts`) says whether it still holds.
 */
const requireHere = createRequire(import.meta.url);
const requireFromClient = createRequire(requireHere.resolve('@hubspot/api-client'));
/** The node-fetch the client itself uses (its dependency, not ours), so requests behave as the client's do. */
const nodeFetch = requireFromClient('node-fetch') as (url: URL | string, init: Record<string, unknown>) => Promise<RawResponse>;
const { Request } = requireHere('@hubspot/api-client/lib/src/services/http/Request.js') as {
  Request: new (config: unknown, opts: ApiRequestOptions) => { getUrl(): URL; getSendData(): Record<string, unknown> };
};

/** What `client.apiRequest` takes. */
export interface ApiRequestOptions {
  method?: string;
  path?: string;
  qs?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The part of a fetch response the tool reads. */
export interface RawResponse {
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
  /** node-fetch 2's body, a Node `Readable` (the global fetch of client 14.x gives a web stream here). */
  body?: unknown;
}

export interface AgentOptions {
  /** Upper bound on sockets; the processor never has more requests in flight than its pool. */
  maxSockets: number;
}

const agents = new WeakMap<Client, http.Agent>();

/**
 * A keep-alive pool for `baseUrl`, used by every request `client` sends through this module.
 *
 * Every socket the pool may hold stays open while idle (`maxFreeSockets` = `maxSockets`). With fewer (it was 16,
 * below the processor's pool of 32), each burst of requests (the rolling window frees slots in bursts) found at
 * most 16 idle sockets: the others had been closed as the previous burst ended and were opened again, one
 * connect more before each of those requests; and every ms of latency keeps a rate slot longer (the window
 * counts a slot until its response + the window). bench:processor's fault scenario opened 276-401 sockets for
 * 4,326 requests this way, against 112-118 with the pool kept whole or on Node's global agent (256 idle kept).
 */
export function attachAgent(client: Client, baseUrl: string, options: AgentOptions): http.Agent {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets };
  const agent = new URL(baseUrl).protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  agents.set(client, agent);
  return agent;
}

/** The client's pool (undefined for a client this module did not give one). */
export function agentOf(client: Client): http.Agent | undefined {
  return agents.get(client);
}

/** Closes the client's pooled sockets; the client must not be used afterwards. */
export function detachAgent(client: Client): void {
  agents.get(client)?.destroy();
  agents.delete(client);
}

/**
 * The last argument of a typed `...WithHttpInfo` call: a middleware that puts the request on the client's pool.
 * Typed as the client's own option types are not exported from its package root.
 */
export function typedCallOptions(client: Client): never {
  const agent = agents.get(client);
  if (!agent) return undefined as never;
  const setAgent = {
    pre: (context: { setAgent(agent: http.Agent): void }) => {
      context.setAgent(agent);
      return Promise.resolve(context);
    },
    post: <T>(context: T) => Promise.resolve(context),
  };
  return { middleware: [setAgent], middlewareMergeStrategy: 'append' } as never;
}

/** `client.apiRequest(opts)`, on the client's pool. Never rejects on an HTTP status, like `apiRequest`. */
export function sendApiRequest(client: Client, opts: ApiRequestOptions): Promise<RawResponse> {
  const agent = agents.get(client);
  if (!agent) return client.apiRequest(opts) as Promise<RawResponse>;
  const request = new Request(client.config, opts);
  return nodeFetch(request.getUrl(), { ...request.getSendData(), agent });
}
