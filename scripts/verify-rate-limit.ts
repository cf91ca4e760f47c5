/**
 * `npm run verify:rate-limit -- [options]`: the same command as `src/cli.ts verify-rate-limit`, whose body is
 * src/verify/command.ts (usage and exit codes there).
 */
import { runVerifyRateLimit } from '../src/verify/command.js';

process.exitCode = await runVerifyRateLimit(process.argv.slice(2));
