import type { Command } from 'commander';
import type { Tier } from '../../../config/settings.js';
import { sealContext } from '../credentials.js';
import { checkBaseUrl, checkEnvName, checkFilePath, checkObjects, checkPositiveInt, checkSchedule, checkTier, type CredentialSpec } from '../portal-spec.js';
import type { KeyRing } from '../secret-box.js';
import { usage } from './context.js';

/**
 * The flags `portals add` and `portals update` share, and their checks. A token is never an argument (argv
 * is visible to every user of the machine in `ps`): it is named by a reference the worker resolves, or
 * read from stdin and stored encrypted.
 */
export interface PortalFlags {
  tier?: string;
  maxRequestsPer10s?: string;
  dailyLimit?: string;
  objects?: string;
  schedule?: string | boolean;
  baseUrl?: string;
  tokenEnv?: string;
  tokenFile?: string;
  tokenStdin?: boolean;
  oauth?: boolean;
  refreshTokenEnv?: string;
  refreshTokenFile?: string;
  refreshTokenStdin?: boolean;
}

export function addPortalOptions(command: Command): Command {
  return command
    .option('--tier <tier>', 'private app: the account tier, which sets the limits (free|starter|professional|enterprise|api-addon)')
    .option('--max-requests-per-10s <n>', 'override the ten-second limit (OAuth default 110)')
    .option('--daily-limit <n>', 'override the daily limit (OAuth: none)')
    .option('--objects <list>', 'comma-separated subset as extract --objects takes it (default: all)')
    .option('--schedule <cron>', 'cron schedule of its incremental runs, in UTC (e.g. "*/15 * * * *")')
    .option('--base-url <url>', "API origin of this portal when not the workers' HUBSPOT_BASE_URL (a proxy); serves its token endpoint too")
    .option('--token-env <VAR>', 'private app: the token is in this environment variable on every worker')
    .option('--token-file <PATH>', 'private app: the token is in this file (absolute path) on every worker')
    .option('--token-stdin', 'private app: read the token from stdin and store it encrypted (HUBSPOT_FLEET_KEY)')
    .option('--oauth', 'an OAuth public-app install (HUBSPOT_CLIENT_ID/SECRET on the workers); give its refresh token below')
    .option('--refresh-token-env <VAR>', 'OAuth: the refresh token is in this environment variable on every worker')
    .option('--refresh-token-file <PATH>', 'OAuth: the refresh token is in this file (absolute path) on every worker')
    .option('--refresh-token-stdin', 'OAuth: read the refresh token from stdin and store it encrypted (HUBSPOT_FLEET_KEY)');
}

export interface CheckedLimits {
  tier?: Tier;
  maxRequestsPer10s?: number;
  dailyLimit?: number;
}

export function checkLimits(flags: PortalFlags, oauth: boolean): CheckedLimits {
  if (oauth && flags.tier !== undefined)
    throw usage('--tier: OAuth installs have the public-app limit (110 per 10 s, no daily limit); use --max-requests-per-10s to change it');
  return {
    tier: flags.tier === undefined ? undefined : checkTier(flags.tier),
    maxRequestsPer10s: flags.maxRequestsPer10s === undefined ? undefined : checkPositiveInt('--max-requests-per-10s', flags.maxRequestsPer10s, '190'),
    dailyLimit: flags.dailyLimit === undefined ? undefined : checkPositiveInt('--daily-limit', flags.dailyLimit, '625000'),
  };
}

export function checkOptionalObjects(flags: PortalFlags): string | undefined {
  if (flags.objects === undefined) return undefined;
  return flags.objects.trim() === 'all' ? 'all' : checkObjects(flags.objects);
}

export function checkOptionalBaseUrl(flags: PortalFlags): string | undefined {
  return flags.baseUrl === undefined ? undefined : checkBaseUrl(flags.baseUrl);
}

export function checkOptionalSchedule(flags: PortalFlags): string | false | undefined {
  if (flags.schedule === undefined || flags.schedule === true) return undefined;
  if (flags.schedule === false) return false;
  return checkSchedule(flags.schedule);
}

/** A credential about to be stored: checked now, read (stdin) and sealed only after every other check. */
export interface PendingCredential {
  oauth: boolean;
  kind: CredentialSpec['kind'];
  resolve(portal: string, keys: KeyRing, readStdin: () => Promise<string>): Promise<CredentialSpec>;
}

export function checkCredentialFlags(flags: PortalFlags, options: { required: boolean; oauth: boolean }): PendingCredential | undefined {
  const privateGiven = [flags.tokenEnv !== undefined, flags.tokenFile !== undefined, Boolean(flags.tokenStdin)].filter(Boolean).length;
  const oauthGiven = [flags.refreshTokenEnv !== undefined, flags.refreshTokenFile !== undefined, Boolean(flags.refreshTokenStdin)].filter(Boolean).length;
  if (options.oauth && privateGiven > 0)
    throw usage("--oauth takes the install's refresh token: --refresh-token-env VAR, --refresh-token-file PATH or --refresh-token-stdin");
  if (!options.oauth && oauthGiven > 0)
    throw usage('--refresh-token-… goes with --oauth (an OAuth install); a private app takes --token-env, --token-file or --token-stdin');
  const given = privateGiven + oauthGiven;
  if (given > 1) throw usage('give the token one way only: an environment variable, a file, or stdin');
  if (given === 0) {
    if (!options.required) return undefined;
    throw usage(
      options.oauth
        ? 'an OAuth install needs its refresh token: --refresh-token-env VAR, --refresh-token-file PATH or --refresh-token-stdin'
        : 'a portal needs its token: --token-env VAR, --token-file PATH or --token-stdin (tokens are never given as arguments)',
    );
  }
  const env = flags.tokenEnv ?? flags.refreshTokenEnv;
  const file = flags.tokenFile ?? flags.refreshTokenFile;
  const envFlag = options.oauth ? '--refresh-token-env' : '--token-env';
  const fileFlag = options.oauth ? '--refresh-token-file' : '--token-file';
  if (env !== undefined) {
    const ref = checkEnvName(envFlag, env);
    return { oauth: options.oauth, kind: 'env', resolve: async () => ({ kind: 'env', ref }) };
  }
  if (file !== undefined) {
    const ref = checkFilePath(fileFlag, file);
    return { oauth: options.oauth, kind: 'file', resolve: async () => ({ kind: 'file', ref }) };
  }
  return {
    oauth: options.oauth,
    kind: 'encrypted',
    async resolve(portal, keys, readStdin) {
      if (!keys.current)
        throw usage('HUBSPOT_FLEET_KEY is not set: a token read from stdin is stored encrypted with it (make one with: openssl rand -base64 32)');
      const token = (await readStdin()).trim();
      if (!token) throw usage('no token on stdin: pipe it in, e.g. printf %s "$TOKEN" | hubspot-extract portals add …');
      if (/\s/.test(token)) throw usage('the token read from stdin contains whitespace: give the token alone');
      return { kind: 'encrypted', sealed: keys.seal(token, sealContext(portal, 'credential')) };
    },
  };
}
