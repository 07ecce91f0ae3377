// A Kysely dialect whose one SQLite connection lives in a worker thread (worker.ts). Queries
// cross as messages; like Kysely's own SQLite driver, a mutex hands the connection to one
// user (query or transaction) at a time. A statement with nothing to wait for (BEGIN, a PRAGMA
// assignment) is not sent alone: it travels with the next statement, which saves a round trip
// through a busy event loop (a transaction is then its statements plus COMMIT).
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
} from 'kysely';
import type { QueryMessage, ReplyMessage } from './worker.ts';

class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with the function that releases the lock. */
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return acquired;
  }
}

const DEFERRABLE = /^\s*(begin|pragma\s+\w+\s*=\s*\w+)\s*;?\s*$/i;

class WorkerConnection implements DatabaseConnection {
  #nextId = 1;
  #waiting = new Map<number, { resolve(reply: ReplyMessage): void }>();
  /** Deferred statements (see DEFERRABLE), sent ahead of the next one. */
  #prelude: string[] = [];
  #failure: Error | null = null;
  /** Set by the driver before it closes the worker on purpose. */
  isClosing = false;

  constructor(private readonly worker: Worker) {
    worker.on('message', (reply: ReplyMessage) => {
      const waiter = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    // A worker that dies answers nothing more: fail what waits and what comes (never hang), and
    // take the process down unless it is closing, so that a supervisor restarts it on the file.
    worker.on('error', (error) => this.#fail(new Error(`the SQLite worker thread failed: ${error.message}`)));
    worker.on('exit', (code) => this.#fail(new Error(`the SQLite worker thread has stopped (exit code ${code})`)));
  }

  #fail(error: Error): void {
    if (this.#failure) return;
    this.#failure = error;
    for (const waiter of this.#waiting.values()) waiter.resolve({ id: 0, error: { message: error.message } });
    this.#waiting.clear();
    if (!this.isClosing) {
      process.nextTick(() => {
        throw error;
      });
    }
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#failure) throw this.#failure;
    if (compiled.parameters.length === 0 && DEFERRABLE.test(compiled.sql)) {
      this.#prelude.push(compiled.sql);
      return { rows: [] };
    }
    const reply = await this.#ask({ sql: compiled.sql, parameters: compiled.parameters });
    if (!('rows' in reply)) throw new Error('unexpected reply from the database worker');
    return toResult<R>(reply);
  }

  /**
   * Statements whose results the caller can wait for together, in one round trip (the hot
   * transactions would otherwise cross the busy event loop once per statement). In order; the
   * first error stops the rest and rejects. Only for the holder of the connection.
   */
  async executeBatch(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
    if (this.#failure) throw this.#failure;
    if (queries.length === 0) return [];
    const reply = await this.#ask({ sql: '', parameters: [], batch: queries.map((q) => ({ sql: q.sql, parameters: q.parameters })) });
    if (!('results' in reply)) throw new Error('unexpected reply from the database worker');
    return reply.results.map((r) => toResult(r));
  }

  async #ask(query: Omit<QueryMessage, 'id' | 'prelude'>): Promise<ReplyMessage> {
    const id = this.#nextId++;
    const prelude = this.#prelude;
    this.#prelude = [];
    const reply = await new Promise<ReplyMessage>((resolve) => {
      this.#waiting.set(id, { resolve });
      this.worker.postMessage({ id, prelude, ...query } satisfies QueryMessage);
    });
    if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply;
  }

  streamQuery(): AsyncIterableIterator<QueryResult<never>> {
    throw new Error('streaming is not supported');
  }
}

function toResult<R>(reply: { rows: unknown[]; changes?: number }): QueryResult<R> {
  return {
    rows: reply.rows as R[],
    ...(reply.changes === undefined ? {} : { numAffectedRows: BigInt(reply.changes) }),
  };
}

class WorkerDriver implements Driver {
  readonly #mutex = new Mutex();
  #worker!: Worker;
  #connection!: WorkerConnection;
  get connection(): WorkerConnection {
    return this.#connection;
  }

  #releases: Array<() => void> = [];

  constructor(private readonly path: string) {}

  async init(): Promise<void> {
    this.#worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { path: this.path } });
    const first = await new Promise<ReplyMessage>((resolve, reject) => {
      this.#worker.once('message', resolve);
      this.#worker.once('error', reject);
    });
    if ('error' in first) {
      await this.#worker.terminate();
      throw Object.assign(new Error(first.error.message), { code: first.error.code });
    }
    this.#connection = new WorkerConnection(this.#worker);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#releases.push(await this.#mutex.lock());
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    this.#releases.shift()?.();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    if (this.#connection) this.#connection.isClosing = true;
    this.#worker.postMessage('close');
    await new Promise((resolve) => this.#worker.once('exit', resolve));
  }
}

export class WorkerSqliteDialect implements Dialect {
  #driver: WorkerDriver | null = null;

  constructor(private readonly path: string) {}

  createDriver(): Driver {
    this.#driver = new WorkerDriver(this.path);
    return this.#driver;
  }

  /** See WorkerConnection.executeBatch: only inside a transaction or connection() that holds the connection. */
  executeBatch(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
    if (!this.#driver) throw new Error('the SQLite driver has not started');
    return this.#driver.connection.executeBatch(queries);
  }

  createQueryCompiler() {
    return new SqliteQueryCompiler();
  }

  createAdapter() {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<any>) {
    return new SqliteIntrospector(db);
  }
}
