/**
 * The processor's outcome errors. A request failure is classified once (classify.ts) and then
 * surfaces as exactly one of these, so the run can branch on `instanceof` instead of parsing messages.
 */

/**
 * Why a run stopped: a response said so (classify.ts), or an endpoint's circuit stayed open. `server-wait`:
 * the server asked (Retry-After) for a longer pause than a run takes inside itself (LONGEST_IN_RUN_WAIT_MS).
 */
export type FatalReason = 'auth' | 'scope' | 'daily-budget' | 'migration' | 'server-wait' | 'circuit';

/** Stops the whole run: retrying or skipping cannot help (bad token, missing scope, daily budget). */
export class FatalRunError extends Error {
  readonly code: string = 'FATAL_RUN';
  constructor(
    message: string,
    readonly reason: FatalReason,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'FatalRunError';
  }
}

/**
 * The run stopped before using the share of the daily limit reserved for other apps (or HubSpot
 * answered a DAILY 429). Work done so far is valid; the run can be resumed after the daily reset.
 */
export class DailyBudgetExhausted extends FatalRunError {
  override readonly code = 'DAILY_BUDGET_EXHAUSTED';
  constructor(
    message: string,
    readonly dailyLimit: number | undefined,
    readonly dailyRemaining: number | undefined,
  ) {
    super(message, 'daily-budget', 429);
    this.name = 'DailyBudgetExhausted';
  }
}

/**
 * The run was asked to stop (SIGTERM/SIGINT) while a request waited between attempts (backoff, Retry-After,
 * 423, an open breaker): the wait ends at once and the request is given up, left for the next run. Not a
 * failure: the run ends `stopped`, as when an extractor sees the signal between pages.
 */
export class RunStopped extends Error {
  readonly code = 'RUN_STOPPED';
  constructor() {
    super('stopped while waiting to retry a request');
    this.name = 'RunStopped';
  }
}

/** The request is wrong for this one item (400, 404): the item is skipped and recorded, the run goes on. */
export class SkippedItemError extends Error {
  readonly code = 'SKIPPED_ITEM';
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly endpoint: string,
  ) {
    super(`${endpoint} answered ${status}: ${reason}`);
    this.name = 'SkippedItemError';
  }
}

/** A transient failure kept happening until the attempts ran out; the item fails, the run goes on. */
export class RetriesExhaustedError extends Error {
  readonly code = 'RETRIES_EXHAUSTED';
  constructor(
    readonly endpoint: string,
    readonly attempts: number,
    readonly lastCause: string,
    readonly lastStatus: number | undefined,
  ) {
    super(`${endpoint} still failing after ${attempts} attempt(s): ${lastCause}${lastStatus ? ` (HTTP ${lastStatus})` : ''}`);
    this.name = 'RetriesExhaustedError';
  }
}

/** The abort reason of a request that got no complete response in time. */
export class RequestTimeoutError extends Error {
  readonly code = 'REQUEST_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/**
 * A non-2xx answer from an endpoint the typed client does not cover (`apiRequest` resolves on any
 * status). Shaped like the client's ApiException so one classifier handles both.
 */
export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
  ) {
    super(`HTTP ${code}`);
    this.name = 'HttpStatusError';
  }
}

/**
 * A 2xx reply whose body is not the endpoint's JSON shape: an edge or proxy page served with 200, `{}`, a
 * string, a body without `results`. Nothing in it is data, so it is never read as an empty page: the
 * classifier makes it a retryable `malformed-response`. Thrown by the HubSpot layer's shape checks.
 */
export class MalformedResponseError extends Error {
  readonly code = 'MALFORMED_RESPONSE';
  constructor(
    readonly endpoint: string,
    readonly problem: string,
  ) {
    super(`${endpoint} answered with a body that is not its JSON shape (${problem})`);
    this.name = 'MalformedResponseError';
  }
}

/**
 * 414 URI Too Long: the request line is over a limit between us and HubSpot (often an HTML page from the
 * edge or a proxy). Retrying the same request cannot help; the caller asks another way (properties in a
 * POST body instead of the query string).
 */
export class RequestTooLongError extends Error {
  readonly code = 'REQUEST_TOO_LONG';
  constructor(
    readonly endpoint: string,
    readonly urlBytes: number,
  ) {
    super(`${endpoint} answered 414 URI Too Long for a ${urlBytes}-byte URL`);
    this.name = 'RequestTooLongError';
  }
}

/**
 * A call about an object type the portal does not have, or that this key may not read (403 or 404 on an endpoint
 * of a type that portals may lack: leads without Sales Hub, the commerce objects, a custom object whose schema went
 * away). Not a failure of the run: the type is reported once and skipped (classify.ts decides, from the call's
 * `mayBeMissing` types). `types` are the types the call named that may be missing.
 */
export class ObjectTypeUnavailableError extends Error {
  readonly code = 'OBJECT_TYPE_UNAVAILABLE';
  constructor(
    readonly types: readonly string[],
    readonly status: number,
    readonly reason: string,
    readonly endpoint: string,
  ) {
    super(`${endpoint} answered ${status} for ${types.join(' or ')}: ${reason}`);
    this.name = 'ObjectTypeUnavailableError';
  }
}
