// Every live webhook, decrypted and indexed by tenant and event type, for the two hot paths: fan-out at
// ingest and sending in the engine. Reloaded when the store's config revision moves, which this
// process sees at once for its own changes and within `maxStalenessMs` for other processes'.
import type { TenantId } from '../domain/ids.ts';
import type { SecretBox } from '../domain/secret-box.ts';
import type { Webhook } from '../domain/webhook.ts';
import { compileFilter, type FilterFn } from '../domain/filter.ts';
import type { Store } from '../store/ports.ts';
import { fromWebhookRow } from './codec.ts';

export interface Subscriber {
  webhook: Webhook;
  matches: FilterFn;
}

export class WebhookDirectory {
  #byId = new Map<string, Webhook>();
  /** Keyed by tenant and event type: an event only ever reaches its own tenant's webhooks. */
  #byEventType = new Map<string, Subscriber[]>();
  #revision = -1;
  #checkedAt = 0;
  #loading: Promise<void> | null = null;
  #listeners: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
    private readonly log: { error(obj: object, msg: string): void },
    private readonly maxStalenessMs = 1000,
  ) {}

  /** Called after a change: reload now and tell listeners (e.g. the engine: retries may be due). */
  async invalidate(): Promise<void> {
    this.#checkedAt = 0;
    this.#revision = -1;
    await this.fresh();
    for (const listener of this.#listeners) listener();
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  /** Ensures the view is at most maxStalenessMs old; cheap when nothing changed. */
  async fresh(nowMs = Date.now()): Promise<void> {
    if (nowMs - this.#checkedAt < this.maxStalenessMs) return;
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = null;
    });
    await this.#loading;
  }

  async #reload(): Promise<void> {
    const checkedAt = Date.now();
    const revision = await this.store.configRevision();
    if (revision !== this.#revision) {
      const rows = await this.store.allWebhooks();
      const byId = new Map<string, Webhook>();
      const byEventType = new Map<string, Subscriber[]>();
      for (const row of rows) {
        let webhook: Webhook;
        try {
          webhook = fromWebhookRow(row, this.box);
        } catch (error) {
          this.log.error({ webhook_id: row.id, err: error }, 'cannot open webhook secrets (was HERALD_SECRET_KEY changed?)');
          continue;
        }
        byId.set(webhook.id, webhook);
        if (!webhook.enabled) continue;
        const matches = webhook.filter ? compileFilter(webhook.filter) : () => true;
        for (const type of webhook.eventTypes) {
          const key = subscriptionKey(row.tenantId, type);
          const list = byEventType.get(key) ?? [];
          list.push({ webhook, matches });
          byEventType.set(key, list);
        }
      }
      this.#byId = byId;
      this.#byEventType = byEventType;
      const changed = this.#revision !== -1;
      this.#revision = revision;
      if (changed) for (const listener of this.#listeners) listener();
    }
    this.#checkedAt = checkedAt;
  }

  get(id: string): Webhook | undefined {
    return this.#byId.get(id);
  }

  /** The enabled webhooks of `tenant` subscribed to `eventType`. */
  subscribers(tenant: TenantId, eventType: string): Subscriber[] {
    return this.#byEventType.get(subscriptionKey(tenant, eventType)) ?? [];
  }

  enabledIds(): string[] {
    return [...this.#byId.values()].filter((w) => w.enabled).map((w) => w.id);
  }
}

function subscriptionKey(tenant: TenantId, eventType: string): string {
  return `${tenant}\u0000${eventType}`;
}
