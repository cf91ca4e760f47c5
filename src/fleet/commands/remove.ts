import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { deletePortal, getPortal, unknownPortal } from '../registry.js';
import { subcommand, usage, withFleet, type FleetCommandDeps } from './context.js';

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `portals remove NAME`: forgets the portal, its stored credential, its job history and its shared limits. Its
 * data schema is kept (drop it yourself); a job still queued for it is skipped by the worker that takes it.
 */
export function removeCommand(deps: FleetCommandDeps): Command {
  const interactive = deps.isInteractive ?? (() => Boolean(process.stdin.isTTY && process.stdout.isTTY));
  const confirm = deps.confirm ?? askOnTerminal;
  return subcommand('remove', 'Remove a portal from the registry (its data schema is kept; asks first unless --yes).')
    .argument('<name>', 'portal name')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .action(async (name: string, opts: { yes?: boolean }) => {
      if (!opts.yes && !interactive()) throw usage(`not removing portal ${JSON.stringify(name)} without confirmation: not a terminal, pass --yes`);
      await withFleet(deps, async ({ db, out }) => {
        const portal = await getPortal(db, db.schema, name);
        if (!portal) throw unknownPortal(name);
        if (!opts.yes && !(await confirm(`Remove portal ${name} (its data stays in schema ${portal.schema})? [y/N] `))) return out(`kept portal ${name}\n`);
        const { removePortalLimits } = await import('../portal-limits.js');
        await db.transaction(async (tx) => {
          if (!(await deletePortal(tx, db.schema, name))) throw unknownPortal(name);
          await removePortalLimits(tx, db.schema, name);
        });
        out(`removed portal ${name}; its data stays in schema ${portal.schema} (drop it with: drop schema ${portal.schema} cascade)\n`);
      });
    });
}
