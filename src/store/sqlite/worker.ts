// The database worker thread: owns the SQLite connection and runs each statement it is sent, so
// that SQLite's work (and every fsync) happens off the main thread's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.ts';
import { withStatementCache } from './statement-cache.ts';

export interface QueryMessage {
  id: number;
  /** Statements with no result to wait for (BEGIN, PRAGMA x = y), run first; one failing stops the rest. */
  prelude: string[];
  sql: string;
  parameters: readonly unknown[];
  /** Instead of sql: statements run in order in one go, results in order; the first error stops them. */
  batch?: Array<{ sql: string; parameters: readonly unknown[] }>;
}

export type ReplyMessage =
  | { id: number; rows: unknown[]; changes?: number }
  | { id: number; results: Array<{ rows: unknown[]; changes?: number }> }
  | { id: number; error: { message: string; code?: string } }
  | { id: 0; ready: true }
  | { id: 0; error: { message: string; code?: string } };

const port = parentPort!;
let statements: ReturnType<typeof withStatementCache>;
try {
  statements = withStatementCache(openDatabase((workerData as { path: string }).path));
  port.postMessage({ id: 0, ready: true } satisfies ReplyMessage);
} catch (error) {
  port.postMessage({ id: 0, error: describe(error) } satisfies ReplyMessage);
}

port.on('message', (message: QueryMessage | 'close') => {
  if (message === 'close') {
    statements?.close();
    port.close();
    return;
  }
  try {
    for (const sql of message.prelude) statements.prepare(sql).run();
    if (message.batch) {
      port.postMessage({ id: message.id, results: message.batch.map((q) => run(q.sql, q.parameters)) } satisfies ReplyMessage);
    } else {
      port.postMessage({ id: message.id, ...run(message.sql, message.parameters) } satisfies ReplyMessage);
    }
  } catch (error) {
    port.postMessage({ id: message.id, error: describe(error) } satisfies ReplyMessage);
  }
});

function run(sql: string, parameters: readonly unknown[]): { rows: unknown[]; changes?: number } {
  const statement = statements.prepare(sql);
  if (statement.reader) return { rows: statement.all(parameters) };
  return { rows: [], changes: statement.run(parameters).changes };
}

function describe(error: unknown): { message: string; code?: string } {
  const e = error as { message?: string; code?: string };
  return { message: e.message ?? String(error), code: e.code };
}
