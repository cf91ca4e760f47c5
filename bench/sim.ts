/**
 * Simulator throughput on loopback with the rate limit off: a keep-alive client in the same process keeps
 * CONCURRENCY requests in flight. A bare node:http server answering `{}` is measured the same way first, as the
 * in-process baseline, so the figure can be read as a ratio on any machine. Writes bench/results/sim.json.
 *
 * Also reported: the start-up time, the contact catalog's size (realistic catalogs by default; `--catalog minimal`
 * for the pre-issue-13 ones) and, with `--manifest`, the size and build time of the streamed manifest.
 *
 *   npx tsx bench/sim.ts [--requests N] [--preset small|medium|large] [--catalog realistic|minimal] [--manifest]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { manifestJsonChunks } from '../src/sim/manifest.js';
import type { CatalogMode } from '../src/sim/options.js';
import { startSimulator } from '../src/sim/simulator.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1] : fallback;
};
const REQUESTS = Number(arg('requests', '20000'));
const PRESET = arg('preset', 'small') as 'small' | 'medium' | 'large';
const CATALOG = arg('catalog', 'realistic') as CatalogMode;
const MANIFEST = args.includes('--manifest');
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

await main();
