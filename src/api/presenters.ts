// Domain values → response bodies (the API's snake_case). Secrets never pass through here.
import { EMPTY_STATS, secretHint, successRate, webhookStatus, type Webhook, type WebhookStats } from '../domain/webhook.ts';
import type { AttemptResult, RecordedAttempt } from '../domain/attempt.ts';
import { HEALTHY, type WebhookHealth } from '../domain/health.ts';
import type { DeliveryRow } from '../store/ports.ts';
import type { WebhookOut } from './schemas.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function webhookOut(webhook: Webhook, stats: WebhookStats = EMPTY_STATS, health: WebhookHealth = HEALTHY): WebhookOut {
  const hint = secretHint(webhook.auth);
  return {
    id: webhook.id,
    name: webhook.name,
    url: webhook.url,
    method: webhook.method,
    description: webhook.description,
    enabled: webhook.enabled,
    status: webhookStatus(webhook.enabled, stats),
    auth: {
      type: webhook.auth.type,
      ...(webhook.auth.type === 'basic' ? { username: webhook.auth.username } : {}),
      ...(hint ? { secret_hint: hint } : {}),
    },
    event_types: webhook.eventTypes,
    filter: webhook.filter,
    retry: {
      attempts: webhook.retry.attempts,
      delay_seconds: webhook.retry.delaySeconds,
      timeout_seconds: webhook.retry.timeoutSeconds,
      backoff: webhook.retry.backoff,
      max_delay_seconds: webhook.retry.maxDelaySeconds,
    },
    rate_limit_per_second: webhook.rateLimitPerSecond,
    headers: webhook.headers,
    ordering: webhook.ordering,
    supersede: webhook.supersede,
    auto_disable: webhook.autoDisable && { after_failures: webhook.autoDisable.afterFailures, after_hours: webhook.autoDisable.afterHours },
    health: {
      consecutive_failures: health.consecutiveFailures,
      failing_since: isoOrNull(health.failingSince),
      disabled_reason: health.disabledReason,
    },
    stats: {
      total: stats.total,
      succeeded: stats.succeeded,
      failed: stats.failed,
      success_rate: successRate(stats),
      last_success_at: isoOrNull(stats.lastSuccessAt),
      last_failure_at: isoOrNull(stats.lastFailureAt),
    },
    created_at: iso(webhook.createdAt),
    updated_at: iso(webhook.updatedAt),
  };
}

export function deliveryOut(row: DeliveryRow) {
  return {
    id: row.id,
    webhook_id: row.webhookId,
    webhook_name: row.webhookName,
    event_id: row.eventId,
    event_type: row.eventType,
    user_id: row.userId,
    status: row.status,
    status_code: row.statusCode,
    error: row.error,
    attempts: row.attempts,
    delivered_at: isoOrNull(row.deliveredAt),
    created_at: iso(row.createdAt),
  };
}

export function attemptOut(row: RecordedAttempt) {
  return {
    attempt: row.attempt,
    started_at: iso(row.startedAt),
    duration_ms: row.durationMs,
    status_code: row.statusCode,
    outcome: row.outcome,
    error: row.error,
    response_body: row.responseBody,
  };
}

/** A test send's answer (API.md §4): verified means a 2xx. */
export function testOut(result: AttemptResult) {
  return {
    verified: result.verdict === 'delivered',
    status_code: result.statusCode,
    outcome: result.outcome,
    error: result.error,
    duration_ms: result.durationMs,
  };
}
