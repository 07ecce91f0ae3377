// Webhook health (API.md §9) in the store: read it, apply finished deliveries to it in the
// recorder's transaction, auto-disable, and the enable/disable toggle. The rules themselves are
// pure (domain/health.ts); this file only reads, locks and writes. Shared by both adapters.
import { sql, type Kysely, type Selectable } from 'kysely';
import {
  HEALTHY,
  applyFinished,
  disabledEmission,
  healthAfterToggle,
  isAutoDisableDue,
  type AutoDisablePolicy,
  type FinishedDelivery,
  type HeraldEmission,
  type WebhookHealth,
} from '../../domain/health.ts';
import type { TenantId } from '../../domain/ids.ts';
import type { Database, WebhookHealthTable } from '../schema.ts';

type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

export interface FinishedOfWebhook extends FinishedDelivery {
  webhookId: string;
}

export interface HealthWrites {
  emissions: HeraldEmission[];
  /** Webhooks auto-disabled in this transaction (their config changed). */
  disabled: string[];
}

function toHealth(r: Selectable<WebhookHealthTable> | undefined): WebhookHealth {
  if (!r) return HEALTHY;
  return {
    consecutiveFailures: Number(r.consecutive_failures),
    failingSince: r.failing_since === null ? null : Number(r.failing_since),
    disabledReason: r.disabled_reason === 'manual' || r.disabled_reason === 'auto' ? r.disabled_reason : null,
  };
}

export async function webhookHealth(db: Db, tenant: TenantId, ids: string[]): Promise<Map<string, WebhookHealth>> {
  const out = new Map<string, WebhookHealth>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('webhook_health')
    .selectAll()
    .where('webhook_id', 'in', db.selectFrom('webhooks').select('id').where('tenant_id', '=', tenant).where('id', 'in', ids))
    .execute();
  for (const r of rows) out.set(r.webhook_id, toHealth(r));
  return out;
}

/** PostgreSQL: row locks, taken in id order so two writers cannot deadlock on them. */
async function lockHealth(trx: Db, kind: DbKind, ids: string[]): Promise<Map<string, WebhookHealth>> {
  const rows = await trx
    .selectFrom('webhook_health')
    .selectAll()
    .where('webhook_id', 'in', ids)
    .orderBy('webhook_id')
    .$if(kind === 'postgres', (q) => q.forUpdate())
    .execute();
  return new Map(rows.map((r) => [r.webhook_id, toHealth(r)]));
}

async function writeHealth(trx: Db, webhookId: string, health: WebhookHealth): Promise<void> {
  const values = {
    webhook_id: webhookId,
    consecutive_failures: health.consecutiveFailures,
    failing_since: health.failingSince,
    disabled_reason: health.disabledReason,
  };
  await trx
    .insertInto('webhook_health')
    .values(values)
    .onConflict((oc) =>
      oc.column('webhook_id').doUpdateSet({
        consecutive_failures: values.consecutive_failures,
        failing_since: values.failing_since,
        disabled_reason: values.disabled_reason,
      }),
    )
    .execute();
}

/** A new webhook starts healthy; created disabled, it was disabled by hand. */
export async function insertHealth(trx: Db, webhookId: string, isEnabled: boolean): Promise<void> {
  await writeHealth(trx, webhookId, { ...HEALTHY, disabledReason: isEnabled ? null : 'manual' });
}

/** Before a webhook row is replaced: enabling resets health, disabling records "manual". */
export async function beforeToggle(trx: Db, kind: DbKind, tenant: TenantId, webhookId: string, isEnabled: boolean): Promise<void> {
  const current = (await lockHealth(trx, kind, [webhookId])).get(webhookId) ?? HEALTHY;
  const row = await trx
    .selectFrom('webhooks')
    .select('enabled')
    .where('tenant_id', '=', tenant)
    .where('id', '=', webhookId)
    .where('deleted_at', 'is', null)
    .$if(kind === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
  if (!row) return;
  const next = healthAfterToggle(current, Number(row.enabled) === 1, isEnabled);
  if (next !== current) await writeHealth(trx, webhookId, next);
}

/** Must run inside the transaction that recorded these deliveries' final states. */
export async function applyFinishedDeliveries(trx: Db, kind: DbKind, finished: FinishedOfWebhook[], nowMs: number): Promise<HealthWrites> {
  const out: HealthWrites = { emissions: [], disabled: [] };
  if (finished.length === 0) return out;
  const byWebhook = new Map<string, FinishedOfWebhook[]>();
  for (const f of finished) {
    const list = byWebhook.get(f.webhookId);
    if (list) list.push(f);
    else byWebhook.set(f.webhookId, [f]);
  }
  const failing = [...byWebhook.keys()].filter((id) => byWebhook.get(id)!.some((f) => f.status === 'failed')).sort();
  const healthyOnly = [...byWebhook.keys()].filter((id) => !failing.includes(id));
  if (healthyOnly.length > 0) {
    // The common case, only successes: one statement, and it touches (locks) only rows not yet at 0.
    await trx
      .updateTable('webhook_health')
      .set({ consecutive_failures: 0, failing_since: null })
      .where('webhook_id', 'in', healthyOnly)
      .where('consecutive_failures', '>', 0)
      .execute();
  }
  if (failing.length === 0) return out;

  const current = await lockHealth(trx, kind, failing);
  const webhooks = await trx
    .selectFrom('webhooks')
    .select(['id', 'name', 'enabled', 'auto_disable_after_failures', 'auto_disable_after_hours'])
    .where('id', 'in', failing)
    .where('deleted_at', 'is', null)
    .execute();
  for (const w of webhooks) {
    const ref = { id: w.id, name: w.name };
    const change = applyFinished(ref, current.get(w.id) ?? HEALTHY, byWebhook.get(w.id)!);
    let health = change.health;
    out.emissions.push(...change.emissions);
    if (change.shouldCheckAutoDisable && isAutoDisableDue(health, policyOf(w), Number(w.enabled) === 1, nowMs)) {
      if (await disableWebhook(trx, w.id, nowMs)) {
        health = { ...health, disabledReason: 'auto' };
        out.emissions.push(disabledEmission(ref, health));
        out.disabled.push(w.id);
      }
    }
    await writeHealth(trx, w.id, health);
  }
  return out;
}

/**
 * The time part of auto-disable (at least once a minute): every enabled webhook whose failures
 * have lasted long enough. Must run inside a transaction.
 */
export async function autoDisableDue(trx: Db, kind: DbKind, nowMs: number): Promise<HealthWrites> {
  const out: HealthWrites = { emissions: [], disabled: [] };
  const candidates = await trx
    .selectFrom('webhooks as w')
    .innerJoin('webhook_health as h', 'h.webhook_id', 'w.id')
    .select(['w.id', 'w.name', 'w.auto_disable_after_failures', 'w.auto_disable_after_hours'])
    .where('w.deleted_at', 'is', null)
    .where('w.enabled', '=', 1)
    .where('w.auto_disable_after_failures', 'is not', null)
    .where(sql<boolean>`h.consecutive_failures >= w.auto_disable_after_failures`)
    .where(sql<boolean>`h.failing_since + w.auto_disable_after_hours * 3600000 <= ${nowMs}`)
    .orderBy('w.id')
    .limit(1000)
    .execute();
  if (candidates.length === 0) return out;
  const current = await lockHealth(trx, kind, candidates.map((c) => c.id));
  for (const w of candidates) {
    const health = current.get(w.id);
    if (!health || !isAutoDisableDue(health, policyOf(w), true, nowMs)) continue;
    if (!(await disableWebhook(trx, w.id, nowMs))) continue;
    const disabled = { ...health, disabledReason: 'auto' as const };
    await writeHealth(trx, w.id, disabled);
    out.emissions.push(disabledEmission({ id: w.id, name: w.name }, disabled));
    out.disabled.push(w.id);
  }
  return out;
}

function policyOf(w: { auto_disable_after_failures: number | null; auto_disable_after_hours: number | null }): AutoDisablePolicy | null {
  if (w.auto_disable_after_failures === null) return null;
  return { afterFailures: Number(w.auto_disable_after_failures), afterHours: Number(w.auto_disable_after_hours ?? 0) };
}

/** True when this call disabled it (it was enabled and alive). */
async function disableWebhook(trx: Db, webhookId: string, nowMs: number): Promise<boolean> {
  const result = await trx
    .updateTable('webhooks')
    .set({ enabled: 0, updated_at: nowMs })
    .where('id', '=', webhookId)
    .where('enabled', '=', 1)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
