// Recording attempts: the attempt rows, the state of their deliveries (only where the writer still
// holds the lease) and the stats, in the caller's transaction. Shared by both adapters.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { AttemptRecord } from '../ports.ts';
import { isHeraldType } from '../../domain/health.ts';
import type { FinishedOfWebhook } from './health.ts';
import { addStats, statsOfAttempts } from './stats.ts';

type Db = Kysely<Database>;

const ROWS_PER_INSERT = 400;

/**
 * Must run inside a transaction. Returns the deliveries that reached a final state here (for
 * health): a delivery this owner no longer holds, or that was cancelled meanwhile, keeps its state.
 * A delivery erased meanwhile (API.md §10) gets no attempt row: nothing of its member comes back.
 */
export async function recordAttempts(trx: Db, owner: string, shard: number, allRecords: AttemptRecord[], lockRows = false): Promise<FinishedOfWebhook[]> {
  if (allRecords.length === 0) return [];
  const records = await stillStored(trx, allRecords, lockRows);
  if (records.length === 0) return [];
  await insertAttempts(trx, records);
  const applied = new Set<string>();
  for (const id of await markSucceeded(trx, owner, records)) applied.add(id);
  const failed = await markFailedOrDue(trx, owner, records);
  for (const id of failed.keys()) applied.add(id);
  await addStats(trx, shard, statsOfAttempts(records, applied));
  const finished: FinishedOfWebhook[] = [];
  for (const r of records) {
    if (!applied.has(r.deliveryId) || r.next.status === 'pending') continue;
    const event = failed.get(r.deliveryId);
    finished.push({
      webhookId: r.webhookId,
      status: r.next.status,
      endedAt: r.result.startedAt + r.result.durationMs,
      deliveryId: r.deliveryId,
      eventId: event?.eventId ?? '',
      isHerald: event ? isHeraldType(event.eventType) : false,
      error: r.result.error,
    });
  }
  return finished;
}

async function stillStored(trx: Db, records: AttemptRecord[], lockRows: boolean): Promise<AttemptRecord[]> {
  const found = new Set<string>();
  for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
    let query = trx
      .selectFrom('deliveries')
      .select('id')
      .where('id', 'in', records.slice(i, i + ROWS_PER_INSERT).map((r) => r.deliveryId));
    // PostgreSQL: hold the rows so that an erasure running now waits for this record (or the reverse).
    if (lockRows) query = query.forUpdate();
    for (const row of await query.execute()) found.add(row.id);
  }
  return found.size === records.length ? records : records.filter((r) => found.has(r.deliveryId));
}

async function insertAttempts(trx: Db, records: AttemptRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
    await trx
      .insertInto('attempts')
      .values(
        records.slice(i, i + ROWS_PER_INSERT).map((r) => ({
          delivery_id: r.deliveryId,
          attempt: r.attempt,
          started_at: r.result.startedAt,
          duration_ms: r.result.durationMs,
          status_code: r.result.statusCode,
          outcome: r.result.outcome,
          error: r.result.error,
          response_body: r.result.responseBody,
        })),
      )
      .execute();
  }
}

/** The common case, first-try successes with one status code, is one statement per code. */
async function markSucceeded(trx: Db, owner: string, records: AttemptRecord[]): Promise<string[]> {
  const byCode = new Map<number | null, AttemptRecord[]>();
  for (const r of records) {
    if (r.next.status !== 'success') continue;
    const group = byCode.get(r.result.statusCode) ?? [];
    group.push(r);
    byCode.set(r.result.statusCode, group);
  }
  const applied: string[] = [];
  for (const [statusCode, group] of byCode) {
    const rows = await trx
      .updateTable('deliveries')
      .set({
        status: 'success',
        attempts: sql`attempts + 1`,
        round_tries: sql`round_tries + 1`,
        status_code: statusCode,
        error: null,
        // When the try that succeeded ended: from its attempt row, inserted just before.
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
    applied.push(...rows.map((row) => row.id));
  }
  return applied;
}

/** Applied ids, with the event of each (a final failure causes herald events that name it). */
async function markFailedOrDue(trx: Db, owner: string, records: AttemptRecord[]): Promise<Map<string, { eventId: string; eventType: string }>> {
  const applied = new Map<string, { eventId: string; eventType: string }>();
  for (const r of records) {
    if (r.next.status === 'success') continue;
    const result = await trx
      .updateTable('deliveries')
      .set({
        status: r.next.status,
        attempts: sql`attempts + 1`,
        round_tries: sql`round_tries + 1`,
        status_code: r.result.statusCode,
        error: r.result.error,
        next_attempt_at: r.next.status === 'pending' ? r.next.nextAttemptAt : null,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', r.deliveryId)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'pending')
      .returning(['event_id', 'event_type'])
      .executeTakeFirst();
    if (result) applied.set(r.deliveryId, { eventId: result.event_id, eventType: result.event_type });
  }
  return applied;
}
