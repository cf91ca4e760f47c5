import { randomUUID } from 'node:crypto';

/**
 * HubSpot's JSON error bodies (contract §1.4, §2.8). Every handler answers errors through these so the
 * shapes stay identical across endpoints.
 */

export interface HttpReply {
  status: number;
  /** Serialized body, as text or already encoded (`jsonPage`); `undefined` sends no body at all. */
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** A drifting list page: what it repeated and skipped (written to the request log, never sent). */
  drift?: { repeated: number; skipped: number };
}

export function json(status: number, value: unknown): HttpReply {
  return { status, body: JSON.stringify(value), contentType: 'application/json;charset=utf-8' };
}

/**
 * `json` for a page of records, encoded item by item: exactly the bytes of the UTF-8 of `JSON.stringify(value)`,
 * without the page ever being one string. A page of 100 records of 642 properties is about 2 MB of JSON, two
 * bytes per character once one value holds a character beyond Latin-1 (most pages); as one string V8 builds it as
 * a rope in large-object space and must flatten it before encoding, which costs about three times as much as
 * encoding each record's own short string and concatenating the bytes. Arrays at the top level (`results`) are
 * the ones split (an item may be a `JsonText`); other members are stringified whole.
 */
/** A record already serialized: `jsonPage` writes its text as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** `json` for a body already serialized. */
export function jsonText(status: number, body: JsonText): HttpReply {
  return { status, body: body.text, contentType: 'application/json;charset=utf-8' };
}

export function jsonPage(status: number, value: Record<string, unknown>): HttpReply {
  const chunks: Buffer[] = [];
  let pending = '{';
  let members = 0;
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (!Array.isArray(member)) {
      // JSON.stringify leaves out members it cannot write (undefined, functions, symbols).
      const text = JSON.stringify(member) as string | undefined;
      if (text !== undefined) pending += `${members++ > 0 ? ',' : ''}${JSON.stringify(key)}:${text}`;
      continue;
    }
    pending += `${members++ > 0 ? ',' : ''}${JSON.stringify(key)}:[`;
    for (let k = 0; k < member.length; k++) {
      // An item JSON.stringify cannot write is `null` in an array.
      const item: unknown = member[k];
      const text = item instanceof JsonText ? item.text : ((JSON.stringify(item) as string | undefined) ?? 'null');
      chunks.push(Buffer.from(`${pending}${k > 0 ? ',' : ''}${text}`, 'utf8'));
      pending = '';
    }
    pending += ']';
  }
  chunks.push(Buffer.from(`${pending}}`, 'utf8'));
  return { status, body: Buffer.concat(chunks), contentType: 'application/json;charset=utf-8' };
}

export function errorBody(category: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export function validationError(message: string, extra: Record<string, unknown> = {}): HttpReply {
  return json(400, errorBody('VALIDATION_ERROR', message, extra));
}

/** The 400 HubSpot gives for an out-of-range integer query or body parameter. */
export function outOfRange(name: string, value: unknown, min: number, max: number): HttpReply {
  return validationError(`Invalid input JSON on line 1: ${name} must be between ${min} and ${max}, got ${String(value)}`, {
    errors: [{ message: `${name} must be between ${min} and ${max}`, code: 'INVALID_INTEGER', in: name, context: { [name]: [String(value)] } }],
  });
}

export function notFound(message: string): HttpReply {
  return json(404, errorBody('OBJECT_NOT_FOUND', message));
}

/**
 * HubSpot's answer to a path it does not route, which is also what a retired API version answers (HubSpot's
 * sunsets say sunset endpoints "return a 404 error response message", e.g. the owners v2 sunset of 2024): JSON
 * with no `category`, as captured from api.hubapi.com in 2019 (HGData/mk-node-hubspot #150, which also had a
 * `requestId`) and again in 2026 on unrouted CMS paths.
 */
export function routeNotFound(): HttpReply {
  return json(404, { status: 'error', message: 'resource not found', correlationId: randomUUID() });
}

export function missingAuth(): HttpReply {
  return json(
    401,
    errorBody(
      'INVALID_AUTHENTICATION',
      'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
    ),
  );
}

export function invalidToken(): HttpReply {
  return json(401, errorBody('INVALID_AUTHENTICATION', 'The OAuth token used to make this call is invalid or has been revoked.'));
}

export function expiredToken(): HttpReply {
  return json(401, errorBody('EXPIRED_AUTHENTICATION', 'The OAuth token used to make this call expired 0 day(s) ago.'));
}

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

const POLICY_MESSAGES: Record<RateLimitPolicy, string> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  // The message @hubspot/api-client matches to retry search throttling (contract §4.3).
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
};

/** The 429 body of contract §1.4: no `category`, `errorType: RATE_LIMIT`. */
export function rateLimited(policy: RateLimitPolicy): HttpReply {
  return json(429, {
    status: 'error',
    message: POLICY_MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
  });
}

/**
 * The 403 for a type the portal does not have or the app may not read (a portal without Sales Hub has no leads).
 * HubSpot words it per authentication method, as captured in estuary/connectors
 * (source-hubspot-native/tests/test_missing_scope_error.py, reading /crm/v3/properties/leads): a private app's
 * token gets `MISSING_SCOPES` naming the scopes; an OAuth token gets a body without `category`.
 */
export function missingScopes(scope: string, auth: 'private' | 'oauth', legacyObjectType: string, portalId: number): HttpReply {
  if (auth === 'oauth') {
    return json(403, {
      status: 'error',
      message: `You do not have permissions to view_schema object type ObjectTypeId{legacyObjectType=${legacyObjectType}} in portal ${portalId} (requires one of [${scope}])`,
      correlationId: randomUUID(),
    });
  }
  return json(403, {
    status: 'error',
    message: "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    correlationId: randomUUID(),
    errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: [scope] } }],
    links: { scopes: 'https://developers.hubspot.com/scopes' },
    category: 'MISSING_SCOPES',
  });
}
