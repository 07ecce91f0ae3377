// Claiming on SQLite: the single connection serialises writers, so a plain UPDATE … RETURNING over
// the oldest due rows of each webhook is enough. Each webhook has its own LIMIT so that one
// backlog cannot fill the batch.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { ClaimRequest, ClaimedDelivery } from '../ports.ts';
import { loadBodies } from '../sql/claimed.ts';

const WEBHOOKS_PER_STATEMENT = 100;

export async function claimDue(db: Kysely<Database>, request: ClaimRequest): Promise<ClaimedDelivery[]> {
  const claimed: ClaimedDelivery[] = [];
  for (let i = 0; i < request.limits.length; i += WEBHOOKS_PER_STATEMENT) {
    const part = request.limits.slice(i, i + WEBHOOKS_PER_STATEMENT);
    const picks = part.map(({ webhookId, limit }) =>
      db
        .selectFrom(
          db
            .selectFrom('deliveries')
            .select('id')
            .where('webhook_id', '=', webhookId)
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', request.nowMs)
            .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', request.nowMs)]))
            .orderBy('next_attempt_at')
            .limit(limit)
            .as(`p${i}`),
        )
        .select('id'),
    );
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
