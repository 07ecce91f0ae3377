// Ingestion and event reads shared by both adapters.
import type { Kysely, Selectable } from 'kysely';
import type { Database, EventsTable } from '../schema.ts';
import type { EventRow, IngestResult, NewEvent } from '../ports.ts';
import { oneByOne, type Batch } from './batch.ts';

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
export async function ingest(trx: Db, events: NewEvent[], batch: Batch = oneByOne): Promise<IngestResult[]> {
  const firstById = new Map<string, NewEvent>();
  for (const event of events) if (!firstById.has(event.eventId)) firstById.set(event.eventId, event);
  // Sorted, so that concurrent transactions (group commits, other processes) that share an event id
  // take its row lock in the same order and cannot deadlock.
  const candidates = [...firstById.values()].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));

  // Every chunk of events in one batch, then every chunk of deliveries in another (they depend
  // only on which events were new): a batch of any size is three trips to the database.
  const inserted = new Set<string>();
  const eventInserts = chunks(candidates).map((part) =>
    trx
      .insertInto('events')
      .values(
        part.map((e) => ({
          event_id: e.eventId,
          event_type: e.eventType,
          user_id: e.userId,
          event_timestamp: e.eventTimestamp,
          body: e.body,
          delivery_count: e.deliveries.length,
          created_at: e.createdAt,
        })),
      )
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .compile(),
  );
  for (const result of await batch(trx, eventInserts)) {
    for (const row of result.rows as Array<{ event_id: string }>) inserted.add(row.event_id);
  }

  const deliveries = candidates
    .filter((e) => inserted.has(e.eventId))
    .flatMap((e) =>
      e.deliveries.map((d) => ({
        id: d.id,
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
  await batch(trx, chunks(deliveries).map((part) => trx.insertInto('deliveries').values(part).compile()));

  const earlier = new Map<string, { eventType: string; deliveries: number }>();
  const repeatedIds = candidates.filter((e) => !inserted.has(e.eventId)).map((e) => e.eventId);
  for (const part of chunks(repeatedIds)) {
    const rows = await trx
      .selectFrom('events')
      .select(['event_id', 'event_type', 'delivery_count'])
      .where('event_id', 'in', part)
      .execute();
    for (const r of rows) earlier.set(r.event_id, { eventType: r.event_type, deliveries: Number(r.delivery_count) });
  }

  const seen = new Set<string>();
  return events.map((event): IngestResult => {
    const isFirstHere = !seen.has(event.eventId);
    seen.add(event.eventId);
    if (isFirstHere && inserted.has(event.eventId)) {
      return { isNew: true, eventId: event.eventId, eventType: event.eventType, deliveries: event.deliveries.length };
    }
    const stored = earlier.get(event.eventId);
    const first = firstById.get(event.eventId)!;
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
