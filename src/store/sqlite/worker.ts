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
}

export type ReplyMessage =
  | { id: number; rows: unknown[]; changes?: number }
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
    const statement = statements.prepare(message.sql);
    if (statement.reader) {
      port.postMessage({ id: message.id, rows: statement.all(message.parameters) } satisfies ReplyMessage);
    } else {
      const { changes } = statement.run(message.parameters);
      port.postMessage({ id: message.id, rows: [], changes } satisfies ReplyMessage);
    }
  } catch (error) {
    port.postMessage({ id: message.id, error: describe(error) } satisfies ReplyMessage);
  }
});

function describe(error: unknown): { message: string; code?: string } {
  const e = error as { message?: string; code?: string };
  return { message: e.message ?? String(error), code: e.code };
}
