import { createServer, type Server } from 'node:http';
import { AggregatorRegistry, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RunMetrics } from '../run/metrics.js';

/**
 * A worker's Prometheus metrics: the run metrics of `extract --metrics-port` (README "Logs and metrics"), one
 * set per portal this worker has run, each carrying a `portal` label, plus the worker's own gauges and the
 * Node process metrics once. Served merged at /metrics.
 */
export class FleetMetrics {
  private readonly perPortal = new Map<string, RunMetrics>();
  readonly registry = new Registry();
  readonly runningJobs = new Gauge({ name: 'hubspot_fleet_running_jobs', help: 'Portal runs this worker is running now', registers: [this.registry] });
  readonly concurrency = new Gauge({
    name: 'hubspot_fleet_worker_concurrency',
    help: 'Portal runs this worker runs at once at most (HUBSPOT_WORKER_CONCURRENCY)',
    registers: [this.registry],
  });
  readonly queueWait = new Gauge({
    name: 'hubspot_fleet_queue_wait_seconds',
    help: 'How long the last job of a portal waited in the queue before this worker started it',
    labelNames: ['portal'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The run metrics of one portal (created on first use). */
  forPortal(portal: string): RunMetrics {
    let metrics = this.perPortal.get(portal);
    if (!metrics) {
      metrics = new RunMetrics({ processMetrics: false });
      metrics.registry.setDefaultLabels({ portal });
      this.perPortal.set(portal, metrics);
    }
    return metrics;
  }

  /** Every family once, with each portal's series side by side (they differ by their `portal` label). */
  async text(): Promise<{ contentType: string; body: string }> {
    const all = await Promise.all([this.registry, ...[...this.perPortal.values()].map((m) => m.registry)].map((r) => r.getMetricsAsJSON()));
    const merged = AggregatorRegistry.aggregate(all);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}

export async function serveFleetMetrics(metrics: FleetMetrics, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    try {
      const { contentType, body } = await metrics.text();
      res.writeHead(200, { 'content-type': contentType }).end(body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
