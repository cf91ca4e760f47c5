/**
 * bench:typed — the typed relations (issue 15) on a `large`-sized contacts table, against baselines measured in the
 * same process:
 *   queryRatioTable  a query on contacts_typed (HUBSPOT_TYPED_RELATIONS=table) that filters on one typed property
 *                    and returns ten typed columns / the same query on a plain typed table          (goal <= 2)
 *   queryRatioView   the same with contacts_typed as a view over the jsonb (=view)                  (goal <= 2)
 *   loadRatio        rows/s of the loader with the typed data kept in step (jsonb rows through stagedMerge, then
 *                    syncTypedRows, one transaction per batch of BATCH_ROWS) into empty tables
 *                    / rows/s of plain COPY of the same rows in the same batches                   (goal >= 0.8)
 * Also reported: the loader without the typed layer, both at one 100-row page per transaction (what a run does under
 * the API limit), the query with two label columns, and a full rebuild of the typed data from the stored records
 * (what switching to `table`, or a stale table, costs).
 *
 * The data is generated here, seeded: 50,000 contacts over a catalog of 640 properties (HubSpot's common contact
 * properties by name, more HubSpot-like defaults, and custom ones), every property present in each record as the
 * API returns them (mostly null), values as strings the way HubSpot sends them with about 2% invalid for their
 * type. (The simulator's realistic catalogs are being built on another branch.)
 * Usage: npm run bench:typed [-- --contacts 50000 --rounds 3]
 */
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrations.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { seededRandom } from '../src/clock.js';
import { copyRows, stagedMerge } from '../src/load/staged-merge.js';
import { cleanJsonText } from '../src/load/clean-text.js';
import type { CopyValue } from '../src/load/copy-format.js';
import { rebuildTypedRelation, syncTypedRows, type TypedRelationsMode, type TypedSourceRecord } from '../src/load/typed-relations.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const CONTACTS = arg('contacts', 50_000);
const ROUNDS = arg('rounds', 3);
const QUERY_RUNS = 7;
const VIEW_QUERY_RUNS = 3;
const SEED = 42;

// ---------------------------------------------------------------------------------------------------------------
// A realistic catalog

interface CatalogProperty {
  name: string;
  type: 'string' | 'number' | 'datetime' | 'date' | 'bool' | 'enumeration';
  fieldType: string;
  hubspotDefined: boolean;
  options: { value: string; label: string }[];
  /** Share of records with a value. */
  fill: number;
  raw?: Record<string, unknown>;
}

const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];
const options = (values: string[]) => values.map((v) => ({ value: v, label: v.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()) }));

/** HubSpot's common contact properties (names and types as the portal defines them). */
const COMMON: [string, CatalogProperty['type'], string, number, string[]?][] = [
  ['email', 'string', 'text', 0.95],
  ['firstname', 'string', 'text', 0.9],
  ['lastname', 'string', 'text', 0.9],
  ['phone', 'string', 'phonenumber', 0.5],
  ['mobilephone', 'string', 'phonenumber', 0.2],
  ['company', 'string', 'text', 0.6],
  ['jobtitle', 'string', 'text', 0.5],
  ['website', 'string', 'text', 0.3],
  ['address', 'string', 'text', 0.2],
  ['city', 'string', 'text', 0.4],
  ['state', 'string', 'text', 0.3],
  ['zip', 'string', 'text', 0.3],
  ['country', 'string', 'text', 0.4],
  ['createdate', 'datetime', 'date', 1],
  ['lastmodifieddate', 'datetime', 'date', 1],
  ['hs_object_id', 'number', 'number', 1],
  ['lifecyclestage', 'enumeration', 'radio', 0.9, LIFECYCLE],
  [
    'hs_lead_status',
    'enumeration',
    'radio',
    0.4,
    ['NEW', 'OPEN', 'IN_PROGRESS', 'OPEN_DEAL', 'UNQUALIFIED', 'ATTEMPTED_TO_CONTACT', 'CONNECTED', 'BAD_TIMING'],
  ],
  ['hubspot_owner_id', 'enumeration', 'select', 0.7],
  [
    'hs_analytics_source',
    'enumeration',
    'select',
    0.8,
    ['ORGANIC_SEARCH', 'PAID_SEARCH', 'EMAIL_MARKETING', 'SOCIAL_MEDIA', 'REFERRALS', 'OTHER_CAMPAIGNS', 'DIRECT_TRAFFIC', 'OFFLINE'],
  ],
  ['hs_analytics_num_page_views', 'number', 'number', 0.8],
  ['hs_analytics_num_visits', 'number', 'number', 0.8],
  ['hs_analytics_first_timestamp', 'datetime', 'date', 0.7],
  ['hs_analytics_last_timestamp', 'datetime', 'date', 0.7],
  ['hs_email_last_open_date', 'datetime', 'date', 0.4],
  ['hs_email_last_click_date', 'datetime', 'date', 0.3],
  ['hs_email_open', 'number', 'number', 0.5],
  ['hs_email_click', 'number', 'number', 0.4],
  ['hs_email_bounce', 'number', 'number', 0.1],
  ['num_associated_deals', 'number', 'number', 0.3],
  ['recent_deal_amount', 'number', 'number', 0.2],
  ['total_revenue', 'number', 'number', 0.15],
  ['hs_lifecyclestage_lead_date', 'datetime', 'date', 0.5],
  ['hs_lifecyclestage_customer_date', 'datetime', 'date', 0.1],
  ['date_of_birth', 'date', 'date', 0.05],
  ['hs_email_optout', 'bool', 'booleancheckbox', 0.6],
  ['hs_is_unworked', 'bool', 'booleancheckbox', 0.5],
  ['hs_language', 'enumeration', 'select', 0.3, ['en', 'de', 'fr', 'es', 'pt', 'ja', 'zh', 'pl']],
  ['industry', 'string', 'text', 0.2],
  ['hs_buying_role', 'enumeration', 'checkbox', 0.1, ['BUDGET_HOLDER', 'CHAMPION', 'DECISION_MAKER', 'END_USER', 'EXECUTIVE_SPONSOR', 'INFLUENCER']],
  ['hs_all_owner_ids', 'enumeration', 'checkbox', 0.5],
  ['notes_last_updated', 'datetime', 'date', 0.3],
  ['num_notes', 'number', 'number', 0.3],
];
const AREAS = [
  'analytics',
  'email',
  'social',
  'sales',
  'marketing',
  'lead',
  'sequences',
  'calls',
  'meetings',
  'forms',
  'ads',
  'chat',
  'conversion',
  'revenue',
  'latest_source',
];
const METRICS = [
  'first',
  'last',
  'recent',
  'num',
  'count',
  'date',
  'timestamp',
  'status',
  'reason',
  'score',
  'source',
  'data_1',
  'data_2',
  'campaign',
  'url',
  'type',
];

function catalog(): CatalogProperty[] {
  const random = seededRandom(SEED);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const out: CatalogProperty[] = COMMON.map(([name, type, fieldType, fill, values]) => ({
    name,
    type,
    fieldType,
    fill,
    hubspotDefined: true,
    options: values ? options(values) : [],
    raw: name === 'hubspot_owner_id' || name === 'hs_all_owner_ids' ? { referencedObjectType: 'OWNER', externalOptions: true } : undefined,
  }));
  const names = new Set(out.map((p) => p.name));
  const kinds: [CatalogProperty['type'], string, number][] = [
    ['datetime', 'date', 0.32],
    ['string', 'text', 0.3],
    ['number', 'number', 0.2],
    ['enumeration', 'select', 0.1],
    ['enumeration', 'checkbox', 0.02],
    ['bool', 'booleancheckbox', 0.04],
    ['date', 'date', 0.02],
  ];
  const kind = () => {
    let r = random();
    for (const k of kinds) if ((r -= k[2]) < 0) return k;
    return kinds[0];
  };
  const add = (prefix: string, hubspotDefined: boolean, count: number) => {
    for (let added = 0; added < count;) {
      const name = `${prefix}${pick(AREAS)}_${pick(METRICS)}_${pick(METRICS)}`;
      if (names.has(name)) continue;
      names.add(name);
      const [type, fieldType] = kind();
      const opts = type === 'enumeration' ? options(Array.from({ length: 3 + Math.floor(random() * 25) }, (_, i) => `option_${i}`)) : [];
      out.push({ name, type, fieldType, hubspotDefined, options: opts, fill: random() < 0.15 ? 0.3 : 0.03 });
      added++;
    }
  };
  add('hs_', true, 450 - out.length);
  add('custom_', false, 190);
  return out;
}

const OWNERS = 30;
const BASE_MS = Date.UTC(2023, 0, 1);

/** Record `id`, always the same for the same id (seeded per record). */
function contact(cat: CatalogProperty[], id: number): TypedSourceRecord & { createdAt: string } {
  const random = seededRandom(SEED * 1_000_003 + id);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const ms = () => BASE_MS + Math.floor(random() * 9e10);
  const properties: Record<string, string | null> = {};
  for (const p of cat) {
    if (random() >= p.fill) {
      properties[p.name] = null;
      continue;
    }
    const bad = random() < 0.02;
    let v: string;
    switch (p.type) {
      case 'number':
        v = bad ? pick(['N/A', '12,5', '1e999', ' ', '']) : String(Math.round(random() * 100_000) / (random() < 0.5 ? 1 : 100));
        break;
      case 'datetime':
        v = bad ? pick(['31/02/2025', '2025-02-31T00:00:00Z', 'N/A', '']) : random() < 0.2 ? String(ms()) : new Date(ms()).toISOString();
        break;
      case 'date':
        v = bad ? pick(['31/02/2025', '2025-02-30', 'N/A']) : new Date(ms()).toISOString().slice(0, 10);
        break;
      case 'bool':
        v = bad ? pick(['maybe', '', 'N/A']) : random() < 0.5 ? 'true' : 'false';
        break;
      case 'enumeration':
        if (p.name === 'hubspot_owner_id') v = String(100 + Math.floor(random() * OWNERS));
        else if (p.name === 'hs_all_owner_ids') v = `${100 + Math.floor(random() * OWNERS)};${100 + Math.floor(random() * OWNERS)}`;
        else if (p.fieldType === 'checkbox') v = [pick(p.options).value, pick(p.options).value].join(';');
        else v = bad ? 'unknown_option' : pick(p.options).value;
        break;
      default:
        v = p.name === 'email' ? `person${id}@example.com` : `${pick(AREAS)} ${pick(METRICS)} ${id % 997}`;
    }
    properties[p.name] = v;
  }
  properties.hs_object_id = String(id);
  return { id: String(id), properties, createdAt: new Date(BASE_MS + id * 1000).toISOString() };
}

function* batches(cat: CatalogProperty[], size: number, count: number): Generator<{ records: TypedSourceRecord[]; rows: CopyValue[][] }> {
  for (let first = 1; first <= count; first += size) {
    const records = [];
    for (let id = first; id < Math.min(first + size, count + 1); id++) records.push(contact(cat, id));
    // As the extractor loads them: properties as cleaned JSON text, then the record columns.
    const rows = records.map((r): CopyValue[] => [r.id, cleanJsonText(r.properties), r.createdAt, r.createdAt, false, null, null]);
    yield { records, rows };
  }
}

const COLUMNS = ['id', 'properties', 'created_at', 'updated_at', 'archived', 'archived_at', 'deleted_at'];

// ---------------------------------------------------------------------------------------------------------------
// Measurements

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function setup(db: Database, cat: CatalogProperty[]): Promise<void> {
  await migrate(db);
  await db.query('create schema if not exists bench; drop table if exists bench.plain; create table bench.plain (like hubspot.contacts including all)');
  for (const p of cat) {
    await db.query(
      `insert into hubspot.property_definitions (object_type, name, label, type, field_type, options, hubspot_defined, raw)
       values ('contacts', $1, $1, $2, $3, $4, $5, $6)`,
      [
        p.name,
        p.type,
        p.fieldType,
        JSON.stringify(p.options),
        p.hubspotDefined,
        JSON.stringify({ name: p.name, type: p.type, fieldType: p.fieldType, ...p.raw }),
      ],
    );
  }
  for (let i = 0; i < OWNERS; i++) {
    await db.query(`insert into hubspot.owners (id, email, first_name, last_name, archived, raw) values ($1, $2, $3, $4, $5, '{}')`, [
      100 + i,
      `owner${i}@example.com`,
      i % 7 === 0 ? null : `Owner`,
      i % 7 === 0 ? null : `Number ${i}`,
      i % 6 === 0,
    ]);
  }
}

async function rebuild(db: Database, mode: TypedRelationsMode): Promise<number> {
  const started = performance.now();
  const result = await db.transaction((tx) => rebuildTypedRelation(tx, { schema: 'hubspot', objectType: 'contacts', table: 'contacts' }, { mode }));
  if (result.warning) throw new Error(result.warning);
  return performance.now() - started;
}

/** Rows per loader transaction: about what the extractor's LOAD_BATCH_BYTES (8 MB) holds of these contacts. */
const BATCH_ROWS = 10_000;

const settle = (db: Database) => db.query('checkpoint').catch(() => {});

/** Sum over batches of the time each batch's database work took (building the batch is not timed). */
async function timedBatches(
  db: Database,
  cat: CatalogProperty[],
  work: (tx: pg.PoolClient, batch: { records: TypedSourceRecord[]; rows: CopyValue[][] }) => Promise<void>,
  size = BATCH_ROWS,
  count = CONTACTS,
): Promise<number> {
  let ms = 0;
  for (const batch of batches(cat, size, count)) {
    const started = performance.now();
    await db.transaction((tx) => work(tx, batch));
    ms += performance.now() - started;
  }
  return ms;
}

const loadBase = (tx: pg.PoolClient, rows: CopyValue[][]) =>
  stagedMerge(tx, { schema: 'hubspot', table: 'contacts', columns: COLUMNS, key: ['id'], touch: ['synced_at = now()', 'seen_at = now()'] }, rows);

async function loadTyped(tx: pg.PoolClient, b: { records: TypedSourceRecord[]; rows: CopyValue[][] }) {
  await loadBase(tx, b.rows);
  const synced = await syncTypedRows(tx, { schema: 'hubspot', table: 'contacts' }, b.records);
  if (synced.warning) throw new Error(synced.warning);
}

/** Under the API limit a transaction holds a page or two: the loader alone against the loader with the typed data. */
const PAGE_ROWS = 100;
const PAGED_CONTACTS = 5_000;

async function perPageRounds(db: Database, cat: CatalogProperty[]) {
  const times = { loader: [] as number[], loaderTyped: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    await db.query('truncate hubspot.contacts');
    await rebuild(db, 'off');
    await settle(db);
    times.loader.push(await timedBatches(db, cat, (tx, b) => loadBase(tx, b.rows).then(() => {}), PAGE_ROWS, PAGED_CONTACTS));
    await db.query('truncate hubspot.contacts');
    await rebuild(db, 'table');
    await settle(db);
    times.loaderTyped.push(await timedBatches(db, cat, loadTyped, PAGE_ROWS, PAGED_CONTACTS));
  }
  return { loaderMs: median(times.loader), loaderTypedMs: median(times.loaderTyped), rounds: times };
}

async function loadRounds(db: Database, cat: CatalogProperty[]) {
  const times = { copy: [] as number[], loader: [] as number[], loaderTyped: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    await db.query('truncate bench.plain');
    await settle(db);
    times.copy.push(await timedBatches(db, cat, (tx, b) => copyRows(tx, `copy bench.plain (${COLUMNS.join(', ')}) from stdin`, b.rows)));

    await db.query('truncate hubspot.contacts');
    await rebuild(db, 'off');
    await settle(db);
    times.loader.push(await timedBatches(db, cat, (tx, b) => loadBase(tx, b.rows).then(() => {})));

    await db.query('truncate hubspot.contacts');
    await rebuild(db, 'table');
    await settle(db);
    times.loaderTyped.push(await timedBatches(db, cat, loadTyped));
    console.log(
      `round ${round + 1}: copy ${(times.copy.at(-1)! / 1000).toFixed(1)} s, loader ${(times.loader.at(-1)! / 1000).toFixed(1)} s, loader + typed ${(times.loaderTyped.at(-1)! / 1000).toFixed(1)} s`,
    );
  }
  return { copyMs: median(times.copy), loaderMs: median(times.loader), loaderTypedMs: median(times.loaderTyped), rounds: times };
}

const FILTER = 'hs_analytics_num_page_views';
const TEN = [
  'email',
  'firstname',
  'lastname',
  'createdate',
  'lifecyclestage',
  'hs_analytics_num_visits',
  'hubspot_owner_id',
  'city',
  'hs_email_last_open_date',
  'total_revenue',
];
const query = (relation: string, extra: string[] = []) => `select id, ${[...TEN, ...extra].join(', ')} from ${relation} where ${FILTER} > 50000`;

async function timeQuery(db: Database, sql: string, runs: number): Promise<{ ms: number; rows: number }> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    rows = (await db.query(sql)).rowCount ?? 0;
    times.push(performance.now() - started);
  }
  return { ms: median(times), rows };
}

async function main() {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres(path.join(root, '.data', 'postgres-bench'));
    adminUrl = embedded.url;
    stop = embedded.stop;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('drop database if exists bench_typed with (force)');
  await admin.query('create database bench_typed');
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = '/bench_typed';
  const db = await openDatabase({ url: url.toString(), schema: 'hubspot', poolSize: 2 });
  try {
    const cat = catalog();
    await setup(db, cat);
    const {
      rows: [server],
    } = await db.query<{ v: string }>("select current_setting('server_version') as v");
    console.log(`Postgres ${server.v}; ${CONTACTS.toLocaleString('en-US')} contacts, ${cat.length} properties, ${ROUNDS} rounds`);

    const perPage = await perPageRounds(db, cat);
    const load = await loadRounds(db, cat);
    await db.query('vacuum analyze hubspot.contacts');
    await db.query('vacuum analyze hubspot.contacts_typed_data');
    const valueColumns = (
      await db.query<{ c: string }>(`select typed_column as c from hubspot.property_definitions where object_type = 'contacts' and typed_column is not null`)
    ).rows.map((r) => `"${r.c}"`);
    await db.query(
      `create table bench.plain_typed as select id, archived, created_at, updated_at, deleted_at, ${valueColumns.join(', ')} from hubspot.contacts_typed`,
    );
    await db.query('vacuum analyze bench.plain_typed');

    // Interleaved, so background work (autovacuum, checkpoints) lands on both sides alike.
    const plainRuns: number[] = [];
    const tableRuns: number[] = [];
    let matched = 0;
    for (let i = 0; i < QUERY_RUNS; i++) {
      plainRuns.push((await timeQuery(db, query('bench.plain_typed'), 1)).ms);
      const t = await timeQuery(db, query('hubspot.contacts_typed'), 1);
      tableRuns.push(t.ms);
      matched = t.rows;
    }
    const plainMs = median(plainRuns);
    const tableMs = median(tableRuns);
    const labels = await timeQuery(db, query('hubspot.contacts_typed', ['lifecyclestage__label', 'hubspot_owner_id__owner']), QUERY_RUNS);

    const toView = await rebuild(db, 'view');
    const view = await timeQuery(db, query('hubspot.contacts_typed'), VIEW_QUERY_RUNS);
    const plainAgain = await timeQuery(db, query('bench.plain_typed'), QUERY_RUNS);
    const fullRebuildMs = await rebuild(db, 'table');
    const sizes = (
      await db.query<{ contacts: string; typed: string; plain: string }>(
        `select pg_total_relation_size('hubspot.contacts')::text as contacts, pg_total_relation_size('hubspot.contacts_typed_data')::text as typed,
         pg_total_relation_size('bench.plain_typed')::text as plain`,
      )
    ).rows[0];

    const rowsPerSecond = (ms: number) => Math.round((CONTACTS / ms) * 1000);
    const report = {
      contacts: CONTACTS,
      properties: cat.length,
      typedColumns: valueColumns.length,
      queryRatioTable: tableMs / plainMs,
      queryRatioView: view.ms / plainAgain.ms,
      loadRatio: load.copyMs / load.loaderTypedMs,
      loadRatioWithoutTyped: load.copyMs / load.loaderMs,
      perPageTypedOverLoader: perPage.loaderMs / perPage.loaderTypedMs,
      query: {
        sql: query('hubspot.contacts_typed'),
        rows: matched,
        plainMs,
        tableMs,
        withLabelsMs: labels.ms,
        viewMs: view.ms,
        plainMsAtViewTime: plainAgain.ms,
      },
      load: {
        batchRows: BATCH_ROWS,
        copyRowsPerSecond: rowsPerSecond(load.copyMs),
        loaderRowsPerSecond: rowsPerSecond(load.loaderMs),
        loaderTypedRowsPerSecond: rowsPerSecond(load.loaderTypedMs),
        roundsMs: load.rounds,
        perPage: {
          pageRows: PAGE_ROWS,
          contacts: PAGED_CONTACTS,
          loaderRowsPerSecond: Math.round((PAGED_CONTACTS / perPage.loaderMs) * 1000),
          loaderTypedRowsPerSecond: Math.round((PAGED_CONTACTS / perPage.loaderTypedMs) * 1000),
          roundsMs: perPage.rounds,
        },
      },
      rebuild: { toViewMs: toView, fullTableRebuildMs: fullRebuildMs },
      bytes: { contacts: Number(sizes.contacts), typedData: Number(sizes.typed), plainTyped: Number(sizes.plain) },
      server: server.v,
      measuredAt: new Date().toISOString(),
    };
    console.table({
      queryRatioTable: {
        value: report.queryRatioTable.toFixed(3),
        goal: '<= 2',
        detail: `${tableMs.toFixed(0)} ms vs ${plainMs.toFixed(0)} ms plain, ${matched} rows`,
      },
      queryRatioView: { value: report.queryRatioView.toFixed(3), goal: '<= 2', detail: `${view.ms.toFixed(0)} ms vs ${plainAgain.ms.toFixed(0)} ms plain` },
      loadRatio: {
        value: report.loadRatio.toFixed(3),
        goal: '>= 0.8',
        detail: `${report.load.loaderTypedRowsPerSecond} rows/s vs ${report.load.copyRowsPerSecond} rows/s plain COPY`,
      },
      loadRatioWithoutTyped: {
        value: report.loadRatioWithoutTyped.toFixed(3),
        goal: '(the loader alone)',
        detail: `${report.load.loaderRowsPerSecond} rows/s`,
      },
      perPageTypedOverLoader: {
        value: report.perPageTypedOverLoader.toFixed(3),
        goal: `(${PAGE_ROWS}-row transactions: with / without typed)`,
        detail: `${report.load.perPage.loaderTypedRowsPerSecond} vs ${report.load.perPage.loaderRowsPerSecond} rows/s`,
      },
      withLabels: { value: (labels.ms / plainMs).toFixed(3), goal: '(+ lifecyclestage__label, hubspot_owner_id__owner)', detail: `${labels.ms.toFixed(0)} ms` },
      fullRebuild: { value: (fullRebuildMs / 1000).toFixed(1), goal: '(s, typed data from stored records)', detail: `${rowsPerSecond(fullRebuildMs)} rows/s` },
    });
    mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(root, 'bench', 'results', 'typed.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log('wrote bench/results/typed.json');
    await db.query('drop schema bench cascade');
  } finally {
    await db.close();
    await stop();
  }
}

await main();
