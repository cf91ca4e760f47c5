import pg from 'pg';
import type { Clock } from '../clock.js';
import { LIMITS_CHANNEL } from './pg-store.js';

/** `release`: slots were given back; `change`: the limit or the line of waiters changed. */
export type ChangeKind = 'release' | 'change';

/** A connection that is lost is tried again after this long; waiters poll meanwhile. */
const RECONNECT_DELAY_MS = 1000;

/**
 * One LISTEN session per process on its own connection (a pooled one would be handed to other work),
 * dispatching "limit changed / slots freed" notifications to the limiters waiting on that limit. A lost
 * connection is reopened, and everyone is woken then, since notifications sent meanwhile are gone.
 */
export class LimitChangeListener {
  private client: pg.Client | undefined;
  private readonly listeners = new Map<string, Set<(kind: ChangeKind) => void>>();
  private closed = false;
  private starting: Promise<void> | undefined;
  private readonly stopSleeping = new AbortController();

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Connects and listens; resolves once notifications are flowing. */
  start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  subscribe(name: string, listener: (kind: ChangeKind) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(name);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopSleeping.abort();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => this.dispatch(message.payload));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    await client.connect();
    await client.query(`listen ${LIMITS_CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
  }

  private dispatch(payload: string | undefined): void {
    if (!payload) return;
    const kind: ChangeKind = payload[0] === 'r' ? 'release' : 'change';
    const slash = payload.indexOf('/');
    if (payload.slice(1, slash) !== this.schema) return;
    for (const listener of this.listeners.get(payload.slice(slash + 1)) ?? []) listener(kind);
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    if (error) this.onError(error);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    while (!this.closed) {
      try {
        await this.clock.sleep(RECONNECT_DELAY_MS, this.stopSleeping.signal);
        await this.connect();
        for (const set of this.listeners.values()) for (const listener of set) listener('change');
        return;
      } catch (error) {
        if (this.closed) return;
        this.onError(error);
      }
    }
  }
}
