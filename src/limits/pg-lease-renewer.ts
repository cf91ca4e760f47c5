import pg from 'pg';
import type { Clock } from '../clock.js';
import { renewHolder } from './pg-store.js';

/**
 * Renews every lease and ticket this process holds in one statement, on a connection of its own: a pool
 * drained by long queries or COPY streams cannot delay it. It renews three times per lease so one slow
 * round trip does not let a lease lapse. (Work that blocks the event loop for longer than a lease still
 * stops renewal: such a holder is indistinguishable from a crashed one.)
 */
export class LeaseRenewer {
  private client: pg.Client | undefined;
  private readonly stopSleeping = new AbortController();
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
    private readonly holder: string,
    private readonly leaseMs: number,
    private readonly clock: Clock,
    /** What this process holds right now; renewal is skipped (no round trip) when it is nothing. */
    private readonly holdings: () => { leaseIds: number[]; tickets: number[] },
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  get intervalMs(): number {
    return Math.max(50, Math.floor(this.leaseMs / 3));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Renews now (tests and shutdown paths); returns how many leases and tickets were extended. */
  async renewNow(): Promise<{ leases: number; waiters: number }> {
    const { leaseIds, tickets } = this.holdings();
    if (leaseIds.length === 0 && tickets.length === 0) return { leases: 0, waiters: 0 };
    const client = await this.connection();
    return renewHolder(client, this.schema, this.holder, this.leaseMs, leaseIds, tickets);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSleeping.abort();
    await this.loop?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.clock.sleep(this.intervalMs, this.stopSleeping.signal);
      } catch {
        return;
      }
      try {
        await this.renewNow();
      } catch (error) {
        // The connection may be gone: open a fresh one next time round.
        const client = this.client;
        this.client = undefined;
        await client?.end().catch(() => {});
        if (!this.stopped) this.onError(error);
      }
    }
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client(this.config);
    client.on('error', () => {
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
    return client;
  }
}
