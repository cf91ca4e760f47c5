/**
 * The request log shared by the simulator, the extractor and the verify script (src/request-log-entry.ts):
 * NDJSON, one request a line, `{"t": <epoch ms arrival>, "method", "path", "status"}` plus any extra fields
 * (`window`, `policy`, `source`, ...). Only `t` is required: the verdict rests on arrival times alone.
 * `status` and `source` feed the 429 and per-source counts when present.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RequestLogLine } from '../request-log-entry.js';

/** Traffic without a `source` field is ours (the extractor or the load we drive). */
export const OWN_SOURCE = 'own';

/**
 * CRM search calls are exempt from the ten-secondly burst and have their own per-second limit
 * (contract §1.3: every `.../search` operation is marked `x-hubspot-rate-limit-exemptions: ["ten-secondly"]`).
 * The simulator marks them `kind: "search"`; the extractor's log only has the path.
 */
export function isSearchRequest(entry: RequestLogLine): boolean {
  if (entry.kind !== undefined) return entry.kind === 'search';
  return entry.path !== undefined && /\/search\/?$/.test(entry.path.split('?')[0]);
}

/**
 * Column-oriented so a 1M-line log costs a few typed arrays rather than a million objects.
 * `times`, `statuses` and `sourceIds` are parallel and in file order (not sorted).
 */
export interface RequestLog {
  readonly times: Float64Array;
  /** 0 where the line had no status. */
  readonly statuses: Uint16Array;
  /** Index into `sourceNames`. */
  readonly sourceIds: Uint16Array;
  /** 1 for a search request (see isSearchRequest). */
  readonly searches: Uint8Array;
  readonly sourceNames: readonly string[];
  /** True when at least one line carried a `source` field, so a per-source split means something. */
  readonly hasSourceField: boolean;
}

export class RequestLogLineError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'RequestLogLineError';
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Parses one non-blank line; `lineNumber` (1-based) only names the line in the error. */
export function parseRequestLogLine(text: string, lineNumber: number): RequestLogLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RequestLogLineError(lineNumber, `not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RequestLogLineError(lineNumber, `expected a JSON object, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  const t = record.t;
  if (typeof t !== 'number' || !Number.isFinite(t)) {
    throw new RequestLogLineError(lineNumber, `"t" must be the arrival time in epoch ms, got ${describe(t)}`);
  }
  const entry: RequestLogLine = { t };
  const status = record.status;
  if (status !== undefined && status !== null) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 0 || status > 999) {
      throw new RequestLogLineError(lineNumber, `"status" must be an HTTP status code, got ${describe(status)}`);
    }
    entry.status = status;
  }
  const source = record.source;
  if (source !== undefined && source !== null) {
    if (typeof source !== 'string') {
      throw new RequestLogLineError(lineNumber, `"source" must be a string, got ${describe(source)}`);
    }
    entry.source = source;
  }
  if (typeof record.method === 'string') entry.method = record.method;
  if (typeof record.path === 'string') entry.path = record.path;
  if (typeof record.kind === 'string') entry.kind = record.kind;
  return entry;
}

/** Accumulates entries into growable typed arrays. */
export class RequestLogBuilder {
  private times = new Float64Array(1024);
  private statuses = new Uint16Array(1024);
  private sourceIds = new Uint16Array(1024);
  private searches = new Uint8Array(1024);
  private readonly sourceIndex = new Map<string, number>([[OWN_SOURCE, 0]]);
  private readonly sourceNames: string[] = [OWN_SOURCE];
  private hasSourceField = false;
  private length = 0;

  add(entry: RequestLogLine): void {
    if (this.length === this.times.length) this.grow();
    let sourceId = 0;
    if (entry.source !== undefined) {
      this.hasSourceField = true;
      const known = this.sourceIndex.get(entry.source);
      if (known !== undefined) {
        sourceId = known;
      } else {
        if (this.sourceNames.length >= 0xffff) throw new Error('request log names more than 65535 distinct sources');
        sourceId = this.sourceNames.length;
        this.sourceIndex.set(entry.source, sourceId);
        this.sourceNames.push(entry.source);
      }
    }
    this.times[this.length] = entry.t;
    this.statuses[this.length] = entry.status ?? 0;
    this.sourceIds[this.length] = sourceId;
    this.searches[this.length] = isSearchRequest(entry) ? 1 : 0;
    this.length++;
  }

  build(): RequestLog {
    return {
      times: this.times.slice(0, this.length),
      statuses: this.statuses.slice(0, this.length),
      sourceIds: this.sourceIds.slice(0, this.length),
      searches: this.searches.slice(0, this.length),
      sourceNames: [...this.sourceNames],
      hasSourceField: this.hasSourceField,
    };
  }

  private grow(): void {
    const size = this.times.length * 2;
    const times = new Float64Array(size);
    times.set(this.times);
    const statuses = new Uint16Array(size);
    statuses.set(this.statuses);
    const sourceIds = new Uint16Array(size);
    sourceIds.set(this.sourceIds);
    const searches = new Uint8Array(size);
    searches.set(this.searches);
    this.times = times;
    this.statuses = statuses;
    this.sourceIds = sourceIds;
    this.searches = searches;
  }
}

export function requestLogFromEntries(entries: Iterable<RequestLogLine>): RequestLog {
  const builder = new RequestLogBuilder();
  for (const entry of entries) builder.add(entry);
  return builder.build();
}

/** Parses NDJSON text held in memory; blank lines are skipped but still counted for line numbers. */
export function parseRequestLog(text: string): RequestLog {
  const builder = new RequestLogBuilder();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line !== '') builder.add(parseRequestLogLine(line, i + 1));
  }
  return builder.build();
}

/**
 * Streams a log file line by line. Rejects with the fs error when the file cannot be read, or with a
 * RequestLogLineError naming the first bad line.
 */
export async function readRequestLog(file: string): Promise<RequestLog> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  // Surface open errors (ENOENT, EISDIR, EACCES) before readline swallows them into an unhandled event.
  await new Promise<void>((resolve, reject) => {
    stream.once('ready', () => resolve());
    stream.once('error', reject);
  });
  const builder = new RequestLogBuilder();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      const line = raw.trim();
      if (line !== '') builder.add(parseRequestLogLine(line, lineNumber));
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return builder.build();
}
