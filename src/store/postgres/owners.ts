// The registry of processes that hold leases (table lease_owners). Each one beats every few
// seconds and, in the same statement, looks for owners that died; their leases are freed at once,
// so the deliveries of a process killed with -9 are taken over within seconds instead of after its
// leases expire. An owner is dead when
//   - its session lock is gone (the database ended its LISTEN session: the process died, e.g.
//     kill -9) and it missed a beat, or
//   - it has not beaten for staleAfterMs (a lost machine whose session lingers).
// Times are the database's clock, so clock skew between machines does not matter.
import { randomInt } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '../schema.ts';
import type { HeartbeatTiming } from '../ports.ts';
import { freeLeasesOf } from '../sql/leases.ts';

type Db = Kysely<Database>;

/** First key of every owner's advisory lock (the second is its session key). */
const OWNER_LOCK_SPACE = 72_657_012;

const DB_NOW_MS = sql<number>`(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

export class OwnerRegistry {
  /** This process's session lock: pg_advisory_lock(OWNER_LOCK_SPACE, sessionKey). */
  readonly sessionKey = randomInt(1, 2 ** 31 - 1);

  /** Takes the session lock; the notifier runs it on each (re)connected session. */
  lockSession = async (client: pg.Client): Promise<void> => {
    await client.query('SELECT pg_try_advisory_lock($1, $2)', [OWNER_LOCK_SPACE, this.sessionKey]);
  };

  /** Records this owner's beat; frees the leases of dead owners. Returns how many. */
  heartbeat = async (db: Db, owner: string, timing: HeartbeatTiming): Promise<number> => {
    // One statement when nobody died (every beat of an idle process).
    const { rows: dead } = await sql<{ owner: string }>`
      WITH beat AS (
        INSERT INTO lease_owners (owner, heartbeat_at, started_at, session_key)
        VALUES (${owner}, ${DB_NOW_MS}, ${DB_NOW_MS}, ${this.sessionKey})
        ON CONFLICT (owner) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, session_key = excluded.session_key
      )
      SELECT owner FROM lease_owners o WHERE owner <> ${owner} AND ${isDead(timing)}`.execute(db);
    if (dead.length === 0) return 0;
    return db.transaction().execute(async (trx) => {
      // Still dead, and not already removed by another living process: only one frees each.
      const { rows: removed } = await sql<{ owner: string }>`
        DELETE FROM lease_owners o
        WHERE owner IN (${sql.join(dead.map((r) => r.owner))}) AND ${isDead(timing)}
        RETURNING owner`.execute(trx);
      return freeLeasesOf(trx, removed.map((r) => r.owner));
    });
  };

  /** Owners that beat within staleAfterMs by the database's clock (at least 1: this one). */
  countLive = async (db: Db, staleAfterMs: number): Promise<number> => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM lease_owners WHERE heartbeat_at >= ${DB_NOW_MS} - ${staleAfterMs}::bigint`.execute(db);
    return Math.max(1, Number(rows[0]?.n ?? 1));
  };

  signOff = async (db: Db, owner: string): Promise<void> => {
    await db.deleteFrom('lease_owners').where('owner', '=', owner).execute();
  };
}

/** The death rule for the row `o` of lease_owners (see the top of this file). */
function isDead(timing: HeartbeatTiming) {
  const missedBeatMs = Math.round(timing.intervalMs * 1.5);
  return sql<boolean>`(
    o.heartbeat_at < ${DB_NOW_MS} - ${timing.staleAfterMs}::bigint
    OR (o.heartbeat_at < ${DB_NOW_MS} - ${missedBeatMs}::bigint AND NOT EXISTS (
      SELECT 1 FROM pg_locks l
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ${OWNER_LOCK_SPACE}::oid
        AND l.objid = o.session_key::oid AND l.objsubid = 2)))`;
}
