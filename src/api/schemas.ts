// Request and response schemas: one definition validates, types, serialises and documents each
// route (OpenAPI is generated from these). Names follow XIn / XOut / XPatch.
import Type, { type Static, type TSchema } from 'typebox';
import type { AttemptOutcome } from '../domain/attempt.ts';
import { AUTO_DISABLE_LIMITS } from '../domain/health.ts';
import { RATE_LIMIT_PER_SECOND, RETRY_LIMITS } from '../domain/webhook.ts';

/** Longest user_id accepted (ingest, filters, erasure). */
export const MAX_USER_ID = 1000;

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC, e.g. 2026-11-28T12:00:00.000Z' });
const FreeObject = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

export const ErrorOut = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable snake_case code, e.g. validation_error' }),
      message: Type.String(),
      details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
    }),
  },
);

// ---- webhooks ----

const AuthIn = Type.Object(
  {
    type: Type.Union([Type.Literal('none'), Type.Literal('jwt'), Type.Literal('basic'), Type.Literal('signature')], {
      description: 'none | jwt (secret) | basic (username, password) | signature (secret, generated when omitted)',
    }),
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'jwt: any string (32+ random characters advised); signature: whsec_<base64 of 24-64 bytes>' })),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'basic: user name, without ":"' })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'basic: password' })),
  },
  { additionalProperties: false },
);

const RetryIn = Type.Object(
  {
    attempts: Type.Optional(Type.Integer({ minimum: RETRY_LIMITS.attempts.min, maximum: RETRY_LIMITS.attempts.max, description: 'Extra tries after the first failure (default 3)' })),
    delay_seconds: Type.Optional(Type.Integer({ minimum: RETRY_LIMITS.delaySeconds.min, maximum: RETRY_LIMITS.delaySeconds.max, description: 'Seconds between tries (default 30)' })),
    timeout_seconds: Type.Optional(Type.Integer({ minimum: RETRY_LIMITS.timeoutSeconds.min, maximum: RETRY_LIMITS.timeoutSeconds.max, description: 'Seconds to wait for each response (default 15)' })),
    backoff: Type.Optional(
      Type.Union([Type.Literal('fixed'), Type.Literal('exponential')], {
        description: 'fixed (default): delay_seconds between tries; exponential: retry n waits delay_seconds × 2^(n-1), at most max_delay_seconds, ±20 % jitter',
      }),
    ),
    max_delay_seconds: Type.Optional(Type.Integer({ minimum: RETRY_LIMITS.maxDelaySeconds.min, maximum: RETRY_LIMITS.maxDelaySeconds.max, description: 'Longest exponential wait in seconds (1-86400, default 3600)' })),
  },
  { additionalProperties: false },
);

const Ordering = Type.Union([Type.Literal('none'), Type.Literal('member')], {
  description: 'none (default) | member: one delivery per user_id in flight, in acceptance order',
});

const AutoDisableIn = Type.Object(
  {
    after_failures: Type.Integer({
      minimum: AUTO_DISABLE_LIMITS.afterFailures.min,
      maximum: AUTO_DISABLE_LIMITS.afterFailures.max,
      description: 'Disable once at least this many deliveries in a row have failed (1-100000)',
    }),
    after_hours: Type.Optional(
      Type.Integer({
        minimum: AUTO_DISABLE_LIMITS.afterHours.min,
        maximum: AUTO_DISABLE_LIMITS.afterHours.max,
        description: '... and the first of them failed more than this many hours ago (0-720, default 0: at once)',
      }),
    ),
  },
  { additionalProperties: false, description: 'Auto-disable policy (API.md §9); null (default): never' },
);

const webhookFields = {
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Unique (case-insensitive), 1-100 characters' }),
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'Absolute http(s) URL of the receiver' }),
  method: Type.Optional(Type.Literal('POST', { description: 'Only POST' })),
  description: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
  enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  auth: Type.Optional(AuthIn),
  event_types: Type.Array(Type.String(), { minItems: 1, maxItems: 100, description: 'Catalog event types, at least one' }),
  filter: Type.Optional(Nullable(FreeObject('MongoDB-style query on the envelope, e.g. {"data.awarded_reward.reward_id": {"$in": ["REW-1"]}}'))),
  retry: Type.Optional(RetryIn),
  rate_limit_per_second: Type.Optional(
    Nullable(Type.Integer({ minimum: RATE_LIMIT_PER_SECOND.min, maximum: RATE_LIMIT_PER_SECOND.max, description: 'At most this many tries start per second for this webhook, over all processes (1-10000; null, the default: no limit)' })),
  ),
  headers: Type.Optional(Type.Record(Type.String(), Type.String({ maxLength: 4096 }), { description: 'Extra request headers (not content-type, content-length, host, user-agent, authorization, webhook-*)' })),
  ordering: Type.Optional(Ordering),
  supersede: Type.Optional(Type.Array(Type.String(), { maxItems: 100, description: 'Some of event_types: a newer event of such a type for a member ends older pending deliveries as superseded (default [])' })),
  auto_disable: Type.Optional(Nullable(AutoDisableIn)),
};

export const WebhookIn = Type.Object(webhookFields, { additionalProperties: false });
export type WebhookIn = Static<typeof WebhookIn>;

export const WebhookPatch = Type.Object(
  {
    name: Type.Optional(webhookFields.name),
    url: Type.Optional(webhookFields.url),
    method: webhookFields.method,
    description: webhookFields.description,
    enabled: webhookFields.enabled,
    auth: webhookFields.auth,
    event_types: Type.Optional(webhookFields.event_types),
    filter: webhookFields.filter,
    retry: webhookFields.retry,
    rate_limit_per_second: webhookFields.rate_limit_per_second,
    headers: webhookFields.headers,
    ordering: webhookFields.ordering,
    supersede: webhookFields.supersede,
    auto_disable: webhookFields.auto_disable,
  },
  { additionalProperties: false },
);
export type WebhookPatch = Static<typeof WebhookPatch>;

export const WebhookOut = Type.Object(
  {
    id: Type.String({ description: 'wh_…' }),
    name: Type.String(),
    url: Type.String(),
    method: Type.Literal('POST'),
    description: Nullable(Type.String()),
    enabled: Type.Boolean(),
    status: Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('failed')]),
    auth: Type.Object({
      type: Type.String(),
      username: Type.Optional(Type.String()),
      secret_hint: Type.Optional(Type.String({ description: '"…" plus the last 4 characters of the secret' })),
    }),
    event_types: Type.Array(Type.String()),
    filter: Nullable(FreeObject('Payload filter')),
    retry: Type.Object({
      attempts: Type.Integer(),
      delay_seconds: Type.Integer(),
      timeout_seconds: Type.Integer(),
      backoff: Type.Union([Type.Literal('fixed'), Type.Literal('exponential')]),
      max_delay_seconds: Type.Integer(),
    }),
    rate_limit_per_second: Nullable(Type.Integer()),
    headers: Type.Record(Type.String(), Type.String()),
    ordering: Type.Union([Type.Literal('none'), Type.Literal('member')]),
    supersede: Type.Array(Type.String()),
    auto_disable: Nullable(Type.Object({ after_failures: Type.Integer(), after_hours: Type.Integer() })),
    health: Type.Object(
      {
        consecutive_failures: Type.Integer({ description: 'Deliveries in a row that ended failed (a success resets it)' }),
        failing_since: Nullable(Timestamp),
        disabled_reason: Nullable(Type.Union([Type.Literal('manual'), Type.Literal('auto')])),
      },
      { description: 'Read-only (API.md §9)' },
    ),
    stats: Type.Object({
      total: Type.Integer(),
      succeeded: Type.Integer(),
      failed: Type.Integer(),
      success_rate: Nullable(Type.Number()),
      last_success_at: Nullable(Timestamp),
      last_failure_at: Nullable(Timestamp),
    }),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
);
export type WebhookOut = Static<typeof WebhookOut>;

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: '1-500, default 50' })),
  cursor: Type.Optional(Type.String({ description: 'next_cursor of the previous page' })),
  start_date: Type.Optional(Type.String({ description: 'YYYY-MM-DD (whole UTC day, inclusive) or ISO timestamp' })),
  end_date: Type.Optional(Type.String({ description: 'YYYY-MM-DD (whole UTC day, inclusive) or ISO timestamp' })),
};

export const WebhookListQuery = Type.Object({
  ...ListQuery,
  name: Type.Optional(Type.String({ description: 'Case-insensitive substring of the name' })),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('failed')])),
});

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), next_cursor: Nullable(Type.String()) });

export const IdParams = Type.Object({ id: Type.String() });

export const SecretOut = Type.Object({ secret: Type.String() });

export const TestIn = Type.Object(
  { event_type: Type.Optional(Type.String({ description: "Default: the webhook's first event type" })) },
  { additionalProperties: false },
);

export const UnsavedTestIn = Type.Object(
  {
    ...webhookFields,
    event_type: TestIn.properties.event_type,
    id: Type.Optional(Type.String({ description: 'Editing a saved webhook: auth of the same type without a secret or password uses the stored one' })),
  },
  { additionalProperties: false },
);

const Outcome = Type.Union(
  [Type.Literal('success'), Type.Literal('http_error'), Type.Literal('timeout'), Type.Literal('network_error'), Type.Literal('blocked')],
  { description: 'success | http_error (non-2xx) | timeout | network_error (DNS, refused, reset, TLS, invalid response) | blocked (a private target refused)' },
);

/** Compile-time check: the schema lists exactly the domain's outcomes. */
const isOutcomeInSync: [Static<typeof Outcome>] extends [AttemptOutcome] ? ([AttemptOutcome] extends [Static<typeof Outcome>] ? true : never) : never = true;
void isOutcomeInSync;

export const TestOut = Type.Object({
  verified: Type.Boolean({ description: 'true for a 2xx answer' }),
  status_code: Nullable(Type.Integer()),
  outcome: Outcome,
  error: Nullable(Type.String()),
  duration_ms: Type.Integer(),
});

// ---- events ----

export const EventIn = Type.Object(
  {
    event_type: Type.String({ description: 'A catalog event type, e.g. reward.awarded' }),
    data: FreeObject("The event's data; checked against the type's schema and delivered exactly as sent"),
    user_id: Type.Optional(Nullable(Type.String({ maxLength: MAX_USER_ID }))),
    event_id: Type.Optional(Type.String({ description: 'UUID; repeats of an accepted id are answered 200 and not delivered again' })),
    event_timestamp: Type.Optional(Type.String({ description: 'ISO 8601; default: now' })),
  },
  { additionalProperties: false },
);
export type EventIn = Static<typeof EventIn>;

export const EventAccepted = Type.Object({
  event_id: Type.String(),
  event_type: Type.String(),
  deliveries: Type.Integer({ description: 'Number of webhooks the event was queued for' }),
});

export const BatchIn = Type.Object(
  { events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 1000, description: '1 to 1000 events' }) },
  { additionalProperties: false },
);

export const BatchItemOut = Type.Object({
  status: Type.Integer({ description: '202 accepted, 200 repeat of an accepted event_id, 400 rejected' }),
  event_id: Type.Optional(Type.String()),
  event_type: Type.Optional(Type.String()),
  deliveries: Type.Optional(Type.Integer()),
  error: Type.Optional(ErrorOut.properties.error),
});

export const BatchOut = Type.Object({ data: Type.Array(BatchItemOut) });

/** API.md §7, §9 and §10: cancelled and superseded are final, like success and failed. */
const DeliveryStatus = Type.Union(
  [Type.Literal('pending'), Type.Literal('success'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('superseded')],
  { description: 'pending | success | failed | cancelled (by hand or by an erasure) | superseded (ended by a newer event of the same type and member, API.md §10)' },
);

export const DeliveryOut = Type.Object(
  {
    id: Type.String({ description: 'dlv_…' }),
    webhook_id: Type.String(),
    webhook_name: Type.String(),
    event_id: Type.String(),
    event_type: Type.String(),
    user_id: Nullable(Type.String({ description: "The event's member" })),
    status: DeliveryStatus,
    status_code: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
    attempts: Type.Integer(),
    delivered_at: Nullable(Timestamp),
    created_at: Timestamp,
  },
);

const EnvelopeOut = Type.Object({
  event_id: Type.String(),
  event_type: Type.String(),
  event_timestamp: Type.String(),
  schema_version: Type.String(),
  user_id: Nullable(Type.String()),
  data: FreeObject('Event data as sent'),
});

export const EventOut = Type.Object({
  ...EnvelopeOut.properties,
  created_at: Timestamp,
  deliveries: Type.Array(DeliveryOut),
});

export const AttemptOut = Type.Object({
  attempt: Type.Integer({ description: '1, 2, … across all rounds' }),
  started_at: Timestamp,
  duration_ms: Type.Integer(),
  status_code: Nullable(Type.Integer()),
  outcome: Outcome,
  error: Nullable(Type.String()),
  response_body: Nullable(Type.String({ description: 'First 4 KiB of the answer' })),
});

export const DeliveryDetailOut = Type.Object({
  ...DeliveryOut.properties,
  envelope: EnvelopeOut,
  attempt_log: Type.Array(AttemptOut),
});

export const DeliveryListQuery = Type.Object({
  ...ListQuery,
  webhook_id: Type.Optional(Type.String()),
  status: Type.Optional(DeliveryStatus),
  event_type: Type.Optional(Type.String()),
  event_id: Type.Optional(Type.String()),
  user_id: Type.Optional(Type.String({ maxLength: MAX_USER_ID, description: "The event's member" })),
});

export const EventListQuery = Type.Object({
  ...ListQuery,
  user_id: Type.Optional(Type.String({ maxLength: MAX_USER_ID, description: "The event's member" })),
  event_type: Type.Optional(Type.String()),
});

export const EventListOut = Type.Object({
  ...EnvelopeOut.properties,
  created_at: Timestamp,
});

export const MemberParams = Type.Object({ user_id: Type.String() });

export const ErasedOut = Type.Object({
  events: Type.Integer({ description: 'Events of the member deleted' }),
  deliveries: Type.Integer({ description: 'Their deliveries deleted (with their attempt logs)' }),
});

export const EventTypeOut = Type.Object({
  event_type: Type.String(),
  feed: Type.String(),
  event: Type.String(),
  description: Type.String(),
  schema: FreeObject("JSON Schema of the type's data"),
  example: FreeObject('A full example envelope'),
});

export const EventTypesOut = Type.Object({
  data: Type.Array(EventTypeOut),
  feeds: Type.Array(Type.Object({ id: Type.String(), label: Type.String(), event_types: Type.Array(Type.String()) })),
});

// ---- recover ----

export const RecoverIn = Type.Object(
  {
    since: Type.String({ description: 'ISO 8601: start of the window (deliveries and events created at or after)' }),
    until: Type.Optional(Type.String({ description: 'ISO 8601: end of the window (inclusive); default now' })),
    include_missed: Type.Optional(Type.Boolean({ description: 'Also create deliveries for events of its types in the window that have none to it' })),
  },
  { additionalProperties: false },
);
export type RecoverIn = Static<typeof RecoverIn>;

export const RecoverOut = Type.Object({
  deliveries: Type.Integer({ description: 'Deliveries that got a fresh round or were created' }),
});

// ---- tenants and API keys (API.md §8) ----

const TENANT_ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';

export const TenantIn = Type.Object(
  {
    id: Type.Optional(Type.String({ description: `The platform's own brand or site id, ${TENANT_ID_PATTERN}; generated as tn_… when omitted` })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const TenantPatch = Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const TenantOut = Type.Object({ id: Type.String(), name: Type.String(), created_at: Timestamp });

export const TenantListQuery = Type.Object({
  limit: ListQuery.limit,
  cursor: ListQuery.cursor,
});

export const ApiKeyIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    scopes: Type.Array(Type.String(), { minItems: 1, maxItems: 4, description: 'admin | manage | read | ingest' }),
    tenant_id: Type.Optional(Type.String({ description: 'Required for manage, read and ingest keys; not allowed for admin keys' })),
  },
  { additionalProperties: false },
);

const apiKeyFields = {
  id: Type.String({ description: 'key_…' }),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  tenant_id: Nullable(Type.String()),
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
};

export const ApiKeyOut = Type.Object(apiKeyFields);
export const ApiKeyCreatedOut = Type.Object({ ...apiKeyFields, key: Type.String({ description: 'hk_…: shown only in this answer' }) });

export const ApiKeyListQuery = Type.Object({
  limit: ListQuery.limit,
  cursor: ListQuery.cursor,
  tenant_id: Type.Optional(Type.String({ description: 'Only the keys of this tenant' })),
});

export const PortalSessionIn = Type.Object(
  {
    scopes: Type.Optional(Type.Array(Type.String(), { description: '["manage"] (default) or ["read"]' })),
    ttl_seconds: Type.Optional(Type.Integer({ description: 'How long the session lasts: 60-86400 seconds (default 3600)' })),
  },
  { additionalProperties: false },
);

export const PortalSessionOut = Type.Object({
  token: Type.String({ description: 'A bearer token with those scopes in that tenant until expires_at' }),
  url: Type.String({ description: 'Opens the admin UI signed in with the token, showing that tenant only' }),
  expires_at: Timestamp,
});

export const MeOut = Type.Object({
  kind: Type.Union([Type.Literal('admin'), Type.Literal('key'), Type.Literal('portal')]),
  scopes: Type.Array(Type.String()),
  tenant_id: Nullable(Type.String({ description: 'The tenant a tenant key or portal session acts in; null for admin keys' })),
  expires_at: Nullable(Timestamp),
});
