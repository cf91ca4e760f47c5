#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { SETTINGS, SettingsError } from '../config/settings.js';
import { ExitCode, UserFacingError } from './exit-codes.js';
import { redactCredentials } from './secrets.js';

/**
 * The command line: subcommands only parse flags and hand over; each prints its problems as one line
 * and exits with a documented code (README "Exit codes").
 */
const ENV_HELP = `
Environment (also read from .env; flags override env; defaults and meaning in .env.example):
${wrap(Object.keys(SETTINGS).join(', '), 100, '  ')}`;

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

export function buildProgram(): Command {
  const program = new Command('hubspot-extract')
    .description('Pull a HubSpot portal into Postgres at the full allowed API rate.')
    .showHelpAfterError(false)
    .exitOverride();

  program
    .command('extract')
    .description('Extract contacts, companies, deals, engagements, forms and submissions with their associations into Postgres.')
    .option('--demo', 'start the bundled HubSpot simulator on 127.0.0.1 and extract it (no token needed)')
    .option('--objects <list>', 'comma-separated subset, e.g. contacts,deals (default: all)')
    .option('--full-refresh', 'ignore cursors and re-read everything')
    .option('--include-archived', 'also read archived records (marked archived=true)')
    .option('--refresh-associations', 're-read every association now (HUBSPOT_ASSOCIATIONS_REFRESH_HOURS)')
    .option('--sweep-deletes', 'run the id-only sweep for hard-deleted records now (HUBSPOT_DELETE_SWEEP_HOURS)')
    .option('--request-log <file>', 'write every request sent as NDJSON {t, method, path, status}')
    .option('--shared-limits', 'share rate limits through Postgres with other processes (HUBSPOT_SHARED_LIMITS)')
    .option('--schedule <cron>', 'run incremental extractions on this cron schedule in one long-lived process')
    .option('--metrics-port <port>', 'serve Prometheus metrics on this port (METRICS_PORT)')
    .addOption(new Option('--tier <tier>', 'account tier (HUBSPOT_TIER)').choices(['free', 'starter', 'professional', 'enterprise', 'api-addon']))
    .option('--max-requests-per-10s <n>', 'override the 10-second limit (HUBSPOT_MAX_REQUESTS_PER_10S)')
    .option('--schema <name>', 'Postgres schema (HUBSPOT_DB_SCHEMA)')
    .option('--properties <list>', 'properties per type, e.g. contacts:email,firstname;emails:-hs_email_html (HUBSPOT_PROPERTIES)')
    .option(
      '--property-history <list>',
      'store every change of these properties, e.g. deals:dealstage,amount;contacts:lifecyclestage (HUBSPOT_PROPERTY_HISTORY)',
    )
    .option('--demo-preset <preset>', 'simulator size for --demo: small|medium|large', 'small')
    .addHelpText('after', ENV_HELP)
    .action(async (opts) => {
      const { runExtractCommand } = await import('./run/extract-command.js');
      process.exitCode = await runExtractCommand(opts);
    });

  program
    .command('verify-rate-limit')
    .description('Prove from a request log that no rolling window went over the limit (same as npm run verify:rate-limit).')
    .allowUnknownOption()
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      const { runVerifyRateLimit } = await import('./verify/command.js');
      process.exitCode = await runVerifyRateLimit(args);
    });

  return program;
}

async function addLateCommands(program: Command): Promise<void> {
  const [{ simCommand }, { limitsCommand }, fleet] = await Promise.all([
    import('./sim/command.js'),
    import('./limits/command.js'),
    import('./fleet/command.js'),
  ]);
  program.addCommand(simCommand().addHelpText('after', '\nRuns until SIGTERM or SIGINT.'));
  program.addCommand(limitsCommand().addHelpText('after', '\nEnvironment: DATABASE_URL, HUBSPOT_DB_SCHEMA (see .env.example).'));
  program.addCommand(fleet.portalsCommand());
  program.addCommand(fleet.fleetCommand());
  program.addCommand(fleet.workerCommand());
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  await addLateCommands(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (error) {
    return reportError(error);
  }
}

/** Prints an error as one line (several for settings: one per problem) and picks the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof SettingsError) {
    for (const line of error.problems) process.stderr.write(`error: ${redactCredentials(line)}; fix it in the environment or .env (see .env.example)\n`);
    return ExitCode.usage;
  }
  if (error instanceof UserFacingError) {
    process.stderr.write(`error: ${redactCredentials(error.message)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${redactCredentials(message.split('\n')[0] ?? 'unknown error')}\n`);
  return ExitCode.runFailed;
}

const invokedDirectly = process.argv[1] && /cli\.(ts|js)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.exitCode = reportError(e);
    },
  );
}
