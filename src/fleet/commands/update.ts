import type { Command } from 'commander';
import { describeCredential } from '../credentials.js';
import { nextRunAfter } from '../portal-spec.js';
import { getPortal, unknownPortal, updatePortal, type PortalPatch } from '../registry.js';
import { readAllStdin, settingsFrom, subcommand, usage, withFleet, type FleetCommandDeps } from './context.js';
import {
  addPortalOptions,
  checkCredentialFlags,
  checkOptionalBaseUrl,
  checkLimits,
  checkOptionalObjects,
  checkOptionalSchedule,
  type PortalFlags,
} from './portal-options.js';

/**
 * `portals update NAME`: changes what is given, leaves the rest. A new credential (or `--resume`) brings a
 * portal marked `needs_reauth` back; switching between a private app and an OAuth install needs the new
 * credential in the same call.
 */
export function updateCommand(deps: FleetCommandDeps): Command {
  return addPortalOptions(
    subcommand('update', 'Change a portal: limits, objects, schedule, credential; pause or resume it.')
      .argument('<name>', 'portal name')
      .option('--schema <name>', '(refused: a portal keeps its schema; remove it and add it again to move it)')
      .option('--private-app', 'switch an OAuth install to a private-app token (give --token-…)')
      .option('--no-schedule', 'remove its schedule (it then runs only when queued with portals run)')
      .option('--pause', 'stop scheduling its runs')
      .option('--resume', 'schedule its runs again (also after needs_reauth, once its refresh token is good)'),
  ).action(async (name: string, flags: PortalFlags & { schema?: string; privateApp?: boolean; pause?: boolean; resume?: boolean }) => {
    const settings = settingsFrom(deps);
    if (flags.schema !== undefined)
      throw usage('--schema: a portal keeps its schema (its tables and cursors are there); remove the portal and add it again to move it');
    if (flags.pause && flags.resume) throw usage('give --pause or --resume, not both');
    if (flags.oauth && flags.privateApp) throw usage('give --oauth or --private-app, not both');
    const objects = checkOptionalObjects(flags);
    const schedule = checkOptionalSchedule(flags);
    const baseUrl = checkOptionalBaseUrl(flags);
    await withFleet(
      deps,
      async ({ db, keys, out }) => {
        const current = await getPortal(db, db.schema, name);
        if (!current) throw unknownPortal(name);
        const oauth = flags.oauth ? true : flags.privateApp ? false : current.auth === 'oauth';
        const switching = oauth !== (current.auth === 'oauth');
        const limits = checkLimits(flags, oauth);
        const pending = checkCredentialFlags(flags, { required: switching, oauth });
        const patch: PortalPatch = {};
        if (limits.tier !== undefined) patch.tier = limits.tier;
        if (limits.maxRequestsPer10s !== undefined) patch.maxRequestsPer10s = limits.maxRequestsPer10s;
        if (limits.dailyLimit !== undefined) patch.dailyLimit = limits.dailyLimit;
        if (switching) {
          patch.auth = oauth ? 'oauth' : 'private_app';
          patch.tier = oauth ? null : (limits.tier ?? 'professional');
        }
        if (baseUrl !== undefined) patch.baseUrl = baseUrl;
        if (objects !== undefined) patch.objects = objects === 'all' ? null : objects;
        if (schedule === false) {
          patch.schedule = null;
          patch.nextRunAt = null;
        } else if (schedule !== undefined) {
          patch.schedule = schedule;
          patch.nextRunAt = nextRunAfter(schedule, new Date()) ?? null;
        }
        if (pending) patch.credential = await pending.resolve(name, keys, deps.readStdin ?? readAllStdin);
        if (flags.pause) patch.status = 'paused';
        if (flags.resume || (pending && current.status === 'needs_reauth')) {
          patch.status = 'active';
          patch.statusReason = null;
        }
        if (Object.keys(patch).length === 0)
          throw usage('nothing to update: give a limit, --objects, --base-url, --schedule/--no-schedule, a credential, --pause or --resume');
        await db.transaction(async (tx) => {
          await updatePortal(tx, db.schema, name, patch);
          if (patch.tier !== undefined || patch.maxRequestsPer10s !== undefined || patch.auth !== undefined) {
            const { writePortalLimits } = await import('../portal-limits.js');
            await writePortalLimits(tx, db.schema, (await getPortal(tx, db.schema, name))!, settings);
          }
        });
        const changed = Object.keys(patch).filter((k) => k !== 'nextRunAt' && k !== 'statusReason');
        out(
          `updated portal ${name}: ${changed.join(', ')}${patch.credential ? ` (now from ${describeCredential(patch.credential)})` : ''}${patch.status ? `; status ${patch.status}` : ''}\n`,
        );
      },
      settings,
    );
  });
}
