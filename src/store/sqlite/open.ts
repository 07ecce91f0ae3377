// The embedded store: one SQLite file in WAL mode, one connection, fsync on every commit.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { SqlStore, type SqlDialect } from '../sql-store.ts';
import { claimDue } from './claim.ts';
import { withStatementCache } from './statement-cache.ts';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export class SqliteStore extends SqlStore {
  /** Embedded mode has one process: leases left by a crashed predecessor can be dropped at once. */
  async releaseAllLeases(): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ lease_owner: null, lease_until: null })
      .where('status', '=', 'pending')
      .where('lease_owner', 'is not', null)
      .execute();
  }
}

export function openSqliteStore(path: string): SqliteStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  // Embedded mode is one process: an exclusive lock (released by the OS even after kill -9)
  // keeps a second Herald off the file.
  database.pragma('locking_mode = EXCLUSIVE');
  database.pragma('busy_timeout = 2000');
  try {
    database.pragma('journal_mode = WAL');
    database.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (error) {
    database.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new Error(`${path} is in use by another Herald process; embedded SQLite mode runs one process (use PostgreSQL for several)`);
    }
    throw error;
  }
  database.pragma('synchronous = FULL');
  // Fewer, larger checkpoints: rows updated many times (deliveries) are copied back once.
  database.pragma('wal_autocheckpoint = 4000');
  migrate(database);
  const dialect: SqlDialect = {
    kind: 'sqlite',
    shard: 0,
    isUniqueViolation: (error) => (error as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE',
    claimDue,
    // WAL with synchronous=NORMAL survives a process crash and only risks the last commits on a
    // power cut. The connection is held throughout, so no other transaction sees the NORMAL mode.
    relaxedTransaction: (db, work) =>
      db.connection().execute(async (connection) => {
        await sql`PRAGMA synchronous = NORMAL`.execute(connection);
        try {
          return await connection.transaction().execute(work);
        } finally {
          await sql`PRAGMA synchronous = FULL`.execute(connection);
        }
      }),
    close: async () => {},
  };
  return new SqliteStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) }), dialect);
}

/** Applies numbered .sql files not yet applied, each in its own transaction. */
function migrate(database: SqliteDatabase.Database): void {
  database.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(
    (database.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: string }>).map((r) => r.version),
  );
  for (const file of readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort()) {
    if (applied.has(file)) continue;
    database.transaction(() => {
      database.exec(readFileSync(join(MIGRATIONS, file), 'utf8'));
      database.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(file, Date.now());
    }).immediate();
  }
}

