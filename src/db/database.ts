import pg from 'pg';
import path from 'node:path';
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
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
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
  const config: pg.ClientConfig = { connectionString: url, application_name: options.applicationName ?? 'hubspot-extract' };
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
  // An idle client's network error would otherwise crash the process; queries still surface their own errors.
  pool.on('error', () => {});
  let closed = false;
  return {
    schema: options.schema,
    query: (sql, params) => pool.query(sql, params as unknown[]),
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn(client);
        await client.query('commit');
        return result;
      } catch (e) {
        await client.query('rollback').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    connect: () => pool.connect(),
    clientConfig: () => ({ ...config }),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
      await stopEmbedded();
    },
  };
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
