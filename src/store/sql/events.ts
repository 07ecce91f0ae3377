// Ingestion and event reads shared by both adapters.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, EventsTable } from '../schema.ts';
import type { EventQuery, EventRow, IngestResult, NewEvent } from '../ports.ts';
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
 * `seq` names the acceptance sequence of deliveries (SQLite: the rowid; PostgreSQL: a serial):
 * deliveries are inserted in request order so that it follows acceptance order (API.md §10).
 */
export async function ingest(trx: Db, events: NewEvent[], seq: 'rowid' | 'seq' = 'seq', batch: Batch = oneByOne): Promise<IngestResult[]> {
  // Event ids are unique per tenant: keyed by both.
  const keyOf = (e: { tenantId: string; eventId: string }) => `${e.tenantId}\u0000${e.eventId}`;
  const firstById = new Map<string, NewEvent>();
  for (const event of events) if (!firstById.has(keyOf(event))) firstById.set(keyOf(event), event);
  // Sorted, so that concurrent transactions (group commits, other processes) that share an event id
  // take its row lock in the same order and cannot deadlock.
  const candidates = [...firstById.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);

  // Every chunk of events in one batch, then every chunk of deliveries in another (they depend
  // only on which events were new): a batch of any size is three trips to the database.
  const inserted = new Set<string>();
  const eventInserts = chunks(candidates).map((part) =>
    trx
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
      .compile(),
  );
  for (const result of await batch(trx, eventInserts)) {
    for (const row of result.rows as Array<{ tenant_id: string; event_id: string }>) inserted.add(keyOf({ tenantId: row.tenant_id, eventId: row.event_id }));
  }

  // Request order, not the sorted order above: the insertion order is the acceptance sequence.
  const deliveries = [...firstById.values()]
    .filter((e) => inserted.has(keyOf(e)))
    .flatMap((e) =>
      e.deliveries.map((d) => ({
        id: d.id,
        tenant_id: e.tenantId,
        event_id: e.eventId,
        webhook_id: d.webhookId,
        event_type: e.eventType,
        user_id: e.userId,
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
  // One batch, in request order (the insertion order is the acceptance sequence).
  await batch(trx, chunks(deliveries).map((part) => trx.insertInto('deliveries').values(part).compile()));
  await supersedeOlder(trx, [...firstById.values()].filter((e) => inserted.has(keyOf(e))), seq, batch);

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

/**
 * API.md §10 superseding, in the ingest transaction: per (webhook, member, type) the newest new
 * delivery ends every older pending one that is not in flight (no live lease) as superseded.
 */
async function supersedeOlder(trx: Db, accepted: NewEvent[], seq: 'rowid' | 'seq', batch: Batch): Promise<void> {
  const newest = new Map<string, { deliveryId: string; webhookId: string; userId: string; eventType: string; eventId: string; at: number }>();
  for (const e of accepted) {
    if (e.userId === null) continue;
    for (const d of e.deliveries) {
      if (!d.supersedes) continue;
      newest.set(JSON.stringify([d.webhookId, e.userId, e.eventType]), {
        deliveryId: d.id,
        webhookId: d.webhookId,
        userId: e.userId,
        eventType: e.eventType,
        eventId: e.eventId,
        at: e.createdAt,
      });
    }
  }
  if (newest.size === 0) return;
  // Independent updates (one per webhook, member and type): one trip to the database in all.
  const updates = [...newest.values()].map((n) =>
    trx
      .updateTable('deliveries')
      .set({ status: 'superseded', error: `superseded by event ${n.eventId}`, next_attempt_at: null, lease_owner: null, lease_until: null })
      .where('webhook_id', '=', n.webhookId)
      .where('user_id', '=', n.userId)
      .where('status', '=', 'pending')
      .where('event_type', '=', n.eventType)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', n.at)]))
      .where(sql<boolean>`${sql.ref(seq)} < (SELECT s.${sql.ref(seq)} FROM deliveries s WHERE s.id = ${n.deliveryId})`)
      .compile(),
  );
  await batch(trx, updates);
}

/** Newest first; each filter uses its own index (events_user, events_type, events_created). */
export async function listEvents(db: Db, tenant: string, q: EventQuery): Promise<EventRow[]> {
  let query = db.selectFrom('events').selectAll().where('tenant_id', '=', tenant);
  if (q.userId !== undefined) query = query.where('user_id', '=', q.userId);
  if (q.eventType !== undefined) query = query.where('event_type', '=', q.eventType);
  if (q.createdFrom !== undefined) query = query.where('created_at', '>=', q.createdFrom);
  if (q.createdTo !== undefined) query = query.where('created_at', '<=', q.createdTo);
  if (q.before !== undefined) {
    const { createdAt, eventId } = q.before;
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', createdAt), eb.and([eb('created_at', '=', createdAt), eb('event_id', '<', eventId)])]),
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('event_id', 'desc').limit(q.limit).execute();
  return rows.map(toEventRow);
}

/**
 * API.md §10 erasure, inside one transaction: cancel pending, then delete attempts, deliveries,
 * events, all only in the tenant (event ids are unique per tenant, so deliveries match on both).
 */
export async function eraseMember(trx: Db, tenant: string, userId: string): Promise<{ events: number; deliveries: number }> {
  const eventIds = trx.selectFrom('events').select('event_id').where('tenant_id', '=', tenant).where('user_id', '=', userId);
  await trx
    .updateTable('deliveries')
    .set({ status: 'cancelled', next_attempt_at: null, lease_owner: null, lease_until: null })
    .where('tenant_id', '=', tenant)
    .where('event_id', 'in', eventIds)
    .where('status', '=', 'pending')
    .execute();
  await trx
    .deleteFrom('attempts')
    .where('delivery_id', 'in', trx.selectFrom('deliveries').select('id').where('tenant_id', '=', tenant).where('event_id', 'in', eventIds))
    .execute();
  const deliveries = await trx.deleteFrom('deliveries').where('tenant_id', '=', tenant).where('event_id', 'in', eventIds).executeTakeFirst();
  const events = await trx.deleteFrom('events').where('tenant_id', '=', tenant).where('user_id', '=', userId).executeTakeFirst();
  return { events: Number(events.numDeletedRows), deliveries: Number(deliveries.numDeletedRows) };
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
