import { HttpStatusError, MalformedResponseError, RequestTimeoutError, type FatalReason } from './errors.js';
import { parseRetryAfter, rateLimitWait, type RateLimitWait } from './retry-after.js';

/**
 * The one place a failed HubSpot call is classified. Everything else (executor, processor, CLI)
 * branches on the result, never on messages or status codes.
 */

export type RetryCause = 'rate-limit' | 'server-error' | 'locked' | 'migration' | 'timeout' | 'connection-reset' | 'malformed-response';

export type FailureClass =
  | {
      kind: 'retryable';
      cause: RetryCause;
      status?: number;
      /** The server asked for at least this much quiet (423: 2 s; 477/503 with Retry-After). */
      minDelayMs?: number;
      /** Only for 429s: what to wait for. */
      rateLimit?: RateLimitWait;
    }
  | { kind: 'skippable'; status: number; reason: string }
  /**
   * 403/404 on an endpoint of an object type that a portal may lack (the call's `mayBeMissing`): the type is
   * skipped for the run and reported once, the run goes on. On any other endpoint a 403 stays fatal.
   */
  | { kind: 'unavailable'; status: number; types: readonly string[]; reason: string }
  | { kind: 'fatal'; status?: number; reason: Exclude<FatalReason, 'circuit'>; message: string }
  /** Not an HTTP or transport failure (a bug, a cancelled run): the caller rethrows it unchanged. */
  | { kind: 'unknown'; message: string };

export const EXPIRED_TOKEN_MESSAGE =
  'HubSpot rejected the access token (expired or revoked): create a new Service Key (or private-app token) and set HUBSPOT_ACCESS_TOKEN';

/** The reason a 414 is skipped with; the HubSpot layer turns that skip into a RequestTooLongError. */
export const REQUEST_TOO_LONG_REASON = 'request-too-long: 414 URI Too Long';

/**
 * The longest pause a run takes inside itself, the one cap of every in-run wait. A 477's Retry-After is
 * "typically up to 24 hours", and nothing bounds the Retry-After of a 429, a 5xx or a 423: sleeping through
 * that would hold the run lock and every worker for a day (and a timer over 2^31 ms, 24.8 days, fires after
 * 1 ms). So a server that asks for a longer wait stops the run instead, resumable, with the time to run
 * again: retrying sooner than asked only draws the same answer and spends the attempts. The executor's own
 * waits (backoff, an open breaker's cool-down, the per-attempt timeout) are capped at it instead: they are
 * ours to choose, and far below it unless configured otherwise.
 */
export const LONGEST_IN_RUN_WAIT_MS = 5 * 60_000;

/** The documented minimum pause after 423 Locked (contract §1.6). */
export const LOCKED_MIN_DELAY_MS = 2000;

const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const RESET_MESSAGES = ['socket hang up', 'premature close', 'other side closed', 'econnreset', 'aborted'];

/** What the call was about, where that changes what a status means. */
export interface CallContext {
  /**
   * Object types the call names that a portal may not have (HubSpot answers 403 MISSING_SCOPES, or 404, for a
   * type the account lacks or the key may not read). Empty or absent: a 403 is a missing scope, fatal.
   */
  mayBeMissing?: readonly string[];
}

/** Classifies a status with its parsed body and lower-case headers (ApiException fields, or a Response). */
export function classifyStatus(
  status: number,
  body: unknown,
  headers: Record<string, string | undefined> | undefined,
  nowMs: number,
  context: CallContext = {},
): FailureClass {
  if ((status === 403 || status === 404) && context.mayBeMissing && context.mayBeMissing.length > 0) {
    return { kind: 'unavailable', status, types: context.mayBeMissing, reason: status === 403 ? missingScopeMessage(body) : errorReason(body, status) };
  }
  if (status === 429) {
    const wait = rateLimitWait(body, headers, nowMs);
    if (wait.kind === 'daily') {
      return {
        kind: 'fatal',
        status,
        reason: 'daily-budget',
        message: 'HubSpot daily API budget exhausted for this account (429 DAILY); resume after the daily reset',
      };
    }
    if (wait.kind === 'sleep') {
      const stop = stopIfTooLong(status, 'Too Many Requests', wait.ms, nowMs);
      if (stop) return stop;
    }
    return { kind: 'retryable', cause: 'rate-limit', status, rateLimit: wait };
  }
  if (status === 401) return { kind: 'fatal', status, reason: 'auth', message: EXPIRED_TOKEN_MESSAGE };
  if (status === 403) return { kind: 'fatal', status, reason: 'scope', message: missingScopeMessage(body) };
  if (status === 423) {
    const waitMs = retryAfter(headers, nowMs);
    return (
      stopIfTooLong(status, 'Locked', waitMs, nowMs) ?? { kind: 'retryable', cause: 'locked', status, minDelayMs: Math.max(LOCKED_MIN_DELAY_MS, waitMs ?? 0) }
    );
  }
  if (status === 477) {
    const waitMs = retryAfter(headers, nowMs);
    if (waitMs !== undefined && waitMs > LONGEST_IN_RUN_WAIT_MS) {
      const at = timeAfter(nowMs, waitMs);
      return {
        kind: 'fatal',
        status,
        reason: 'migration',
        message: `HubSpot is migrating this portal (477 Migration in Progress) and asks to wait until ${at}: run again after that; what is loaded is kept`,
      };
    }
    return { kind: 'retryable', cause: 'migration', status, minDelayMs: waitMs };
  }
  if (status >= 500 && status <= 599) {
    const waitMs = retryAfter(headers, nowMs);
    return stopIfTooLong(status, 'a server error', waitMs, nowMs) ?? { kind: 'retryable', cause: 'server-error', status, minDelayMs: waitMs };
  }
  if (status === 408) return { kind: 'retryable', cause: 'timeout', status };
  // Often an HTML page from the edge, not HubSpot's JSON: named here, and never retried as it stands.
  if (status === 414) return { kind: 'skippable', status, reason: REQUEST_TOO_LONG_REASON };
  if (status >= 400 && status <= 499) return { kind: 'skippable', status, reason: errorReason(body, status) };
  return { kind: 'unknown', message: `unexpected HTTP status ${status}` };
}

/** Classifies anything a call can throw: ApiException, HttpStatusError, SyntaxError, timeouts, socket errors. */
export function classifyFailure(error: unknown, nowMs: number, context: CallContext = {}): FailureClass {
  if (error instanceof RequestTimeoutError) return { kind: 'retryable', cause: 'timeout' };
  if (error instanceof MalformedResponseError) return { kind: 'retryable', cause: 'malformed-response' };
  if (error instanceof HttpStatusError) return classifyStatus(error.code, error.body, error.headers, nowMs, context);
  if (!error || typeof error !== 'object') return { kind: 'unknown', message: String(error) };
  const e = error as { code?: unknown; body?: unknown; headers?: unknown; name?: unknown; message?: unknown; type?: unknown; cause?: unknown; errno?: unknown };
  // ApiException from @hubspot/api-client: numeric `code` is the HTTP status.
  if (typeof e.code === 'number' && e.code >= 100 && e.code <= 599) {
    return classifyStatus(e.code, e.body, asHeaders(e.headers), nowMs, context);
  }
  const message = typeof e.message === 'string' ? e.message : '';
  const name = typeof e.name === 'string' ? e.name : '';
  if (name === 'TimeoutError' || e.cause instanceof RequestTimeoutError) return { kind: 'retryable', cause: 'timeout' };
  // An empty or cut-off body: the client's JSON.parse throws SyntaxError, node-fetch's json() an
  // 'invalid-json' FetchError, and a missing Content-Type a plain Error (contract §4.4).
  if (error instanceof SyntaxError || e.type === 'invalid-json' || message.startsWith('Cannot parse content')) {
    return { kind: 'retryable', cause: 'malformed-response' };
  }
  const code = typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : undefined;
  if (code === 'REQUEST_TIMEOUT') return { kind: 'retryable', cause: 'timeout' };
  if (code && RESET_CODES.has(code)) return { kind: 'retryable', cause: 'connection-reset' };
  const lower = message.toLowerCase();
  if (e.type === 'system' || e.type === 'body-timeout' || name === 'FetchError') {
    if (lower.includes('no complete response within')) return { kind: 'retryable', cause: 'timeout' };
    return { kind: 'retryable', cause: 'connection-reset' };
  }
  if (RESET_MESSAGES.some((m) => lower.includes(m))) return { kind: 'retryable', cause: 'connection-reset' };
  if (e.cause && e.cause !== error) {
    const inner = classifyFailure(e.cause, nowMs, context);
    if (inner.kind !== 'unknown') return inner;
  }
  return { kind: 'unknown', message: message || name || 'unknown error' };
}

/** Names the scopes HubSpot says are missing, from `errors[].context.requiredScopes` when present. */
export function missingScopeMessage(body: unknown): string {
  const scopes = new Set<string>();
  const collect = (context: unknown) => {
    const required = (context as { requiredScopes?: unknown } | undefined)?.requiredScopes;
    if (Array.isArray(required)) for (const s of required) if (typeof s === 'string') scopes.add(s);
  };
  if (body && typeof body === 'object') {
    const b = body as { context?: unknown; errors?: unknown };
    collect(b.context);
    if (Array.isArray(b.errors)) for (const err of b.errors) collect((err as { context?: unknown })?.context);
  }
  if (scopes.size > 0) {
    const list = [...scopes].join(', ');
    return `HubSpot refused the request: the Service Key (or private app) is missing the scope(s) ${list}. Add ${list} to its scopes and set the new HUBSPOT_ACCESS_TOKEN`;
  }
  return 'HubSpot refused the request (403): the Service Key (or private app) lacks a required scope or permission; check its scopes';
}

function errorReason(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const b = body as { category?: unknown; subCategory?: unknown; message?: unknown };
    const parts = [b.category, b.subCategory].filter((p): p is string => typeof p === 'string');
    const message = typeof b.message === 'string' ? b.message : '';
    const text = [parts.join('/'), message].filter(Boolean).join(': ');
    if (text) return truncate(text);
  }
  if (typeof body === 'string' && body.trim()) return truncate(body.trim());
  return `HTTP ${status}`;
}

/** A Retry-After longer than the run waits (LONGEST_IN_RUN_WAIT_MS) stops the run, resumable, naming the time to run again. */
function stopIfTooLong(status: number, what: string, waitMs: number | undefined, nowMs: number): FailureClass | undefined {
  if (waitMs === undefined || waitMs <= LONGEST_IN_RUN_WAIT_MS) return undefined;
  const at = timeAfter(nowMs, waitMs);
  return {
    kind: 'fatal',
    status,
    reason: 'server-wait',
    message: `HubSpot answered ${status} (${what}) and asks to wait until ${at} (Retry-After): run again after that; what is loaded is kept`,
  };
}

/** The latest time a Date can hold (ms since the epoch). */
const MAX_DATE_MS = 8.64e15;

/** `nowMs + waitMs` as an ISO time; a Retry-After of absurd size must still give a message, not a RangeError. */
function timeAfter(nowMs: number, waitMs: number): string {
  const at = nowMs + waitMs;
  return at <= MAX_DATE_MS ? new Date(at).toISOString() : new Date(MAX_DATE_MS).toISOString();
}

function retryAfter(headers: Record<string, string | undefined> | undefined, nowMs: number): number | undefined {
  return parseRetryAfter(headers?.['retry-after'], nowMs);
}

function asHeaders(value: unknown): Record<string, string | undefined> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k.toLowerCase()] = v === undefined ? undefined : String(v);
  return out;
}

function truncate(s: string): string {
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}
