import { Command } from 'commander';
import type PgBoss from 'pg-boss';
import { loadSettings, SettingsError, type Settings } from '../../../config/settings.js';
import type { Database } from '../../db/database.js';
import { ExitCode, UserFacingError } from '../../exit-codes.js';
import { KeyRing } from '../secret-box.js';

/**
 * What every `portals …` and `fleet …` command shares: settings from the environment, the fleet database
 * (opened only once the input has been checked), output, and stdin for tokens. Injected in tests.
 */
export interface FleetCommandDeps {
  env?: NodeJS.ProcessEnv;
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /** All of stdin (a token given to `--token-stdin`). */
  readStdin?: () => Promise<string>;
  isInteractive?: () => boolean;
  confirm?: (question: string) => Promise<boolean>;
}

export interface FleetContext {
  settings: Settings;
  db: Database;
  keys: KeyRing;
  out: (text: string) => void;
}

export const ENVIRONMENT_HELP = `
Environment (also read from .env): DATABASE_URL, HUBSPOT_FLEET_SCHEMA (default hubspot_fleet),
  HUBSPOT_FLEET_KEY / HUBSPOT_FLEET_KEY_OLD (tokens encrypted at rest), HUBSPOT_CLIENT_ID / HUBSPOT_CLIENT_SECRET
  (OAuth installs). See README "Many portals: the fleet".`;

export function settingsFrom(deps: FleetCommandDeps): Settings {
  return loadSettings({}, deps.env ?? process.env);
}

export function output(deps: FleetCommandDeps): (text: string) => void {
  return deps.stdout ?? ((text: string) => void process.stdout.write(text));
}

export async function readAllStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('reading the token from stdin (paste it, then press Enter and Ctrl-D)\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens the (migrated) fleet database for one command and closes it after. */
export async function withFleet<T>(deps: FleetCommandDeps, fn: (ctx: FleetContext) => Promise<T>, settings = settingsFrom(deps)): Promise<T> {
  const { openFleetDatabase } = await import('../fleet-db.js');
  let db: Database;
  try {
    db = await openFleetDatabase(settings, { poolSize: 2, applicationName: 'hubspot-extract portals' });
  } catch (error) {
    if (error instanceof SettingsError || error instanceof UserFacingError) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new UserFacingError(`cannot open the database: ${reason} (check DATABASE_URL)`, ExitCode.runFailed);
  }
  try {
    return await fn({ settings, db, keys: KeyRing.fromSettings(settings.fleet), out: output(deps) });
  } finally {
    await db.close();
  }
}

/** pg-boss for a one-shot command: no maintenance, stopped right after. */
export async function withBoss<T>(ctx: FleetContext, fn: (boss: PgBoss) => Promise<T>): Promise<T> {
  const { createBoss, startQueue } = await import('../queue.js');
  const boss = createBoss({
    url: ctx.db.clientConfig().connectionString!,
    fleet: ctx.settings.fleet,
    supervise: false,
    applicationName: 'hubspot-extract portals',
  });
  boss.on('error', () => {});
  await startQueue(boss, ctx.db, ctx.settings.fleet, { update: false });
  try {
    return await fn(boss);
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}

export function subcommand(name: string, description: string): Command {
  return new Command(name).description(description).addHelpText('after', ENVIRONMENT_HELP).exitOverride();
}

export function usage(message: string): UserFacingError {
  return new UserFacingError(message, ExitCode.usage);
}

/** `2026-12-01 10:15:00Z`: short, sortable, UTC like the schedules. */
export function formatTime(d: Date | undefined): string {
  if (!d) return '-';
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}
