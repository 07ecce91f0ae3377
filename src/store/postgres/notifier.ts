// One LISTEN connection per process. Reconnects on its own; while it is down, polling covers.
// The same session holds this process's liveness lock (see owners.ts): when the process dies, the
// database ends the session and the lock is gone at once.
import pg from 'pg';

export class Notifier {
  #client: pg.Client | null = null;
  #listeners = new Map<string, Array<() => void>>();
  #isStopped = false;
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    /** Runs on every (re)connected session after LISTEN (e.g. to take a session lock). */
    private readonly onSession: (client: pg.Client) => Promise<void> = async () => {},
  ) {}

  on(channel: string, listener: () => void): void {
    const list = this.#listeners.get(channel) ?? [];
    list.push(listener);
    this.#listeners.set(channel, list);
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      for (const listener of this.#listeners.get(message.channel) ?? []) listener();
    });
    client.on('error', () => this.#reconnect(client));
    client.on('end', () => this.#reconnect(client));
    await client.connect();
    for (const channel of this.channels) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    await this.onSession(client);
    this.#client = client;
  }

  #reconnect(client: pg.Client): void {
    if (this.#isStopped || this.#client !== client) return;
    this.#client = null;
    client.end().catch(() => {});
    this.#retryTimer = setTimeout(() => {
      this.start().catch(() => this.#reconnectLater());
      // After a gap, wake everyone: notifications sent meanwhile were lost.
      for (const list of this.#listeners.values()) for (const listener of list) listener();
    }, 1000);
    this.#retryTimer.unref();
  }

  #reconnectLater(): void {
    if (this.#isStopped) return;
    this.#retryTimer = setTimeout(() => this.start().catch(() => this.#reconnectLater()), 2000);
    this.#retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.#isStopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    await this.#client?.end().catch(() => {});
    this.#client = null;
  }
}
