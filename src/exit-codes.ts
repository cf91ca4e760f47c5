/** Process exit codes, documented in the README and tested. */
export const ExitCode = {
  ok: 0,
  /** Something failed during a run (after start-up); what was committed stays committed. */
  runFailed: 1,
  /** Bad configuration or usage: nothing was touched. */
  usage: 2,
  /** Another run holds the lock for this portal and schema. */
  locked: 3,
} as const;

/** An error whose message is one line meant for the person at the terminal, with the exit code to use. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    super(message);
    this.name = 'UserFacingError';
  }
}
