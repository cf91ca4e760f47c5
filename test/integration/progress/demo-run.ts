/**
 * A small run against the simulator that draws progress the way the CLI does: bars on a TTY, JSON
 * lines otherwise. Used by the terminal tests; also handy to look at: `npx tsx test/integration/progress/demo-run.ts`.
 * PROGRESS_INTERVAL_MS sets the JSON line interval.
 */
import { parseSettings } from '../../../config/settings.js';
import { createRunContext } from '../../../src/run/run-context.js';
import { startSimulator } from '../../../src/sim/index.js';

const sim = await startSimulator({ tenSecondLimit: 60, rateLimitWindowMs: 1000, latencyMedianMs: 20, latencyTailMs: 80 });
const settings = parseSettings({
  HUBSPOT_ACCESS_TOKEN: sim.token,
  HUBSPOT_BASE_URL: sim.url,
  HUBSPOT_MAX_REQUESTS_PER_10S: '60',
  HUBSPOT_MAX_CONCURRENCY: '8',
});
const ctx = createRunContext(settings, {
  windowMs: 1000,
  progress: 'auto',
  progressIntervalMs: Number(process.env.PROGRESS_INTERVAL_MS ?? 5000),
});
try {
  const contacts = ctx.processor.processBatch(
    Array.from({ length: 150 }, (_, i) => i),
    async () => (await ctx.api.listObjectsPage('contacts', { limit: 1 })).results.length,
    { desc: 'contacts' },
  );
  const associations = ctx.processor.processStream(
    (async function* () {
      for (let i = 0; i < 90; i++) yield i;
    })(),
    async () => (await ctx.api.listObjectsPage('companies', { limit: 1 })).results.length,
    { desc: 'associations', total: 90 },
  );
  await Promise.all([contacts, associations]);
} finally {
  await ctx.close();
  await sim.close();
}
const stats = ctx.stats();
process.stderr.write(`run finished: ${stats.requests} requests, ${stats.rateLimited} rate-limited\n`);
