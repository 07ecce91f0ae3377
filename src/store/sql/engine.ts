// What the delivery engine writes: attempt outcomes, leases, stats. Shared by both adapters.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { AttemptRecord } from '../ports.ts';
import type { DeliveryId } from '../../domain/ids.ts';

type Db = Kysely<Database>;

export interface StatsDelta {
  webhookId: string;
  total: number;
  succeeded: number;
  failed: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

const later = (column: 'last_success_at' | 'last_failure_at') =>
  sql<number | null>`CASE WHEN excluded.${sql.ref(column)} IS NULL THEN webhook_stats.${sql.ref(column)}
    WHEN webhook_stats.${sql.ref(column)} IS NULL OR excluded.${sql.ref(column)} > webhook_stats.${sql.ref(column)}
    THEN excluded.${sql.ref(column)} ELSE webhook_stats.${sql.ref(column)} END`;

/** Adds deltas to this process's stat shard (shards keep writers of different processes apart). */
export async function addStats(trx: Db, shard: number, deltas: StatsDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await trx
    .insertInto('webhook_stats')
    .values(
      deltas.map((d) => ({
        webhook_id: d.webhookId,
        shard,
        total: d.total,
        succeeded: d.succeeded,
        failed: d.failed,
        last_success_at: d.lastSuccessAt,
        last_failure_at: d.lastFailureAt,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['webhook_id', 'shard']).doUpdateSet({
        total: sql`webhook_stats.total + excluded.total`,
        succeeded: sql`webhook_stats.succeeded + excluded.succeeded`,
        failed: sql`webhook_stats.failed + excluded.failed`,
        last_success_at: later('last_success_at'),
        last_failure_at: later('last_failure_at'),
      }),
    )
    .execute();
}

/** Must run inside a transaction. */
export async function recordAttempts(trx: Db, owner: string, shard: number, records: AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  for (let i = 0; i < records.length; i += 400) {
    await trx
      .insertInto('attempts')
      .values(
        records.slice(i, i + 400).map((r) => ({
          delivery_id: r.deliveryId,
          attempt: r.attempt.attempt,
          started_at: r.attempt.startedAt,
          duration_ms: r.attempt.durationMs,
          status_code: r.attempt.statusCode,
          error: r.attempt.error,
          response_body: r.attempt.responseBody,
        })),
      )
      .execute();
  }

  const applied = new Set<string>();
  // The common case, first-try successes with one status code, is one statement per code.
  const successesByCode = new Map<number | null, AttemptRecord[]>();
  for (const r of records) {
    if (r.next.status !== 'success') continue;
    const group = successesByCode.get(r.attempt.statusCode) ?? [];
    group.push(r);
    successesByCode.set(r.attempt.statusCode, group);
  }
  for (const [statusCode, group] of successesByCode) {
    const rows = await trx
      .updateTable('deliveries')
      .set({
        status: 'success',
        attempts: sql`attempts + 1`,
        round_tries: sql`round_tries + 1`,
        status_code: statusCode,
        error: null,
        // When the try that succeeded ended: from its attempt row, inserted just above.
        delivered_at: sql<number>`(SELECT a.started_at + a.duration_ms FROM attempts a
          WHERE a.delivery_id = deliveries.id AND a.attempt = deliveries.attempts + 1)`,
        next_attempt_at: null,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', 'in', group.map((r) => r.deliveryId))
      .where('lease_owner', '=', owner)
      .where('status', '=', 'pending')
      .returning('id')
      .execute();
    for (const row of rows) applied.add(row.id);
  }
  for (const r of records) {
    if (r.next.status === 'success') continue;
    const result = await trx
      .updateTable('deliveries')
      .set({
        status: r.next.status,
        attempts: sql`attempts + 1`,
        round_tries: sql`round_tries + 1`,
        status_code: r.attempt.statusCode,
        error: r.attempt.error,
        next_attempt_at: r.next.status === 'pending' ? r.next.nextAttemptAt : null,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', r.deliveryId)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) applied.add(r.deliveryId);
  }
  await addStats(trx, shard, statsDeltas(records, applied));
}

function statsDeltas(records: AttemptRecord[], applied: Set<string>): StatsDelta[] {
  const byWebhook = new Map<string, StatsDelta>();
  for (const r of records) {
    const delta = byWebhook.get(r.webhookId) ?? {
      webhookId: r.webhookId,
      total: 0,
      succeeded: 0,
      failed: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
    };
    const at = r.attempt.startedAt + r.attempt.durationMs;
    if (r.next.status === 'success') delta.lastSuccessAt = Math.max(delta.lastSuccessAt ?? 0, at);
    else delta.lastFailureAt = Math.max(delta.lastFailureAt ?? 0, at);
    if (applied.has(r.deliveryId) && r.next.status !== 'pending') {
      delta.total++;
      if (r.next.status === 'success') delta.succeeded++;
      else delta.failed++;
    }
    byWebhook.set(r.webhookId, delta);
  }
  return [...byWebhook.values()];
}

export async function releaseLeases(db: Db, owner: string, ids?: DeliveryId[]): Promise<void> {
  if (ids !== undefined && ids.length === 0) return;
  let query = db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_until: null })
    .where('status', '=', 'pending')
    .where('lease_owner', '=', owner);
  if (ids !== undefined) query = query.where('id', 'in', ids);
  await query.execute();
}

export async function renewLeases(db: Db, owner: string, leaseUntil: number): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ lease_until: leaseUntil })
    .where('status', '=', 'pending')
    .where('lease_owner', '=', owner)
    .execute();
}

export async function countPending(db: Db): Promise<number> {
  const row = await db
    .selectFrom('deliveries')
    .select(sql<number>`COUNT(*)`.as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
