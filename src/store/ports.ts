// The store interface: every operation Herald needs from its database, named for the domain.
// The SQLite and PostgreSQL adapters implement it; one contract suite (test/store-contract) checks both.
import type { AttemptResult, RecordedAttempt } from '../domain/attempt.ts';
import type { AutoDisablePolicy, WebhookHealth } from '../domain/health.ts';
import type { ApiKeyId, DeliveryId, TenantId, WebhookId } from '../domain/ids.ts';
import type { Scope } from '../domain/scopes.ts';
import type { NextStep } from '../domain/retry.ts';
import type { AuthType, Ordering, RetryPolicy, WebhookStats } from '../domain/webhook.ts';

/** A webhook as stored: secrets sealed (see SecretBox), everything else plain. */
export interface WebhookRow {
  id: WebhookId;
  name: string;
  url: string;
  method: 'POST';
  description: string | null;
  enabled: boolean;
  authType: AuthType;
  authUsername: string | null;
  secretHint: string | null;
  /** SecretBox-sealed JSON of the auth secrets, or null for auth type none. */
  authSealed: string | null;
  eventTypes: string[];
  filter: Record<string, unknown> | null;
  retry: RetryPolicy;
  rateLimitPerSecond: number | null;
  headers: Record<string, string>;
  ordering: Ordering;
  supersede: string[];
  autoDisable: AutoDisablePolicy | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookQuery {
  nameContains?: string;
  createdFrom?: number;
  createdTo?: number;
  status?: 'active' | 'inactive' | 'failed';
  beforeId?: string;
  limit: number;
}

/**
 * API.md §7 and §9: `cancelled` and `superseded` (§10) are final, like success and failed, but never
 * counted in the stats. superseded: ended by a newer event of the same type and member.
 */
export type DeliveryStatus = 'pending' | 'success' | 'failed' | 'cancelled' | 'superseded';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'success', 'failed', 'cancelled', 'superseded'];

export interface NewEvent {
  /** Events of several tenants share one group commit, so each carries its tenant. */
  tenantId: TenantId;
  eventId: string;
  eventType: string;
  userId: string | null;
  eventTimestamp: string;
  /** The envelope exactly as every receiver gets it. */
  body: string;
  createdAt: number;
  deliveries: NewDelivery[];
}

export interface NewDelivery {
  id: DeliveryId;
  webhookId: WebhookId;
  /** Set when the accepting process delivers it itself (no claim round-trip). */
  leaseOwner: string | null;
  leaseUntil: number | null;
  /** The webhook lists the event's type in `supersede`: older pending ones of the member end superseded. */
  supersedes: boolean;
  /** The webhook orders by member and the event has a user_id (API.md §10). */
  ordered?: boolean;
}

export type IngestResult =
  | { isNew: true; eventId: string; eventType: string; deliveries: number }
  | { isNew: false; eventId: string; eventType: string; deliveries: number };

export interface EventRow {
  eventId: string;
  eventType: string;
  userId: string | null;
  eventTimestamp: string;
  body: string;
  deliveryCount: number;
  createdAt: number;
}

export interface DeliveryRow {
  id: DeliveryId;
  webhookId: WebhookId;
  webhookName: string;
  eventId: string;
  eventType: string;
  userId: string | null;
  status: DeliveryStatus;
  statusCode: number | null;
  error: string | null;
  attempts: number;
  deliveredAt: number | null;
  createdAt: number;
}

export interface DeliveryQuery {
  createdFrom?: number;
  createdTo?: number;
  webhookId?: string;
  status?: DeliveryStatus;
  eventType?: string;
  eventId?: string;
  userId?: string;
  beforeId?: string;
  limit: number;
}

export interface EventQuery {
  userId?: string;
  eventType?: string;
  createdFrom?: number;
  createdTo?: number;
  /** Continue after this (created_at, event_id), newest first. */
  before?: { createdAt: number; eventId: string };
  limit: number;
}

/** What erasing a member removed. */
export interface ErasedMember {
  events: number;
  deliveries: number;
}

/** A delivery held under this process's lease, ready to send. */
export interface ClaimedDelivery {
  id: DeliveryId;
  tenantId: TenantId;
  webhookId: WebhookId;
  eventId: string;
  body: string;
  /** Tries made so far, all rounds. */
  attempts: number;
  /** Tries made in the current round (a manual retry starts a new round). */
  roundTries: number;
}

export interface ClaimRequest {
  owner: string;
  nowMs: number;
  leaseUntil: number;
  /**
   * How many due deliveries to take at most, per webhook. `ordered` (webhook ordering "member"):
   * of each member's pending deliveries only the oldest may be taken, and only when none of that
   * member's is in flight (API.md §10); the store decides this in the claim itself.
   */
  limits: Array<{ webhookId: WebhookId; limit: number; ordered?: boolean }>;
}

/** One attempt to write: its number, its result, and what it does to its delivery. */
export interface AttemptRecord {
  deliveryId: DeliveryId;
  webhookId: WebhookId;
  /** 1, 2, … across every round of the delivery. */
  attempt: number;
  result: AttemptResult;
  next: NextStep;
}

/** What one retention batch deleted; `scanned` events were picked (fewer than asked: the last batch). */
export interface PurgeCounts {
  events: number;
  deliveries: number;
  attempts: number;
  scanned: number;
}

export interface HeartbeatTiming {
  /** How often the owner beats. */
  intervalMs: number;
  /** Silent this long, an owner is dead even if its session seems to live on. */
  staleAfterMs: number;
}

export type RequeueResult = 'requeued' | 'not_found' | 'pending' | 'webhook_deleted';

export interface TenantRow {
  id: TenantId;
  name: string;
  createdAt: number;
}

export interface ApiKeyRow {
  id: ApiKeyId;
  name: string;
  scopes: Scope[];
  /** null for admin keys. */
  tenantId: TenantId | null;
  /** SHA-256 hex of the key; the key itself is never stored. */
  keyHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface ApiKeyQuery {
  tenantId?: TenantId;
  beforeId?: string;
  limit: number;
}

export type DeleteTenantResult = 'deleted' | 'not_found' | 'has_webhooks';

/** Thrown by insertTenant when the id is taken. */
export class TenantTakenError extends Error {}

export type CancelResult = 'cancelled' | 'not_found' | 'not_pending';

/** What recording outcomes (or the auto-disable sweep) did besides the delivery rows. */
export interface RecordSummary {
  /** Deliveries of herald.* events queued, held by nobody yet: wake the engines. */
  queued: number;
  /** Webhooks auto-disabled (their config changed). */
  disabled: WebhookId[];
}

/** API.md §9 recover: a window of creation times (Unix ms, both inclusive). */
export interface RecoverRequest {
  since: number;
  until: number;
  includeMissed: boolean;
  nowMs: number;
  /** At most this many deliveries; more in the window and nothing is done. */
  limit: number;
  /** Deliveries per transaction (default 250). */
  batchSize?: number;
}

export type RecoverResult =
  | { status: 'ok'; deliveries: number }
  | { status: 'too_many'; count: number }
  | { status: 'not_found' };

/** Thrown by insertWebhook / updateWebhook when another live webhook has the name. */
export class NameTakenError extends Error {}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  close(): Promise<void>;

  /** Meta values (API key hash, key check): set once, first writer wins; returns the stored value. */
  ensureMeta(key: string, value: string): Promise<string>;
  getMeta(key: string): Promise<string | undefined>;
  /** A number that changes whenever any webhook changes (multi-process cache invalidation). */
  configRevision(): Promise<number>;

  // Tenant data: every method takes the tenant first, so no query can forget it. A row of
  // another tenant is not found.
  insertWebhook(tenant: TenantId, row: WebhookRow): Promise<void>;
  /** Replaces the row; false when it does not exist (or was deleted). */
  updateWebhook(tenant: TenantId, row: WebhookRow): Promise<boolean>;
  /** Soft delete; its pending deliveries end as failed. False when it did not exist. */
  deleteWebhook(tenant: TenantId, id: string, nowMs: number): Promise<boolean>;
  getWebhook(tenant: TenantId, id: string): Promise<WebhookRow | undefined>;
  /** Some other webhook of this tenant already has this name (case-insensitive)? */
  isNameTaken(tenant: TenantId, name: string, exceptId?: string): Promise<boolean>;
  listWebhooks(tenant: TenantId, query: WebhookQuery): Promise<WebhookRow[]>;
  webhookStats(tenant: TenantId, ids: string[]): Promise<Map<string, WebhookStats>>;
  /** Every live webhook of every tenant (the in-memory directory), each with its tenant. */
  allWebhooks(): Promise<Array<WebhookRow & { tenantId: TenantId }>>;
  /** API.md §9; a webhook without a row is healthy. */
  webhookHealth(tenant: TenantId, ids: string[]): Promise<Map<string, WebhookHealth>>;
  /** Failed deliveries of the window get a fresh round; with includeMissed, events without one get one. */
  recoverDeliveries(tenant: TenantId, webhookId: string, request: RecoverRequest): Promise<RecoverResult>;
  /** Auto-disables the webhooks whose failures have lasted long enough, in every tenant (run at least once a minute). */
  autoDisableDue(nowMs: number): Promise<RecordSummary>;

  /** Stores events (each names its tenant) and their deliveries in one durable transaction; idempotent on (tenant, eventId). */
  ingest(events: NewEvent[]): Promise<IngestResult[]>;
  getEvent(tenant: TenantId, eventId: string): Promise<EventRow | undefined>;
  /** Newest first (created_at, then event_id, descending); only the tenant's events. */
  listEvents(tenant: TenantId, query: EventQuery): Promise<EventRow[]>;
  /**
   * API.md §10 erasure, within the tenant: the member's pending deliveries are cancelled (so no
   * result in flight can bring them back), then every event of the member in the tenant with its
   * deliveries and attempts is deleted. Stats stay. SQLite also checkpoints the WAL so the bytes
   * leave the files. The same user_id in another tenant is another member and is left alone.
   */
  eraseMember(tenant: TenantId, userId: string): Promise<ErasedMember>;
  deliveriesOfEvent(tenant: TenantId, eventId: string): Promise<DeliveryRow[]>;

  listDeliveries(tenant: TenantId, query: DeliveryQuery): Promise<DeliveryRow[]>;
  getDelivery(tenant: TenantId, id: string): Promise<(DeliveryRow & { body: string }) | undefined>;
  listAttempts(tenant: TenantId, deliveryId: string): Promise<RecordedAttempt[]>;
  /** Starts a fresh round for a finished delivery. */
  requeueDelivery(tenant: TenantId, id: string, nowMs: number): Promise<RequeueResult>;
  /** Ends a pending delivery as cancelled. */
  cancelDelivery(tenant: TenantId, id: string): Promise<CancelResult>;

  // Tenants and API keys (API.md §8). Each change bumps the access revision.
  /** A number that changes whenever a tenant or key is created, changed or revoked. */
  accessRevision(): Promise<number>;
  /** Throws TenantTakenError when the id exists. */
  insertTenant(row: TenantRow): Promise<void>;
  getTenant(id: string): Promise<TenantRow | undefined>;
  /** Ordered by id; `afterId` continues a page. */
  listTenants(query: { afterId?: string; limit: number }): Promise<TenantRow[]>;
  renameTenant(id: string, name: string): Promise<TenantRow | undefined>;
  /** Deletes its events, deliveries, attempts and deleted webhooks, revokes its keys; refused while it has live webhooks. */
  deleteTenant(id: string, nowMs: number): Promise<DeleteTenantResult>;
  insertApiKey(row: ApiKeyRow): Promise<void>;
  /** Newest first; revoked keys are not listed. */
  listApiKeys(query: ApiKeyQuery): Promise<ApiKeyRow[]>;
  /** Every key not revoked (the key ring). */
  activeApiKeys(): Promise<ApiKeyRow[]>;
  findApiKeyByHash(hash: string): Promise<ApiKeyRow | undefined>;
  /** False when it does not exist or was revoked already. */
  revokeApiKey(id: string, nowMs: number): Promise<boolean>;
  /** Marks keys used (batched, at most once a minute per key by the caller). */
  touchApiKeys(ids: string[], nowMs: number): Promise<void>;

  // The engine's own bookkeeping: deliveries carry their tenant, so these stay tenant-agnostic.
  claimDue(request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /**
   * Applies attempt outcomes; a delivery whose lease `owner` no longer holds (or that is no longer
   * pending: cancelled) keeps its state. In the same transaction: stats, health, auto-disable and
   * the herald.* events these cause.
   */
  recordAttempts(owner: string, records: AttemptRecord[]): Promise<RecordSummary>;
  /** Gives deliveries back without an attempt (all of this owner's when ids is omitted). */
  releaseLeases(owner: string, ids?: DeliveryId[]): Promise<void>;
  renewLeases(owner: string, leaseUntil: number): Promise<void>;
  /**
   * This owner is alive. Owners found dead (PostgreSQL: their database session ended and they
   * missed a beat, or they have not beaten for timing.staleAfterMs, by the database's clock) are
   * removed and their leases freed at once. Returns how many deliveries were freed.
   * (SQLite is one process: nothing to do; a restart drops every lease.)
   */
  heartbeat(owner: string, timing: HeartbeatTiming): Promise<number>;
  /** Processes alive now (PostgreSQL: lease owners that beat within staleAfterMs; SQLite: 1). */
  countLiveOwners(staleAfterMs: number): Promise<number>;
  /** This owner stops for good (graceful stop): forget its heartbeat. */
  signOff(owner: string): Promise<void>;
  /**
   * Retention: one batch of at most `limit` events accepted before `beforeMs` whose deliveries
   * are all final, deleted with their deliveries and attempts, in one short transaction. Null
   * when another process is purging now (PostgreSQL: one at a time).
   */
  purgeExpired(beforeMs: number, limit: number): Promise<PurgeCounts | null>;
  /** After purging: hand freed pages back (SQLite incremental vacuum); PostgreSQL: autovacuum does it. */
  reclaimSpace(): Promise<void>;
  /** Pending deliveries (metrics). */
  countPending(): Promise<number>;
}
