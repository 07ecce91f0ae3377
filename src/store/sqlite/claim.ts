// Claiming on SQLite: the single connection serialises writers, so a plain UPDATE … RETURNING over
// the oldest due rows of each webhook is enough (for a webhook ordered by member: only each
// member's oldest pending one, when none of the member's is in flight). Each webhook has its own LIMIT so that one
// backlog cannot fill the batch.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { ClaimRequest, ClaimedDelivery } from '../ports.ts';
import { loadBodies } from '../sql/claimed.ts';

const WEBHOOKS_PER_STATEMENT = 100;

export async function claimDue(db: Kysely<Database>, request: ClaimRequest): Promise<ClaimedDelivery[]> {
  const claimed: ClaimedDelivery[] = [];
  for (let i = 0; i < request.limits.length; i += WEBHOOKS_PER_STATEMENT) {
    const part = request.limits.slice(i, i + WEBHOOKS_PER_STATEMENT);
    const picks = part.map(({ webhookId, limit, ordered }) => {
      let due = db
        .selectFrom('deliveries as d')
        .select('d.id')
        .where('d.webhook_id', '=', webhookId)
        .where('d.status', '=', 'pending')
        .where('d.next_attempt_at', '<=', request.nowMs)
        .where((eb) => eb.or([eb('d.lease_until', 'is', null), eb('d.lease_until', '<', request.nowMs)]));
      if (ordered) due = due.where(isMembersTurn(request.nowMs));
      return db.selectFrom(due.orderBy('d.next_attempt_at').limit(limit).as(`p${i}`)).select('id');
    });
    const union = picks.slice(1).reduce((acc, pick) => acc.unionAll(pick), picks[0]);
    const rows = await db
      .updateTable('deliveries')
      .set({ lease_owner: request.owner, lease_until: request.leaseUntil })
      .where('id', 'in', union)
      .returning(['id', 'tenant_id', 'webhook_id', 'event_id', 'attempts', 'round_tries'])
      .execute();
    claimed.push(...(await loadBodies(db, rows)));
  }
  return claimed;
}

/**
 * API.md §10 ordering: a member's delivery may go only when no other pending delivery of that
 * member to the webhook is older (rowid = acceptance order) or in flight (holds a live lease).
 * One probe of deliveries_member_queue per candidate; deliveries without user_id are not ordered.
 */
function isMembersTurn(nowMs: number) {
  return sql<boolean>`(d.user_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM deliveries o
    WHERE o.webhook_id = d.webhook_id AND o.user_id = d.user_id AND o.user_id IS NOT NULL
      AND o.status = 'pending' AND o.rowid <> d.rowid
      AND (o.rowid < d.rowid OR o.lease_until >= ${nowMs})))`;
}
