// Webhook stats: per-process shards of counters, summed on read (so processes never contend for
// one row). Shared by both adapters.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { AttemptRecord } from '../ports.ts';

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

/**
 * What a group of recorded attempts adds to the stats: every try moves the latest success or
 * failure time; a delivery that ended (and whose state this owner could still change) is counted.
 */
export function statsOfAttempts(records: AttemptRecord[], applied: Set<string>): StatsDelta[] {
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
    const at = r.result.startedAt + r.result.durationMs;
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
