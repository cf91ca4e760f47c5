import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import { isNumberedCrmPath } from './api-versions.js';
import { EDGE_PAGES_200, ORIGIN_TIMEOUT_HTML, URI_TOO_LONG_HTML } from './edge-pages.js';
import { expiredToken, invalidToken, json, missingAuth, notFound, rateLimited, routeNotFound, type HttpReply } from './error-bodies.js';
import { serverErrorReply, truncateBody } from './faults.js';
import { sampleLatency } from './latency.js';
import type { SimulatorOptions } from './options.js';
import type { PortalHost } from './portal-host.js';
import { retryAfterSeconds } from './rate-limits.js';
import type { RequestLog, RequestLogEntry } from './request-log.js';
import { associationRoutes } from './routes-associations.js';
import { formRoutes } from './routes-forms.js';
import { objectRoutes } from './routes-objects.js';
import { ownerRoutes } from './routes-owners.js';
import { pipelineRoutes } from './routes-pipelines.js';
import { schemaRoutes } from './routes-schemas.js';
import type { Route } from './route-types.js';
import { OAUTH_TOKEN_PATH, type SimOAuth } from './routes-oauth.js';

/**
 * Request pipeline, in HubSpot's order as far as it is observable: the edge's URL-length check (414, never reaches
 * HubSpot), auth (401, not counted), rate limits on arrival (429), injected faults, then the endpoint (or a 404 for
 * a path HubSpot does not route, which with `legacyPaths: false` includes every numbered CRM path). `/__sim/*`
 * control endpoints bypass all of it.
 */

const ROUTES: Route[] = [...objectRoutes, ...associationRoutes, ...formRoutes, ...ownerRoutes, ...pipelineRoutes, ...schemaRoutes];

/** A control endpoint's reply; a body given as chunks is streamed (the manifest can exceed one string). */
export type ControlReply = HttpReply & { chunks?: Iterable<string> };

export interface PipelineDeps {
  options: () => SimulatorOptions;
  clock: Clock;
  /** The portals served (one unless `portals` > 1), by private-app token. */
  hosts: readonly PortalHost[];
  hostByToken: ReadonlyMap<string, PortalHost>;
  log: RequestLog;
  /** Control endpoints (`/__sim/...`); undefined means 404. */
  control: (method: string, path: string, query: URLSearchParams) => ControlReply | undefined;
  /** Sockets held open by the timeout fault, destroyed on close. */
  held: Set<IncomingMessage>;
  /** The OAuth token endpoint and the access tokens it issued (src/sim/routes-oauth.ts). */
  oauth?: SimOAuth;
}

function matchRoute(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)])) };
  }
  return undefined;
}

function send(res: ServerResponse, reply: HttpReply, extraHeaders: Record<string, string>, correlationId: string): void {
  const headers: Record<string, string> = { 'X-HubSpot-Correlation-Id': correlationId, ...extraHeaders, ...reply.headers };
  if (reply.contentType) headers['Content-Type'] = reply.contentType;
  if (reply.body === undefined) {
    headers['Content-Length'] = '0';
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  // Encoded once: Buffer.byteLength on a page holding any non-Latin-1 character (most pages) walks the string
  // about four times slower than encoding it, and res.end(string) would then encode it again.
  const bytes = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  headers['Content-Length'] = String(bytes.length);
  res.writeHead(reply.status, headers);
  res.end(bytes);
}

/** Streams a large body (the manifest) chunk by chunk, waiting whenever the socket's buffer is full. */
async function sendChunks(res: ServerResponse, status: number, contentType: string, chunks: Iterable<string>): Promise<void> {
  res.writeHead(status, { 'Content-Type': contentType });
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done).off('close', done);
          resolve();
        };
        res.on('drain', done).on('close', done);
      });
    }
  }
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match ? match[1].trim() : '';
}

export function createPipeline(deps: PipelineDeps) {
  const resetTokenExpiry = () => {
    for (const host of deps.hosts) host.authenticated = 0;
  };
  const fleet = deps.hosts.length > 1;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const options = deps.options();
    const now = deps.clock.now();
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const correlationId = randomUUID();

    if (path.startsWith('/__sim/')) {
      const reply: ControlReply = deps.control(method, path, query) ?? notFound(`No simulator control endpoint ${path}`);
      if (reply.chunks) await sendChunks(res, reply.status, reply.contentType ?? 'application/json', reply.chunks);
      else send(res, reply, {}, correlationId);
      return;
    }

    // The token endpoint needs no bearer token and counts in no window (its calls are not in the request log).
    if (path === OAUTH_TOKEN_PATH && deps.oauth) {
      send(res, await deps.oauth.handleToken(method, await readBody(req)), {}, correlationId);
      return;
    }

    const entry: RequestLogEntry = { t: now, method, path, status: 0, window: 0 };
    const after = query.get('after');
    if (after !== null) entry.after = after;
    const token = bearerToken(req);
    // A private-app token names its portal; an OAuth access token names its install, which belongs to one.
    const privateHost = token ? deps.hostByToken.get(token) : undefined;
    const grant = token && !privateHost ? deps.oauth?.authenticate(token, now) : undefined;
    const host = privateHost ?? (grant && grant !== 'expired' ? deps.hosts[grant.portal - 1] : undefined);
    if (fleet && host) entry.portal = host.index;
    // An OAuth access token is counted in its install's window, not its own: a refresh brings no fresh window.
    const windowKey = grant && grant !== 'expired' ? `oauth:${grant.install}` : token;
    if (Buffer.byteLength(rawUrl) > options.maxUrlBytes) {
      // Refused by the edge before HubSpot sees it: no auth, no rate-limit slot, no HubSpot headers.
      entry.status = 414;
      entry.edge = 'uri-too-long';
      entry.window = host && windowKey ? host.limiter.inWindow(windowKey, now) : 0;
      deps.log.arrive(entry);
      deps.log.finish(entry);
      send(res, { status: 414, body: URI_TOO_LONG_HTML, contentType: 'text/html' }, {}, correlationId);
      return;
    }
    let authFailure: HttpReply | undefined;
    if (token === undefined) authFailure = missingAuth();
    else if (grant === 'expired') authFailure = expiredToken();
    else if (!host) authFailure = invalidToken();
    else if (privateHost && options.tokenExpiresAfter > 0 && ++privateHost.authenticated > options.tokenExpiresAfter) authFailure = expiredToken();
    if (authFailure || !host) {
      // Unauthenticated calls belong to no app, so they are logged but not counted in any window.
      const failure = authFailure ?? invalidToken();
      entry.status = failure.status;
      deps.log.arrive(entry);
      deps.log.finish(entry);
      send(res, failure, {}, correlationId);
      return;
    }

    const matched = matchRoute(method, path);
    const kind = matched?.route.kind ?? 'standard';
    const auth = privateHost ? 'private' : 'oauth';
    const admission = host.limiter.admit(windowKey!, kind, now, auth === 'oauth');
    entry.window = admission.window;
    if (kind === 'search') {
      entry.kind = 'search';
      entry.searchWindow = admission.searchWindow;
    }
    deps.log.arrive(entry);
    const finish = (reply: HttpReply, headers: Record<string, string>) => {
      entry.status = reply.status;
      deps.log.finish(entry);
      send(res, reply, headers, correlationId);
    };

    if (!admission.allowed) {
      const reply = rateLimited(admission.policy!);
      entry.policy = admission.policy;
      const headers = { ...admission.headers };
      if (options.retryAfter) headers['Retry-After'] = String(retryAfterSeconds(admission.policy!, now));
      finish(reply, headers);
      return;
    }

    const fault = host.faults.next(options.faults);
    if (fault) entry.fault = fault.kind === 'server-error' ? `server-error-${fault.status}` : fault.kind;
    if (fault?.kind === 'reset') {
      deps.log.finish(entry);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'timeout') {
      deps.log.finish(entry);
      deps.held.add(req);
      const timer = setTimeout(() => req.socket.destroy(), options.timeoutHoldMs);
      timer.unref();
      req.socket.once('close', () => {
        clearTimeout(timer);
        deps.held.delete(req);
      });
      return;
    }

    let reply: HttpReply;
    if (fault?.kind === 'burst-429') {
      reply = rateLimited('TEN_SECONDLY_ROLLING');
      entry.policy = 'TEN_SECONDLY_ROLLING';
    } else if (fault?.kind === 'locked') {
      reply = json(423, { status: 'error', message: 'The resource is locked. Retry after at least 2 seconds.', correlationId, category: 'LOCKED' });
    } else if (fault?.kind === 'migration') {
      reply = json(477, {
        status: 'error',
        message: 'Migration in progress. Retry after the time given in Retry-After.',
        correlationId,
        category: 'MIGRATION_IN_PROGRESS',
      });
      reply.headers = { ...reply.headers, 'Retry-After': String(options.faults.migrationRetryAfterSeconds) };
    } else if (fault?.kind === 'origin-timeout') {
      reply = { status: 524, body: ORIGIN_TIMEOUT_HTML, contentType: 'text/html; charset=UTF-8' };
    } else if (fault?.kind === 'edge-page-200') {
      reply = { status: 200, body: EDGE_PAGES_200[fault.page], contentType: 'text/html; charset=UTF-8' };
    } else if (fault?.kind === 'server-error') {
      reply = { status: fault.status, ...serverErrorReply(fault.status, correlationId) };
    } else if (!matched || (!options.legacyPaths && isNumberedCrmPath(path))) {
      reply = routeNotFound();
    } else {
      let rawBody = '';
      let body: unknown;
      if (method === 'POST') {
        rawBody = await readBody(req);
        if (rawBody.length > 0) {
          try {
            body = JSON.parse(rawBody);
          } catch {
            finish(
              json(400, { status: 'error', message: 'Invalid input JSON: the body is not valid JSON', correlationId, category: 'VALIDATION_ERROR' }),
              admission.headers,
            );
            return;
          }
        }
      }
      const origin = req.headers.host ?? `${options.host}:${options.port}`;
      reply = matched.route.handle({
        portal: host.portal,
        options,
        now,
        params: matched.params,
        query,
        rawBody,
        body,
        baseUrl: `http://${origin}`,
        drift: host.drift,
        auth,
      });
      if (reply.drift) entry.drift = reply.drift;
      if (fault?.kind === 'malformed' && reply.body !== undefined)
        reply = { ...reply, body: truncateBody(typeof reply.body === 'string' ? reply.body : reply.body.toString('utf8')) };
    }
    const delay = sampleLatency(host.latencyRandom, options.latencyMedianMs, options.latencyTailMs);
    if (delay > 0) await deps.clock.sleep(delay);
    if (res.destroyed) {
      deps.log.finish(entry);
      return;
    }
    finish(reply, admission.headers);
  }

  return {
    resetTokenExpiry,
    handler(req: IncomingMessage, res: ServerResponse): void {
      handle(req, res).catch((error: unknown) => {
        // A client that went away mid-request must not take the server down with it.
        if (res.headersSent || res.destroyed) return;
        try {
          send(
            res,
            json(500, { status: 'error', message: `simulator error: ${String(error)}`, correlationId: randomUUID(), category: 'INTERNAL_ERROR' }),
            {},
            randomUUID(),
          );
        } catch {
          res.destroy();
        }
      });
    },
  };
}
