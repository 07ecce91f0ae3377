// Recording attempts: the attempt rows, the state of their deliveries (only where the writer still
// holds the lease) and the stats, in the caller's transaction. Shared by both adapters.
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { oneByOne, type Batch } from './batch.ts';
import type { Database } from '../schema.ts';
import type { AttemptRecord } from '../ports.ts';
import { isHeraldType } from '../../domain/health.ts';
import type { FinishedOfWebhook } from './health.ts';
import { addStats, statsOfAttempts } from './stats.ts';

type Db = Kysely<Database>;

const ROWS_PER_INSERT = 400;

/**
 * Must run inside a transaction. The attempt rows and every delivery update go to the database
 * together (one batch: they do not depend on each other's results); the stats follow, since
 * they count only the deliveries whose update applied. Returns the deliveries that reached a
 * final state here (for health): a delivery this owner no longer holds, or that was cancelled
 * meanwhile, keeps its state. A delivery erased meanwhile (API.md §10) gets no attempt row:
 * nothing of its member comes back.
 */
export async function recordAttempts(
  trx: Db,
  owner: string,
  shard: number,
  allRecords: AttemptRecord[],
  lockRows = false,
  batch: Batch = oneByOne,
): Promise<FinishedOfWebhook[]> {
  if (allRecords.length === 0) return [];
  const records = await stillStored(trx, allRecords, lockRows);
  if (records.length === 0) return [];
  const inserts = insertAttempts(trx, records);
  const succeeded = markSucceeded(trx, owner, records);
  const others = records.filter((r) => r.next.status !== 'success');
  const updates = others.map((r) => markFailedOrDue(trx, owner, r));
  const results = await batch(trx, [...inserts, ...succeeded, ...updates]);
  const applied = new Set<string>();
  for (const result of results.slice(inserts.length, inserts.length + succeeded.length)) {
    for (const row of result.rows as Array<{ id: string }>) applied.add(row.id);
  }
  /** Applied failed-or-due ids, with the event of each (a final failure causes herald events that name it). */
  const failed = new Map<string, { eventId: string; eventType: string }>();
  results.slice(inserts.length + succeeded.length).forEach((result, i) => {
    const row = (result.rows as Array<{ event_id: string; event_type: string }>)[0];
    if (row) failed.set(others[i].deliveryId, { eventId: row.event_id, eventType: row.event_type });
  });
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

function insertAttempts(trx: Db, records: AttemptRecord[]): CompiledQuery[] {
  const queries: CompiledQuery[] = [];
  for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
    queries.push(
      trx
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
        .compile(),
    );
  }
  return queries;
}

/** The common case, first-try successes with one status code, is one statement per code (RETURNING the ids it changed). */
function markSucceeded(trx: Db, owner: string, records: AttemptRecord[]): CompiledQuery[] {
  const byCode = new Map<number | null, AttemptRecord[]>();
  for (const r of records) {
    if (r.next.status !== 'success') continue;
    const group = byCode.get(r.result.statusCode) ?? [];
    group.push(r);
    byCode.set(r.result.statusCode, group);
  }
  return [...byCode].map(([statusCode, group]) =>
    trx
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
      .compile(),
  );
}

/** One failed try's delivery: it RETURNS its event when the update applied (no row: it did not). */
function markFailedOrDue(trx: Db, owner: string, r: AttemptRecord): CompiledQuery {
  return trx
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
    .compile();
}
