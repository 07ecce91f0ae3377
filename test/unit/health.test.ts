// Pure health and auto-disable rules (API.md §9), each with its table of cases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HEALTHY,
  applyFinished,
  healthAfterToggle,
  isAutoDisableDue,
  isHeraldType,
  type FinishedDelivery,
  type WebhookHealth,
} from '../../src/domain/health.ts';

const ref = { id: 'wh_1', name: 'CRM' };
const done = (status: 'success' | 'failed', endedAt: number, extra: Partial<FinishedDelivery> = {}): FinishedDelivery => ({
  status,
  endedAt,
  deliveryId: `dlv_${endedAt}`,
  eventId: `ev_${endedAt}`,
  isHerald: false,
  error: status === 'failed' ? 'HTTP 500' : null,
  ...extra,
});

describe('applyFinished', () => {
  const cases: Array<[string, WebhookHealth, FinishedDelivery[], number, number | null, string[]]> = [
    ['nothing', HEALTHY, [], 0, null, []],
    ['a success keeps it healthy', HEALTHY, [done('success', 10)], 0, null, []],
    ['first failure: failing + exhausted', HEALTHY, [done('failed', 10)], 1, 10, ['herald.webhook.failing', 'herald.delivery.exhausted']],
    ['failures go on counting', { consecutiveFailures: 3, failingSince: 5, disabledReason: null }, [done('failed', 10)], 4, 5, ['herald.delivery.exhausted']],
    ['a success resets', { consecutiveFailures: 3, failingSince: 5, disabledReason: null }, [done('success', 10)], 0, null, []],
    ['ordered by end time, not by arrival', HEALTHY, [done('failed', 30), done('success', 20), done('failed', 10)], 1, 30, ['herald.webhook.failing', 'herald.delivery.exhausted', 'herald.webhook.failing', 'herald.delivery.exhausted']],
    ['a herald delivery counts but emits nothing', HEALTHY, [done('failed', 10, { isHerald: true })], 1, 10, []],
  ];
  for (const [name, current, finished, count, since, types] of cases) {
    it(name, () => {
      const change = applyFinished(ref, current, finished);
      assert.equal(change.health.consecutiveFailures, count);
      assert.equal(change.health.failingSince, since);
      assert.deepEqual(change.emissions.map((e) => e.eventType), types);
    });
  }

  it('gives the contract data: webhook, count after the failure, delivery, event, error', () => {
    const change = applyFinished(ref, { consecutiveFailures: 1, failingSince: 1, disabledReason: null }, [done('failed', 10, { error: 'timeout' })]);
    assert.deepEqual(change.emissions[0].data, {
      webhook_id: 'wh_1',
      webhook_name: 'CRM',
      consecutive_failures: 2,
      delivery_id: 'dlv_10',
      event_id: 'ev_10',
      error: 'timeout',
    });
  });

  it('asks for the auto-disable check only after a failure that may cause herald events', () => {
    assert.equal(applyFinished(ref, HEALTHY, [done('failed', 1)]).shouldCheckAutoDisable, true);
    assert.equal(applyFinished(ref, HEALTHY, [done('failed', 1, { isHerald: true })]).shouldCheckAutoDisable, false);
    assert.equal(applyFinished(ref, HEALTHY, [done('success', 1)]).shouldCheckAutoDisable, false);
  });

  it('keeps the disabled reason', () => {
    assert.equal(applyFinished(ref, { ...HEALTHY, disabledReason: 'manual' }, [done('failed', 1)]).health.disabledReason, 'manual');
  });
});

describe('isAutoDisableDue', () => {
  const H = 3_600_000;
  const failing = (n: number, since: number): WebhookHealth => ({ consecutiveFailures: n, failingSince: since, disabledReason: null });
  const cases: Array<[string, WebhookHealth, { afterFailures: number; afterHours: number } | null, boolean, number, boolean]> = [
    ['no policy: never', failing(1000, 0), null, true, 10 * H, false],
    ['healthy: never', HEALTHY, { afterFailures: 1, afterHours: 0 }, true, 10 * H, false],
    ['N reached, after_hours 0: at once', failing(3, 100), { afterFailures: 3, afterHours: 0 }, true, 100, true],
    ['below N', failing(2, 0), { afterFailures: 3, afterHours: 0 }, true, 10 * H, false],
    ['N reached but not long enough', failing(5, 0), { afterFailures: 3, afterHours: 2 }, true, 2 * H - 1, false],
    ['N reached and long enough', failing(5, 0), { afterFailures: 3, afterHours: 2 }, true, 2 * H, true],
    ['already disabled: no', failing(5, 0), { afterFailures: 1, afterHours: 0 }, false, H, false],
  ];
  for (const [name, health, policy, enabled, now, expected] of cases) {
    it(name, () => assert.equal(isAutoDisableDue(health, policy, enabled, now), expected));
  }
});

describe('healthAfterToggle', () => {
  const sick: WebhookHealth = { consecutiveFailures: 4, failingSince: 9, disabledReason: 'auto' };
  it('enabling resets health', () => assert.deepEqual(healthAfterToggle(sick, false, true), HEALTHY));
  it('disabling by hand says manual and keeps the count', () =>
    assert.deepEqual(healthAfterToggle({ ...sick, disabledReason: null }, true, false), { ...sick, disabledReason: 'manual' }));
  it('no change of enabled: no change', () => {
    assert.equal(healthAfterToggle(sick, false, false), sick);
    assert.equal(healthAfterToggle(sick, true, true), sick);
  });
});

it('isHeraldType knows the herald feed', () => {
  assert.equal(isHeraldType('herald.webhook.failing'), true);
  assert.equal(isHeraldType('heraldx.y'), false);
  assert.equal(isHeraldType('reward.awarded'), false);
});
