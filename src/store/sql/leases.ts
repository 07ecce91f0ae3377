// Leases on deliveries: who may send them now. Given back, renewed, by owner. Shared by both
// adapters (claiming itself differs per database: see sqlite/claim.ts and postgres/open.ts).
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { DeliveryId } from '../../domain/ids.ts';

type Db = Kysely<Database>;

export async function releaseLeases(db: Db, owner: string, ids?: DeliveryId[]): Promise<void> {
  if (ids !== undefined && ids.length === 0) return;
  let query = db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_until: null })
    .where('status', '=', 'pending')
    .where('lease_owner', '=', owner);
  if (ids !== undefined) query = query.where('id', 'in', ids);
  await query.execute();
}

export async function renewLeases(db: Db, owner: string, leaseUntil: number): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ lease_until: leaseUntil })
    .where('status', '=', 'pending')
    .where('lease_owner', '=', owner)
    .execute();
}

/** Frees the leases of the given (dead) owners. */
export async function freeLeasesOf(db: Db, owners: string[]): Promise<number> {
  if (owners.length === 0) return 0;
  const result = await db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_until: null })
    .where('status', '=', 'pending')
    .where('lease_owner', 'in', owners)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
