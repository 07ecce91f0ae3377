// Operational events (API.md §9): stored and fanned out in the caller's transaction, the one that
// records the state change causing them, so a crash loses or repeats both or neither. Each goes
// into the tenant of the webhook that caused it and reaches only that tenant's webhooks (§8).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SCHEMA_VERSION } from '../../catalog/index.ts';
import { compileFilter } from '../../domain/filter.ts';
import type { HeraldEmission } from '../../domain/health.ts';
import { newDeliveryId, type TenantId } from '../../domain/ids.ts';
import type { Database } from '../schema.ts';
import type { NewEvent } from '../ports.ts';
import { ingest } from './events.ts';
import { toRow } from './webhooks.ts';

type Db = Kysely<Database>;

/** Must run inside a transaction. Returns how many deliveries were queued (nobody holds them yet). */
export async function emitHerald(trx: Db, emissions: HeraldEmission[], nowMs: number): Promise<number> {
  if (emissions.length === 0) return 0;
  const subscribers = await heraldSubscribers(trx);
  const tenantOf = await tenantsOf(trx, [...new Set(emissions.map((e) => e.webhookId))]);
  const events: NewEvent[] = emissions.map((emission) => {
    const tenantId = tenantOf.get(emission.webhookId)!;
    const envelope = {
      event_id: randomUUID(),
      event_type: emission.eventType,
      event_timestamp: new Date(nowMs).toISOString(),
      schema_version: SCHEMA_VERSION,
      user_id: null,
      data: emission.data,
    };
    const deliveries = subscribers
      .filter((s) => s.tenantId === tenantId && s.eventTypes.includes(emission.eventType) && s.matches(envelope))
      // user_id is null: herald events are neither ordered nor superseding (API.md §10).
      .map((s) => ({ id: newDeliveryId(nowMs), webhookId: s.id, leaseOwner: null, leaseUntil: null, supersedes: false }));
    return {
      tenantId,
      eventId: envelope.event_id,
      eventType: envelope.event_type,
      userId: null,
      eventTimestamp: envelope.event_timestamp,
      body: JSON.stringify(envelope),
      createdAt: nowMs,
      deliveries,
    };
  });
  await ingest(trx, events);
  return events.reduce((n, e) => n + e.deliveries.length, 0);
}

/** Enabled webhooks subscribed to some herald.* type, as of this transaction. */
async function heraldSubscribers(trx: Db) {
  const rows = await trx
    .selectFrom('webhooks')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('enabled', '=', 1)
    .where('event_types', 'like', '%"herald.%')
    .execute();
  return rows.map((r) => {
    const row = toRow(r);
    return { id: row.id, tenantId: r.tenant_id as TenantId, eventTypes: row.eventTypes, matches: row.filter ? compileFilter(row.filter) : () => true };
  });
}

/** The tenant of each webhook (deleted ones too: a delivery may end after its webhook was deleted). */
async function tenantsOf(trx: Db, webhookIds: string[]): Promise<Map<string, TenantId>> {
  const rows = await trx.selectFrom('webhooks').select(['id', 'tenant_id']).where('id', 'in', webhookIds).execute();
  return new Map(rows.map((r) => [r.id, r.tenant_id as TenantId]));
}
