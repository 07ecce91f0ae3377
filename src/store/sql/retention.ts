// Retention (API.md §9): deleting old, finished events with their deliveries and attempt logs,
// one small batch per transaction. Shared by both adapters; the caller's transaction holds it.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { PurgeCounts } from '../ports.ts';

type Db = Kysely<Database>;

/** Ids per IN (...) list: well inside both databases' parameter limits. */
const IDS_PER_STATEMENT = 1000;

/**
 * Up to `limit` events accepted before `beforeMs` none of whose deliveries is pending, oldest
 * first, are deleted with their deliveries and those deliveries' attempts. A delivery that turns
 * pending meanwhile (a manual retry) keeps itself, its attempts and its event. Must run inside a
 * transaction.
 */
export async function purgeBatch(trx: Db, beforeMs: number, limit: number): Promise<PurgeCounts> {
  // Event ids are unique per tenant (API.md §8): every step matches on (tenant_id, event_id), so a
  // purged event never takes another tenant's deliveries of the same event id with it.
  const picked = await trx
    .selectFrom('events as e')
    .select(['e.tenant_id', 'e.event_id'])
    .where('e.created_at', '<', beforeMs)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('deliveries as d')
            .select(sql`1`.as('one'))
            .whereRef('d.tenant_id', '=', 'e.tenant_id')
            .whereRef('d.event_id', '=', 'e.event_id')
            .where('d.status', '=', 'pending'),
        ),
      ),
    )
    .orderBy('e.created_at')
    .limit(limit)
    .execute();
  const counts: PurgeCounts = { events: 0, deliveries: 0, attempts: 0, scanned: picked.length };
  if (picked.length === 0) return counts;
  const byTenant = new Map<string, string[]>();
  for (const r of picked) {
    const ids = byTenant.get(r.tenant_id) ?? [];
    ids.push(r.event_id);
    byTenant.set(r.tenant_id, ids);
  }
  // Deleting the deliveries first locks them (PostgreSQL), so none is retried half-deleted.
  const deliveryIds: string[] = [];
  for (const [tenant, eventIds] of byTenant) {
    for (const part of chunks(eventIds)) {
      const rows = await trx
        .deleteFrom('deliveries')
        .where('tenant_id', '=', tenant)
        .where('event_id', 'in', part)
        .where('status', '!=', 'pending')
        .returning('id')
        .execute();
      for (const r of rows) deliveryIds.push(r.id);
    }
  }
  counts.deliveries = deliveryIds.length;
  for (const part of chunks(deliveryIds)) {
    const result = await trx.deleteFrom('attempts').where('delivery_id', 'in', part).executeTakeFirst();
    counts.attempts += Number(result.numDeletedRows);
  }
  for (const [tenant, eventIds] of byTenant) {
    for (const part of chunks(eventIds)) {
      const result = await trx
        .deleteFrom('events')
        .where('tenant_id', '=', tenant)
        .where('event_id', 'in', part)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('deliveries as d')
                .select(sql`1`.as('one'))
                .whereRef('d.tenant_id', '=', 'events.tenant_id')
                .whereRef('d.event_id', '=', 'events.event_id'),
            ),
          ),
        )
        .executeTakeFirst();
      counts.events += Number(result.numDeletedRows);
    }
  }
  return counts;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IDS_PER_STATEMENT) out.push(items.slice(i, i + IDS_PER_STATEMENT));
  return out;
}
