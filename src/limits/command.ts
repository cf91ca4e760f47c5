import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadSettings, SettingsError } from '../../config/settings.js';
import type { Database } from '../db/database.js';
import { ExitCode, UserFacingError } from '../exit-codes.js';
import { InvalidLimitNameError, validateLimitName } from './errors.js';
import type { LimitPatch, SharedLimitRow } from './pg-store.js';

type Store = typeof import('./pg-store.js');

/**
 * `hubspot-extract limits …`: manage the named limits every process sharing the database obeys.
 * Changes are read by running processes on their next acquisition and wake their waiters at once.
 */

const ENVIRONMENT_HELP = `
Environment (also read from .env):
  DATABASE_URL       Postgres holding the shared limits (unset: the embedded one under .data/postgres)
  HUBSPOT_LIMITS_SCHEMA  schema of the shared limits (default HUBSPOT_DB_SCHEMA, itself hubspot; --schema overrides it)`;

export interface LimitsCommandDeps {
  /** Opens the (migrated) database; default from settings, as every other command does. */
  openDb?: (schemaFlag: string | undefined) => Promise<Database>;
  stdout?: (text: string) => void;
  /** Whether a person can answer a confirmation prompt. */
  isInteractive?: () => boolean;
  confirm?: (question: string) => Promise<boolean>;
}

async function openFromSettings(schemaFlag: string | undefined): Promise<Database> {
  const settings = loadSettings({ HUBSPOT_LIMITS_SCHEMA: schemaFlag });
  // Loaded only once the input has been checked: --help and bad input never touch the database modules.
  const { openLimitsDatabase } = await import('./pg-limits-database.js');
  return openLimitsDatabase({ url: settings.databaseUrl, schema: settings.limitsSchema, dataSchema: settings.dbSchema, poolSize: 2 });
}

async function askOnTerminal(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function parseSlotCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number >= 0 (e.g. 50), got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseDecay(value: string): number {
  const n = Number(value);
  if (!/^\d*\.?\d+$/.test(value.trim()) || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected a number of slots per second >= 0 (e.g. 0.5), got ${JSON.stringify(value)}`);
  }
  return n;
}

function parseWindowMs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive whole number of milliseconds (e.g. 10000), got ${JSON.stringify(value)}`);
  }
  return n;
}

function checkedName(name: string): string {
  try {
    validateLimitName(name);
  } catch (error) {
    if (error instanceof InvalidLimitNameError) throw new UserFacingError(error.message, ExitCode.usage);
    throw error;
  }
  return name;
}

function unknownLimit(name: string): UserFacingError {
  return new UserFacingError(`no limit named ${JSON.stringify(name)} (see: hubspot-extract limits ls)`, ExitCode.usage);
}

export function describeKind(l: Pick<SharedLimitRow, 'limit' | 'windowMs' | 'slotDecayPerSecond'>): string {
  if (l.windowMs !== undefined) return `rolling window: ${l.limit} per ${l.windowMs} ms`;
  if (l.slotDecayPerSecond > 0) return `slot pool: ${l.limit} slots, decaying ${l.slotDecayPerSecond}/s`;
  return `concurrency: ${l.limit} slots`;
}

/** Left-aligned columns, two spaces apart. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function formatSlots(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

function formatIn(ms: number): string {
  return ms >= 0 ? `in ${(ms / 1000).toFixed(1)} s` : `${(-ms / 1000).toFixed(1)} s ago`;
}

export function limitsCommand(deps: LimitsCommandDeps = {}): Command {
  const open = deps.openDb ?? openFromSettings;
  const out = deps.stdout ?? ((text: string) => void process.stdout.write(text));
  const interactive = deps.isInteractive ?? (() => Boolean(process.stdin.isTTY && process.stdout.isTTY));
  const confirm = deps.confirm ?? askOnTerminal;

  // The store (and through it the database modules) is loaded only once input has been checked.
  const withDb = async <T>(schema: string | undefined, fn: (db: Database, store: Store) => Promise<T>): Promise<T> => {
    const store = await import('./pg-store.js');
    let db: Database;
    try {
      db = await open(schema);
    } catch (error) {
      if (error instanceof SettingsError || error instanceof UserFacingError) throw error;
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new UserFacingError(`cannot open the database: ${reason} (check DATABASE_URL)`, ExitCode.runFailed);
    }
    try {
      return await fn(db, store);
    } finally {
      await db.close();
    }
  };

  const schemaOption = () => new Option('--schema <name>', 'Postgres schema of the shared limits (HUBSPOT_LIMITS_SCHEMA)');
  const sub = (name: string, description: string) =>
    new Command(name).description(description).addOption(schemaOption()).addHelpText('after', ENVIRONMENT_HELP).exitOverride();

  const create = sub('create', 'Create a named limit shared by every process using this database.')
    .argument('<name>', 'limit name (any text without / % & > <)')
    .requiredOption('--limit <n>', 'slots in total, or requests per window with --window-ms', parseSlotCount)
    .option('--slot-decay-per-second <x>', 'occupied slots drain at this rate (a rate limit); default 0', parseDecay)
    .option('--window-ms <ms>', 'make it an exact rolling window of --limit requests per this many ms', parseWindowMs)
    .option('--disable', 'create it inactive (remembered, never blocks)')
    .action(async (rawName: string, opts: { limit: number; slotDecayPerSecond?: number; windowMs?: number; disable?: boolean; schema?: string }) => {
      const name = checkedName(rawName);
      if (opts.windowMs !== undefined && (opts.slotDecayPerSecond ?? 0) > 0) {
        throw new UserFacingError('choose either --window-ms or --slot-decay-per-second, not both', ExitCode.usage);
      }
      await withDb(opts.schema, async (db, store) => {
        const created = await store.insertLimit(db, db.schema, {
          name,
          limit: opts.limit,
          slotDecayPerSecond: opts.slotDecayPerSecond ?? 0,
          windowMs: opts.windowMs,
          active: !opts.disable,
          tags: [],
        });
        if (!created) throw new UserFacingError(`a limit named ${JSON.stringify(name)} already exists (change it with: limits update)`, ExitCode.usage);
        const row = (await store.getLimit(db, db.schema, name))!;
        out(`created limit ${name}: ${describeKind(row)}${row.active ? '' : ' (inactive)'}\n`);
      });
    });

  const ls = sub('ls', 'List the limits with the slots in use right now.')
    .option('--json', 'print JSON instead of a table')
    .action(async (opts: { json?: boolean; schema?: string }) => {
      await withDb(opts.schema, async (db, store) => {
        const limits = await store.listLimits(db, db.schema);
        if (opts.json) return out(JSON.stringify(limits, null, 2) + '\n');
        if (limits.length === 0) return out('no limits yet (create one with: hubspot-extract limits create NAME --limit N)\n');
        out(
          renderTable(
            ['NAME', 'KIND', 'IN USE', 'HOLDERS', 'WAITING', 'ACTIVE'],
            limits.map((l) => [l.name, describeKind(l), `${formatSlots(l.inUse)}/${l.limit}`, String(l.holders), String(l.waiting), l.active ? 'yes' : 'no']),
          ),
        );
      });
    });

  const inspect = sub('inspect', 'Show one limit: slots in use, holders with their lease expiry, waiters and recent denials.')
    .argument('<name>', 'limit name')
    .option('--json', 'print JSON')
    .action(async (rawName: string, opts: { json?: boolean; schema?: string }) => {
      const name = checkedName(rawName);
      await withDb(opts.schema, async (db, store) => {
        const row = await store.getLimit(db, db.schema, name);
        if (!row) throw unknownLimit(name);
        const [usage, holders, waiters, denials, nowRows] = await Promise.all([
          store.limitUsage(db, db.schema, name),
          store.holdersOf(db, db.schema, name),
          store.waitersOf(db, db.schema, name),
          store.recentDenials(db, db.schema, name, 10),
          db.query<{ now: Date }>('select clock_timestamp() as now'),
        ]);
        const inUse = usage?.inUse ?? 0;
        if (opts.json) {
          return out(JSON.stringify({ ...row, inUse, holders, waiters, recentDenials: denials }, null, 2) + '\n');
        }
        const now = nowRows.rows[0].now.getTime();
        const lines = [
          `limit    ${row.name}`,
          `kind     ${describeKind(row)}`,
          `active   ${row.active ? 'yes' : 'no (never blocks)'}`,
          `in use   ${formatSlots(inUse)} of ${row.limit}`,
          `updated  ${row.updatedAt.toISOString()}`,
          '',
        ];
        out(lines.join('\n') + '\n');
        if (holders.length === 0) out('holders: none\n');
        else {
          out(`holders (${holders.length}):\n`);
          out(
            renderTable(
              ['HOLDER', 'HELD', 'COUNTED', 'LEASE EXPIRES'],
              holders.map((h) => [
                h.holder,
                String(h.heldSlots),
                formatSlots(h.countedSlots),
                h.leaseExpiresAt ? `${formatIn(h.leaseExpiresAt.getTime() - now)} (${h.leaseExpiresAt.toISOString()})` : '-',
              ]),
            ).replace(/^/gm, '  '),
          );
        }
        if (waiters.length > 0) {
          out(`waiting (${waiters.length}):\n`);
          out(
            renderTable(
              ['TICKET', 'HOLDER', 'SLOTS', 'SINCE'],
              waiters.map((w) => [String(w.ticket), w.holder, String(w.slots), w.enqueuedAt.toISOString()]),
            ).replace(/^/gm, '  '),
          );
        }
        if (denials.length === 0) out('recent denials: none\n');
        else {
          out(`recent denials (latest ${denials.length}):\n`);
          out(
            renderTable(
              ['AT', 'HOLDER', 'SLOTS', 'REASON'],
              denials.map((d) => [d.at.toISOString(), d.holder, String(d.slots), d.reason]),
            ).replace(/^/gm, '  '),
          );
        }
      });
    });

  const update = sub('update', 'Change a limit; running processes apply it within a second.')
    .argument('<name>', 'limit name')
    .option('--limit <n>', 'slots in total, or requests per window', parseSlotCount)
    .option('--slot-decay-per-second <x>', 'occupied slots drain at this rate', parseDecay)
    .option('--enable', 'make it block again')
    .option('--disable', 'keep it but never block')
    .action(async (rawName: string, opts: { limit?: number; slotDecayPerSecond?: number; enable?: boolean; disable?: boolean; schema?: string }) => {
      const name = checkedName(rawName);
      if (opts.enable && opts.disable) throw new UserFacingError('give --enable or --disable, not both', ExitCode.usage);
      const patch: LimitPatch = { limit: opts.limit, slotDecayPerSecond: opts.slotDecayPerSecond };
      if (opts.enable) patch.active = true;
      if (opts.disable) patch.active = false;
      if (patch.limit === undefined && patch.slotDecayPerSecond === undefined && patch.active === undefined) {
        throw new UserFacingError('nothing to update: give --limit, --slot-decay-per-second, --enable or --disable', ExitCode.usage);
      }
      await withDb(opts.schema, async (db, store) => {
        const current = await store.getLimit(db, db.schema, name);
        if (!current) throw unknownLimit(name);
        if (current.windowMs !== undefined && (patch.slotDecayPerSecond ?? 0) > 0) {
          throw new UserFacingError(`limit ${JSON.stringify(name)} is a rolling window; its slots cannot decay`, ExitCode.usage);
        }
        const row = await store.updateLimit(db, db.schema, name, patch);
        if (!row) throw unknownLimit(name);
        out(`updated limit ${name}: ${describeKind(row)}${row.active ? '' : ' (inactive)'}\n`);
      });
    });

  const remove = sub('delete', 'Delete a limit with its leases and history (asks first unless --yes).')
    .argument('<name>', 'limit name')
    .option('-y, --yes', 'do not ask for confirmation (required when not on a terminal)')
    .action(async (rawName: string, opts: { yes?: boolean; schema?: string }) => {
      const name = checkedName(rawName);
      if (!opts.yes && !interactive()) {
        throw new UserFacingError(`not deleting limit ${JSON.stringify(name)} without confirmation: not a terminal, pass --yes`, ExitCode.usage);
      }
      await withDb(opts.schema, async (db, store) => {
        const row = await store.getLimit(db, db.schema, name);
        if (!row) throw unknownLimit(name);
        if (!opts.yes) {
          const usage = await store.limitUsage(db, db.schema, name);
          const ok = await confirm(`Delete limit ${name} (${describeKind(row)}, ${formatSlots(usage?.inUse ?? 0)} in use)? [y/N] `);
          if (!ok) return out(`kept limit ${name}\n`);
        }
        if (!(await store.deleteLimit(db, db.schema, name))) throw unknownLimit(name);
        out(`deleted limit ${name}\n`);
      });
    });

  return new Command('limits')
    .description('Manage named limits shared through Postgres by every process using the same database.')
    .exitOverride()
    .addCommand(create)
    .addCommand(ls)
    .addCommand(inspect)
    .addCommand(update)
    .addCommand(remove);
}
