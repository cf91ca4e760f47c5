import pg from 'pg';
import type { Clock } from '../clock.js';
import { renewHolder } from './pg-store.js';

/**
 * Renews every lease and ticket this process holds in one statement, on a connection of its own: a pool
 * drained by long queries or COPY streams cannot delay it. It renews three times per lease so one slow
 * round trip does not let a lease lapse. Work that blocks the event loop (or a process paused, SIGSTOP)
 * for longer than a lease still stops renewal: such a holder is indistinguishable from a crashed one, and
 * its slots go to others. The next renewal then finds those leases gone and reports them through
 * `onLost`, so the holder stops using them and acquires again.
 */
export class LeaseRenewer {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
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
    /** Leases that had already expired when renewal came (their slots may be someone else's now). */
    private readonly onLost: (leaseIds: number[]) => void = () => {},
  ) {}

  get intervalMs(): number {
    return Math.max(50, Math.floor(this.leaseMs / 3));
  }

  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Renews now (tests and shutdown paths); returns how many leases and tickets were extended. Safe to call
   * while the timer's renewal is in flight: both share one connection, opened once.
   */
  async renewNow(): Promise<{ leases: number; waiters: number }> {
    const { leaseIds, tickets } = this.holdings();
    if (leaseIds.length === 0 && tickets.length === 0) return { leases: 0, waiters: 0 };
    const client = await this.connection();
    let result: Awaited<ReturnType<typeof renewHolder>>;
    try {
      result = await renewHolder(client, this.schema, this.holder, this.leaseMs, leaseIds, tickets);
    } catch (error) {
      // This connection may be gone: the next renewal opens a fresh one (not one another call opened since).
      if (this.client === client) this.client = undefined;
      await client.end().catch(() => {});
      throw error;
    }
    if (result.renewed.length < leaseIds.length) {
      const renewed = new Set(result.renewed);
      // Ids released meanwhile are not lost: only those still held by the process now.
      const held = new Set(this.holdings().leaseIds);
      const lost = leaseIds.filter((id) => !renewed.has(id) && held.has(id));
      if (lost.length > 0) this.onLost(lost);
    }
    return { leases: result.leases, waiters: result.waiters };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSleeping.abort();
    await this.loop?.catch(() => {});
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
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
        if (!this.stopped) this.onError(error);
      }
    }
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client(this.config);
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
      });
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      if (this.stopped) {
        await client.end().catch(() => {});
        throw new Error('lease renewal stopped');
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}
