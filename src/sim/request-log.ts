import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestLogEntry as RequestLogLine } from '../request-log-entry.js';
import type { RateLimitPolicy } from './error-bodies.js';

/**
 * Every request the server saw, in arrival order: the audit trail for verify-rate-limit and tests.
 * NDJSON lines are written when the reply is decided, so a file may be slightly out of arrival order when
 * latency is on; sort by `t` when auditing.
 */

/** The shared log line (src/request-log-entry.ts) with what the simulator always fills in. */
export type RequestLogEntry = RequestLogLine & {
  /** Requests in the token's rolling window at arrival, this one included (search requests are not counted). */
  window: number;
  policy?: RateLimitPolicy;
  source?: 'background';
  kind?: 'search';
  /** Refused by the edge before reaching HubSpot (not counted in any window). */
  edge?: 'uri-too-long';
  /** A drifting list page: records of the previous page it repeated, recently modified records it skipped. */
  drift?: { repeated: number; skipped: number };
  /** With `portals` > 1: the portal (1..N) whose token (or OAuth install) made the request. */
  portal?: number;
};

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];
  private stream?: WriteStream;

  constructor(file?: string) {
    if (file) {
      const stream = createWriteStream(file, { flags: 'a' });
      // A log that cannot be written must not crash the portal; the in-memory log stays complete.
      stream.on('error', (error) => {
        process.stderr.write(`request log ${file} failed: ${error.message}\n`);
        if (this.stream === stream) this.stream = undefined;
      });
      this.stream = stream;
    }
  }

  /** Keeps the entry in arrival order; its status may still be filled in before `finish`. */
  arrive(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  /** The reply is decided: the entry is final and goes to the NDJSON file. */
  finish(entry: RequestLogEntry): void {
    this.stream?.write(JSON.stringify(entry) + '\n');
  }

  all(): RequestLogEntry[] {
    return this.entries.slice();
  }

  since(index: number): RequestLogEntry[] {
    return this.entries.slice(index);
  }

  get length(): number {
    return this.entries.length;
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    await new Promise<void>((resolve) => stream.end(resolve));
  }
}
