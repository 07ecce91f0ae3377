// The scale-out store: many Herald processes on one PostgreSQL database. Claims use
// FOR UPDATE SKIP LOCKED; LISTEN/NOTIFY carries "work is due" and "config changed" hints
// (polling still finds everything: a lost notification only costs latency).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomInt } from 'node:crypto';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { SqlStore, type SqlDialect } from '../sql-store.ts';
import type { ClaimRequest, ClaimedDelivery } from '../ports.ts';
import { loadBodies } from '../sql/claimed.ts';
import { Notifier } from './notifier.ts';
import { OwnerRegistry } from './owners.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_LOCK = 72_657_011; // any constant shared by every Herald process

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
    isUniqueViolation: (error) => (error as { code?: string })?.code === '23505',
    claimDue,
    relaxedTransaction: (db, work) =>
      db.transaction().execute(async (trx) => {
        await sql`SET LOCAL synchronous_commit = off`.execute(trx);
        return work(trx);
      }),
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
  const ids = request.limits.map((l) => l.webhookId);
  const limits = request.limits.map((l) => l.limit);
  const { rows } = await sql<{ id: string; tenant_id: string; webhook_id: string; event_id: string; attempts: number; round_tries: number }>`
    UPDATE deliveries AS d
    SET lease_owner = ${request.owner}, lease_until = ${request.leaseUntil}
    FROM (
      SELECT c.id
      FROM unnest(${ids}::text[], ${limits}::int[]) AS w(webhook_id, lim)
      CROSS JOIN LATERAL (
        SELECT id FROM deliveries
        WHERE webhook_id = w.webhook_id
          AND status = 'pending'
          AND next_attempt_at <= ${request.nowMs}
          AND (lease_until IS NULL OR lease_until < ${request.nowMs})
        ORDER BY next_attempt_at
        LIMIT w.lim
        FOR UPDATE SKIP LOCKED
      ) AS c
    ) AS picked
    WHERE d.id = picked.id
    RETURNING d.id, d.tenant_id, d.webhook_id, d.event_id, d.attempts, d.round_tries`.execute(db);
  return loadBodies(db, rows);
}
