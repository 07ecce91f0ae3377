// Ingestion and event reads shared by both adapters.
import type { Kysely, Selectable } from 'kysely';
import type { Database, EventsTable } from '../schema.ts';
import type { EventRow, IngestResult, NewEvent } from '../ports.ts';

type Db = Kysely<Database>;

const CHUNK = 400;

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Must run inside one transaction. The first occurrence of an event id wins, in this batch and
 * against everything stored before; repeats get the stored result and add no deliveries.
 */
export async function ingest(trx: Db, events: NewEvent[]): Promise<IngestResult[]> {
  // Event ids are unique per tenant: keyed by both.
  const keyOf = (e: { tenantId: string; eventId: string }) => `${e.tenantId}\u0000${e.eventId}`;
  const firstById = new Map<string, NewEvent>();
  for (const event of events) if (!firstById.has(keyOf(event))) firstById.set(keyOf(event), event);
  // Sorted, so that concurrent transactions (group commits, other processes) that share an event id
  // take its row lock in the same order and cannot deadlock.
  const candidates = [...firstById.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);

  const inserted = new Set<string>();
  for (const part of chunks(candidates)) {
    const rows = await trx
      .insertInto('events')
      .values(
        part.map((e) => ({
          tenant_id: e.tenantId,
          event_id: e.eventId,
          event_type: e.eventType,
          user_id: e.userId,
          event_timestamp: e.eventTimestamp,
          body: e.body,
          delivery_count: e.deliveries.length,
          created_at: e.createdAt,
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'event_id']).doNothing())
      .returning(['tenant_id', 'event_id'])
      .execute();
    for (const row of rows) inserted.add(keyOf({ tenantId: row.tenant_id, eventId: row.event_id }));
  }

  const deliveries = candidates
    .filter((e) => inserted.has(keyOf(e)))
    .flatMap((e) =>
      e.deliveries.map((d) => ({
        id: d.id,
        tenant_id: e.tenantId,
        event_id: e.eventId,
        webhook_id: d.webhookId,
        event_type: e.eventType,
        status: 'pending',
        attempts: 0,
        round_tries: 0,
        status_code: null,
        error: null,
        delivered_at: null,
        created_at: e.createdAt,
        next_attempt_at: e.createdAt,
        lease_owner: d.leaseOwner,
        lease_until: d.leaseUntil,
      })),
    );
  for (const part of chunks(deliveries)) await trx.insertInto('deliveries').values(part).execute();

  const earlier = new Map<string, { eventType: string; deliveries: number }>();
  const repeated = new Map<string, string[]>();
  for (const e of candidates) {
    if (inserted.has(keyOf(e))) continue;
    const ids = repeated.get(e.tenantId) ?? [];
    ids.push(e.eventId);
    repeated.set(e.tenantId, ids);
  }
  for (const [tenantId, ids] of repeated) {
    for (const part of chunks(ids)) {
      const rows = await trx
        .selectFrom('events')
        .select(['event_id', 'event_type', 'delivery_count'])
        .where('tenant_id', '=', tenantId)
        .where('event_id', 'in', part)
        .execute();
      for (const r of rows) earlier.set(keyOf({ tenantId, eventId: r.event_id }), { eventType: r.event_type, deliveries: Number(r.delivery_count) });
    }
  }

  const seen = new Set<string>();
  return events.map((event): IngestResult => {
    const key = keyOf(event);
    const isFirstHere = !seen.has(key);
    seen.add(key);
    if (isFirstHere && inserted.has(key)) {
      return { isNew: true, eventId: event.eventId, eventType: event.eventType, deliveries: event.deliveries.length };
    }
    const stored = earlier.get(key);
    const first = firstById.get(key)!;
    return stored
      ? { isNew: false, eventId: event.eventId, ...stored }
      : { isNew: false, eventId: event.eventId, eventType: first.eventType, deliveries: first.deliveries.length };
  });
}

export function toEventRow(r: Selectable<EventsTable>): EventRow {
  return {
    eventId: r.event_id,
    eventType: r.event_type,
    userId: r.user_id,
    eventTimestamp: r.event_timestamp,
    body: r.body,
    deliveryCount: Number(r.delivery_count),
    createdAt: Number(r.created_at),
  };
}
