import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/sim/index.js';
import { openMigrated, useTestDatabase, type TestDatabase } from './postgres.js';

/**
 * A simulated portal and a fresh migrated database for one test file, started before its tests and
 * closed after them in reverse order of creation.
 */
export interface PortalFixture {
  sim: RunningSimulator;
  db: Database;
  handle: TestDatabase;
}

export function usePortalFixture(label: string, simOptions: Partial<SimulatorOptions>): PortalFixture {
  const handle = useTestDatabase(label);
  const fixture = { handle } as PortalFixture;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    fixture.sim = await startSimulator(simOptions);
    cleanup.push(() => fixture.sim.close());
    fixture.db = await openMigrated(handle);
    cleanup.push(() => fixture.db.close());
  }, 120_000);
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });
  return fixture;
}
