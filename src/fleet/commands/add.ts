import { Command } from 'commander';
import { describeCredential } from '../credentials.js';
import { checkName, checkSchema, defaultSchema, effectiveLimits, nextRunAfter, type PortalRecord } from '../portal-spec.js';
import { readAllStdin, subcommand, withFleet, formatTime, type FleetCommandDeps, settingsFrom } from './context.js';
import {
  addPortalOptions,
  checkCredentialFlags,
  checkOptionalBaseUrl,
  checkLimits,
  checkOptionalObjects,
  checkOptionalSchedule,
  type PortalFlags,
} from './portal-options.js';

/** `portals add NAME`: registers a portal with its schema, limits, objects, schedule and credential. */
export function addCommand(deps: FleetCommandDeps): Command {
  return addPortalOptions(
    subcommand('add', 'Register a portal: its schema, tier or limits, objects, schedule, and where its token comes from.')
      .argument('<name>', 'portal name: a lower-case letter, then letters, digits or _ (up to 40)')
      .option('--schema <name>', 'Postgres schema of its data (default hubspot_<name>)')
      .option('--paused', 'register it paused (no scheduled runs until portals update --resume)'),
  ).action(async (rawName: string, flags: PortalFlags & { schema?: string; paused?: boolean }) => {
    // Every check before anything is read from stdin or touched in the database.
    const settings = settingsFrom(deps);
    const name = checkName(rawName);
    const schema = checkSchema(flags.schema ?? defaultSchema(name), settings.fleet.schema);
    const oauth = Boolean(flags.oauth);
    const limits = checkLimits(flags, oauth);
    const objects = checkOptionalObjects(flags);
    const schedule = checkOptionalSchedule(flags) || undefined;
    const baseUrl = checkOptionalBaseUrl(flags);
    const pending = checkCredentialFlags(flags, { required: true, oauth })!;
    await withFleet(
      deps,
      async ({ db, keys, out }) => {
        const credential = await pending.resolve(name, keys, deps.readStdin ?? readAllStdin);
        const { insertPortal } = await import('../registry.js');
        const { writePortalLimits } = await import('../portal-limits.js');
        const portal: Omit<PortalRecord, 'createdAt' | 'updatedAt'> = {
          name,
          schema,
          auth: oauth ? 'oauth' : 'private_app',
          tier: oauth ? undefined : (limits.tier ?? 'professional'),
          maxRequestsPer10s: limits.maxRequestsPer10s,
          dailyLimit: limits.dailyLimit,
          objects: objects === 'all' ? undefined : objects,
          schedule,
          baseUrl,
          status: flags.paused ? 'paused' : 'active',
          credential,
          nextRunAt: schedule ? nextRunAfter(schedule, new Date()) : undefined,
        };
        await db.transaction(async (tx) => {
          await insertPortal(tx, db.schema, portal);
          await writePortalLimits(tx, db.schema, portal, settings);
        });
        const l = effectiveLimits(portal);
        out(
          `added portal ${name}: schema ${schema}, ${oauth ? 'OAuth install' : `private app (${portal.tier})`}, ` +
            `${l.per10s} requests per 10 s, ${l.daily === undefined ? 'no daily limit' : `${l.daily.toLocaleString('en-US')} per day`}; ` +
            `${oauth ? 'refresh token' : 'token'} from ${describeCredential(credential)}; ` +
            `${schedule ? `schedule "${schedule}" (UTC), next run ${formatTime(portal.nextRunAt)}` : 'no schedule (queue runs with: portals run)'}` +
            `${flags.paused ? '; paused' : ''}\n`,
        );
      },
      settings,
    );
  });
}
