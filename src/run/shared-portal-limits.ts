import { SEARCH_LIMIT, TEN_SECONDLY_WINDOW_MS } from '../../config/hubspot-limits.js';
import { effectiveWindowLimit, type Settings } from '../../config/settings.js';
import type { Database } from '../db/database.js';
import { openLimitsDatabase } from '../limits/pg-limits-database.js';
import { closeSharedLimits, createSharedLimiter, ensureLimit } from '../limits/pg-shared-limits.js';
import type { PortalLimits } from '../processor/request-executor.js';

/**
 * `--shared-limits`: the portal's ten-second window and its search limit live in Postgres, so every process
 * pointing at the same database spends one budget. The limits are created on first use and left alone after
 * that, so `limits update` from the CLI wins over the settings of any one process. They are named
 * HUBSPOT_LIMIT_NAME (default `hubspot`) and NAME-search; fleet workers name them after the portal.
 */
export function sharedLimitNames(settings: Pick<Settings, 'limitName'>): { window: string; search: string } {
  return { window: settings.limitName, search: `${settings.limitName}-search` };
}

/**
 * `limitsDb`: a database in HUBSPOT_LIMITS_SCHEMA that outlives the run, whose process-wide shared limits
 * (one lease renewer and one LISTEN session) serve every run of the process: a fleet worker's runs share it,
 * and it is the worker, not the run, that closes it. Without it, a run in another schema opens its own.
 */
export async function sharedPortalLimits(
  dataDb: Database,
  settings: Settings,
  limitsDb?: Database,
): Promise<{ limits: PortalLimits; close: () => Promise<void> }> {
  if (limitsDb && limitsDb.schema !== settings.limitsSchema)
    throw new Error(`the limits database is in schema ${limitsDb.schema}, not HUBSPOT_LIMITS_SCHEMA ${settings.limitsSchema}`);
  // HUBSPOT_LIMITS_SCHEMA: processes loading one portal into different schemas still spend one budget.
  const own =
    limitsDb || settings.limitsSchema === dataDb.schema
      ? undefined
      : await openLimitsDatabase({ url: dataDb.clientConfig().connectionString, schema: settings.limitsSchema, dataSchema: dataDb.schema, poolSize: 4 });
  const db = limitsDb ?? own ?? dataDb;
  const names = sharedLimitNames(settings);
  try {
    const window = await ensureLimit(db, names.window, { limit: effectiveWindowLimit(settings), windowMs: TEN_SECONDLY_WINDOW_MS });
    await ensureLimit(db, names.search, { limit: settings.searchPerSecond, windowMs: SEARCH_LIMIT.windowMs });
    const options = { leaseMs: settings.limitsLeaseMs };
    const limits: PortalLimits = {
      standard: createSharedLimiter(db, names.window, options),
      search: createSharedLimiter(db, names.search, options),
      // The pool is sized from the limit as stored, which another process or the CLI may have changed.
      ratePerSecond: (window.limit * 1000) / (window.windowMs ?? TEN_SECONDLY_WINDOW_MS),
    };
    return {
      limits,
      close: async () => {
        if (limitsDb) return;
        await closeSharedLimits(db);
        await own?.close();
      },
    };
  } catch (error) {
    await own?.close();
    throw error;
  }
}
