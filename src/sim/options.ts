import { API_LIMIT_INCREASE, HUBSPOT_TIER_LIMITS, HUBSPOT_TIERS, type HubSpotTier } from '../../config/hubspot-limits.js';
import type { Clock } from '../clock.js';
import { ENGAGEMENT_TYPES, OBJECT_TYPES, type OptionalType, type StandardType } from './schema.js';

export type Tier = HubSpotTier;
export const TIERS: Tier[] = [...HUBSPOT_TIERS];

export type Preset = 'small' | 'medium' | 'large';
export const PRESETS: Preset[] = ['small', 'medium', 'large'];

export interface PortalSize {
  contacts: number;
  companies: number;
  deals: number;
  /** Split over calls, emails, meetings, notes and tasks. */
  engagements: number;
  forms: number;
  submissions: number;
  /**
   * The streams of issue 14. Each is optional: when left out it follows the sizes above as real portals do
   * (`derivedSizes`): tickets as many as deals, line items 2.5 per deal, quotes one per two deals, leads an eighth
   * of the contacts, products a catalogue of tens to hundreds, custom object records 1.5 per deal, owners a team
   * that grows with the contacts.
   */
  tickets?: number;
  products?: number;
  lineItems?: number;
  quotes?: number;
  leads?: number;
  /** Records of each generated custom object. */
  customRecords?: number;
  /** CRM owners (users and a queue), archived ones included. */
  owners?: number;
  /** Custom objects the portal starts with (`projects`, then `vehicles`). */
  customObjects?: number;
}

/** Counts of the issue-14 streams for a size: the given ones, the rest derived from the others. */
export function derivedSizes(
  size: PortalSize,
): Required<Pick<PortalSize, 'tickets' | 'products' | 'lineItems' | 'quotes' | 'leads' | 'customRecords' | 'owners' | 'customObjects'>> {
  return {
    tickets: size.tickets ?? size.deals,
    products: size.products ?? Math.min(400, 20 + Math.round(size.deals / 20)),
    lineItems: size.lineItems ?? Math.round(size.deals * 2.5),
    quotes: size.quotes ?? Math.round(size.deals / 2),
    leads: size.leads ?? Math.round(size.contacts / 8),
    customRecords: size.customRecords ?? Math.round(size.deals * 1.5),
    owners: size.owners ?? Math.min(500, 12 + Math.round(size.contacts / 250)),
    customObjects: size.customObjects ?? (size.deals >= 1000 ? 2 : 1),
  };
}

export const PRESET_SIZES: Record<Preset, PortalSize> = {
  // `small` still holds a company with > 500 contacts and a contact with > 500 calls, so paging is exercised.
  small: { contacts: 600, companies: 40, deals: 60, engagements: 3000, forms: 8, submissions: 400 },
  medium: { contacts: 5000, companies: 600, deals: 1000, engagements: 20000, forms: 20, submissions: 5000 },
  large: { contacts: 50000, companies: 5000, deals: 8000, engagements: 150000, forms: 40, submissions: 30000 },
};

/**
 * Burst (per 10 s, per app) and daily (per account) limits, contract §1.1, from the client's one table
 * (config/hubspot-limits.ts). One deliberate difference: the simulated `api-addon` portal is a real account
 * with the add-on, an Enterprise one with one purchase (1,000,000 + 1,000,000 a day), whereas the client
 * assumes the add-on's 1,000,000 alone for any such account. test/unit/sim/tier-limits.test.ts pins what
 * must agree.
 */
export const TIER_LIMITS: Record<Tier, { tenSecondly: number; daily: number }> = Object.fromEntries(
  TIERS.map((tier) => [tier, { tenSecondly: HUBSPOT_TIER_LIMITS[tier].per10s, daily: simulatedDailyLimit(tier) }]),
) as Record<Tier, { tenSecondly: number; daily: number }>;

function simulatedDailyLimit(tier: Tier): number {
  if (tier === 'api-addon') return HUBSPOT_TIER_LIMITS.enterprise.daily + API_LIMIT_INCREASE.dailyPerPurchase;
  return HUBSPOT_TIER_LIMITS[tier].daily;
}

export interface FaultRates {
  /** Probability per request of a 500/502/503/504 (bodies: JSON, HTML, empty, HTML). */
  serverError: number;
  /** Probability per request that no response ever comes (socket held until the client gives up). */
  timeout: number;
  /** Probability per request that the TCP connection is destroyed without a response. */
  reset: number;
  /** Probability per request of a 200 whose JSON body is cut in half. */
  malformed: number;
  /** Probability per request that a burst of `burst429Length` spurious TEN_SECONDLY_ROLLING 429s starts. */
  burst429: number;
  burst429Length: number;
  /** Probability per request of 423 Locked. */
  locked: number;
  /** Probability per request of 477 Migration in Progress, with `Retry-After` in seconds (contract §1.6). */
  migration: number;
  /** `Retry-After` of a 477, in seconds (HubSpot: "typically up to 24 hours"). */
  migrationRetryAfterSeconds: number;
  /** Probability per request of a 524 from the edge (origin did not answer in 100 s), an HTML body. */
  originTimeout: number;
  /**
   * Probability per request of a 200 whose body is an HTML challenge or maintenance page (`text/html`) from the
   * edge or a proxy (contract §6.3): nothing in it is data.
   */
  edgePage200: number;
}

/**
 * `realistic`: HubSpot's default properties per type (contacts ~380, companies ~250, deals ~205, engagements
 * 80–120) plus custom ones. `minimal`: the ten-odd properties per type the simulator had before issue 13, kept only
 * so that code not yet able to page a real catalog (URL and search-body limits) can still be tested.
 */
export type CatalogMode = 'realistic' | 'minimal';
export const CATALOG_MODES: CatalogMode[] = ['realistic', 'minimal'];

export interface SimulatorOptions {
  host: string;
  port: number;
  token: string;
  tier: Tier;
  preset: Preset;
  seed: number;
  size: PortalSize;
  requestLogFile?: string;

  rateLimit: boolean;
  /** Requests per rolling window per token; defaults to the tier's. */
  tenSecondLimit: number;
  rateLimitWindowMs: number;
  dailyLimit: number;
  /** Search requests per rolling second per account (contract §1.3). */
  searchPerSecond: number;
  /**
   * Whether a request answered 429 still occupies a slot in the rolling window. HubSpot does not document it;
   * counting only served requests is the reading the contract's "remaining" header implies, so it is the default.
   */
  rejectedCountsInWindow: boolean;
  retryAfter: boolean;
  /** Requests per window made by "another app" on the same token's window. */
  backgroundLoad: number;

  latencyMedianMs: number;
  /** 99th percentile of the latency distribution (lognormal). */
  latencyTailMs: number;

  faults: FaultRates;
  /** After this many authenticated requests the token answers 401 EXPIRED_AUTHENTICATION. 0 = never. */
  tokenExpiresAfter: number;
  /** How long a held ("timeout") request is kept before the socket is destroyed. */
  timeoutHoldMs: number;

  /** Search sees writes only after this delay. */
  searchLagMs: number;
  /** Records stamped with one identical modified-date millisecond at generation (a bulk update). 0 = off. */
  sameMsBatch: number;
  mutationsPerMinute: number;
  /** Page size of one input's association list in v4 batch read. */
  batchAssociationPageSize: number;

  /** Property catalogs: HubSpot's real default catalogs (default) or the pre-issue-13 minimal ones. */
  catalog: CatalogMode;
  /**
   * Custom (non-HubSpot-defined) properties on every object type. Undefined: the preset's own counts
   * (`PRESET_CUSTOM_PROPERTIES`), which give contacts the most and engagements the fewest, as real portals do.
   */
  customProperties?: number;
  /**
   * Longest path+query, in bytes as sent, that reaches HubSpot; longer requests get the edge's 414 page
   * (contract §6.1). HubSpot's public reports put the limit near 8 KB.
   */
  maxUrlBytes: number;
  /** Probability per list page that it drifts: repeats records of the previous page and skips recently modified ones. */
  pageDrift: number;
  /** A drifting page skips records modified within this many milliseconds before the request. */
  pageDriftWindowMs: number;
  /** When false, every numbered CRM path (`/crm/v3/...`, `/crm/v4/...`, `/crm/associations/v4/...`) answers 404, as after the sunset. */
  legacyPaths: boolean;

  /**
   * Independent portals served on one port (issue 16): portal k (1..N) answers the token `${token}-${k}` (just
   * `token` when N is 1), has the seed `seed + k - 1`, its own data, rate-limit windows and daily count. Portals
   * are generated on first use.
   */
  portals: number;
  /** Standard types the portal does not have (e.g. leads without Sales Hub): every endpoint of theirs answers 403 MISSING_SCOPES. */
  without: OptionalType[];

  clock?: Clock;
}

export const DEFAULT_TOKEN = 'sim-token';

export const ZERO_FAULTS: FaultRates = {
  serverError: 0,
  timeout: 0,
  reset: 0,
  malformed: 0,
  burst429: 0,
  burst429Length: 5,
  locked: 0,
  migration: 0,
  migrationRetryAfterSeconds: 1,
  originTimeout: 0,
  edgePage200: 0,
};

/** Custom properties per type in each preset when `customProperties` is not given. */
export const PRESET_CUSTOM_PROPERTIES: Record<Preset, { contacts: number; companies: number; deals: number; engagements: number; others: number }> = {
  // Enough on contacts for one of every kind of custom property (plus the long biography).
  small: { contacts: 14, companies: 6, deals: 6, engagements: 3, others: 4 },
  // >= 600 contact properties with the ~380 defaults, as the issue asks of medium and large.
  medium: { contacts: 260, companies: 90, deals: 70, engagements: 12, others: 25 },
  large: { contacts: 300, companies: 120, deals: 90, engagements: 15, others: 40 },
};

/** Custom properties of each standard type: `customProperties` on every type when given, else the preset's counts. */
export function customPropertyCounts(options: Pick<SimulatorOptions, 'preset' | 'customProperties'>): Record<StandardType, number> {
  const preset = PRESET_CUSTOM_PROPERTIES[options.preset];
  const of = (n: number) => options.customProperties ?? n;
  const counts = {} as Record<StandardType, number>;
  for (const type of OBJECT_TYPES) counts[type] = of(preset.others);
  counts.contacts = of(preset.contacts);
  counts.companies = of(preset.companies);
  counts.deals = of(preset.deals);
  for (const type of ENGAGEMENT_TYPES) counts[type] = of(preset.engagements);
  return counts;
}

/** Fills in defaults; tier/preset-derived values are used unless explicitly given. */
export function resolveOptions(partial: Partial<SimulatorOptions>): SimulatorOptions {
  const tier = partial.tier ?? 'professional';
  const preset = partial.preset ?? 'small';
  const limits = TIER_LIMITS[tier];
  return {
    host: partial.host ?? '127.0.0.1',
    port: partial.port ?? 0,
    token: partial.token ?? DEFAULT_TOKEN,
    tier,
    preset,
    seed: partial.seed ?? 1,
    size: { ...PRESET_SIZES[preset], ...partial.size },
    requestLogFile: partial.requestLogFile,
    rateLimit: partial.rateLimit ?? true,
    tenSecondLimit: partial.tenSecondLimit ?? limits.tenSecondly,
    rateLimitWindowMs: partial.rateLimitWindowMs ?? 10_000,
    dailyLimit: partial.dailyLimit ?? limits.daily,
    searchPerSecond: partial.searchPerSecond ?? 5,
    rejectedCountsInWindow: partial.rejectedCountsInWindow ?? false,
    retryAfter: partial.retryAfter ?? true,
    backgroundLoad: partial.backgroundLoad ?? 0,
    latencyMedianMs: partial.latencyMedianMs ?? 0,
    latencyTailMs: partial.latencyTailMs ?? 0,
    faults: { ...ZERO_FAULTS, ...partial.faults },
    tokenExpiresAfter: partial.tokenExpiresAfter ?? 0,
    timeoutHoldMs: partial.timeoutHoldMs ?? 120_000,
    searchLagMs: partial.searchLagMs ?? 0,
    sameMsBatch: partial.sameMsBatch ?? 0,
    mutationsPerMinute: partial.mutationsPerMinute ?? 0,
    batchAssociationPageSize: partial.batchAssociationPageSize ?? 500,
    catalog: partial.catalog ?? 'realistic',
    customProperties: partial.customProperties,
    maxUrlBytes: partial.maxUrlBytes ?? 8192,
    pageDrift: partial.pageDrift ?? 0,
    pageDriftWindowMs: partial.pageDriftWindowMs ?? 60_000,
    legacyPaths: partial.legacyPaths ?? true,
    portals: partial.portals ?? 1,
    without: partial.without ?? [],
    clock: partial.clock,
  };
}
