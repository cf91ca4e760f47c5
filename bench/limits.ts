/**
 * Benchmark of the limits engine (issue 5).
 *
 * Part 1, against the simulator: each contender drives its own simulator instance (a rolling window counted on
 * arrival) with 32 workers for the same duration, all in this one process at the same time. Each request is
 * delayed on the client by a uniform 0–60 ms before it is sent (connection pooling, serialisation, the network)
 * and the simulator answers after a lognormal latency (median 90 ms, p99 120 ms), so the whole request takes
 * roughly 60–180 ms and its arrival may fall anywhere between acquisition and response.
 * Utilization = how full the server's window was after the first window: the mean, over every ms t from
 * start + window to the end, of (requests served, not 429, arriving in (t - window, t]) / limit. A limiter that
 * fills every window exactly scores 1; averaging over t makes bursty clients comparable with smooth ones
 * (a plain count over (start + window, end] depends on where the bursts fall).
 *
 * Part 2, in-process: acquisitions per second of the rolling-window limiter, uncontended, and of the wait queue
 * every in-process limiter shares (QueuedLimiter) with 1,000 waiters on a 10-slot semaphore (from the seed library:
 * a rolling window cannot be cycled that fast, its slots only come back a window after release).
 *
 * Usage: npx tsx bench/limits.ts [--seconds 20] [--limit 190] [--window 10000] [--workers 32]
 */
import { setMaxListeners } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMITER_OPTIONS } from '@hubspot/api-client';
import Bottleneck from 'bottleneck';
import PQueue from 'p-queue';
import { parseSettings } from '../config/settings.js';
import { seededRandom, systemClock, type Random } from '../src/clock.js';
import { Semaphore } from '../src/limits/library/semaphore.js';
import { RollingWindowLimiter } from '../src/limits/rolling-window.js';
import { createPortalLimits } from '../src/run/run-context.js';
import { startSimulator, type RunningSimulator } from '../src/sim/index.js';

interface BenchOptions {
  seconds: number;
  limit: number;
  windowMs: number;
  workers: number;
}

function parseArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { seconds: 20, limit: 190, windowMs: 10_000, workers: 32 };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    switch (argv[i]) {
      case '--seconds':
        options.seconds = value;
        break;
      case '--limit':
        options.limit = value;
        break;
      case '--window':
        options.windowMs = value;
        break;
      case '--workers':
        options.workers = value;
        break;
      default:
        continue;
    }
    if (!(value > 0)) throw new Error(`${argv[i]} needs a positive number`);
    i++;
  }
  if (options.seconds * 1000 <= options.windowMs) throw new Error('--seconds must be longer than one window');
  return options;
}

/** Runs one request through whatever limiting the contender does, and reports the HTTP status. */
type Schedule = (send: () => Promise<number>, signal: AbortSignal) => Promise<number | undefined>;

interface Contender {
  name: string;
  schedule: Schedule;
  stop(): Promise<void>;
}

interface Outcome {
  name: string;
  served: number;
  own429s: number;
  utilization: number;
  rate: number;
}

const CLIENT_DELAY_MAX_MS = 60;
const SERVER_LATENCY_MEDIAN_MS = 90;
const SERVER_LATENCY_P99_MS = 120;

function contenders(o: BenchOptions): Contender[] {
  const clock = systemClock;

  // Ours, as the run builds it (createPortalLimits): the exact rolling window the executor's standard calls go
  // through, a slot held from acquisition until response + window.
  const settings = parseSettings({ HUBSPOT_MAX_REQUESTS_PER_10S: String(o.limit) });
  const ours = createPortalLimits(settings, clock, o.windowMs).standard;

  // The naive alternative: a sliding-window log stamped when the request is sent.
  const stampAtSend = new RollingWindowLimiter({ name: 'log', limit: o.limit, windowMs: o.windowMs }, clock);

  const hubspotDefault = new Bottleneck({ ...DEFAULT_LIMITER_OPTIONS });
  const reservoir = new Bottleneck({
    reservoir: o.limit,
    reservoirRefreshAmount: o.limit,
    reservoirRefreshInterval: o.windowMs,
    maxConcurrent: o.workers,
  });
  const queue = new PQueue({ interval: o.windowMs, intervalCap: o.limit, concurrency: o.workers });

  const bottleneckSchedule =
    (limiter: Bottleneck): Schedule =>
    async (send, signal) => {
      if (signal.aborted) return undefined;
      return limiter.schedule(() => (signal.aborted ? Promise.resolve(undefined) : send()));
    };

  return [
    {
      name: 'hubspot-extract (rolling window)',
      async schedule(send, signal) {
        const release = await ours.acquire(1, { signal }).catch(() => undefined);
        if (!release) return undefined;
        try {
          return await send();
        } finally {
          release();
        }
      },
      stop: async () => {},
    },
    {
      name: '@hubspot/api-client DEFAULT_LIMITER_OPTIONS',
      schedule: bottleneckSchedule(hubspotDefault),
      stop: () => hubspotDefault.stop({ dropWaitingJobs: true }),
    },
    {
      name: 'p-queue (interval/intervalCap)',
      async schedule(send, signal) {
        if (signal.aborted) return undefined;
        return (await queue.add(async () => (signal.aborted ? undefined : send()))) ?? undefined;
      },
      stop: async () => queue.clear(),
    },
    {
      name: 'bottleneck (reservoir)',
      schedule: bottleneckSchedule(reservoir),
      stop: () => reservoir.stop({ dropWaitingJobs: true }),
    },
    {
      name: 'sliding log stamped at send',
      async schedule(send, signal) {
        const release = await stampAtSend.acquire(1, { signal }).catch(() => undefined);
        if (!release) return undefined;
        release();
        return send();
      },
      stop: async () => {},
    },
  ];
}

async function runContender(contender: Contender, o: BenchOptions, seed: number): Promise<Outcome> {
  const sim: RunningSimulator = await startSimulator({
    tier: 'professional',
    tenSecondLimit: o.limit,
    rateLimitWindowMs: o.windowMs,
    dailyLimit: 1_000_000_000,
    latencyMedianMs: SERVER_LATENCY_MEDIAN_MS,
    latencyTailMs: SERVER_LATENCY_P99_MS,
    retryAfter: false,
    seed,
    size: { contacts: 20, companies: 2, deals: 2, engagements: 0, forms: 0, submissions: 0 },
  });
  const random: Random = seededRandom(seed);
  const url = `${sim.url}/crm/v3/objects/contacts?limit=1`;
  const headers = { authorization: `Bearer ${sim.token}` };
  const send = async (): Promise<number> => {
    await systemClock.sleep(random() * CLIENT_DELAY_MAX_MS);
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    return response.status;
  };

  const stop = new AbortController();
  // Every waiting worker listens on this one signal.
  setMaxListeners(0, stop.signal);
  const start = systemClock.now();
  const end = start + o.seconds * 1000;
  const worker = async () => {
    while (!stop.signal.aborted) {
      await contender.schedule(send, stop.signal).catch(() => undefined);
    }
  };
  const workers = Array.from({ length: o.workers }, worker);
  await systemClock.sleep(end - start);
  stop.abort();
  await contender.stop();
  await Promise.race([Promise.all(workers), systemClock.sleep(5_000)]);

  const requests = sim.requests();
  await sim.close();
  const servedArrivals = requests
    .filter((r) => r.source !== 'background' && r.status !== 429 && r.t < end)
    .map((r) => r.t)
    .sort((a, b) => a - b);
  const served = servedArrivals.filter((t) => t >= start + o.windowMs).length;
  return {
    name: contender.name,
    served,
    own429s: requests.filter((r) => r.status === 429).length,
    utilization: meanWindowFill(servedArrivals, start + o.windowMs, end, o.windowMs) / o.limit,
    rate: served / ((end - start - o.windowMs) / 1000),
  };
}

/** Mean over integer ms t in [from, to) of the arrivals in (t - windowMs, t]; `arrivals` sorted ascending. */
function meanWindowFill(arrivals: readonly number[], from: number, to: number, windowMs: number): number {
  let lo = 0;
  let hi = 0;
  let sum = 0;
  let samples = 0;
  for (let t = Math.ceil(from); t < to; t++) {
    while (hi < arrivals.length && arrivals[hi] <= t) hi++;
    while (lo < hi && arrivals[lo] <= t - windowMs) lo++;
    sum += hi - lo;
    samples++;
  }
  return samples === 0 ? 0 : sum / samples;
}

/** Acquire + release on the hot path with nothing to wait for. */
async function uncontendedRate(iterations: number): Promise<number> {
  const limiter = new RollingWindowLimiter({ name: 'uncontended', limit: Number.MAX_SAFE_INTEGER, windowMs: 10_000 }, systemClock);
  for (let i = 0; i < 100_000; i++) (await limiter.acquire())();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) (await limiter.acquire())();
  return iterations / ((performance.now() - t0) / 1000);
}

/** 1,000 callers cycling through 10 slots: every acquisition but the first few goes through the queue. */
async function contendedRate(total: number, waiters = 1000): Promise<number> {
  const sem = new Semaphore({ name: 'contended', limit: 10 }, systemClock);
  let remaining = total;
  const loop = async () => {
    while (remaining-- > 0) (await sem.acquire())();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: waiters }, loop));
  return total / ((performance.now() - t0) / 1000);
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  console.log(
    `limits bench: ${o.limit} per ${o.windowMs} ms on arrival, ${o.workers} workers, ${o.seconds} s per contender (in parallel), ` +
      `client delay 0–${CLIENT_DELAY_MAX_MS} ms + server latency median ${SERVER_LATENCY_MEDIAN_MS} / p99 ${SERVER_LATENCY_P99_MS} ms`,
  );
  const all = contenders(o);
  const outcomes = await Promise.all(all.map((c, i) => runContender(c, o, 1000 + i)));

  const uncontended = await uncontendedRate(3_000_000);
  const with1000Waiters = await contendedRate(1_000_000);

  const allowedRate = (o.limit * 1000) / o.windowMs;
  console.log(`\n${pad('contender', 48)}${pad('served/s', 10)}${pad('allowed/s', 11)}${pad('utilization', 13)}429s`);
  for (const r of outcomes) {
    console.log(`${pad(r.name, 48)}${pad(r.rate.toFixed(2), 10)}${pad(allowedRate.toFixed(2), 11)}${pad(r.utilization.toFixed(3), 13)}${r.own429s}`);
  }
  console.log(
    `\nacquisitions/s in-process: uncontended ${Math.round(uncontended).toLocaleString('en-US')}, ` +
      `1,000 waiters ${Math.round(with1000Waiters).toLocaleString('en-US')}`,
  );

  const [ours, ...rest] = outcomes;
  const result = {
    utilization: round(ours.utilization),
    own429s: ours.own429s,
    peers: Object.fromEntries(rest.map((r) => [r.name, { utilization: round(r.utilization), own429s: r.own429s }])),
    acquisitionsPerSecond: { uncontended: Math.round(uncontended), with1000Waiters: Math.round(with1000Waiters) },
    config: {
      ...o,
      clientDelayMaxMs: CLIENT_DELAY_MAX_MS,
      serverLatencyMedianMs: SERVER_LATENCY_MEDIAN_MS,
      serverLatencyP99Ms: SERVER_LATENCY_P99_MS,
      server: 'src/sim startSimulator',
    },
    measuredAt: new Date().toISOString(),
  };
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'results', 'limits.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

await main();
