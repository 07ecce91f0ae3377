// Webhook queries shared by both adapters.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { WebhookStats } from '../../domain/webhook.ts';
import type { TenantId, WebhookId } from '../../domain/ids.ts';
import type { Database, WebhooksTable } from '../schema.ts';
import type { WebhookQuery, WebhookRow } from '../ports.ts';

type Db = Kysely<Database>;

export function toRow(r: Selectable<WebhooksTable>): WebhookRow {
  return {
    id: r.id as WebhookId,
    name: r.name,
    url: r.url,
    method: 'POST',
    description: r.description,
    enabled: Number(r.enabled) === 1,
    authType: r.auth_type as WebhookRow['authType'],
    authUsername: r.auth_username,
    secretHint: r.secret_hint,
    authSealed: r.auth_sealed,
    eventTypes: JSON.parse(r.event_types),
    filter: r.filter === null ? null : JSON.parse(r.filter),
    retry: {
      attempts: Number(r.retry_attempts),
      delaySeconds: Number(r.retry_delay_seconds),
      timeoutSeconds: Number(r.retry_timeout_seconds),
      backoff: r.retry_backoff === 'exponential' ? 'exponential' : 'fixed',
      maxDelaySeconds: Number(r.retry_max_delay_seconds),
    },
    rateLimitPerSecond: r.rate_limit_per_second === null ? null : Number(r.rate_limit_per_second),
    headers: JSON.parse(r.headers),
    ordering: r.ordering === 'member' ? 'member' : 'none',
    supersede: JSON.parse(r.supersede),
    autoDisable:
      r.auto_disable_after_failures === null
        ? null
        : { afterFailures: Number(r.auto_disable_after_failures), afterHours: Number(r.auto_disable_after_hours ?? 0) },
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toColumns(tenant: TenantId, row: WebhookRow): Omit<WebhooksTable, 'deleted_at'> {
  return {
    id: row.id,
    tenant_id: tenant,
    name: row.name,
    name_key: row.name.toLowerCase(),
    url: row.url,
    method: row.method,
    description: row.description,
    enabled: row.enabled ? 1 : 0,
    auth_type: row.authType,
    auth_username: row.authUsername,
    secret_hint: row.secretHint,
    auth_sealed: row.authSealed,
    event_types: JSON.stringify(row.eventTypes),
    filter: row.filter === null ? null : JSON.stringify(row.filter),
    retry_attempts: row.retry.attempts,
    retry_delay_seconds: row.retry.delaySeconds,
    retry_timeout_seconds: row.retry.timeoutSeconds,
    retry_backoff: row.retry.backoff,
    retry_max_delay_seconds: row.retry.maxDelaySeconds,
    rate_limit_per_second: row.rateLimitPerSecond,
    headers: JSON.stringify(row.headers),
    ordering: row.ordering,
    supersede: JSON.stringify(row.supersede),
    auto_disable_after_failures: row.autoDisable?.afterFailures ?? null,
    auto_disable_after_hours: row.autoDisable?.afterHours ?? null,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

export async function bumpRevision(db: Db): Promise<void> {
  await db
    .updateTable('meta')
    .set({ value: sql`CAST(CAST(value AS INTEGER) + 1 AS TEXT)` })
    .where('key', '=', 'config_revision')
    .execute();
}

/** Per webhook: totals summed over stat shards, latest times the max over shards. */
function statsSubquery(db: Db) {
  return db
    .selectFrom('webhook_stats')
    .select([
      'webhook_id',
      sql<number>`CAST(SUM(total) AS INTEGER)`.as('total'),
      sql<number>`CAST(SUM(succeeded) AS INTEGER)`.as('succeeded'),
      sql<number>`CAST(SUM(failed) AS INTEGER)`.as('failed'),
      sql<number | null>`MAX(last_success_at)`.as('last_success_at'),
      sql<number | null>`MAX(last_failure_at)`.as('last_failure_at'),
    ])
    .groupBy('webhook_id');
}

export async function listWebhooks(db: Db, tenant: TenantId, q: WebhookQuery): Promise<WebhookRow[]> {
  let query = db.selectFrom('webhooks as w').selectAll('w').where('w.tenant_id', '=', tenant).where('w.deleted_at', 'is', null);
  if (q.nameContains) query = query.where(sql<boolean>`w.name_key LIKE ${`%${escapeLike(q.nameContains.toLowerCase())}%`} ESCAPE '\\'`);
  if (q.createdFrom !== undefined) query = query.where('w.created_at', '>=', q.createdFrom);
  if (q.createdTo !== undefined) query = query.where('w.created_at', '<=', q.createdTo);
  if (q.beforeId) query = query.where('w.id', '<', q.beforeId);
  if (q.status === 'inactive') query = query.where('w.enabled', '=', 0);
  if (q.status === 'active' || q.status === 'failed') {
    const isFailed = sql<boolean>`s.last_failure_at IS NOT NULL AND (s.last_success_at IS NULL OR s.last_failure_at > s.last_success_at)`;
    query = query
      .leftJoin(statsSubquery(db).as('s'), 's.webhook_id', 'w.id')
      .where('w.enabled', '=', 1)
      .where(q.status === 'failed' ? isFailed : sql<boolean>`NOT (${isFailed})`);
  }
  const rows = await query.orderBy('w.id', 'desc').limit(q.limit).execute();
  return rows.map(toRow);
}

export async function webhookStats(db: Db, tenant: TenantId, ids: string[]): Promise<Map<string, WebhookStats>> {
  const out = new Map<string, WebhookStats>();
  if (ids.length === 0) return out;
  const rows = await statsSubquery(db)
    .where('webhook_id', 'in', db.selectFrom('webhooks').select('id').where('tenant_id', '=', tenant).where('id', 'in', ids))
    .execute();
  for (const r of rows) {
    out.set(r.webhook_id, {
      total: Number(r.total),
      succeeded: Number(r.succeeded),
      failed: Number(r.failed),
      lastSuccessAt: r.last_success_at === null ? null : Number(r.last_success_at),
      lastFailureAt: r.last_failure_at === null ? null : Number(r.last_failure_at),
    });
  }
  return out;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
