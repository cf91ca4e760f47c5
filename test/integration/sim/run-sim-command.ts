// Runs the `sim` command as `npm run sim` would, for the command-line test (the lead wires it into src/cli.ts).
import { simCommand } from '../../../src/sim/command.js';

await simCommand().parseAsync(process.argv.slice(2), { from: 'user' });
