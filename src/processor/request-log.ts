import { createWriteStream, type WriteStream } from 'node:fs';
import type { RequestLogEntry } from '../request-log-entry.js';

export interface RequestLog {
  append(entry: RequestLogEntry): void;
  close(): Promise<void>;
}

/** NDJSON, one attempt per line, appended as the attempts finish. Paths carry no query string (no secrets). */
export function openRequestLog(file: string): RequestLog {
  const stream: WriteStream = createWriteStream(file, { flags: 'a' });
  let failed: Error | undefined;
  stream.on('error', (err) => {
    failed = err;
  });
  return {
    append(entry) {
      if (!failed) stream.write(`${JSON.stringify(entry)}\n`);
    },
    close() {
      return new Promise((resolve, reject) => {
        stream.end(() => (failed ? reject(failed) : resolve()));
      });
    },
  };
}

export const noRequestLog: RequestLog = { append() {}, close: async () => {} };
