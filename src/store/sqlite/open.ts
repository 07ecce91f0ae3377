// The embedded store: one SQLite file in WAL mode, fsync on every durable commit, driven from a
// database worker thread so that the event loop never waits on the disk.
import { Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';
import { SqlStore, type SqlDialect } from '../sql-store.ts';
import { claimDue } from './claim.ts';
import { WorkerSqliteDialect } from './worker-dialect.ts';

/** Free pages handed back per incremental_vacuum step (4 KiB pages: 8 MiB). */
const VACUUM_PAGES_PER_STEP = 2048;

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

export async function openSqliteStore(path: string): Promise<SqliteStore> {
  const workerDialect = new WorkerSqliteDialect(path);
  const db = new Kysely<Database>({ dialect: workerDialect });
  // Kysely starts the driver lazily; start it now so that a locked or broken file fails the start.
  await sql`SELECT 1`.execute(db);
  const dialect: SqlDialect = {
    kind: 'sqlite',
    shard: 0,
    seqColumn: 'rowid',
    locksRows: false,
    // API.md §10: with secure_delete (set at open) the erased rows are zeroed in the pages; a
    // TRUNCATE checkpoint copies those pages into the database and empties the WAL file.
    afterErase: async (db) => {
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
    },
    isUniqueViolation: (error) => ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes((error as { code?: string })?.code ?? ''),
    claimDue,
    executeBatch: (_trx, queries) => workerDialect.executeBatch(queries),
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
    // Pages freed by a purge go back to the file system a bounded number at a time
    // (auto_vacuum = INCREMENTAL, set when the file is created or opened: see database.ts); a
    // passive checkpoint then moves that into the database file (the work an autocheckpoint
    // does anyway), so the WAL restarts from its beginning and neither file keeps growing.
    reclaimSpace: async (db) => {
      await sql`PRAGMA incremental_vacuum(${sql.raw(String(VACUUM_PAGES_PER_STEP))})`.execute(db);
      await sql`PRAGMA wal_checkpoint(PASSIVE)`.execute(db);
    },
    close: async () => {},
  };
  return new SqliteStore(db, dialect);
}
