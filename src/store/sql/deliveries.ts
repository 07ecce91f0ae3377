// Audit log queries (deliveries and their attempts) shared by both adapters.
import { sql, type Kysely } from 'kysely';
import type { AttemptOutcome, RecordedAttempt } from '../../domain/attempt.ts';
import { idFloor, type DeliveryId, type TenantId, type WebhookId } from '../../domain/ids.ts';
import type { Database } from '../schema.ts';
import type { CancelResult, DeliveryQuery, DeliveryRow, DeliveryStatus, RequeueResult } from '../ports.ts';
import { addStats } from './stats.ts';

type Db = Kysely<Database>;

const COLUMNS = [
  'd.id',
  'd.webhook_id',
  'w.name as webhook_name',
  'd.event_id',
  'd.event_type',
  'd.user_id',
  'd.status',
  'd.status_code',
  'd.error',
  'd.attempts',
  'd.delivered_at',
  'd.created_at',
] as const;

/** Deliveries of one tenant with their webhook's name. */
function baseQuery(db: Db, tenant: TenantId) {
  return db.selectFrom('deliveries as d').innerJoin('webhooks as w', 'w.id', 'd.webhook_id').select(COLUMNS).where('d.tenant_id', '=', tenant);
}

type Raw = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

function toDeliveryRow(r: Raw): DeliveryRow {
  return {
    id: r.id as DeliveryId,
    webhookId: r.webhook_id as WebhookId,
    webhookName: r.webhook_name,
    eventId: r.event_id,
    eventType: r.event_type,
    userId: r.user_id,
    status: r.status as DeliveryStatus,
    statusCode: r.status_code === null ? null : Number(r.status_code),
    error: r.error,
    attempts: Number(r.attempts),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    createdAt: Number(r.created_at),
  };
}

export async function listDeliveries(db: Db, tenant: TenantId, q: DeliveryQuery): Promise<DeliveryRow[]> {
  let query = baseQuery(db, tenant);
  if (q.webhookId !== undefined) query = query.where('d.webhook_id', '=', q.webhookId);
  if (q.status !== undefined) query = query.where('d.status', '=', q.status);
  if (q.eventType !== undefined) query = query.where('d.event_type', '=', q.eventType);
  if (q.eventId !== undefined) query = query.where('d.event_id', '=', q.eventId);
  if (q.userId !== undefined) query = query.where('d.user_id', '=', q.userId);
  // Delivery ids begin with their creation time, so a date range is a range of the primary key.
  if (q.createdFrom !== undefined) query = query.where('d.id', '>=', idFloor('dlv_', q.createdFrom));
  if (q.createdTo !== undefined) query = query.where('d.id', '<', idFloor('dlv_', q.createdTo + 1));
  if (q.beforeId !== undefined) query = query.where('d.id', '<', q.beforeId);
  const rows = await query.orderBy('d.id', 'desc').limit(q.limit).execute();
  return rows.map(toDeliveryRow);
}

export async function deliveriesOfEvent(db: Db, tenant: TenantId, eventId: string): Promise<DeliveryRow[]> {
  const rows = await baseQuery(db, tenant).where('d.event_id', '=', eventId).orderBy('d.id', 'asc').execute();
  return rows.map(toDeliveryRow);
}

export async function getDelivery(db: Db, tenant: TenantId, id: string): Promise<(DeliveryRow & { body: string }) | undefined> {
  const row = await baseQuery(db, tenant)
    .innerJoin('events as e', (join) => join.onRef('e.tenant_id', '=', 'd.tenant_id').onRef('e.event_id', '=', 'd.event_id'))
    .select('e.body')
    .where('d.id', '=', id)
    .executeTakeFirst();
  return row ? { ...toDeliveryRow(row), body: row.body } : undefined;
}

export async function listAttempts(db: Db, tenant: TenantId, deliveryId: string): Promise<RecordedAttempt[]> {
  // Attempts belong to a tenant through their delivery.
  const rows = await db
    .selectFrom('attempts as a')
    .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
    .selectAll('a')
    .where('d.tenant_id', '=', tenant)
    .where('a.delivery_id', '=', deliveryId)
    .orderBy('a.attempt', 'asc')
    .orderBy('a.started_at', 'asc')
    .execute();
  return rows.map((r) => ({
    attempt: Number(r.attempt),
    startedAt: Number(r.started_at),
    durationMs: Number(r.duration_ms),
    statusCode: r.status_code === null ? null : Number(r.status_code),
    outcome: r.outcome as AttemptOutcome,
    error: r.error,
    responseBody: r.response_body,
  }));
}

/** Must run inside a transaction: takes the delivery out of the stats, then makes it due now. */
export async function requeueDelivery(trx: Db, tenant: TenantId, id: string, nowMs: number, shard: number): Promise<RequeueResult> {
  const row = await trx
    .selectFrom('deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.status', 'd.webhook_id', 'w.deleted_at'])
    .where('d.tenant_id', '=', tenant)
    .where('d.id', '=', id)
    .executeTakeFirst();
  if (!row) return 'not_found';
  if (row.status === 'pending') return 'pending';
  if (row.deleted_at !== null) return 'webhook_deleted';
  const updated = await trx
    .updateTable('deliveries')
    .set({ status: 'pending', round_tries: 0, next_attempt_at: nowMs, delivered_at: null, lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('status', '=', row.status)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return 'pending';
  // Stats count only success and failed (API.md §9): a cancelled or superseded one was never in them.
  if (row.status !== 'success' && row.status !== 'failed') return 'requeued';
  const wasSuccess = row.status === 'success';
  await addStats(trx, shard, [
    { webhookId: row.webhook_id, total: -1, succeeded: wasSuccess ? -1 : 0, failed: wasSuccess ? 0 : -1, lastSuccessAt: null, lastFailureAt: null },
  ]);
  return 'requeued';
}

/**
 * Ends a pending delivery as cancelled (final). A try in flight may still finish, but its outcome
 * only adds an attempt row: recording changes only pending rows.
 */
export async function cancelDelivery(db: Db, tenant: TenantId, id: string): Promise<CancelResult> {
  const updated = await db
    .updateTable('deliveries')
    .set({ status: 'cancelled', next_attempt_at: null, lease_owner: null, lease_until: null })
    .where('tenant_id', '=', tenant)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) return 'cancelled';
  const row = await db.selectFrom('deliveries').select('status').where('tenant_id', '=', tenant).where('id', '=', id).executeTakeFirst();
  return row ? 'not_pending' : 'not_found';
}

export async function failPendingOfWebhook(trx: Db, webhookId: string): Promise<void> {
  await trx
    .updateTable('deliveries')
    .set({ status: 'failed', error: 'webhook deleted', next_attempt_at: null, lease_owner: null, lease_until: null })
    .where('webhook_id', '=', webhookId)
    .where('status', '=', 'pending')
    .execute();
}

/** Pending deliveries (metrics). */
export async function countPending(db: Db): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select(sql<number>`COUNT(*)`.as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
