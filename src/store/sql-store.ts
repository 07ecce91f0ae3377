// The Store port over Kysely. Queries live in ./sql/*; what differs per database (claiming,
// errors, transactions) comes in through SqlDialect from the sqlite/ and postgres/ adapters.
import type { CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { DeliveryId, TenantId } from '../domain/ids.ts';
import type { WebhookStats } from '../domain/webhook.ts';
import type { WebhookHealth } from '../domain/health.ts';
import type { Database } from './schema.ts';
import {
  NameTakenError,
  TenantTakenError,
  type ApiKeyQuery,
  type ApiKeyRow,
  type DeleteTenantResult,
  type TenantRow,
  type AttemptRecord,
  type ClaimRequest,
  type ClaimedDelivery,
  type DeliveryQuery,
  type ErasedMember,
  type EventQuery,
  type HeartbeatTiming,
  type NewEvent,
  type RecordSummary,
  type RecoverRequest,
  type RecoverResult,
  type Store,
  type WebhookQuery,
  type WebhookRow,
} from './ports.ts';
import * as webhooks from './sql/webhooks.ts';
import * as events from './sql/events.ts';
import * as deliveries from './sql/deliveries.ts';
import * as attempts from './sql/attempts.ts';
import * as leases from './sql/leases.ts';
import { oneByOne } from './sql/batch.ts';
import * as access from './sql/access.ts';
import * as health from './sql/health.ts';
import { emitHerald } from './sql/herald.ts';
import { recover } from './sql/recover.ts';
import { purgeBatch } from './sql/retention.ts';

export interface SqlDialect {
  readonly kind: 'sqlite' | 'postgres';
  /** Stat shard this process writes to. */
  readonly shard: number;
  /** The deliveries column that orders them by acceptance (API.md §10). */
  readonly seqColumn: 'rowid' | 'seq';
  /** Several processes write (PostgreSQL): lock delivery rows before recording attempts on them. */
  readonly locksRows: boolean;
  /**
   * Several processes (PostgreSQL): at the start of an ingest transaction, serialise the ingests of
   * the same (webhook, member) of ordered webhooks, so that acceptance sequence = commit order.
   */
  lockMembers?(trx: Kysely<Database>, keys: string[]): Promise<void>;
  /** After an erasure committed (SQLite: checkpoint so the deleted bytes leave the WAL file). */
  afterErase?(db: Kysely<Database>): Promise<void>;
  isUniqueViolation(error: unknown): boolean;
  claimDue(db: Kysely<Database>, request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /**
   * A transaction that does not wait for its commit to reach the disk: for the engine's own
   * bookkeeping (claims, attempt outcomes), where losing the last commits to a power cut only
   * means a re-send. Ingestion never uses it.
   */
  relaxedTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /**
   * Runs statements in order inside trx's transaction, in one round trip where the driver can
   * (SQLite: one message to the database thread); the first error rejects. Absent: one by one.
   */
  executeBatch?(trx: Kysely<Database>, queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]>;
  /** Runs inside every transaction that changed a webhook (PostgreSQL: NOTIFY other processes). */
  onConfigWritten?(trx: Kysely<Database>): Promise<void>;
  /** PostgreSQL: take the retention lock for this transaction; false when another process holds it. */
  lockRetention?(trx: Kysely<Database>): Promise<boolean>;
  /** SQLite: return free pages to the file system after a purge. */
  reclaimSpace?(db: Kysely<Database>): Promise<void>;
  /** Several processes (PostgreSQL): the owner registry behind Store.heartbeat and signOff. */
  owners?: {
    heartbeat(db: Kysely<Database>, owner: string, timing: HeartbeatTiming): Promise<number>;
    signOff(db: Kysely<Database>, owner: string): Promise<void>;
    countLive(db: Kysely<Database>, staleAfterMs: number): Promise<number>;
  };
  close(): Promise<void>;
}

export class SqlStore implements Store {
  constructor(
    protected readonly db: Kysely<Database>,
    protected readonly dialect: SqlDialect,
  ) {}

  /** Runs statements in order in trx, in one go where the dialect can. */
  readonly #batch = async (trx: Kysely<Database>, queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> => {
    return this.dialect.executeBatch ? this.dialect.executeBatch(trx, queries) : oneByOne(trx, queries);
  };

  get kind() {
    return this.dialect.kind;
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.dialect.close();
  }

  async ensureMeta(key: string, value: string): Promise<string> {
    await this.db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).execute();
    return (await this.getMeta(key))!;
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async configRevision(): Promise<number> {
    return Number((await this.getMeta('config_revision')) ?? 0);
  }

  async insertWebhook(tenant: TenantId, row: WebhookRow): Promise<void> {
    await this.#writeWebhook(async (trx) => {
      await trx.insertInto('webhooks').values({ ...webhooks.toColumns(tenant, row), deleted_at: null }).execute();
      await health.insertHealth(trx, row.id, row.enabled);
      return true;
    });
  }

  async updateWebhook(tenant: TenantId, row: WebhookRow): Promise<boolean> {
    return this.#writeWebhook(async (trx) => {
      await health.beforeToggle(trx, this.dialect.kind, tenant, row.id, row.enabled);
      const result = await trx
        .updateTable('webhooks')
        .set(webhooks.toColumns(tenant, row))
        .where('tenant_id', '=', tenant)
        .where('id', '=', row.id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  async deleteWebhook(tenant: TenantId, id: string, nowMs: number): Promise<boolean> {
    return this.#writeWebhook(async (trx) => {
      const result = await trx
        .updateTable('webhooks')
        .set({ deleted_at: nowMs, enabled: 0, updated_at: nowMs })
        .where('tenant_id', '=', tenant)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await deliveries.failPendingOfWebhook(trx, id);
      return true;
    });
  }

  async #writeWebhook(write: (trx: Kysely<Database>) => Promise<boolean>): Promise<boolean> {
    try {
      return await this.db.transaction().execute(async (trx) => {
        const changed = await write(trx);
        if (changed) {
          await webhooks.bumpRevision(trx);
          await this.dialect.onConfigWritten?.(trx);
        }
        return changed;
      });
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) throw new NameTakenError('name taken');
      throw error;
    }
  }

  async getWebhook(tenant: TenantId, id: string): Promise<WebhookRow | undefined> {
    const row = await this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row ? webhooks.toRow(row) : undefined;
  }

  async isNameTaken(tenant: TenantId, name: string, exceptId?: string): Promise<boolean> {
    let query = this.db
      .selectFrom('webhooks')
      .select('id')
      .where('tenant_id', '=', tenant)
      .where('name_key', '=', name.toLowerCase())
      .where('deleted_at', 'is', null);
    if (exceptId) query = query.where('id', '!=', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  listWebhooks(tenant: TenantId, query: WebhookQuery): Promise<WebhookRow[]> {
    return webhooks.listWebhooks(this.db, tenant, query);
  }

  async allWebhooks(): Promise<Array<WebhookRow & { tenantId: TenantId }>> {
    const rows = await this.db.selectFrom('webhooks').selectAll().where('deleted_at', 'is', null).execute();
    return rows.map((r) => ({ ...webhooks.toRow(r), tenantId: r.tenant_id as TenantId }));
  }

  webhookStats(tenant: TenantId, ids: string[]): Promise<Map<string, WebhookStats>> {
    return webhooks.webhookStats(this.db, tenant, ids);
  }

  webhookHealth(tenant: TenantId, ids: string[]): Promise<Map<string, WebhookHealth>> {
    return health.webhookHealth(this.db, tenant, ids);
  }

  async recoverDeliveries(tenant: TenantId, webhookId: string, request: RecoverRequest): Promise<RecoverResult> {
    const webhook = await this.getWebhook(tenant, webhookId);
    if (!webhook) return { status: 'not_found' };
    return recover(this.db, (work) => this.db.transaction().execute(work), this.dialect.shard, tenant, webhook, request);
  }

  async autoDisableDue(nowMs: number): Promise<RecordSummary> {
    return this.db.transaction().execute(async (trx) => this.#afterHealth(trx, await health.autoDisableDue(trx, this.dialect.kind, nowMs), nowMs));
  }

  /** In the transaction of the change: the herald events it causes, and config change notices. */
  async #afterHealth(trx: Kysely<Database>, writes: health.HealthWrites, nowMs: number): Promise<RecordSummary> {
    if (writes.disabled.length > 0) {
      await webhooks.bumpRevision(trx);
      await this.dialect.onConfigWritten?.(trx);
    }
    const queued = await emitHerald(trx, writes.emissions, nowMs);
    return { queued, disabled: writes.disabled as RecordSummary['disabled'] };
  }

  ingest(batch: NewEvent[]) {
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect.lockMembers) {
        const keys = new Set<string>();
        for (const e of batch) for (const d of e.deliveries) if (d.ordered && e.userId !== null) keys.add(JSON.stringify([d.webhookId, e.userId]));
        if (keys.size > 0) await this.dialect.lockMembers(trx, [...keys].sort());
      }
      return events.ingest(trx, batch, this.dialect.seqColumn, this.#batch);
    });
  }

  listEvents(tenant: TenantId, query: EventQuery) {
    return events.listEvents(this.db, tenant, query);
  }

  async eraseMember(tenant: TenantId, userId: string): Promise<ErasedMember> {
    const erased = await this.db.transaction().execute((trx) => events.eraseMember(trx, tenant, userId));
    await this.dialect.afterErase?.(this.db);
    return erased;
  }

  async getEvent(tenant: TenantId, eventId: string) {
    const row = await this.db.selectFrom('events').selectAll().where('tenant_id', '=', tenant).where('event_id', '=', eventId).executeTakeFirst();
    return row ? events.toEventRow(row) : undefined;
  }

  deliveriesOfEvent(tenant: TenantId, eventId: string) {
    return deliveries.deliveriesOfEvent(this.db, tenant, eventId);
  }

  listDeliveries(tenant: TenantId, query: DeliveryQuery) {
    return deliveries.listDeliveries(this.db, tenant, query);
  }

  getDelivery(tenant: TenantId, id: string) {
    return deliveries.getDelivery(this.db, tenant, id);
  }

  listAttempts(tenant: TenantId, deliveryId: string) {
    return deliveries.listAttempts(this.db, tenant, deliveryId);
  }

  requeueDelivery(tenant: TenantId, id: string, nowMs: number) {
    return this.db.transaction().execute((trx) => deliveries.requeueDelivery(trx, tenant, id, nowMs, this.dialect.shard));
  }

  async accessRevision(): Promise<number> {
    return Number((await this.getMeta('access_revision')) ?? 0);
  }

  async insertTenant(row: TenantRow): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('tenants').values({ id: row.id, name: row.name, created_at: row.createdAt }).execute();
        await access.bumpAccessRevision(trx);
      });
    } catch (error) {
      if (this.dialect.isUniqueViolation(error)) throw new TenantTakenError(`tenant ${row.id} exists`);
      throw error;
    }
  }

  async getTenant(id: string): Promise<TenantRow | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? access.toTenantRow(row) : undefined;
  }

  async listTenants(query: { afterId?: string; limit: number }): Promise<TenantRow[]> {
    let q = this.db.selectFrom('tenants').selectAll();
    if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
    const rows = await q.orderBy('id', 'asc').limit(query.limit).execute();
    return rows.map(access.toTenantRow);
  }

  async renameTenant(id: string, name: string): Promise<TenantRow | undefined> {
    await this.db.updateTable('tenants').set({ name }).where('id', '=', id).execute();
    return this.getTenant(id);
  }

  deleteTenant(id: string, nowMs: number): Promise<DeleteTenantResult> {
    return this.db.transaction().execute((trx) => access.deleteTenant(trx, id, nowMs));
  }

  async insertApiKey(row: ApiKeyRow): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('api_keys')
        .values({
          id: row.id,
          name: row.name,
          scopes: JSON.stringify(row.scopes),
          tenant_id: row.tenantId,
          key_hash: row.keyHash,
          created_at: row.createdAt,
          last_used_at: row.lastUsedAt,
          revoked_at: row.revokedAt,
        })
        .execute();
      await access.bumpAccessRevision(trx);
    });
  }

  listApiKeys(query: ApiKeyQuery): Promise<ApiKeyRow[]> {
    return access.listApiKeys(this.db, query);
  }

  async activeApiKeys(): Promise<ApiKeyRow[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('revoked_at', 'is', null).execute();
    return rows.map(access.toApiKeyRow);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRow | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
    return row ? access.toApiKeyRow(row) : undefined;
  }

  async revokeApiKey(id: string, nowMs: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.updateTable('api_keys').set({ revoked_at: nowMs }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return false;
      await access.bumpAccessRevision(trx);
      return true;
    });
  }

  async touchApiKeys(ids: string[], nowMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('api_keys').set({ last_used_at: nowMs }).where('id', 'in', ids).execute();
  }

  cancelDelivery(tenant: TenantId, id: string) {
    return deliveries.cancelDelivery(this.db, tenant, id);
  }

  claimDue(request: ClaimRequest): Promise<ClaimedDelivery[]> {
    if (request.limits.length === 0) return Promise.resolve([]);
    return this.dialect.relaxedTransaction(this.db, (trx) => this.dialect.claimDue(trx, request));
  }

  recordAttempts(owner: string, records: AttemptRecord[]): Promise<RecordSummary> {
    return this.dialect.relaxedTransaction(this.db, async (trx) => {
      const finished = await attempts.recordAttempts(trx, owner, this.dialect.shard, records, this.dialect.locksRows, this.#batch);
      const nowMs = Date.now();
      return this.#afterHealth(trx, await health.applyFinishedDeliveries(trx, this.dialect.kind, finished, nowMs), nowMs);
    });
  }

  releaseLeases(owner: string, ids?: DeliveryId[]): Promise<void> {
    return leases.releaseLeases(this.db, owner, ids);
  }

  renewLeases(owner: string, leaseUntil: number): Promise<void> {
    return leases.renewLeases(this.db, owner, leaseUntil);
  }

  async heartbeat(owner: string, timing: HeartbeatTiming): Promise<number> {
    return (await this.dialect.owners?.heartbeat(this.db, owner, timing)) ?? 0;
  }

  async countLiveOwners(staleAfterMs: number): Promise<number> {
    return (await this.dialect.owners?.countLive(this.db, staleAfterMs)) ?? 1;
  }

  async signOff(owner: string): Promise<void> {
    await this.dialect.owners?.signOff(this.db, owner);
  }

  purgeExpired(beforeMs: number, limit: number) {
    return this.dialect.relaxedTransaction(this.db, async (trx) => {
      if (this.dialect.lockRetention && !(await this.dialect.lockRetention(trx))) return null;
      return purgeBatch(trx, beforeMs, limit);
    });
  }

  async reclaimSpace(): Promise<void> {
    await this.dialect.reclaimSpace?.(this.db);
  }

  countPending(): Promise<number> {
    return deliveries.countPending(this.db);
  }
}
