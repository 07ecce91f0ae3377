// A webhook is one endpoint configuration: where to send, what to send, how to sign, how to retry.
import type { AutoDisablePolicy } from './health.ts';
import type { WebhookId } from './ids.ts';

export type AuthType = 'none' | 'jwt' | 'basic' | 'signature';

/** Auth with its secrets in the clear: lives only in memory, never in a response or a log. */
export type WebhookAuth =
  | { type: 'none' }
  | { type: 'jwt'; secret: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'signature'; secret: string; previousSecret?: string; previousSecretExpiresAt?: number };

/** API.md §9: fixed waits delay_seconds; exponential doubles it per retry, capped, with jitter. */
export const BACKOFFS = ['fixed', 'exponential'] as const;
export type Backoff = (typeof BACKOFFS)[number];

export interface RetryPolicy {
  attempts: number;
  delaySeconds: number;
  timeoutSeconds: number;
  backoff: Backoff;
  /** The longest exponential wait (before jitter). */
  maxDelaySeconds: number;
}

/** API.md §10: none, or one delivery per member in flight to this webhook, in acceptance order. */
export type Ordering = 'none' | 'member';

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  attempts: 3,
  delaySeconds: 30,
  timeoutSeconds: 15,
  backoff: 'fixed' as Backoff,
  maxDelaySeconds: 3600,
});

export const RETRY_LIMITS = Object.freeze({
  attempts: { min: 0, max: 10 },
  delaySeconds: { min: 0, max: 86_400 },
  timeoutSeconds: { min: 1, max: 120 },
  maxDelaySeconds: { min: 1, max: 86_400 },
});

/** API.md §9: optional per-webhook cap on tries started per second (null: none). */
export const RATE_LIMIT_PER_SECOND = Object.freeze({ min: 1, max: 10_000 });

/** How long the previous signature secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface Webhook {
  id: WebhookId;
  name: string;
  url: string;
  method: 'POST';
  description: string | null;
  enabled: boolean;
  auth: WebhookAuth;
  eventTypes: string[];
  filter: Record<string, unknown> | null;
  retry: RetryPolicy;
  /** At most this many tries start per second, summed over every process; null: no limit. */
  rateLimitPerSecond: number | null;
  headers: Record<string, string>;
  /** API.md §10: per-member ordering. */
  ordering: Ordering;
  /** API.md §10: event types (some of eventTypes) whose newer event supersedes older pending deliveries. */
  supersede: string[];
  /** API.md §9: disable after this many failures in a row (null: never). */
  autoDisable: AutoDisablePolicy | null;
  createdAt: number;
  updatedAt: number;
}

export interface WebhookStats {
  total: number;
  succeeded: number;
  failed: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

export const EMPTY_STATS: WebhookStats = Object.freeze({
  total: 0,
  succeeded: 0,
  failed: 0,
  lastSuccessAt: null,
  lastFailureAt: null,
});

export type WebhookStatus = 'active' | 'inactive' | 'failed';

/** inactive when disabled; else failed when the most recent attempt failed; else active. */
export function webhookStatus(enabled: boolean, stats: WebhookStats): WebhookStatus {
  if (!enabled) return 'inactive';
  if (stats.lastFailureAt !== null && (stats.lastSuccessAt === null || stats.lastFailureAt > stats.lastSuccessAt)) {
    return 'failed';
  }
  return 'active';
}

/** succeeded / total * 100, one decimal; null before anything reached a final state. */
export function successRate(stats: WebhookStats): number | null {
  if (stats.total === 0) return null;
  return Math.round((stats.succeeded / stats.total) * 1000) / 10;
}

/** "…" plus the last 4 characters: enough to tell secrets apart, useless to an attacker. */
export function secretHint(auth: WebhookAuth): string | null {
  if (auth.type !== 'jwt' && auth.type !== 'signature') return null;
  return `…${auth.secret.slice(-4)}`;
}

export const RESERVED_HEADER = /^(content-type|content-length|host|user-agent|authorization|webhook-.*|transfer-encoding|connection)$/i;
