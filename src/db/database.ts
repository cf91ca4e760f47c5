import pg from 'pg';
import path from 'node:path';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { startEmbeddedPostgres } from './embedded.js';

/**
 * The one narrow interface through which the tool reaches Postgres. Everything else takes a `Database`
 * (or a `Queryable` inside a transaction) and keeps its SQL in small functions of its own.
 */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface Database extends Queryable {
  /** The schema holding this tool's tables (HUBSPOT_DB_SCHEMA). */
  readonly schema: string;
  /**
   * Runs `fn` in one transaction on one connection; rolls back if it throws. A transaction that fails on a
   * transient error (deadlock, serialization failure, the server shutting down or restarting, the
   * connection lost) before its COMMIT was sent is run again from its start, so `fn` must be safe to run
   * again: only database work, which the rollback undid. A connection lost during COMMIT is not retried:
   * whether it committed cannot be known.
   */
  transaction<T>(fn: (tx: pg.PoolClient) => Promise<T>): Promise<T>;
  /** A dedicated connection (COPY streams, LISTEN); the caller releases it. */
  connect(): Promise<pg.PoolClient>;
  /** A fresh client configuration for the same database (LISTEN needs its own long-lived session). */
  clientConfig(): pg.ClientConfig;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Postgres URL; when absent an embedded server under `dataDir` is started (and stopped on close). */
  url?: string;
  schema: string;
  dataDir?: string;
  poolSize?: number;
  applicationName?: string;
  log?: (line: string) => void;
  /** How many times a transient failure is tried in all (default 8: about 13 s of backoff, a server restart). */
  maxAttempts?: number;
  /** Waits between attempts (injected by tests). */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_DATA_DIR = path.resolve('.data', 'postgres');

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  let url = options.url;
  let stopEmbedded = async () => {};
  if (!url) {
    const embedded = await startEmbeddedPostgres(options.dataDir ?? DEFAULT_DATA_DIR, options.log);
    url = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const config: pg.ClientConfig = { connectionString: url, application_name: options.applicationName ?? 'hubspot-extract', keepAlive: true };
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
  // An idle client's network error would otherwise crash the process; queries still surface their own errors.
  pool.on('error', () => {});
  // A checked-out client whose server goes away (restart, pg_terminate_backend) emits 'error' even while a
  // query of it is running, and an unheard 'error' event ends the process. Its queries fail on their own.
  pool.on('connect', (client) => client.on('error', () => {}));
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms));
  const backoff = (attempt: number) => sleep(Math.min(3200, 100 * 2 ** (attempt - 1)));
  let closed = false;
  let reached = false;

  /**
   * A pooled client; connection failures (nothing was sent yet) are tried again, once the server was reached
   * at all: a server never reached is a wrong URL or a server that is down, said at once.
   */
  async function checkout(): Promise<pg.PoolClient> {
    for (let attempt = 1; ; attempt++) {
      try {
        const client = await pool.connect();
        reached = true;
        return client;
      } catch (error) {
        if (closed || !reached || attempt >= maxAttempts || !isTransientDbError(error)) throw error;
        await backoff(attempt);
      }
    }
  }

  return {
    schema: options.schema,
    async query(sql, params) {
      for (let attempt = 1; ; attempt++) {
        const client = await checkout();
        try {
          const result = await client.query(sql, params as unknown[]);
          client.release();
          return result;
        } catch (error) {
          client.release(isConnectionLost(error) ? (error as Error) : undefined);
          // A statement alone is retried only when it surely did not run: rolled back as a deadlock or
          // serialization victim, or refused before it was sent. Lost mid-flight, it may have committed.
          if (closed || attempt >= maxAttempts || !(isRolledBack(error) || isNotSent(error))) throw error;
          await backoff(attempt);
        }
      }
    },
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        const client = await checkout();
        let committing = false;
        try {
          await client.query('begin');
          const result = await fn(client);
          committing = true;
          await client.query('commit');
          client.release();
          return result;
        } catch (error) {
          await client.query('rollback').catch(() => {});
          client.release(isConnectionLost(error) ? (error as Error) : undefined);
          const inDoubt = committing && !isRolledBack(error);
          if (closed || inDoubt || attempt >= maxAttempts || !isTransientDbError(error)) throw error;
          await backoff(attempt);
        }
      }
    },
    connect: () => checkout(),
    clientConfig: () => ({ ...config }),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await stopEmbedded();
    },
  };
}

/** SQLSTATEs after which the transaction was rolled back by the server and may simply be run again. */
const ROLLED_BACK = new Set(['40001', '40P01']);
/** The server is shutting down, restarting or not yet accepting connections. */
const SERVER_GOING = new Set(['57P01', '57P02', '57P03']);
const NETWORK_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isRolledBack(error: unknown): boolean {
  return ROLLED_BACK.has(codeOf(error) ?? '');
}

/** The client's connection was already broken: the statement never left this process. */
function isNotSent(error: unknown): boolean {
  return /not queryable/.test((error as Error | undefined)?.message ?? '');
}

/** The connection is unusable (server gone, terminated, network): the client must not go back to the pool. */
export function isConnectionLost(error: unknown): boolean {
  const code = codeOf(error) ?? '';
  if (SERVER_GOING.has(code) || code.startsWith('08') || NETWORK_ERRNOS.has(code)) return true;
  return /Connection terminated|not queryable|Connection closed/i.test((error as Error | undefined)?.message ?? '');
}

/** Errors worth running a whole transaction again for: a deadlock, a serialization failure, a lost or refused connection. */
export function isTransientDbError(error: unknown): boolean {
  return isRolledBack(error) || isConnectionLost(error);
}

/** Double-quotes an identifier that has already been validated as a plain lower-case name. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

/** Any name, double-quoted: generated names (typed columns, derived relations) follow property names, not a pattern. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A string literal that reads the same whatever standard_conforming_strings is. */
export function literal(value: string): string {
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
