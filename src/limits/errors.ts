/**
 * The limits engine's errors, classified once here so callers can branch on `instanceof`
 * (or on `code` across process boundaries) instead of parsing messages.
 */

export class LimitTimeoutError extends Error {
  readonly code = 'LIMIT_TIMEOUT';
  constructor(
    readonly limiter: string,
    readonly requested: number,
    readonly timeoutMs: number,
  ) {
    super(`Timed out after ${timeoutMs} ms waiting for ${requested} slot(s) of limit "${limiter}"`);
    this.name = 'LimitTimeoutError';
  }
}

/** The request can never be satisfied: it asks for more slots than the limit has in total. */
export class LimitCapacityError extends RangeError {
  readonly code = 'LIMIT_CAPACITY';
  constructor(
    readonly limiter: string,
    readonly requested: number,
    readonly limit: number,
  ) {
    super(`Limit "${limiter}" has ${limit} slot(s) in total; ${requested} can never be acquired at once`);
    this.name = 'LimitCapacityError';
  }
}

export const FORBIDDEN_LIMIT_NAME_CHARACTERS = ['/', '%', '&', '>', '<'] as const;

export class InvalidLimitNameError extends Error {
  readonly code = 'INVALID_LIMIT_NAME';
  constructor(
    readonly limitName: string,
    readonly reason: string,
  ) {
    super(`Invalid limit name ${JSON.stringify(limitName)}: ${reason}`);
    this.name = 'InvalidLimitNameError';
  }
}

/** Raised in strict mode when work names a limit that was never created. */
export class UnknownLimitError extends Error {
  readonly code = 'UNKNOWN_LIMIT';
  constructor(readonly limitName: string) {
    super(`No limit named ${JSON.stringify(limitName)} exists (strict mode does not create limits on first use)`);
    this.name = 'UnknownLimitError';
  }
}

/** A limit configured in a way that cannot work for the requested use (e.g. rateLimit on a limit that never decays). */
export class LimitConfigurationError extends Error {
  readonly code = 'LIMIT_CONFIGURATION';
  constructor(message: string) {
    super(message);
    this.name = 'LimitConfigurationError';
  }
}

/** Throws InvalidLimitNameError unless `name` is non-empty and free of `/ % & > <`. */
export function validateLimitName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidLimitNameError(String(name ?? ''), 'names must not be empty');
  }
  if (name.trim().length === 0) throw new InvalidLimitNameError(name, 'names must not be blank');
  // A control character would break `limits ls` lines and terminals, and cannot be typed back to name the limit.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) {
    throw new InvalidLimitNameError(name, 'it contains a control character (a tab, newline or escape); use printable characters only');
  }
  for (const ch of FORBIDDEN_LIMIT_NAME_CHARACTERS) {
    if (name.includes(ch)) {
      throw new InvalidLimitNameError(
        name,
        `it contains the character '${ch}'; limit names may not contain any of ${FORBIDDEN_LIMIT_NAME_CHARACTERS.join(' ')}`,
      );
    }
  }
}
