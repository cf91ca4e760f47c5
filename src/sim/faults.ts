import type { Random } from '../clock.js';
import type { FaultRates } from './options.js';

/**
 * Seeded fault injection: one draw per request decides whether it fails and how. The same seed and the same
 * request sequence give the same faults, so a failing run can be replayed.
 */

export type Fault =
  | { kind: 'server-error'; status: 500 | 502 | 503 | 504 }
  | { kind: 'timeout' }
  | { kind: 'reset' }
  | { kind: 'malformed' }
  | { kind: 'burst-429' }
  | { kind: 'locked' }
  | { kind: 'migration' }
  | { kind: 'origin-timeout' }
  | { kind: 'edge-page-200'; page: 'challenge' | 'maintenance' };

const SERVER_ERROR_STATUSES = [500, 502, 503, 504] as const;

export class FaultInjector {
  private burstLeft = 0;

  constructor(private readonly random: Random) {}

  next(rates: FaultRates): Fault | undefined {
    if (this.burstLeft > 0) {
      this.burstLeft--;
      return { kind: 'burst-429' };
    }
    const roll = this.random();
    let edge = 0;
    if (roll < (edge += rates.serverError)) {
      return { kind: 'server-error', status: SERVER_ERROR_STATUSES[Math.floor(this.random() * SERVER_ERROR_STATUSES.length)] };
    }
    if (roll < (edge += rates.timeout)) return { kind: 'timeout' };
    if (roll < (edge += rates.reset)) return { kind: 'reset' };
    if (roll < (edge += rates.malformed)) return { kind: 'malformed' };
    if (roll < (edge += rates.burst429)) {
      this.burstLeft = Math.max(0, rates.burst429Length - 1);
      return { kind: 'burst-429' };
    }
    if (roll < (edge += rates.locked)) return { kind: 'locked' };
    // Drawn after the older kinds, so a seed's faults stay the same when these rates are 0.
    if (roll < (edge += rates.migration)) return { kind: 'migration' };
    if (roll < (edge += rates.originTimeout)) return { kind: 'origin-timeout' };
    if (roll < (edge += rates.edgePage200)) return { kind: 'edge-page-200', page: this.random() < 0.5 ? 'challenge' : 'maintenance' };
    return undefined;
  }
}

/** Bodies as the edge proxies send them (contract §5.10): JSON, HTML, nothing at all, HTML. */
export function serverErrorReply(status: 500 | 502 | 503 | 504, correlationId: string): { body?: string; contentType?: string } {
  switch (status) {
    case 500:
      return {
        body: JSON.stringify({ status: 'error', message: 'internal error', correlationId, category: 'INTERNAL_ERROR' }),
        contentType: 'application/json;charset=utf-8',
      };
    case 502:
      return { body: '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>', contentType: 'text/html' };
    case 503:
      return {};
    case 504:
      return { body: "<html><body><h1>504 Gateway Time-out</h1>The server didn't respond in time.</body></html>", contentType: 'text/html' };
  }
}

/**
 * The first half of a JSON body: a reply, with its status kept, that no JSON parser accepts (a body cut short
 * between HubSpot and the client).
 */
export function truncateBody(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}
