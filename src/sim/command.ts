import { Command, InvalidArgumentError, Option } from 'commander';
import { CATALOG_MODES, PRESETS, TIERS, type CatalogMode, type FaultRates, type PortalSize, type Preset, type SimulatorOptions, type Tier } from './options.js';
import { OPTIONAL_TYPES, type OptionalType } from './schema.js';
import { startSimulator } from './simulator.js';

/** `sim` sub-command: serves a simulated portal until SIGTERM/SIGINT. */

function integer(name: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(`${name} must be a non-negative integer`);
    return value;
  };
}

function typeList(raw: string): OptionalType[] {
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
  for (const name of names) {
    if (!(OPTIONAL_TYPES as readonly string[]).includes(name)) throw new InvalidArgumentError(`--without takes ${OPTIONAL_TYPES.join(', ')}`);
  }
  return names as OptionalType[];
}

function rate(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new InvalidArgumentError('a fault rate is a probability between 0 and 1');
  return value;
}

interface RawOptions {
  port?: number;
  token?: string;
  tier: Tier;
  preset: Preset;
  seed: number;
  requestLog?: string;
  contacts?: number;
  companies?: number;
  deals?: number;
  engagements?: number;
  forms?: number;
  submissions?: number;
  tickets?: number;
  products?: number;
  lineItems?: number;
  quotes?: number;
  leads?: number;
  customObjects?: number;
  customRecords?: number;
  owners?: number;
  portals?: number;
  without?: OptionalType[];
  mutationsPerMinute?: number;
  backgroundLoad?: number;
  latencyMs?: number;
  latencyTail?: number;
  fault5xx?: number;
  faultTimeout?: number;
  faultReset?: number;
  faultMalformed?: number;
  fault429Burst?: number;
  fault423?: number;
  fault477?: number;
  fault524?: number;
  faultEdge200?: number;
  tokenExpiresAfter?: number;
  searchLagMs?: number;
  sameMsBatch?: number;
  retryAfter: 'on' | 'off';
  rateLimit: boolean;
  tenSecondLimit?: number;
  windowMs?: number;
  dailyLimit?: number;
  rejectedCount?: boolean;
  catalog: CatalogMode;
  customProperties?: number;
  maxUrlBytes?: number;
  pageDrift?: number;
  pageDriftWindowMs?: number;
  legacyPaths: boolean;
}

/** Each `--fault-…` option and the rate it sets. */
const FAULT_FLAGS = {
  fault5xx: 'serverError',
  faultTimeout: 'timeout',
  faultReset: 'reset',
  faultMalformed: 'malformed',
  fault429Burst: 'burst429',
  fault423: 'locked',
  fault477: 'migration',
  fault524: 'originTimeout',
  faultEdge200: 'edgePage200',
} as const satisfies Partial<Record<keyof RawOptions, keyof FaultRates>>;

export function toSimulatorOptions(raw: RawOptions): Partial<SimulatorOptions> {
  const size: Partial<PortalSize> = {};
  for (const key of [
    'contacts',
    'companies',
    'deals',
    'engagements',
    'forms',
    'submissions',
    'tickets',
    'products',
    'lineItems',
    'quotes',
    'leads',
    'customObjects',
    'customRecords',
    'owners',
  ] as const) {
    if (raw[key] !== undefined) size[key] = raw[key];
  }
  const faults: Partial<FaultRates> = {};
  for (const [flag, rate] of Object.entries(FAULT_FLAGS) as [keyof typeof FAULT_FLAGS, keyof FaultRates][]) {
    if (raw[flag] !== undefined) faults[rate] = raw[flag];
  }
  const options: Partial<SimulatorOptions> = {
    tier: raw.tier,
    preset: raw.preset,
    seed: raw.seed,
    size: size as PortalSize,
    faults: faults as FaultRates,
    rateLimit: raw.rateLimit,
    retryAfter: raw.retryAfter === 'on',
    catalog: raw.catalog,
    legacyPaths: raw.legacyPaths,
  };
  if (raw.port !== undefined) options.port = raw.port;
  if (raw.token !== undefined) options.token = raw.token;
  if (raw.requestLog !== undefined) options.requestLogFile = raw.requestLog;
  if (raw.mutationsPerMinute !== undefined) options.mutationsPerMinute = raw.mutationsPerMinute;
  if (raw.backgroundLoad !== undefined) options.backgroundLoad = raw.backgroundLoad;
  if (raw.latencyMs !== undefined) options.latencyMedianMs = raw.latencyMs;
  if (raw.latencyTail !== undefined) options.latencyTailMs = raw.latencyTail;
  else if (raw.latencyMs !== undefined) options.latencyTailMs = raw.latencyMs * 10;
  if (raw.tokenExpiresAfter !== undefined) options.tokenExpiresAfter = raw.tokenExpiresAfter;
  if (raw.searchLagMs !== undefined) options.searchLagMs = raw.searchLagMs;
  if (raw.sameMsBatch !== undefined) options.sameMsBatch = raw.sameMsBatch;
  if (raw.tenSecondLimit !== undefined) options.tenSecondLimit = raw.tenSecondLimit;
  if (raw.windowMs !== undefined) options.rateLimitWindowMs = raw.windowMs;
  if (raw.dailyLimit !== undefined) options.dailyLimit = raw.dailyLimit;
  if (raw.rejectedCount) options.rejectedCountsInWindow = true;
  if (raw.customProperties !== undefined) options.customProperties = raw.customProperties;
  if (raw.maxUrlBytes !== undefined) options.maxUrlBytes = raw.maxUrlBytes;
  if (raw.pageDrift !== undefined) options.pageDrift = raw.pageDrift;
  if (raw.pageDriftWindowMs !== undefined) options.pageDriftWindowMs = raw.pageDriftWindowMs;
  if (raw.portals !== undefined) options.portals = raw.portals;
  if (raw.without !== undefined) options.without = raw.without;
  return options;
}

export function simCommand(): Command {
  return new Command('sim')
    .description('Serve a simulated HubSpot portal (CRM v3/v4, forms, rate limits, faults) on 127.0.0.1')
    .option('--port <n>', 'port to listen on (0 = a free port)', integer('port'))
    .option('--token <token>', 'the access token clients must send as Bearer (default: sim-token)')
    .addOption(new Option('--tier <tier>', 'HubSpot tier whose limits apply').choices(TIERS).default('professional'))
    .addOption(new Option('--preset <preset>', 'portal size').choices(PRESETS).default('small'))
    .option('--seed <n>', 'seed of the portal data, latency and faults', integer('seed'), 1)
    .option('--request-log <file>', 'append every request as NDJSON to this file')
    .option('--contacts <n>', 'number of contacts (overrides the preset)', integer('contacts'))
    .option('--companies <n>', 'number of companies', integer('companies'))
    .option('--deals <n>', 'number of deals', integer('deals'))
    .option('--engagements <n>', 'number of calls+emails+meetings+notes+tasks', integer('engagements'))
    .option('--forms <n>', 'number of forms (every type)', integer('forms'))
    .option('--submissions <n>', 'number of form submissions', integer('submissions'))
    .option('--tickets <n>', 'number of tickets (default: as many as deals)', integer('tickets'))
    .option('--products <n>', 'number of products (default: 20 + deals/20, at most 400)', integer('products'))
    .option('--line-items <n>', 'number of line items (default: 2.5 per deal)', integer('line-items'))
    .option('--quotes <n>', 'number of quotes (default: one per two deals)', integer('quotes'))
    .option('--leads <n>', 'number of leads (default: an eighth of the contacts)', integer('leads'))
    .option('--custom-objects <n>', 'custom objects at start, 0-2 (default: 1, or 2 from 1,000 deals)', integer('custom-objects'))
    .option('--custom-records <n>', 'records of the first custom object (default: 1.5 per deal; the second has half)', integer('custom-records'))
    .option('--owners <n>', 'CRM owners, about a sixth archived (default: 12 + contacts/250)', integer('owners'))
    .option('--portals <n>', 'serve N independent portals on one port: tokens <token>-1..N, seeds seed..seed+N-1', integer('portals'))
    .option('--without <types>', `standard types the portal lacks, answered 403 MISSING_SCOPES (${OPTIONAL_TYPES.join(', ')})`, typeList)
    .option('--mutations-per-minute <n>', 'seeded random changes per minute (updates, creates, archives, deletes, associations)', integer('mutations'))
    .option('--background-load <n>', 'requests per rate-limit window made by another app on the same quota', integer('background-load'))
    .option('--latency-ms <n>', 'median response latency in ms', integer('latency-ms'))
    .option('--latency-tail <n>', '99th percentile latency in ms (default 10x the median)', integer('latency-tail'))
    .option('--fault-5xx <rate>', 'probability of a 500/502/503/504', rate)
    .option('--fault-timeout <rate>', 'probability that a response never comes', rate)
    .option('--fault-reset <rate>', 'probability of a connection reset', rate)
    .option('--fault-malformed <rate>', 'probability of a truncated JSON body', rate)
    .option('--fault-429-burst <rate>', 'probability that a burst of spurious 429s starts', rate)
    .option('--fault-423 <rate>', 'probability of 423 Locked', rate)
    .option('--fault-477 <rate>', 'probability of 477 Migration in Progress (Retry-After: 1 s)', rate)
    .option('--fault-524 <rate>', 'probability of a 524 origin timeout from the edge (HTML body)', rate)
    .option('--fault-edge-200 <rate>', 'probability of a 200 whose body is an HTML challenge or maintenance page', rate)
    .option('--token-expires-after <n>', 'the token answers 401 after this many requests', integer('token-expires-after'))
    .option('--search-lag-ms <n>', 'search index lags writes by this long', integer('search-lag-ms'))
    .option('--same-ms-batch <n>', 'stamp n records with one identical modified-date millisecond', integer('same-ms-batch'))
    .addOption(new Option('--retry-after <on|off>', 'send Retry-After (seconds) on 429').choices(['on', 'off']).default('on'))
    .option('--no-rate-limit', 'serve every request (limits still counted and logged)')
    .option('--ten-second-limit <n>', "requests per window (default: the tier's)", integer('ten-second-limit'))
    .option('--window-ms <n>', 'rolling window length in ms (default 10000)', integer('window-ms'))
    .option('--daily-limit <n>', "daily limit (default: the tier's)", integer('daily-limit'))
    .option('--rejected-count', 'requests answered 429 still occupy the window')
    .addOption(
      new Option('--catalog <mode>', "property catalogs: HubSpot's real defaults plus custom ones, or about ten per type")
        .choices(CATALOG_MODES)
        .default('realistic'),
    )
    .option('--custom-properties <n>', "custom properties on every object type (default: the preset's counts)", integer('custom-properties'))
    .option('--max-url-bytes <n>', 'longest path+query the edge passes; longer requests get 414 (default 8192)', integer('max-url-bytes'))
    .option('--page-drift <p>', 'probability that a list page repeats records of the previous page and skips recently modified ones', rate)
    .option('--page-drift-window-ms <n>', 'a drifting page skips records modified this recently (default 60000)', integer('page-drift-window-ms'))
    .option('--no-legacy-paths', 'answer every /crm/v3, /crm/v4 (and /crm/associations/v4) path with 404, as after the sunset')
    .action(async (raw: RawOptions) => {
      const started = Date.now();
      const sim = await startSimulator(toSimulatorOptions(raw));
      process.stdout.write(`HubSpot simulator listening on ${sim.url}\n`);
      const fleet =
        sim.portals.length > 1
          ? `${sim.portals.length} portals (tokens ${sim.portals[0].token}..${sim.portals[sim.portals.length - 1].token}, generated on first use)`
          : 'portal';
      process.stderr.write(
        `${fleet} ready in ${Date.now() - started} ms (preset ${raw.preset}, seed ${raw.seed}); a Bearer token is required; ground truth at ${sim.url}/__sim/manifest\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await sim.close();
    });
}
