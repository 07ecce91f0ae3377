// Turns claimed delivery rows into ClaimedDelivery values with the envelope each must carry.
import type { Kysely } from 'kysely';
import type { DeliveryId, TenantId, WebhookId } from '../../domain/ids.ts';
import type { Database } from '../schema.ts';
import type { ClaimedDelivery } from '../ports.ts';

interface Claimed {
  id: string;
  tenant_id: string;
  webhook_id: string;
  event_id: string;
  attempts: number;
  round_tries: number;
}

export async function loadBodies(db: Kysely<Database>, rows: Claimed[]): Promise<ClaimedDelivery[]> {
  if (rows.length === 0) return [];
  // Event ids are unique per tenant: one lookup per tenant, on the (tenant_id, event_id) key.
  const byTenant = new Map<string, Set<string>>();
  for (const r of rows) {
    const ids = byTenant.get(r.tenant_id) ?? new Set<string>();
    ids.add(r.event_id);
    byTenant.set(r.tenant_id, ids);
  }
  const bodies = new Map<string, string>();
  for (const [tenantId, idSet] of byTenant) {
    const eventIds = [...idSet];
    for (let i = 0; i < eventIds.length; i += 500) {
      const events = await db
        .selectFrom('events')
        .select(['event_id', 'body'])
        .where('tenant_id', '=', tenantId)
        .where('event_id', 'in', eventIds.slice(i, i + 500))
        .execute();
      for (const e of events) bodies.set(`${tenantId}\u0000${e.event_id}`, e.body);
    }
  }
  return rows.map((r) => ({
    id: r.id as DeliveryId,
    tenantId: r.tenant_id as TenantId,
    webhookId: r.webhook_id as WebhookId,
    eventId: r.event_id,
    body: bodies.get(`${r.tenant_id}\u0000${r.event_id}`)!,
    attempts: Number(r.attempts),
    roundTries: Number(r.round_tries),
  }));
}
