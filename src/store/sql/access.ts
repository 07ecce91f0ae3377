// Tenants and API keys (API.md §8), shared by both adapters. Every change bumps the access
// revision, which each process's key ring polls (so a revoked key is refused everywhere soon).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ApiKeyId, TenantId } from '../../domain/ids.ts';
import type { Scope } from '../../domain/scopes.ts';
import type { ApiKeysTable, Database, TenantsTable } from '../schema.ts';
import type { ApiKeyQuery, ApiKeyRow, DeleteTenantResult, TenantRow } from '../ports.ts';

type Db = Kysely<Database>;

export async function bumpAccessRevision(db: Db): Promise<void> {
  await db
    .updateTable('meta')
    .set({ value: sql`CAST(CAST(value AS INTEGER) + 1 AS TEXT)` })
    .where('key', '=', 'access_revision')
    .execute();
}

export function toTenantRow(r: Selectable<TenantsTable>): TenantRow {
  return { id: r.id as TenantId, name: r.name, createdAt: Number(r.created_at) };
}

export function toApiKeyRow(r: Selectable<ApiKeysTable>): ApiKeyRow {
  return {
    id: r.id as ApiKeyId,
    name: r.name,
    scopes: JSON.parse(r.scopes) as Scope[],
    tenantId: r.tenant_id as TenantId | null,
    keyHash: r.key_hash,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

export async function listApiKeys(db: Db, q: ApiKeyQuery): Promise<ApiKeyRow[]> {
  let query = db.selectFrom('api_keys').selectAll().where('revoked_at', 'is', null);
  if (q.tenantId !== undefined) query = query.where('tenant_id', '=', q.tenantId);
  if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toApiKeyRow);
}

/** Must run inside a transaction. */
export async function deleteTenant(trx: Db, id: string, nowMs: number): Promise<DeleteTenantResult> {
  const tenant = await trx.selectFrom('tenants').select('id').where('id', '=', id).executeTakeFirst();
  if (!tenant) return 'not_found';
  const live = await trx.selectFrom('webhooks').select('id').where('tenant_id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  if (live) return 'has_webhooks';
  await trx.deleteFrom('attempts').where('delivery_id', 'in', trx.selectFrom('deliveries').select('id').where('tenant_id', '=', id)).execute();
  await trx.deleteFrom('deliveries').where('tenant_id', '=', id).execute();
  await trx.deleteFrom('events').where('tenant_id', '=', id).execute();
  await trx.deleteFrom('webhook_stats').where('webhook_id', 'in', trx.selectFrom('webhooks').select('id').where('tenant_id', '=', id)).execute();
  await trx.deleteFrom('webhook_health').where('webhook_id', 'in', trx.selectFrom('webhooks').select('id').where('tenant_id', '=', id)).execute();
  await trx.deleteFrom('webhooks').where('tenant_id', '=', id).execute();
  await trx.updateTable('api_keys').set({ revoked_at: nowMs }).where('tenant_id', '=', id).where('revoked_at', 'is', null).execute();
  await trx.deleteFrom('tenants').where('id', '=', id).execute();
  await bumpAccessRevision(trx);
  return 'deleted';
}
