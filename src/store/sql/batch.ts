// Statements that do not depend on each other's results, run in order inside the caller's
// transaction in one round trip where the store can (SQLite: one message to its database thread;
// PostgreSQL: one after another). The first error rejects; the transaction then rolls back.
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from '../schema.ts';

export type Batch = (trx: Kysely<Database>, queries: readonly CompiledQuery[]) => Promise<QueryResult<unknown>[]>;

/** One statement after another: for callers without a store's batch at hand. */
export const oneByOne: Batch = async (trx, queries) => {
  const results: QueryResult<unknown>[] = [];
  for (const query of queries) results.push(await trx.executeQuery(query));
  return results;
};
