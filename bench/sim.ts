/**
 * Simulator throughput on loopback with the rate limit off: a keep-alive client in the same process keeps
 * CONCURRENCY requests in flight. A bare node:http server answering `{}` is measured the same way first, as the
 * in-process baseline, so the figure can be read as a ratio on any machine. Writes bench/results/sim.json.
 *
 * Also reported: the start-up time, the contact catalog's size (realistic catalogs by default; `--catalog minimal`
 * for the pre-issue-13 ones) and, with `--manifest`, the size and build time of the streamed manifest.
 *
 * With `--portals N` it measures a fleet instead (issue 16): N portals on one port, each generated on its first
 * request; it reports the start-up time, the time to touch every portal once, the process's RSS after that, and
 * the requests per second spread over every portal's token. Writes bench/results/sim-fleet.json.
 *
 * With `--read-all` it measures what a full extraction costs the simulator: the simulator runs as its own process
 * (`src/cli.ts sim`, rate limit off, no latency) and a client reads every record of every standard type with every
 * property of its catalog, as the extractor does: list pages of 100 with `properties=` when the URL fits the
 * edge's limit, else ids from list pages with the default properties and `batch/read` of 100 with every property.
 * It reports the simulator process's CPU seconds (from /proc, its start-up apart), the records and bytes served,
 * and CPU milliseconds per 1,000 records. Writes bench/results/sim-read-all.json.
 *
 *   npx tsx bench/sim.ts [--requests N] [--preset small|medium|large] [--catalog realistic|minimal] [--manifest]
 *   npx tsx bench/sim.ts --portals 100 [--preset small] [--requests N]
 *   npx tsx bench/sim.ts --read-all [--preset medium] [--rounds N]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { manifestJsonChunks } from '../src/sim/manifest.js';
import type { CatalogMode } from '../src/sim/options.js';
import { startSimulator } from '../src/sim/simulator.js';
import { processCpu, startSimulatorProcess } from './processes.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const REQUESTS = Number(arg('requests', '20000'));
const PRESET = arg('preset', 'small') as 'small' | 'medium' | 'large';
const CATALOG = arg('catalog', 'realistic') as CatalogMode;
const MANIFEST = args.includes('--manifest');
const PORTALS = Number(arg('portals', '0'));
const READ_ALL = args.includes('--read-all');
const ROUNDS = Number(arg('rounds', '1'));
const CONCURRENCY = 32;

function get(agent: Agent, url: URL, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function drive(urls: URL[], token: string, total: number): Promise<{ perSecond: number; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const url = urls[next++ % urls.length];
        if ((await get(agent, url, token)) !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { perSecond: total / seconds, failures };
}

async function baseline(total: number) {
  const server = createServer({ keepAlive: true }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const result = await drive([url], 'x', total);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return result;
}

/** `--portals N`: start-up, first touch of every portal, RSS, and throughput across the fleet's tokens. */
async function fleet() {
  const rssBefore = process.memoryUsage().rss;
  const began = performance.now();
  const sim = await startSimulator({ preset: PRESET, catalog: CATALOG, rateLimit: false, seed: 1, portals: PORTALS });
  const startupMs = performance.now() - began;
  const touchBegan = performance.now();
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  for (const portal of sim.portals) {
    if ((await get(agent, new URL('/crm/v3/objects/contacts?limit=1', sim.url), portal.token)) !== 200)
      throw new Error(`portal ${portal.index} did not answer`);
  }
  agent.destroy();
  const touchMs = performance.now() - touchBegan;
  global.gc?.();
  const rss = process.memoryUsage().rss;
  // Requests spread over every portal: each drive() worker takes the next portal's token in turn.
  const urls = ['/crm/v3/objects/contacts?limit=10', '/crm/v3/objects/deals?limit=100&properties=dealname,amount', '/crm/v3/owners'].map(
    (p) => new URL(p, sim.url),
  );
  const started = performance.now();
  let next = 0;
  let failures = 0;
  const spread = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const n = next++;
        if ((await get(spread, urls[n % urls.length], sim.portals[n % sim.portals.length].token)) !== 200) failures++;
      }
    }),
  );
  spread.destroy();
  const perSecond = REQUESTS / ((performance.now() - started) / 1000);
  await sim.close();
  const report = {
    bench: 'sim-fleet',
    portals: PORTALS,
    preset: PRESET,
    catalog: CATALOG,
    startupMs: Math.round(startupMs),
    firstTouchOfEveryPortalMs: Math.round(touchMs),
    rssMB: Math.round(rss / 1e6),
    rssBeforeMB: Math.round(rssBefore / 1e6),
    requests: REQUESTS,
    requestsPerSecond: Math.round(perSecond),
    failures,
    node: process.version,
    at: new Date().toISOString(),
  };
  console.log(
    `fleet of ${PORTALS} ${PRESET} portals: start-up ${report.startupMs} ms; every portal generated and answering after ${report.firstTouchOfEveryPortalMs} ms; RSS ${report.rssMB} MB; ${report.requestsPerSecond} req/s across their tokens; failures ${failures}`,
  );
  const out = path.resolve('bench', 'results', 'sim-fleet.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
}

async function main() {
  const startBegan = performance.now();
  const sim = await startSimulator({ preset: PRESET, catalog: CATALOG, rateLimit: false, seed: 1 });
  const startupMs = performance.now() - startBegan;
  const contactProperties = sim.portal.catalog('contacts').definitions.length;
  const hub = sim.portal.records('companies')[0].id;
  const contact = sim.portal.records('contacts')[1].id;
  const urls = [
    '/crm/v3/objects/contacts?limit=10',
    '/crm/v3/objects/deals?limit=100&properties=dealname,amount',
    `/crm/v4/objects/contacts/${contact}/associations/companies`,
    `/crm/v4/objects/companies/${hub}/associations/contacts?limit=100`,
    '/marketing/v3/forms',
  ].map((p) => new URL(p, sim.url));

  await drive(urls, sim.token, 2000); // warm-up
  const base = await baseline(REQUESTS);
  const result = await drive(urls, sim.token, REQUESTS);
  let manifest: { bytes: number; ms: number } | undefined;
  if (MANIFEST) {
    const began = performance.now();
    let bytes = 0;
    for (const chunk of manifestJsonChunks(sim.portal)) bytes += Buffer.byteLength(chunk);
    manifest = { bytes, ms: Math.round(performance.now() - began) };
  }
  await sim.close();

  const report = {
    bench: 'sim',
    preset: PRESET,
    catalog: CATALOG,
    contactProperties,
    manifestBytes: manifest?.bytes,
    manifestMs: manifest?.ms,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    startupMs: Math.round(startupMs),
    simRequestsPerSecond: Math.round(result.perSecond),
    baselineRequestsPerSecond: Math.round(base.perSecond),
    ratioToBaseline: Number((result.perSecond / base.perSecond).toFixed(3)),
    failures: result.failures,
    target: 2000,
    meetsTarget: result.perSecond >= 2000,
    node: process.version,
    at: new Date().toISOString(),
  };
  console.log(
    `simulator (${PRESET}, ${CATALOG} catalogs, ${contactProperties} contact properties): ${report.simRequestsPerSecond} req/s; bare node:http baseline ${report.baselineRequestsPerSecond} req/s; ratio ${report.ratioToBaseline}; start-up ${report.startupMs} ms; failures ${report.failures}` +
      (manifest ? `; manifest ${(manifest.bytes / 1e6).toFixed(1)} MB streamed in ${manifest.ms} ms` : ''),
  );
  const out = path.resolve('bench', 'results', 'sim.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
}

/** CPU seconds (user + system) a process has spent, from /proc (clock ticks, 100 per second on Linux). */
/** CPU seconds of the simulator process (it is alive for as long as it is read). */
const processCpuSeconds = (pid: number): number => processCpu(pid)!.seconds;

function call(agent: Agent, url: URL, token: string, body?: unknown): Promise<{ status: number; bytes: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const req = request(url, { agent, method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, bytes: text.length, json: JSON.parse(text.toString('utf8')) });
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** `--read-all`: every record of every type with every property, read from a simulator in its own process. */
async function readAll() {
  const token = 'bench-token';
  const { url: base, child } = await startSimulatorProcess(['--preset', PRESET, '--catalog', CATALOG, '--token', token, '--no-rate-limit', '--seed', '42'], {
    stderr: 'inherit',
  });
  const startupCpu = processCpuSeconds(child.pid!);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const maxUrlBytes = 8192;
  const types = ['contacts', 'companies', 'deals', 'calls', 'emails', 'meetings', 'notes', 'tasks', 'tickets', 'products', 'line_items', 'quotes', 'leads'];
  const rounds: Array<{ cpuSeconds: number; records: number; requests: number; megabytes: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = processCpuSeconds(child.pid!);
    let records = 0;
    let requests = 0;
    let bytes = 0;
    const get = async (url: URL, body?: unknown) => {
      const reply = await call(agent, url, token, body);
      requests++;
      bytes += reply.bytes;
      if (reply.status >= 300) throw new Error(`${url.pathname}: ${reply.status}`);
      return reply.json as { results: Array<{ id: string; name?: string }>; paging?: { next?: { after: string } } };
    };
    // Types side by side, as the extractor reads them; each type's pages in sequence (a cursor chain).
    await Promise.all(
      types.map(async (type) => {
        const names = (await get(new URL(`/crm/v3/properties/${type}`, base))).results.map((p) => p.name!);
        const listUrl = (after: string | undefined, properties: string[] | undefined) => {
          const url = new URL(`/crm/v3/objects/${type}`, base);
          url.searchParams.set('limit', '100');
          if (properties) url.searchParams.set('properties', properties.join(','));
          if (after) url.searchParams.set('after', after);
          return url;
        };
        const inline = Buffer.byteLength(listUrl('99999999999999999999', names).pathname + listUrl('99999999999999999999', names).search) <= maxUrlBytes;
        let after: string | undefined;
        do {
          const page = await get(listUrl(after, inline ? names : undefined));
          if (inline) records += page.results.length;
          else {
            const read = await get(new URL(`/crm/v3/objects/${type}/batch/read`, base), { inputs: page.results.map((r) => ({ id: r.id })), properties: names });
            records += read.results.length;
          }
          after = page.paging?.next?.after;
        } while (after);
      }),
    );
    rounds.push({ cpuSeconds: Number((processCpuSeconds(child.pid!) - before).toFixed(2)), records, requests, megabytes: Math.round(bytes / 1e6) });
  }
  agent.destroy();
  child.kill('SIGTERM');
  const best = rounds.reduce((a, b) => (b.cpuSeconds < a.cpuSeconds ? b : a));
  const report = {
    bench: 'sim-read-all',
    preset: PRESET,
    catalog: CATALOG,
    startupCpuSeconds: startupCpu,
    rounds,
    cpuMsPer1000Records: Math.round((best.cpuSeconds * 1e6) / best.records),
    node: process.version,
    at: new Date().toISOString(),
  };
  console.log(
    `simulator (${PRESET}, ${CATALOG} catalogs) serving every record with every property: ${best.records} records, ${best.requests} requests, ${best.megabytes} MB; simulator CPU ${best.cpuSeconds} s (least of ${rounds.length} rounds: ${rounds.map((r) => r.cpuSeconds).join(', ')}), ${report.cpuMsPer1000Records} ms per 1,000 records; start-up ${startupCpu} s CPU`,
  );
  const out = path.resolve('bench', 'results', 'sim-read-all.json');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify(report, null, 2) + '\n');
}

await (READ_ALL ? readAll() : PORTALS > 0 ? fleet() : main());
