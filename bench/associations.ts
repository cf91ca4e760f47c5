/**
 * What the association refresh costs (issue 14): adding or removing an association changes neither record's
 * modified date, so an incremental run sees it only by re-reading associations. Two policies, on the same portal
 * after the same kind of changes:
 *
 * - changed records only: each run reads the associations of the records it loaded (they are queued with them);
 *   the full re-read waits for HUBSPOT_ASSOCIATIONS_REFRESH_HOURS;
 * - everything: every run re-reads every association of every type (HUBSPOT_ASSOCIATIONS_REFRESH_HOURS=0).
 *
 * For each it prints the run's calls, its association calls, their time at the Professional window (19/s) and the
 * association edges still wrong after the run (those changed without a record change). Records removed from the
 * portal since the last run are counted apart (`awaitingSweep`): the delete sweep finds them, and it is off here.
 *
 *   npm run bench:associations -- [--preset medium] [--changes 300]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseSettings } from '../config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { systemClock } from '../src/clock.js';
import { createRunContext } from '../src/run/run-context.js';
import { runExtraction } from '../src/run/extract-run.js';
import { selectExtractors } from '../extractors/registry.js';
import { startSimulator, type Preset } from '../src/sim/index.js';
import { portalDifferences } from '../test/helpers/portal-equality.js';
import { freshDatabase } from './fresh-database.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const preset = arg('preset', 'medium') as Preset;
const changes = Number(arg('changes', '300'));
/** The Professional tier's window: what the calls cost in time on a real portal. */
const WINDOW_PER_SECOND = 19;

async function main(): Promise<void> {
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres(path.join(root, '.data', 'postgres-bench'));
  const adminUrl = process.env.DATABASE_URL ?? embedded!.url;
  const dbUrl = await freshDatabase(adminUrl, 'bench_associations');
  // No server-side limit: the bench counts calls; their time at the real limit is calls / 19 per second.
  const sim = await startSimulator({ preset, seed: 1, rateLimit: false });
  const db = await openDatabase({ url: dbUrl, schema: 'hubspot', poolSize: 12 });
  try {
    await migrate(db);
    const run = async (label: string, refreshAssociations: boolean) => {
      const settings = {
        ...parseSettings({
          HUBSPOT_SEARCH_LAG_MS: '0',
          HUBSPOT_API_VERSION: '2026-09',
          HUBSPOT_MAX_REQUESTS_PER_10S: '5000',
          HUBSPOT_ASSOCIATIONS_REFRESH_HOURS: '1000000',
        }),
        accessToken: sim.token,
        baseUrl: sim.url,
      };
      const context = createRunContext(settings, { trackDailyBudget: false });
      const from = sim.requests().length;
      const started = Date.now();
      const summary = await runExtraction({
        settings,
        db,
        context,
        extractors: selectExtractors(),
        fullRefresh: false,
        includeArchived: false,
        refreshAssociations,
        sweepDeletes: false,
        clock: systemClock,
        signal: new AbortController().signal,
      }).finally(() => context.close());
      if (summary.status !== 'succeeded') throw new Error(`${label}: ${summary.status} ${summary.error ?? ''}`);
      const requests = sim.requests().slice(from);
      const associationCalls = requests.filter((r) => r.path.startsWith('/crm/associations/')).length;
      const diffs = await portalDifferences(db, sim.manifest(), { forms: false, maxDifferences: 1_000_000 });
      const staleEdges = diffs.filter((d) => d.includes(' edge ')).length;
      // Records hard-deleted or archived in the portal stay until the delete sweep, which these runs leave off.
      const awaitingSweep = diffs.filter((d) => / unexpected \d+$/.test(d)).length;
      const row = {
        run: label,
        calls: summary.calls,
        associationCalls,
        associationSeconds: +(associationCalls / WINDOW_PER_SECOND).toFixed(1),
        runSecondsAtLimit: +((summary.calls - summary.searchCalls) / WINDOW_PER_SECOND).toFixed(1),
        associationRows: summary.rows.associations ?? 0,
        staleEdges,
        awaitingSweep,
        otherDifferences: diffs.length - staleEdges - awaitingSweep,
        wallSeconds: +((Date.now() - started) / 1000).toFixed(1),
      };
      console.log(JSON.stringify(row));
      // Anything but an edge left wrong is not what this bench measures: show it, so it is looked at.
      for (const d of diffs.filter((d) => !d.includes(' edge ') && !/ unexpected \d+$/.test(d)).slice(0, 5)) console.log(`  difference: ${d}`);
      return row;
    };
    const results = [await run('full', false)];
    for (const [label, refresh] of [
      ['changed records only', false],
      ['every association', true],
      ['changed records only (again)', false],
      ['every association (again)', true],
    ] as const) {
      sim.mutate(changes);
      await new Promise((r) => setTimeout(r, 5));
      results.push(await run(label, refresh));
    }
    console.table(results);
    mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(root, 'bench', 'results', `associations-${preset}.json`), JSON.stringify({ preset, changes, results }, null, 2));
  } finally {
    await db.close();
    await sim.close();
    await embedded?.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
