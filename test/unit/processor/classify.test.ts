import { describe, expect, it } from 'vitest';
import { classifyFailure, classifyStatus, EXPIRED_TOKEN_MESSAGE, REQUEST_TOO_LONG_REASON } from '../../../src/processor/classify.js';
import { HttpStatusError, MalformedResponseError, RequestTimeoutError } from '../../../src/processor/errors.js';

const NOW = 1_000_000;

/** An ApiException as @hubspot/api-client 13.x throws it: {code, body, headers}. */
function apiException(code: number, body: unknown, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body, headers });
}

function socketError(code: string, message: string) {
  return Object.assign(new Error(`request to http://x failed, reason: ${message}`), { name: 'FetchError', type: 'system', code, errno: code });
}

describe('classifyFailure', () => {
  const table: [string, unknown, string, string | undefined][] = [
    ['429 ten-secondly', apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }), 'retryable', 'rate-limit'],
    ['500', apiException(500, { message: 'internal' }), 'retryable', 'server-error'],
    ['502 html body', apiException(502, '<html>bad gateway</html>'), 'retryable', 'server-error'],
    ['503', new HttpStatusError(503, '', {}), 'retryable', 'server-error'],
    ['504', apiException(504, ''), 'retryable', 'server-error'],
    ['524', apiException(524, ''), 'retryable', 'server-error'],
    ['423 locked', apiException(423, {}), 'retryable', 'locked'],
    ['477 migration', apiException(477, {}, { 'retry-after': '60' }), 'retryable', 'migration'],
    ['our timeout', new RequestTimeoutError(30_000), 'retryable', 'timeout'],
    ['node-fetch wrapping our timeout', socketError('REQUEST_TIMEOUT', 'no complete response within 30000 ms'), 'retryable', 'timeout'],
    ['ECONNRESET', socketError('ECONNRESET', 'socket hang up'), 'retryable', 'connection-reset'],
    ['socket hang up without code', new Error('socket hang up'), 'retryable', 'connection-reset'],
    ['undici socket', Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }), 'retryable', 'connection-reset'],
    ['empty body: SyntaxError', new SyntaxError('Unexpected end of JSON input'), 'retryable', 'malformed-response'],
    ['no content type', new Error('Cannot parse content. No Content-Type defined.'), 'retryable', 'malformed-response'],
    ['node-fetch invalid json', Object.assign(new Error('invalid json response body'), { type: 'invalid-json' }), 'retryable', 'malformed-response'],
    ['200 that is not the endpoint shape', new MalformedResponseError('GET /crm/v3/objects/{type}', 'no results array'), 'retryable', 'malformed-response'],
    ['414 with an HTML body', apiException(414, '<html><body>414 Request-URI Too Large</body></html>'), 'skippable', undefined],
    ['400', apiException(400, { category: 'VALIDATION_ERROR', message: 'bad' }), 'skippable', undefined],
    ['404', new HttpStatusError(404, { category: 'OBJECT_NOT_FOUND', message: 'gone' }, {}), 'skippable', undefined],
    ['401', apiException(401, { category: 'EXPIRED_AUTHENTICATION' }), 'fatal', undefined],
    ['403', apiException(403, { category: 'MISSING_SCOPES' }), 'fatal', undefined],
    ['429 daily', apiException(429, { policyName: 'DAILY' }), 'fatal', undefined],
    ['a bug', new TypeError('x is not a function'), 'unknown', undefined],
  ];

  it.each(table)('%s', (_name, error, kind, cause) => {
    const result = classifyFailure(error, NOW);
    expect(result.kind).toBe(kind);
    if (cause) expect(result).toMatchObject({ cause });
  });

  it('names the expired token and how to fix it on 401', () => {
    expect(classifyFailure(apiException(401, {}), NOW)).toEqual({ kind: 'fatal', status: 401, reason: 'auth', message: EXPIRED_TOKEN_MESSAGE });
  });

  it('names the missing scopes from errors[].context.requiredScopes on 403', () => {
    const body = {
      status: 'error',
      message: "This app hasn't been granted all required scopes to make this call.",
      category: 'MISSING_SCOPES',
      errors: [
        { message: 'One or more of the following scopes are required.', context: { requiredScopes: ['crm.objects.deals.read', 'crm.schemas.deals.read'] } },
      ],
    };
    const result = classifyFailure(apiException(403, body), NOW);
    expect(result.kind).toBe('fatal');
    expect(result.kind === 'fatal' && result.message).toContain('crm.objects.deals.read, crm.schemas.deals.read');
  });

  it('keeps the reason of a skip from the error body', () => {
    expect(classifyStatus(400, { category: 'VALIDATION_ERROR', subCategory: 'FORM_TYPE_NOT_ALLOWED', message: 'no' }, {}, NOW)).toEqual({
      kind: 'skippable',
      status: 400,
      reason: 'VALIDATION_ERROR/FORM_TYPE_NOT_ALLOWED: no',
    });
  });

  it('a 414 is named as a request that is too long, whatever its (HTML) body says', () => {
    expect(classifyStatus(414, '<html>Request-URI Too Large</html>', {}, NOW)).toEqual({ kind: 'skippable', status: 414, reason: REQUEST_TOO_LONG_REASON });
  });

  it('423 waits at least the documented 2 s; 477 waits what Retry-After says', () => {
    expect(classifyStatus(423, {}, {}, NOW)).toMatchObject({ minDelayMs: 2000 });
    expect(classifyStatus(477, {}, { 'retry-after': '60' }, NOW)).toMatchObject({ minDelayMs: 60_000 });
    // Hours: the run stops, resumable, and says when to run again.
    expect(classifyStatus(477, {}, { 'retry-after': '7200' }, NOW)).toEqual({
      kind: 'fatal',
      status: 477,
      reason: 'migration',
      message: `HubSpot is migrating this portal (477 Migration in Progress) and asks to wait until ${new Date(NOW + 7_200_000).toISOString()}: run again after that; what is loaded is kept`,
    });
  });

  it('reads ApiException headers case-insensitively for the 429 wait', () => {
    const result = classifyFailure(
      apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }, { 'X-HubSpot-RateLimit-Max': '100', 'X-HubSpot-RateLimit-Remaining': '0' }),
      NOW,
    );
    expect(result).toMatchObject({ kind: 'retryable', rateLimit: { kind: 'window', serverUsed: 100 } });
  });
});

describe('a type the portal may lack', () => {
  // HubSpot answers a type the account lacks (leads without Sales Hub) or the key may not read with 403
  // MISSING_SCOPES, or 404; on a call naming such a type that skips the type, elsewhere a 403 stays fatal.
  const table: [string, unknown, readonly string[] | undefined, string][] = [
    [
      '403 MISSING_SCOPES on leads',
      apiException(403, { category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: ['crm.objects.leads.read'] } }] }),
      ['leads'],
      'unavailable',
    ],
    [
      '403 without category (an OAuth token) on leads',
      apiException(403, { message: 'You do not have permissions to view_schema object type' }),
      ['leads'],
      'unavailable',
    ],
    ['404 on a custom object', new HttpStatusError(404, { message: 'resource not found' }, {}), ['2-3589506'], 'unavailable'],
    ['403 on contacts (no type may be missing)', apiException(403, { category: 'MISSING_SCOPES' }), undefined, 'fatal'],
    ['403 with an empty list', apiException(403, { category: 'MISSING_SCOPES' }), [], 'fatal'],
    ['404 on contacts', new HttpStatusError(404, { message: 'resource not found' }, {}), undefined, 'skippable'],
    ['500 on leads is still retried', apiException(500, {}), ['leads'], 'retryable'],
    ['429 on leads is still a rate limit', apiException(429, { policyName: 'TEN_SECONDLY_ROLLING' }), ['leads'], 'retryable'],
  ];
  it.each(table)('%s', (_name, error, mayBeMissing, kind) => {
    const result = classifyFailure(error, NOW, { mayBeMissing });
    expect(result.kind).toBe(kind);
    if (result.kind === 'unavailable') expect(result.types).toEqual(mayBeMissing);
  });
});
