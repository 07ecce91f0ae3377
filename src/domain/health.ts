// Webhook health and auto-disable (API.md §9), as pure rules: what a run of finished deliveries
// does to a webhook's health, which operational (`herald.*`) events that causes, and when the
// auto-disable policy takes a webhook out. Time is passed in; the store applies the result.

export type DisabledReason = 'manual' | 'auto';

export interface WebhookHealth {
  /** Deliveries in a row that ended failed (a success resets it to 0). */
  consecutiveFailures: number;
  /** When the first of them ended; null at 0. */
  failingSince: number | null;
  disabledReason: DisabledReason | null;
}

export const HEALTHY: WebhookHealth = Object.freeze({ consecutiveFailures: 0, failingSince: null, disabledReason: null });

export interface AutoDisablePolicy {
  afterFailures: number;
  afterHours: number;
}

export const AUTO_DISABLE_LIMITS = Object.freeze({
  afterFailures: { min: 1, max: 100_000 },
  afterHours: { min: 0, max: 720 },
});

export const HERALD_FEED = 'herald';
export const HERALD_EVENT_TYPES = Object.freeze({
  failing: 'herald.webhook.failing',
  disabled: 'herald.webhook.disabled',
  exhausted: 'herald.delivery.exhausted',
});

/** Operational events are Herald's own: clients cannot send them, and they never cause more. */
export function isHeraldType(eventType: string): boolean {
  return eventType.startsWith(`${HERALD_FEED}.`);
}

/** A delivery that reached a final state (success or failed) in this group of outcomes. */
export interface FinishedDelivery {
  status: 'success' | 'failed';
  /** When its last try ended (Unix ms): orders the group. */
  endedAt: number;
  deliveryId: string;
  eventId: string;
  /** A delivery of a herald.* event: counts in health, but causes no herald.* event. */
  isHerald: boolean;
  error: string | null;
}

/** An operational event to emit: its type and `data` (API.md §9). */
export interface HeraldEmission {
  eventType: string;
  webhookId: string;
  data: Record<string, unknown>;
}

export interface WebhookRef {
  id: string;
  name: string;
}

export interface HealthChange {
  health: WebhookHealth;
  emissions: HeraldEmission[];
  /** Some delivery that may cause herald events failed: the auto-disable check applies now. */
  shouldCheckAutoDisable: boolean;
}

/**
 * Applies finished deliveries, oldest first, to a webhook's health. A failure after a success
 * (or the first ever) emits herald.webhook.failing; every failure emits herald.delivery.exhausted;
 * a failed delivery of a herald.* event emits nothing.
 */
export function applyFinished(webhook: WebhookRef, current: WebhookHealth, finished: FinishedDelivery[]): HealthChange {
  const ordered = [...finished].sort((a, b) => a.endedAt - b.endedAt);
  let { consecutiveFailures, failingSince } = current;
  const emissions: HeraldEmission[] = [];
  let shouldCheckAutoDisable = false;
  for (const d of ordered) {
    if (d.status === 'success') {
      consecutiveFailures = 0;
      failingSince = null;
      continue;
    }
    const isFirst = consecutiveFailures === 0;
    consecutiveFailures++;
    if (isFirst) failingSince = d.endedAt;
    if (d.isHerald) continue;
    shouldCheckAutoDisable = true;
    const data = {
      webhook_id: webhook.id,
      webhook_name: webhook.name,
      consecutive_failures: consecutiveFailures,
      delivery_id: d.deliveryId,
      event_id: d.eventId,
      error: d.error ?? 'failed',
    };
    if (isFirst) emissions.push({ eventType: HERALD_EVENT_TYPES.failing, webhookId: webhook.id, data });
    emissions.push({ eventType: HERALD_EVENT_TYPES.exhausted, webhookId: webhook.id, data });
  }
  return { health: { ...current, consecutiveFailures, failingSince }, emissions, shouldCheckAutoDisable };
}

/**
 * Disable now? At least `afterFailures` failed in a row, and the first of them ended at least
 * `afterHours` ago (so `afterHours: 0` disables on the N-th failure). Only an enabled webhook.
 */
export function isAutoDisableDue(health: WebhookHealth, policy: AutoDisablePolicy | null, isEnabled: boolean, nowMs: number): boolean {
  if (!policy || !isEnabled || health.failingSince === null) return false;
  if (health.consecutiveFailures < policy.afterFailures) return false;
  return nowMs - health.failingSince >= policy.afterHours * 3_600_000;
}

export function disabledEmission(webhook: WebhookRef, health: WebhookHealth): HeraldEmission {
  return {
    eventType: HERALD_EVENT_TYPES.disabled,
    webhookId: webhook.id,
    data: { webhook_id: webhook.id, webhook_name: webhook.name, consecutive_failures: health.consecutiveFailures },
  };
}

/**
 * What a change of `enabled` does to health: enabling resets it; disabling by hand records
 * "manual"; an unchanged flag leaves it as it is.
 */
export function healthAfterToggle(current: WebhookHealth, wasEnabled: boolean, isEnabled: boolean): WebhookHealth {
  if (!wasEnabled && isEnabled) return HEALTHY;
  if (wasEnabled && !isEnabled) return { ...current, disabledReason: 'manual' };
  return current;
}
