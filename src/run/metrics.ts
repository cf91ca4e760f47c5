import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineEvents } from '../processor/events.js';
import type { RunContext } from './run-context.js';
import type { ExtractorEvent } from '../../extractors/types.js';

/**
 * Prometheus metrics for `--metrics-port`: one registry for the life of the process (a scheduled process
 * serves many runs), fed by each run's engine and extractor events.
 */
export class RunMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'hubspot_requests_total',
    help: 'HTTP requests sent, by endpoint and status (status "none" when no response came)',
    labelNames: ['endpoint', 'status'],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'hubspot_rate_limited_total',
    help: '429 answers received, by policy',
    labelNames: ['policy'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({ name: 'hubspot_retries_total', help: 'Retries, by cause', labelNames: ['cause'], registers: [this.registry] });
  private readonly windowUsage = new Gauge({
    name: 'hubspot_window_usage',
    help: 'Slots held in the rolling window right now',
    labelNames: ['limit'],
    registers: [this.registry],
  });
  private readonly windowLimit = new Gauge({
    name: 'hubspot_window_limit',
    help: 'Size of the rolling window limit',
    labelNames: ['limit'],
    registers: [this.registry],
  });
  private readonly dailyRemaining = new Gauge({
    name: 'hubspot_daily_budget_remaining',
    help: 'Daily requests left, as the server last reported',
    registers: [this.registry],
  });
  private readonly rows = new Counter({
    name: 'hubspot_rows_loaded_total',
    help: 'Rows loaded, by object',
    labelNames: ['object'],
    registers: [this.registry],
  });
  private readonly runDuration = new Gauge({ name: 'hubspot_run_duration_seconds', help: 'Wall time of the last finished run', registers: [this.registry] });
  private readonly runs = new Counter({ name: 'hubspot_runs_total', help: 'Finished runs, by outcome', labelNames: ['status'], registers: [this.registry] });
  private readonly running = new Gauge({ name: 'hubspot_run_in_progress', help: '1 while a run is going', registers: [this.registry] });
  private lastRows = new Map<string, number>();

  /** `processMetrics: false` for a registry that is one of several in a process (the fleet's one per portal). */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Follows one run; returns the listener for its extractor events and a function that detaches it. */
  attach(context: RunContext): { onExtractorEvent: (e: ExtractorEvent) => void; detach: () => void } {
    this.running.set(1);
    this.lastRows = new Map();
    const off = listen(context.events, this, context);
    const windowName = context.limits.standard.name;
    const sample = setInterval(() => this.sampleWindow(context, windowName), 250);
    sample.unref();
    this.windowLimit.set({ limit: windowName }, context.limits.window?.limit ?? 0);
    return {
      onExtractorEvent: (e) => {
        if (e.type === 'extractor:progress' || e.type === 'extractor:done') {
          const before = this.lastRows.get(e.extractor) ?? 0;
          if (e.rows > before) this.rows.inc({ object: e.extractor }, e.rows - before);
          this.lastRows.set(e.extractor, e.rows);
        } else if (e.type === 'associations:loaded' && e.rows > 0) {
          this.rows.inc({ object: 'associations' }, e.rows);
        }
      },
      detach: () => {
        clearInterval(sample);
        this.sampleWindow(context, windowName);
        this.running.set(0);
        off();
      },
    };
  }

  finished(status: string, wallMs: number): void {
    this.runs.inc({ status });
    this.runDuration.set(wallMs / 1000);
  }

  private sampleWindow(context: RunContext, name: string): void {
    if (context.limits.window) this.windowUsage.set({ limit: name }, context.limits.window.inUse());
  }

  /** Internal: counters updated from engine events. */
  record = {
    request: (endpoint: string, status: number | undefined) => this.requests.inc({ endpoint, status: status === undefined ? 'none' : String(status) }),
    rateLimited: (policy: string) => this.rateLimited.inc({ policy }),
    retry: (cause: string) => this.retries.inc({ cause }),
    daily: (remaining: number) => this.dailyRemaining.set(remaining),
  };
}

function listen(events: EngineEvents, m: RunMetrics, _context: RunContext): () => void {
  return events.on((e) => {
    switch (e.type) {
      case 'request-end':
        m.record.request(e.endpoint, e.status);
        return;
      case 'rate-limited':
        m.record.rateLimited(e.policy);
        return;
      case 'retry':
        m.record.retry(e.cause);
        return;
      case 'daily-budget':
        m.record.daily(e.remaining);
        return;
      default:
        return;
    }
  });
}

/** Serves the registry at /metrics until closed. */
export async function serveMetrics(metrics: RunMetrics, port: number, host = '127.0.0.1'): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
