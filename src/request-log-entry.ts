/**
 * One line of a request log (NDJSON, one request a line), the format the extractor (`extract --request-log`)
 * and the simulator (`sim --request-log`) write and the verify command reads. Defined once here, below every
 * layer, because those three do not import each other.
 */
export interface RequestLogEntry {
  /** Epoch ms: when the request was sent (extractor) or arrived (simulator). */
  t: number;
  method: string;
  /** Path without the query string (no secrets). */
  path: string;
  /** HTTP status; 0 when no reply came (timeout, reset). */
  status: number;
  /** Whose traffic: absent for ours; the simulator writes `background` for its other app. */
  source?: string;
  /** `search` for the search endpoints, which have their own per-second limit (simulator). */
  kind?: string;
  /** Requests in the token's rolling window at arrival, this one included, searches not counted (simulator). */
  window?: number;
  /** The policy of a 429 (simulator). */
  policy?: string;
  /** Search requests in the rolling second at arrival, this one included (simulator). */
  searchWindow?: number;
  /** The injected fault, if any (simulator). */
  fault?: string;
  /** The paging cursor the request asked for, so tests can audit what was re-read (simulator). */
  after?: string;
  /** The task (extractor) the request was made for (extractor). */
  desc?: string;
}

/** A line as the verify command reads it: only `t` is required, so logs that carry less can still be checked. */
export type RequestLogLine = Pick<RequestLogEntry, 't'> & Partial<RequestLogEntry>;
