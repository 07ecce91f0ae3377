// Turns claimed delivery rows into ClaimedDelivery values with the envelope each must carry.
import type { Kysely } from 'kysely';
import type { DeliveryId, WebhookId } from '../../domain/ids.ts';
import type { Database } from '../schema.ts';
import type { ClaimedDelivery } from '../ports.ts';

interface Claimed {
  id: string;
  webhook_id: string;
  event_id: string;
  attempts: number;
  round_tries: number;
}

export async function loadBodies(db: Kysely<Database>, rows: Claimed[]): Promise<ClaimedDelivery[]> {
  if (rows.length === 0) return [];
  const eventIds = [...new Set(rows.map((r) => r.event_id))];
  const bodies = new Map<string, string>();
  for (let i = 0; i < eventIds.length; i += 500) {
    const events = await db
      .selectFrom('events')
      .select(['event_id', 'body'])
      .where('event_id', 'in', eventIds.slice(i, i + 500))
      .execute();
    for (const e of events) bodies.set(e.event_id, e.body);
  }
  return rows.map((r) => ({
    id: r.id as DeliveryId,
    webhookId: r.webhook_id as WebhookId,
    eventId: r.event_id,
    body: bodies.get(r.event_id)!,
    attempts: Number(r.attempts),
    roundTries: Number(r.round_tries),
  }));
}
