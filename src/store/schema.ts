// Table shapes as Kysely sees them; the same on SQLite and PostgreSQL (times are Unix ms,
// booleans 0/1, JSON as text) so that one query serves both adapters.
import type { Generated } from 'kysely';

export interface MetaTable {
  key: string;
  value: string;
}

export interface WebhooksTable {
  id: string;
  tenant_id: string;
  name: string;
  name_key: string;
  url: string;
  method: string;
  description: string | null;
  enabled: number;
  auth_type: string;
  auth_username: string | null;
  secret_hint: string | null;
  auth_sealed: string | null;
  event_types: string;
  filter: string | null;
  retry_attempts: number;
  retry_delay_seconds: number;
  retry_timeout_seconds: number;
  retry_backoff: string;
  retry_max_delay_seconds: number;
  rate_limit_per_second: number | null;
  auto_disable_after_failures: number | null;
  auto_disable_after_hours: number | null;
  headers: string;
  ordering: string;
  /** JSON array of event types. */
  supersede: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface WebhookStatsTable {
  webhook_id: string;
  shard: number;
  total: number;
  succeeded: number;
  failed: number;
  last_success_at: number | null;
  last_failure_at: number | null;
}

/** API.md §9: one row per webhook, written with the delivery outcomes that change it. */
export interface WebhookHealthTable {
  webhook_id: string;
  consecutive_failures: number;
  failing_since: number | null;
  /** null | manual | auto */
  disabled_reason: string | null;
}

export interface EventsTable {
  tenant_id: string;
  event_id: string;
  event_type: string;
  user_id: string | null;
  event_timestamp: string;
  body: string;
  delivery_count: number;
  created_at: number;
}

export interface DeliveriesTable {
  id: string;
  tenant_id: string;
  event_id: string;
  webhook_id: string;
  event_type: string;
  /** The member of the event (API.md §10). */
  user_id: string | null;
  status: string;
  attempts: number;
  round_tries: number;
  status_code: number | null;
  error: string | null;
  delivered_at: number | null;
  created_at: number;
  next_attempt_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
}

export interface AttemptsTable {
  delivery_id: string;
  attempt: number;
  started_at: number;
  duration_ms: number;
  status_code: number | null;
  /** API.md §9: success | http_error | timeout | network_error | blocked. */
  outcome: string;
  error: string | null;
  response_body: string | null;
}

/** PostgreSQL only: the processes that hold leases, and when each last said it was alive. */
export interface LeaseOwnersTable {
  owner: string;
  heartbeat_at: number;
  started_at: number;
  /** Second key of the advisory lock its LISTEN session holds. */
  session_key: number;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  hits: Generated<number>;
}

export interface TenantsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** JSON array of scope names. */
  scopes: string;
  tenant_id: string | null;
  key_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface Database {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  meta: MetaTable;
  webhooks: WebhooksTable;
  webhook_stats: WebhookStatsTable;
  webhook_health: WebhookHealthTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  attempts: AttemptsTable;
  lease_owners: LeaseOwnersTable;
  rate_limits: RateLimitsTable;
}
