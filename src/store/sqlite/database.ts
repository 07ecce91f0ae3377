// Opening the SQLite file: exclusive lock, WAL, fsync on commit, migrations. Runs inside the
// database worker (see worker.ts), which is the only holder of the file.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';

const MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function openDatabase(path: string): SqliteDatabase.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SqliteDatabase(path);
  // Embedded mode is one process: an exclusive lock (released by the OS even after kill -9)
  // keeps a second Herald off the file.
  database.pragma('locking_mode = EXCLUSIVE');
  database.pragma('busy_timeout = 2000');
  try {
    // Before anything else: a new file gets incremental auto-vacuum while it has no tables yet.
    // (Inside the try: on a file another process holds, this first read is what finds it busy.)
    const isNew = database.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
    if (isNew.n === 0) database.pragma('auto_vacuum = INCREMENTAL');
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
  // API.md §10 erasure: deleted content is overwritten with zeros, not just unlinked.
  database.pragma('secure_delete = ON');
  // Fewer, larger checkpoints: rows updated many times (deliveries) are copied back once.
  database.pragma('wal_autocheckpoint = 4000');
  migrate(database);
  enableIncrementalVacuum(database);
  return database;
}

/** Files up to this size are rewritten once (VACUUM) at open to switch on incremental auto-vacuum. */
export const VACUUM_AT_OPEN_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Retention frees pages; with auto_vacuum = INCREMENTAL they go back to the file system
 * (PRAGMA incremental_vacuum after each purge), so the file stops growing. A file created
 * before Herald set it (auto_vacuum 0) is switched over by a one-time VACUUM when it is small
 * enough for that to be quick; a bigger one keeps reusing its freed pages for new rows (it stops
 * growing too, it just does not shrink) until an operator runs VACUUM (README: Retention).
 */
function enableIncrementalVacuum(database: SqliteDatabase.Database): void {
  if (database.name === ':memory:' || Number(database.pragma('auto_vacuum', { simple: true })) !== 0) return;
  const bytes = Number(database.pragma('page_count', { simple: true })) * Number(database.pragma('page_size', { simple: true }));
  if (bytes > VACUUM_AT_OPEN_MAX_BYTES) return;
  database.pragma('auto_vacuum = INCREMENTAL');
  database.exec('VACUUM');
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
