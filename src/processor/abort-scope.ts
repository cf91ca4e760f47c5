import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/**
 * Makes an AbortSignal really abort the HTTP requests a call starts, although @hubspot/api-client 13.x
 * gives no way to pass one: its generated APIs call node-fetch with only {method, body, headers, agent},
 * and `apiRequest` not even the agent. Node publishes every outgoing ClientRequest on the
 * `http.client.request.start` diagnostics channel, synchronously inside the caller's async context, so
 * an AsyncLocalStorage scope set around the call sees exactly the requests that call made, whichever
 * agent or code path created them. On abort they are destroyed: the socket closes, node-fetch rejects
 * (FetchError, type 'system'), and nothing keeps running in the background.
 */
interface AbortScope {
  signal: AbortSignal;
  requests: Set<ClientRequest>;
}

const scopes = new AsyncLocalStorage<AbortScope>();
let subscribed = false;

function onRequestStart(message: unknown): void {
  const scope = scopes.getStore();
  if (!scope) return;
  const request = (message as { request?: ClientRequest }).request;
  if (!request) return;
  if (scope.signal.aborted) {
    request.destroy(asError(scope.signal.reason));
    return;
  }
  scope.requests.add(request);
  request.once('close', () => scope.requests.delete(request));
}

function ensureSubscribed(): void {
  if (subscribed) return;
  diagnosticsChannel.subscribe('http.client.request.start', onRequestStart);
  subscribed = true;
}

/**
 * Runs `call` so that aborting `signal` destroys every HTTP request it has started (and rejects).
 *
 * The abort listener goes when the call settles. Left on the signal, it kept the race below, and so the
 * call's whole reply, reachable for as long as the signal lived; and a keep-alive socket opened inside
 * the scope keeps the scope (its async context), and so the signal, for as long as it stays in the pool:
 * one parsed reply per pooled socket, several MB each with a real portal's properties.
 */
export async function runAbortable<T>(signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  ensureSubscribed();
  const scope: AbortScope = { signal, requests: new Set() };
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      const reason = asError(signal.reason);
      for (const request of scope.requests) request.destroy(reason);
      scope.requests.clear();
      reject(reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // The race covers the time after the socket is gone but before the client has noticed.
  aborted.catch(() => {});
  try {
    return await Promise.race([scopes.run(scope, call), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason ?? 'aborted'));
}
