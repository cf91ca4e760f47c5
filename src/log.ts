import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createRedactor, redactCredentials } from './secrets.js';

/**
 * The CLI's logger: JSON lines when stderr is not a terminal (cron, CI, systemd), pretty on a terminal.
 * Every line goes through the redactor, so the token or a database password can't leak even at debug level.
 */
export interface LoggerOptions {
  level: string;
  secrets: string[];
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const redact = createRedactor(options.secrets);
  const target = options.stream ?? process.stderr;
  const usePretty = options.pretty ?? Boolean(target.isTTY);
  const sink = usePretty ? pretty({ destination: target as never, colorize: true, sync: true, ignore: 'pid,hostname' }) : target;
  return pino(
    {
      level: options.level,
      base: undefined,
      // The same shape as the progress lines: level names and ISO times.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        streamWrite: (line) => redactCredentials(redact(line)),
      },
    },
    sink as never,
  );
}
