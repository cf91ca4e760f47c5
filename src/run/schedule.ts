import { Cron } from 'croner';
import type { Logger } from 'pino';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import type { ExtractRunSummary } from './extract-run.js';

/**
 * `extract --schedule "<cron>"`: one long-lived process running incremental extractions on the schedule.
 * A tick that comes while the previous run is still going is skipped (and logged as skipped): running it
 * later would only bunch runs together, and the next tick picks up every change anyway.
 * The first SIGTERM/SIGINT lets the run in flight finish its pages and commit, then the process exits 0.
 */
export function validateCron(expression: string): void {
  let next: Date | null;
  try {
    const job = new Cron(expression, { paused: true });
    next = job.nextRun();
    job.stop();
  } catch (e) {
    throw new UserFacingError(
      `--schedule: ${JSON.stringify(expression)} is not a cron expression (${(e as Error).message}); e.g. "*/15 * * * *" or "*/5 * * * * *" (with seconds)`,
      ExitCode.usage,
    );
  }
  // A valid expression can still name no moment (the 31st of February): the process would wait forever.
  if (next === null) {
    throw new UserFacingError(`--schedule: ${JSON.stringify(expression)} never fires (no date matches it); e.g. "*/15 * * * *"`, ExitCode.usage);
  }
}

export async function runOnSchedule(expression: string, signal: AbortSignal, log: Logger, runOnce: () => Promise<ExtractRunSummary>): Promise<number> {
  let running: Promise<unknown> | undefined;
  let runs = 0;
  let lastExit: number = ExitCode.ok;
  const job = new Cron(expression, { protect: false }, () => {
    if (signal.aborted) return;
    if (running) {
      log.warn({ schedule: expression }, 'scheduled run skipped: the previous run is still going');
      return;
    }
    const n = ++runs;
    log.info({ schedule: expression, scheduledRun: n }, `scheduled run ${n} starting`);
    running = runOnce()
      .then((summary) => {
        lastExit = summary.exitCode;
        log.info({ scheduledRun: n, runId: summary.runId, status: summary.status }, `scheduled run ${n} ${summary.status}`);
      })
      .catch((error: unknown) => {
        lastExit = error instanceof UserFacingError ? error.exitCode : ExitCode.runFailed;
        log.error({ scheduledRun: n, error: (error as Error).message }, `scheduled run ${n} failed: ${(error as Error).message}`);
      })
      .finally(() => {
        running = undefined;
      });
  });
  log.info({ schedule: expression, next: job.nextRun()?.toISOString() }, 'waiting for the schedule');
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  job.stop();
  if (running) await running;
  log.info({ runs }, 'schedule stopped');
  // A signal is how a scheduled process is meant to end; failed runs were logged (and recorded in `runs`) as they happened.
  log.info({ lastExit }, 'exiting after the signal');
  return ExitCode.ok;
}
