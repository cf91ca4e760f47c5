/**
 * Throughput of the processor against the simulator, as a ratio of what the limits allow, so numbers
 * compare across machines. Scaled window (640 per 2 s; HubSpot: 190 per 10 s); see
 * test/integration/processor/fan-out.test.ts for why the ratios carry over.
 *
 *   npx tsx bench/processor.ts [items] [--transport=pool|global|pool,global]
 *
 * `--transport` (default `pool`): `pool` is the run's keep-alive pool (src/hubspot/transport.ts), as a run
 * sends; `global` detaches it, so requests go out through the client's own `apiRequest` on Node's global agent
 * (as before the pool existed). `pool,global` runs each scenario with both, back to back in this process: on a
 * busy machine that A/B is the figure to compare, not ratios from separate runs. `socketsOpened` counts the
 * TCP connections the run opened (the `net.client.socket` diagnostics channel).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { parseSettings } from '../config/settings.js';
import { detachAgent } from '../src/hubspot/transport.js';
import { createRunContext } from '../src/run/run-context.js';
import { startSimulator } from '../src/sim/index.js';
import { ZERO_FAULTS, type FaultRates } from '../src/sim/options.js';

const TRANSPORTS = ['pool', 'global'] as const;
type Transport = (typeof TRANSPORTS)[number];
const args = process.argv.slice(2);
const ITEMS = Number(args.find((a) => !a.startsWith('--')) ?? 4000);
const transports = (args.find((a) => a.startsWith('--transport='))?.slice('--transport='.length) ?? 'pool').split(',') as Transport[];
for (const t of transports) if (!TRANSPORTS.includes(t)) throw new Error(`--transport: ${t} is not one of ${TRANSPORTS.join(', ')}`);
let socketsOpened = 0;
diagnosticsChannel.subscribe('net.client.socket', () => socketsOpened++);
const WINDOW_MS = 2000;
const LIMIT = 640;

interface Scenario {
  name: string;
  background: number;
  faults: Partial<FaultRates>;
}

const scenarios: Scenario[] = [
  { name: 'clean', background: 0, faults: {} },
  { name: 'other app 15.6%', background: 100, faults: {} },
  { name: 'other app + 5% 5xx, 1% timeouts, 1% resets', background: 100, faults: { serverError: 0.05, timeout: 0.01, reset: 0.01 } },
];

const runs = scenarios.flatMap((scenario) => transports.map((transport) => ({ scenario, transport })));
for (const { scenario, transport } of runs) {
  const sim = await startSimulator({
    tenSecondLimit: LIMIT,
    rateLimitWindowMs: WINDOW_MS,
    backgroundLoad: scenario.background,
    retryAfter: false,
    faults: { ...ZERO_FAULTS, ...scenario.faults },
    timeoutHoldMs: 10_000,
  });
  const settings = parseSettings({
    HUBSPOT_ACCESS_TOKEN: sim.token,
    HUBSPOT_BASE_URL: sim.url,
    HUBSPOT_MAX_REQUESTS_PER_10S: String(LIMIT),
    HUBSPOT_REQUEST_TIMEOUT_MS: '1000',
    HUBSPOT_MAX_ATTEMPTS: '8',
    HUBSPOT_MAX_CONCURRENCY: '32',
  });
  const ctx = createRunContext(settings, { windowMs: WINDOW_MS, backoff: { baseMs: 50, maxMs: 2000 }, breaker: { failureThreshold: 8, coolDownMs: 1000 } });
  if (transport === 'global') detachAgent(ctx.client);
  const socketsBefore = socketsOpened;
  await ctx.processor.processBatch(
    Array.from({ length: ITEMS }, (_, i) => i),
    async () => (await ctx.api.listObjectsPage('contacts', { limit: 1 })).results.length,
    { desc: 'bench' },
  );
  const log = sim.requests();
  const ours = log.filter((e) => e.source !== 'background');
  const seconds = (ours[ours.length - 1].t - ours[0].t) / 1000;
  const allowed = ((LIMIT - scenario.background) * 1000) / WINDOW_MS;
  const achieved = ours.length / seconds;
  // The simulator's other app runs on a timer that a busy machine delays, so also compare with what it really used.
  const backgroundServed = log.filter((e) => e.source === 'background' && e.status !== 429).length / seconds;
  const leftInFact = (LIMIT * 1000) / WINDOW_MS - backgroundServed;
  const stats = ctx.stats();
  console.log(
    JSON.stringify({
      scenario: scenario.name,
      ...(transports.length > 1 || transport !== 'pool' ? { transport } : {}),
      items: ITEMS,
      requests: ours.length,
      seconds: Number(seconds.toFixed(2)),
      allowedPerSecond: allowed,
      achievedPerSecond: Number(achieved.toFixed(1)),
      ratio: Number((achieved / allowed).toFixed(3)),
      ratioToWhatOtherAppReallyLeft: Number((achieved / leftInFact).toFixed(3)),
      our429: ours.filter((e) => e.status === 429).length,
      pool: ctx.processor.concurrency,
      socketsOpened: socketsOpened - socketsBefore,
      retriesByCause: stats.retriesByCause,
    }),
  );
  await ctx.close();
  await sim.close();
}
