// The scale-out store: many Herald processes on one PostgreSQL database. Claims use
// FOR UPDATE SKIP LOCKED; LISTEN/NOTIFY carries "work is due" and "config changed" hints
// (polling still finds everything: a lost notification only costs latency).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import type { Database } from '../schema.ts';
import { SqlStore, type SqlDialect } from '../sql-store.ts';
import type { ClaimRequest, ClaimedDelivery } from '../ports.ts';
import { loadBodies } from '../sql/claimed.ts';
import { Notifier } from './notifier.ts';
import { OwnerRegistry } from './owners.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_LOCK = 72_657_011; // any constant shared by every Herald process
/** Advisory lock space of (webhook, member) ingest locks (API.md §10 ordering). */
const MEMBER_LOCK_SPACE = 72_657_013;
/** Held by the process running a retention batch, for that batch's transaction. */
const RETENTION_LOCK = 72_657_014;

// BIGINT columns hold Unix milliseconds, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export const CHANNELS = { work: 'herald_work', config: 'herald_config' } as const;

export class PostgresStore extends SqlStore {
  constructor(
    db: Kysely<Database>,
    dialect: SqlDialect,
    readonly notifier: Notifier,
  ) {
    super(db, dialect);
  }

  /** Fixed-window request counter shared by every process (HERALD_RATE_LIMIT). */
  async hit(key: string, windowStartMs: number): Promise<number> {
    const row = await this.db
      .insertInto('rate_limits')
      .values({ key, window_start: windowStartMs, hits: 1 })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ hits: sql`rate_limits.hits + 1` }))
      .returning('hits')
      .executeTakeFirstOrThrow();
    if (Math.random() < 0.01) {
      await this.db.deleteFrom('rate_limits').where('window_start', '<', windowStartMs - 120_000).execute();
    }
    return Number(row.hits);
  }

  async notifyWork(): Promise<void> {
    await sql`SELECT pg_notify(${CHANNELS.work}, '')`.execute(this.db);
  }
}

export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on('error', () => {}); // an idle client's error; the next query reports it
  await migrate(pool);
  const owners = new OwnerRegistry();
  const notifier = new Notifier(url, [CHANNELS.work, CHANNELS.config], owners.lockSession);
  await notifier.start();
  const dialect: SqlDialect = {
    kind: 'postgres',
    shard: randomInt(0, 64),
    seqColumn: 'seq',
    locksRows: true,
    // Sorted keys, one statement: two ingests never wait for each other in a cycle.
    lockMembers: async (trx, keys) => {
      await sql`SELECT pg_advisory_xact_lock(${MEMBER_LOCK_SPACE}, hashtext(k)) FROM unnest(${keys}::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n`.execute(trx);
    },
    isUniqueViolation: (error) => (error as { code?: string })?.code === '23505',
    claimDue,
    relaxedTransaction: (db, work) =>
      db.transaction().execute(async (trx) => {
        await sql`SET LOCAL synchronous_commit = off`.execute(trx);
        return work(trx);
      }),
    lockRetention: async (trx) => {
      const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}) AS locked`.execute(trx);
      return rows[0]?.locked === true;
    },
    onConfigWritten: async (trx) => {
      await sql`SELECT pg_notify(${CHANNELS.config}, '')`.execute(trx);
    },
    owners,
    close: async () => {
      await notifier.stop();
    },
  };
  return new PostgresStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect, notifier);
}

/** Several processes may start at once: an advisory lock lets one migrate while the others wait. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort()) {
      if (applied.has(file)) continue;
      await client.query('BEGIN');
      try {
        await client.query(readFileSync(join(MIGRATIONS, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [file, Date.now()]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

/** Oldest due rows per webhook, each webhook with its own limit, skipping rows another process is claiming. */
async function claimDue(db: Kysely<Database>, request: ClaimRequest): Promise<ClaimedDelivery[]> {
  const unordered = request.limits.filter((l) => !l.ordered);
  const ordered = request.limits.filter((l) => l.ordered);
  const rows = [
    ...(unordered.length > 0 ? await claimPicks(db, request, unordered, sql<boolean>`TRUE`) : []),
    ...(ordered.length > 0 ? await claimPicks(db, request, ordered, isMembersTurn(request.nowMs)) : []),
  ];
  return loadBodies(db, rows);
}

/**
 * API.md §10 ordering: a member's delivery may go only when no other pending delivery of that
 * member to the webhook is older (seq = acceptance order) or in flight (holds a live lease). Two
 * claimers cannot both pass: the oldest row stays pending (so it blocks the others) until its
 * final result commits, and it is itself taken FOR UPDATE SKIP LOCKED, its lease re-checked.
 */
function isMembersTurn(nowMs: number) {
  return sql<boolean>`(d.user_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM deliveries o
    WHERE o.webhook_id = d.webhook_id AND o.user_id = d.user_id AND o.user_id IS NOT NULL
      AND o.status = 'pending' AND o.seq <> d.seq
      AND (o.seq < d.seq OR o.lease_until >= ${nowMs})))`;
}

type ClaimedRow = { id: string; tenant_id: string; webhook_id: string; event_id: string; attempts: number; round_tries: number };

async function claimPicks(
  db: Kysely<Database>,
  request: ClaimRequest,
  picks: ClaimRequest['limits'],
  isAllowed: RawBuilder<boolean>,
): Promise<ClaimedRow[]> {
  const ids = picks.map((l) => l.webhookId);
  const limits = picks.map((l) => l.limit);
  const { rows } = await sql<ClaimedRow>`
    UPDATE deliveries AS d
    SET lease_owner = ${request.owner}, lease_until = ${request.leaseUntil}
    FROM (
      SELECT c.id
      FROM unnest(${ids}::text[], ${limits}::int[]) AS w(webhook_id, lim)
      CROSS JOIN LATERAL (
        SELECT d.id FROM deliveries d
        WHERE d.webhook_id = w.webhook_id
          AND d.status = 'pending'
          AND d.next_attempt_at <= ${request.nowMs}
          AND (d.lease_until IS NULL OR d.lease_until < ${request.nowMs})
          AND ${isAllowed}
        ORDER BY d.next_attempt_at
        LIMIT w.lim
        FOR UPDATE SKIP LOCKED
      ) AS c
    ) AS picked
    WHERE d.id = picked.id
    RETURNING d.id, d.tenant_id, d.webhook_id, d.event_id, d.attempts, d.round_tries`.execute(db);
  return rows;
}
