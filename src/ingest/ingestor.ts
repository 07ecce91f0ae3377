// Ingestion: turn accepted events into envelopes and deliveries (fan-out), and commit them in
// groups: concurrent requests share one durable transaction instead of one fsync each.
import { randomUUID } from 'node:crypto';
import { newDeliveryId, type TenantId } from '../domain/ids.ts';
import { SCHEMA_VERSION } from '../catalog/index.ts';
import type { WebhookDirectory } from '../webhooks/directory.ts';
import type { ClaimedDelivery, IngestResult, NewEvent, Store } from '../store/ports.ts';
import type { Metrics } from '../metrics.ts';

export interface IngestItem {
  eventType: string;
  data: Record<string, unknown>;
  userId: string | null;
  eventId?: string;
  eventTimestamp?: string;
}

/** The engine of this process, if it runs one: takes fresh deliveries without a claim query. */
export interface LocalDispatch {
  readonly owner: string;
  readonly leaseMs: number;
  tryReserve(webhookId: string): boolean;
  unreserve(webhookId: string): void;
  deliver(deliveries: ClaimedDelivery[]): void;
}

interface Pending {
  events: NewEvent[];
  resolve(results: IngestResult[]): void;
  reject(error: unknown): void;
}

const MAX_EVENTS_PER_COMMIT = 5000;

export class Ingestor {
  #queue: Pending[] = [];
  #isFlushing = false;
  #isScheduled = false;

  constructor(
    private readonly store: Store,
    private readonly directory: WebhookDirectory,
    private readonly metrics: Metrics,
    private readonly local: LocalDispatch | null,
    private readonly onCommitted: () => void = () => {},
  ) {}

  /** Events of `tenant`: fan-out reaches only its webhooks, event_id idempotency is per tenant. */
  async submit(tenant: TenantId, items: IngestItem[]): Promise<IngestResult[]> {
    await this.directory.fresh();
    const now = Date.now();
    const events = items.map((item) => this.#prepare(tenant, item, now));
    return new Promise((resolve, reject) => {
      this.#queue.push({ events, resolve, reject });
      this.#schedule();
    });
  }

  #prepare(tenant: TenantId, item: IngestItem, now: number): NewEvent {
    const eventId = (item.eventId ?? randomUUID()).toLowerCase();
    const envelope = {
      event_id: eventId,
      event_type: item.eventType,
      event_timestamp: item.eventTimestamp ?? new Date(now).toISOString(),
      schema_version: SCHEMA_VERSION,
      user_id: item.userId,
      data: item.data,
    };
    const deliveries = this.directory
      .subscribers(tenant, item.eventType)
      .filter((s) => s.matches(envelope))
      .map((s) => {
        // An ordered delivery of a member waits its turn: only the store's claim may start it.
        const isOrdered = s.webhook.ordering === 'member' && item.userId !== null;
        const isLocal = !isOrdered && (this.local?.tryReserve(s.webhook.id) ?? false);
        return {
          id: newDeliveryId(now),
          webhookId: s.webhook.id,
          leaseOwner: isLocal ? this.local!.owner : null,
          leaseUntil: isLocal ? now + this.local!.leaseMs : null,
          supersedes: s.webhook.supersede.includes(item.eventType),
          ordered: isOrdered,
        };
      });
    return {
      tenantId: tenant,
      eventId,
      eventType: item.eventType,
      userId: item.userId,
      eventTimestamp: envelope.event_timestamp,
      body: JSON.stringify(envelope),
      createdAt: now,
      deliveries,
    };
  }

  #schedule(): void {
    if (this.#isFlushing || this.#isScheduled || this.#queue.length === 0) return;
    this.#isScheduled = true;
    setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#isScheduled = false;
    this.#isFlushing = true;
    const group = this.#takeGroup();
    const events = group.flatMap((p) => p.events);
    try {
      const results = await this.store.ingest(events);
      this.#afterCommit(events, results);
      let offset = 0;
      for (const pending of group) {
        pending.resolve(results.slice(offset, offset + pending.events.length));
        offset += pending.events.length;
      }
    } catch (error) {
      this.#unreserveAll(events);
      for (const pending of group) pending.reject(error);
    } finally {
      this.#isFlushing = false;
      this.#schedule();
    }
  }

  #takeGroup(): Pending[] {
    let count = 0;
    let take = 0;
    while (take < this.#queue.length && (take === 0 || count + this.#queue[take].events.length <= MAX_EVENTS_PER_COMMIT)) {
      count += this.#queue[take].events.length;
      take++;
    }
    return this.#queue.splice(0, take);
  }

  #afterCommit(events: NewEvent[], results: IngestResult[]): void {
    const local: ClaimedDelivery[] = [];
    let hasUnclaimed = false;
    events.forEach((event, i) => {
      const isNew = results[i].isNew;
      if (isNew) this.metrics.eventsAccepted.inc({ event_type: event.eventType });
      for (const d of event.deliveries) {
        if (d.leaseOwner === null) hasUnclaimed ||= isNew;
        else if (!isNew) this.local!.unreserve(d.webhookId);
        else local.push({ id: d.id, tenantId: event.tenantId, webhookId: d.webhookId, eventId: event.eventId, body: event.body, attempts: 0, roundTries: 0 });
      }
    });
    if (local.length > 0) this.local!.deliver(local);
    if (hasUnclaimed) this.onCommitted();
  }

  #unreserveAll(events: NewEvent[]): void {
    for (const event of events) for (const d of event.deliveries) if (d.leaseOwner !== null) this.local!.unreserve(d.webhookId);
  }
}
