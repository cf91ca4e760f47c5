import { parseSettings, type Settings } from '../../config/settings.js';
import type { Database } from '../../src/db/database.js';
import { systemClock } from '../../src/clock.js';
import { createRunContext } from '../../src/run/run-context.js';
import { runExtraction, type ExtractRunSummary } from '../../src/run/extract-run.js';
import { selectExtractors } from '../../extractors/registry.js';
import type { RunningSimulator } from '../../src/sim/index.js';
import { SIMULATOR_API_VERSION } from './cli-process.js';
import type { ExtractorEvent } from '../../extractors/types.js';

/**
 * Runs one extraction in-process against a simulator, the way `npm run extract` does, with the rolling
 * window scaled down (same limit per shorter window, on both sides) so a run takes seconds.
 */
export interface HarnessRun {
  fullRefresh?: boolean;
  includeArchived?: boolean;
  refreshAssociations?: boolean;
  sweepDeletes?: boolean;
  objects?: string;
  settings?: Record<string, string>;
  signal?: AbortSignal;
  onEvent?: (event: ExtractorEvent) => void;
}

export const TEST_WINDOW_MS = 1000;

export function simSettings(sim: RunningSimulator, overrides: Record<string, string> = {}): Settings {
  return {
    // Associations re-read by every run (the default is 24 hours), so a test that changes associations alone and
    // compares the database to the portal after the next run sees them; tests of the default say so.
    ...parseSettings({
      HUBSPOT_SEARCH_LAG_MS: '0',
      HUBSPOT_MAX_CONCURRENCY: '16',
      HUBSPOT_API_VERSION: SIMULATOR_API_VERSION,
      HUBSPOT_ASSOCIATIONS_REFRESH_HOURS: '0',
      ...overrides,
    }),
    accessToken: sim.token,
    baseUrl: sim.url,
  };
}

export async function extractOnce(sim: RunningSimulator, db: Database, run: HarnessRun = {}): Promise<ExtractRunSummary> {
  const settings = simSettings(sim, run.settings);
  const signal = run.signal ?? new AbortController().signal;
  // As `extract` does: the stop signal also ends the executor's waits between attempts.
  const context = createRunContext(settings, { windowMs: TEST_WINDOW_MS, trackDailyBudget: false, initialLatencyMs: 20, signal });
  try {
    return await runExtraction({
      settings,
      db,
      context,
      extractors: selectExtractors(run.objects),
      fullRefresh: run.fullRefresh ?? false,
      includeArchived: run.includeArchived ?? false,
      refreshAssociations: run.refreshAssociations ?? false,
      sweepDeletes: run.sweepDeletes ?? false,
      clock: systemClock,
      signal,
      onEvent: run.onEvent,
    });
  } finally {
    await context.close();
  }
}
