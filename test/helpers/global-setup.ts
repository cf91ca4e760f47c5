import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';

/**
 * One Postgres for the whole test run: DATABASE_URL when given (CI with a server), else an embedded one
 * under .data/postgres-test (kept apart from the user's .data/postgres). Each test file then creates a
 * database of its own from it (test/helpers/postgres.ts).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('databaseUrl', process.env.DATABASE_URL);
    return;
  }
  const embedded = await startEmbeddedPostgres(path.resolve('.data', 'postgres-test'));
  project.provide('databaseUrl', embedded.url);
  return async () => {
    await embedded.stop();
  };
}
