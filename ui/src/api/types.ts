// Shapes of the public REST contract (/work/shared/API.md) as the UI uses them.

export type AuthType = 'none' | 'jwt' | 'basic' | 'signature';
export type WebhookStatus = 'active' | 'inactive' | 'failed';
/** API.md §7, §9 and §10: cancelled and superseded are final, like success and failed. */
export type DeliveryStatus = 'pending' | 'success' | 'failed' | 'cancelled' | 'superseded';
/** API.md §10: one delivery per member in flight, in acceptance order. */
export type Ordering = 'none' | 'member';

export interface WebhookStats {
  total: number;
  succeeded: number;
  failed: number;
  success_rate: number | null;
  last_success_at: string | null;
  last_failure_at: string | null;
}

/** API.md §9, read-only. */
export interface WebhookHealth {
  consecutive_failures: number;
  failing_since: string | null;
  disabled_reason: 'manual' | 'auto' | null;
}

export interface AutoDisable {
  after_failures: number;
  after_hours: number;
}

export interface WebhookAuthOut {
  type: AuthType;
  username?: string;
  secret_hint?: string;
}

export type Backoff = 'fixed' | 'exponential';

export interface RetryPolicy {
  attempts: number;
  delay_seconds: number;
  timeout_seconds: number;
  backoff?: Backoff;
  max_delay_seconds?: number;
}

export interface Webhook {
  id: string;
  name: string;
  url: string;
  method: 'POST';
  description?: string | null;
  enabled: boolean;
  auth: WebhookAuthOut;
  event_types: string[];
  filter?: Record<string, unknown> | null;
  retry: RetryPolicy;
  rate_limit_per_second?: number | null;
  headers?: Record<string, string> | null;
  ordering?: Ordering;
  supersede?: string[];
  status: WebhookStatus;
  created_at: string;
  updated_at: string;
  stats: WebhookStats;
  health?: WebhookHealth;
  auto_disable?: AutoDisable | null;
}

export type WebhookAuthIn =
  | { type: 'none' }
  | { type: 'jwt'; secret: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'signature'; secret?: string };

export interface WebhookIn {
  name: string;
  url: string;
  method: 'POST';
  description?: string | null;
  enabled: boolean;
  auth?: WebhookAuthIn;
  event_types: string[];
  filter?: Record<string, unknown> | null;
  retry: RetryPolicy;
  rate_limit_per_second?: number | null;
  headers?: Record<string, string>;
  ordering?: Ordering;
  supersede?: string[];
}

export interface TestResult {
  verified: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface EventType {
  event_type: string;
  feed: string;
  event: string;
  description: string;
  schema: unknown;
  example: Record<string, unknown>;
}

export interface Delivery {
  id: string;
  webhook_id: string;
  webhook_name: string;
  event_id: string;
  event_type: string;
  user_id?: string | null;
  status: DeliveryStatus;
  status_code: number | null;
  error: string | null;
  attempts: number;
  delivered_at: string | null;
  created_at: string;
}

export interface Attempt {
  attempt: number;
  started_at: string;
  duration_ms: number | null;
  status_code: number | null;
  error: string | null;
  response_body: string | null;
}

export interface DeliveryDetail extends Delivery {
  envelope?: Record<string, unknown>;
  attempt_log: Attempt[];
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface FieldError {
  field: string;
  message: string;
}

/** GET /v1/events: an accepted event's envelope and when Herald accepted it. */
export interface EventEnvelope {
  event_id: string;
  event_type: string;
  event_timestamp: string;
  schema_version: string;
  user_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}
