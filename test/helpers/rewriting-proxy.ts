import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJsonKeepingBigIntegers } from '../../src/hubspot/json-bigint.js';

/**
 * A loopback HTTP proxy in front of the simulator that can rewrite chosen replies: the edge pages, `200 {}`,
 * partial 207s and odd submissions real portals and networks produce and the simulator does not. Test-only:
 * every other request goes through unchanged (the simulator still counts and limits it).
 */
export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface ProxyReply {
  status: number;
  contentType: string;
  body: string;
  headers: Record<string, string>;
}

/** Returns the reply to send: `forward()`'s (maybe changed), one of its own, or undefined for the upstream one unchanged. */
export type ProxyRule = (req: ProxiedRequest, forward: () => Promise<ProxyReply>) => Promise<ProxyReply | undefined>;

export interface RewritingProxy {
  url: string;
  rule: ProxyRule | undefined;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-type']);

export interface ProxyOptions {
  /** Rewrites the request target before it is forwarded (rules still see the path as the client sent it). */
  mapTarget?: (target: string) => string;
}

export async function startRewritingProxy(target: string, options: ProxyOptions = {}): Promise<RewritingProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const proxy: RewritingProxy = { url: '', rule: undefined, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', target);
      const request: ProxiedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body };
      const forward = () =>
        new Promise<ProxyReply>((resolve, reject) => {
          const out = http.request(
            {
              host: upstream.hostname,
              port: upstream.port,
              method: req.method,
              path: options.mapTarget ? options.mapTarget(req.url ?? '/') : req.url,
              headers: { ...req.headers, host: upstream.host },
              agent,
            },
            (up) => {
              const parts: Buffer[] = [];
              up.on('data', (c: Buffer) => parts.push(c));
              up.on('end', () => {
                const headers: Record<string, string> = {};
                for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = String(v);
                resolve({
                  status: up.statusCode ?? 502,
                  contentType: String(up.headers['content-type'] ?? ''),
                  body: Buffer.concat(parts).toString('utf8'),
                  headers,
                });
              });
              up.on('error', reject);
            },
          );
          out.on('error', reject);
          out.end(body);
        });
      const rule = proxy.rule;
      const reply = rule ? rule(request, forward).then((r) => r ?? forward()) : forward();
      reply.then(
        (r) => {
          res.writeHead(r.status, {
            ...r.headers,
            ...(r.contentType ? { 'content-type': r.contentType } : {}),
            'content-length': String(Buffer.byteLength(r.body)),
          });
          res.end(r.body);
        },
        () => res.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    agent.destroy();
  };
  return proxy;
}

/** JSON reply helper for rules. */
export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): ProxyReply {
  return { status, contentType: 'application/json;charset=utf-8', body: typeof value === 'string' ? value : JSON.stringify(value), headers };
}

/**
 * Parses a reply body for a rule to change. Ids above 2^53 (association `toObjectId`s) come back as strings
 * rather than rounded, so the rewritten reply still names the right records.
 */
export function parseBody<T>(reply: ProxyReply): T {
  return parseJsonKeepingBigIntegers(reply.body) as T;
}
