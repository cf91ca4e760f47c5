import { effectiveWindowLimit, type Settings } from '../../config/settings.js';
import type { Queryable } from '../db/database.js';
import { deleteLimit, getLimit, insertLimit, updateLimit } from '../limits/pg-store.js';
import { SEARCH_LIMIT, TEN_SECONDLY_WINDOW_MS } from '../../config/hubspot-limits.js';
import { sharedLimitNames } from '../run/shared-portal-limits.js';
import { effectiveLimits, type PortalRecord } from './portal-spec.js';

/**
 * Each portal's rate limits are shared limits in the fleet schema named after it (`<portal>` for the ten-second
 * window, `<portal>-search` for search), the ones its runs spend (HUBSPOT_LIMIT_NAME), so two workers on one
 * portal never exceed its window. The registry writes them when a portal is added or its limits change; the
 * window's length is left as stored (an operator may have changed it with `limits …`).
 */
export async function writePortalLimits(
  q: Queryable,
  fleetSchema: string,
  portal: Pick<PortalRecord, 'name' | 'auth' | 'tier' | 'maxRequestsPer10s' | 'dailyLimit'>,
  settings: Pick<Settings, 'safetyMargin' | 'searchPerSecond'>,
): Promise<void> {
  const names = sharedLimitNames({ limitName: portal.name });
  const limit = effectiveWindowLimit({ maxRequestsPer10s: effectiveLimits(portal).per10s, safetyMargin: settings.safetyMargin });
  if (await getLimit(q, fleetSchema, names.window)) await updateLimit(q, fleetSchema, names.window, { limit });
  else
    await insertLimit(q, fleetSchema, { name: names.window, limit, slotDecayPerSecond: 0, windowMs: TEN_SECONDLY_WINDOW_MS, active: true, tags: ['portal'] });
  await insertLimit(q, fleetSchema, {
    name: names.search,
    limit: settings.searchPerSecond,
    slotDecayPerSecond: 0,
    windowMs: SEARCH_LIMIT.windowMs,
    active: true,
    tags: ['portal'],
  });
}

export async function removePortalLimits(q: Queryable, fleetSchema: string, portal: string): Promise<void> {
  const names = sharedLimitNames({ limitName: portal });
  await deleteLimit(q, fleetSchema, names.window);
  await deleteLimit(q, fleetSchema, names.search);
}
