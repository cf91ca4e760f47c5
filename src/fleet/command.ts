import { Command, Option } from 'commander';
import { addCommand } from './commands/add.js';
import { ENVIRONMENT_HELP, settingsFrom, type FleetCommandDeps } from './commands/context.js';
import { inspectCommand } from './commands/inspect.js';
import { lsCommand } from './commands/ls.js';
import { removeCommand } from './commands/remove.js';
import { rotateKeyCommand } from './commands/rotate-key.js';
import { runCommand } from './commands/run.js';
import { fleetStatusCommand } from './commands/status.js';
import { updateCommand } from './commands/update.js';

/**
 * The fleet's commands: `portals …` (the registry), `fleet status`, and `worker` (npm run worker). Each
 * subcommand lives in its own module under src/fleet/commands/.
 */
export function portalsCommand(deps: FleetCommandDeps = {}): Command {
  return new Command('portals')
    .description('Manage the portals the fleet of workers keeps in sync (a registry in Postgres).')
    .exitOverride()
    .addCommand(addCommand(deps))
    .addCommand(lsCommand(deps))
    .addCommand(inspectCommand(deps))
    .addCommand(updateCommand(deps))
    .addCommand(removeCommand(deps))
    .addCommand(runCommand(deps))
    .addCommand(rotateKeyCommand(deps));
}

export function fleetCommand(deps: FleetCommandDeps = {}): Command {
  return new Command('fleet').description('See the fleet: workers, running and queued jobs.').exitOverride().addCommand(fleetStatusCommand(deps));
}

export function workerCommand(deps: FleetCommandDeps = {}): Command {
  return new Command('worker')
    .description('Run a fleet worker: takes portal runs from the queue until SIGTERM (any number, on any machines, sharing DATABASE_URL).')
    .option('--concurrency <n>', 'portal runs at once (HUBSPOT_WORKER_CONCURRENCY)')
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics, labelled by portal (METRICS_PORT)'))
    .addHelpText(
      'after',
      `${ENVIRONMENT_HELP}\n  Workers: HUBSPOT_WORKER_CONCURRENCY, HUBSPOT_WORKER_HEARTBEAT_SECONDS, HUBSPOT_WORKER_POLL_SECONDS,\n  HUBSPOT_WORKER_RETRY_LIMIT, HUBSPOT_WORKER_RETRY_DELAY_SECONDS, HUBSPOT_WORKER_LOCKED_DELAY_SECONDS.`,
    )
    .exitOverride()
    .action(async (opts: { concurrency?: string; metricsPort?: string }) => {
      const { loadSettings } = await import('../../config/settings.js');
      const settings =
        opts.concurrency || opts.metricsPort
          ? loadSettings({ HUBSPOT_WORKER_CONCURRENCY: opts.concurrency, METRICS_PORT: opts.metricsPort }, deps.env ?? process.env)
          : settingsFrom(deps);
      const { runWorker } = await import('./worker.js');
      process.exitCode = await runWorker(settings);
    });
}
