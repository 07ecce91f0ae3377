// Kysely's SQLite driver prepares every statement on every call; preparing is most of the cost
// of a small query. This keeps the most recently used prepared statements (better-sqlite3
// statements are reusable and the connection runs one at a time).
import type SqliteDatabase from 'better-sqlite3';

const MAX_STATEMENTS = 500;

export function withStatementCache(database: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteDatabase.Statement {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
