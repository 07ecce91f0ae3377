// The registry of processes that hold leases (table lease_owners). Each one beats every few
// seconds and, in the same statement, looks for owners that went silent; their leases are freed at
// once, so the deliveries of a process killed with -9 are taken over within seconds instead of
// after its leases expire. Times are the database's clock: skew between machines does not matter.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { freeLeasesOf } from '../sql/leases.ts';

type Db = Kysely<Database>;

const DB_NOW_MS = sql<number>`(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

/** Records this owner's beat; frees the leases of owners silent for staleAfterMs. Returns how many. */
export async function heartbeat(db: Db, owner: string, staleAfterMs: number): Promise<number> {
  // One statement when nobody died (every beat of an idle process).
  const { rows: silent } = await sql<{ owner: string }>`
    WITH beat AS (
      INSERT INTO lease_owners (owner, heartbeat_at, started_at) VALUES (${owner}, ${DB_NOW_MS}, ${DB_NOW_MS})
      ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
    )
    SELECT owner FROM lease_owners WHERE owner <> ${owner} AND heartbeat_at < ${DB_NOW_MS} - ${staleAfterMs}::bigint`.execute(db);
  if (silent.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    // Still silent, and not already removed by another living process: only one frees each.
    const dead = await trx
      .deleteFrom('lease_owners')
      .where('owner', 'in', silent.map((r) => r.owner))
      .where('heartbeat_at', '<', sql<number>`${DB_NOW_MS} - ${staleAfterMs}::bigint`)
      .returning('owner')
      .execute();
    return freeLeasesOf(trx, dead.map((r) => r.owner));
  });
}

export async function signOff(db: Db, owner: string): Promise<void> {
  await db.deleteFrom('lease_owners').where('owner', '=', owner).execute();
}
