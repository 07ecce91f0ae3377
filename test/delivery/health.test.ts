// API.md §9 end to end with real receivers: health, auto-disable, the herald feed (delivered,
// never recursive), recover with include_missed, cancel. Runs on SQLite or PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, deliveriesOf, rewardEvent, sendEvent } from '../helpers/fixtures.ts';
import { assertError } from '../api/support.ts';

const HERALD_TYPES = ['herald.webhook.failing', 'herald.webhook.disabled', 'herald.delivery.exhausted'];

describe('delivery lifecycle: health, herald feed, recover, cancel', () => {
  let h: Herald;
  const receivers: Receiver[] = [];

  before(async () => {
    h = await startHerald();
  });
  after(async () => {
    await h.stop();
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function receiver(status = 200): Promise<Receiver> {
    const r = await startReceiver();
    r.respondWith(() => ({ status, body: String(status) }));
    receivers.push(r);
    return r;
  }

  const getWebhook = async (id: string) => {
    const response = await h.api('GET', `/v1/webhooks/${id}`);
    assert.equal(response.status, 200, response.text);
    return response.body;
  };

  /** Waits until every delivery of the event to the webhook has left pending. */
  async function finished(eventId: string, webhookId: string): Promise<any> {
    return eventually(async () => {
      const row = (await deliveriesOf(h, eventId)).find((d) => d.webhook_id === webhookId);
      return row && row.status !== 'pending' && row;
    }, 15_000, `delivery of ${eventId} to finish`);
  }

  it('counts failures in health, delivers herald events with the contract data, and never recurses', async () => {
    const failing = await receiver(500);
    const watcherReceiver = await receiver(200);
    // The second subscriber fails too: its failed herald deliveries must not cause more herald events.
    const brokenWatcherReceiver = await receiver(500);
    const webhook = await createWebhook(h, { name: 'Flaky CRM', url: failing.url, event_types: ['badge.awarded'], retry: { attempts: 0 } });
    assert.deepEqual(webhook.health, { consecutive_failures: 0, failing_since: null, disabled_reason: null });
    assert.equal(webhook.auto_disable, null);
    await createWebhook(h, { url: watcherReceiver.url, event_types: HERALD_TYPES, filter: { 'data.webhook_id': webhook.id } });
    const broken = await createWebhook(h, { url: brokenWatcherReceiver.url, event_types: HERALD_TYPES, filter: { 'data.webhook_id': webhook.id }, retry: { attempts: 0 } });

    const first = await sendEvent(h, { event_type: 'badge.awarded', data: {} });
    const firstRow = await finished(first.event_id, webhook.id);
    const second = await sendEvent(h, { event_type: 'badge.awarded', data: {} });
    await finished(second.event_id, webhook.id);

    const health = (await getWebhook(webhook.id)).health;
    assert.equal(health.consecutive_failures, 2);
    assert.ok(Date.parse(health.failing_since) <= Date.now());
    assert.equal(health.disabled_reason, null);

    await watcherReceiver.waitFor(3, 15_000);
    const got = watcherReceiver.requests.map((r) => r.json);
    assert.deepEqual(got.map((e) => e.event_type).sort(), ['herald.delivery.exhausted', 'herald.delivery.exhausted', 'herald.webhook.failing']);
    const failingEvent = got.find((e) => e.event_type === 'herald.webhook.failing');
    assert.deepEqual(failingEvent.data, {
      webhook_id: webhook.id,
      webhook_name: 'Flaky CRM',
      consecutive_failures: 1,
      delivery_id: firstRow.id,
      event_id: first.event_id,
      error: firstRow.error,
    });
    assert.ok(got.every((e) => e.user_id === null && typeof e.event_id === 'string'));

    // The broken watcher failed its 3 herald deliveries: it counts them, but nothing more is emitted.
    await brokenWatcherReceiver.waitFor(3, 15_000);
    await eventually(async () => (await getWebhook(broken.id)).health.consecutive_failures === 3, 10_000, 'broken watcher health');
    const heraldRows = (await h.api('GET', '/v1/deliveries?limit=500')).body.data.filter((d: any) => d.event_type.startsWith('herald.'));
    assert.equal(heraldRows.length, 6, 'three herald events, two subscribers each, and no more');
    assert.equal(watcherReceiver.requests.length, 3);

    // A success resets health.
    failing.respondWith(() => ({ status: 200 }));
    const third = await sendEvent(h, { event_type: 'badge.awarded', data: {} });
    await finished(third.event_id, webhook.id);
    assert.deepEqual((await getWebhook(webhook.id)).health, { consecutive_failures: 0, failing_since: null, disabled_reason: null });
  });

  it('auto-disables after N failures in a row (after_hours 0), emits herald.webhook.disabled once; enabling resets health', async () => {
    const failing = await receiver(503);
    const watcher = await receiver(200);
    const webhook = await createWebhook(h, { url: failing.url, event_types: ['journey.completed'], retry: { attempts: 0 }, auto_disable: { after_failures: 2, after_hours: 0 } });
    assert.deepEqual(webhook.auto_disable, { after_failures: 2, after_hours: 0 });
    await createWebhook(h, { url: watcher.url, event_types: ['herald.webhook.disabled'], filter: { 'data.webhook_id': webhook.id } });
    for (let i = 0; i < 2; i++) {
      const accepted = await sendEvent(h, { event_type: 'journey.completed', data: {} });
      await finished(accepted.event_id, webhook.id);
    }
    const disabled = await eventually(async () => {
      const w = await getWebhook(webhook.id);
      return !w.enabled && w;
    }, 10_000, 'auto-disable');
    assert.equal(disabled.status, 'inactive');
    assert.deepEqual([disabled.health.consecutive_failures, disabled.health.disabled_reason], [2, 'auto']);
    await watcher.waitFor(1, 15_000);
    assert.deepEqual(watcher.requests[0].json.data, { webhook_id: webhook.id, webhook_name: webhook.name, consecutive_failures: 2 });

    // Disabled: new events are not queued for it.
    const meanwhile = await sendEvent(h, { event_type: 'journey.completed', data: {} });
    assert.equal(meanwhile.deliveries, 0);

    const enabled = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: true });
    assert.equal(enabled.status, 200, enabled.text);
    assert.deepEqual(enabled.body.health, { consecutive_failures: 0, failing_since: null, disabled_reason: null });
    const manual = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: false });
    assert.equal(manual.body.health.disabled_reason, 'manual');
    assert.equal(watcher.requests.length, 1, 'one disabled event, none for a manual disable');
  });

  it('recovers failed deliveries and (include_missed) events accepted while it was disabled', async () => {
    const r = await receiver(500);
    const webhook = await createWebhook(h, { url: r.url, event_types: ['reward.awarded'], retry: { attempts: 0 }, filter: { 'data.awarded_reward.reward_id': { $in: ['REW-R'] } } });
    const since = new Date(Date.now() - 1000).toISOString();
    const failedEvent = await sendEvent(h, rewardEvent('REW-R'));
    assert.equal((await finished(failedEvent.event_id, webhook.id)).status, 'failed');
    const statsBefore = (await getWebhook(webhook.id)).stats;
    assert.deepEqual([statsBefore.total, statsBefore.failed], [1, 1]);
    await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: false });
    const missed = await sendEvent(h, rewardEvent('REW-R'));
    const notMatching = await sendEvent(h, rewardEvent('REW-OTHER'));
    assert.equal(missed.deliveries, 0);
    await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: true });
    r.respondWith(() => ({ status: 200 }));
    const before = r.requests.length;

    const backwards = await h.api('POST', `/v1/webhooks/${webhook.id}/recover`, { since: new Date().toISOString(), until: since });
    assertError(backwards, 400, 'validation_error');
    assert.ok(backwards.body.error.details.some((d: any) => d.field === 'since'));
    assert.equal(r.requests.length, before, 'a refused recover changes nothing');

    const recovered = await h.api('POST', `/v1/webhooks/${webhook.id}/recover`, { since, include_missed: true });
    assert.equal(recovered.status, 202, recovered.text);
    assert.deepEqual(recovered.body, { deliveries: 2 });
    await r.waitFor(before + 2, 15_000);
    const delivered = r.requests.slice(before).map((q) => q.json.event_id).sort();
    assert.deepEqual(delivered, [failedEvent.event_id, missed.event_id].sort());
    assert.equal((await finished(missed.event_id, webhook.id)).status, 'success');
    assert.equal((await finished(failedEvent.event_id, webhook.id)).status, 'success');
    assert.equal((await deliveriesOf(h, notMatching.event_id)).length, 0, 'the filter still applies');
    const stats = (await getWebhook(webhook.id)).stats;
    assert.deepEqual([stats.total, stats.succeeded, stats.failed], [2, 2, 0]);
    const again = await h.api('POST', `/v1/webhooks/${webhook.id}/recover`, { since, include_missed: true });
    assert.deepEqual(again.body, { deliveries: 0 }, 'nothing is recovered twice');
  });

  it('cancels a pending delivery (200, then 409); a try in flight does not bring it back; stats ignore it', async () => {
    const r = await receiver(200);
    r.respondWith(() => ({ status: 200, delayMs: 1500 }));
    const webhook = await createWebhook(h, { url: r.url, event_types: ['user.updated'], retry: { attempts: 0 } });
    const accepted = await sendEvent(h, { event_type: 'user.updated', data: {} });
    await r.waitFor(1, 10_000); // the try is in flight now
    const [row] = await deliveriesOf(h, accepted.event_id);
    const cancelled = await h.api('POST', `/v1/deliveries/${row.id}/cancel`);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(cancelled.body.id, row.id);
    // The try's answer arrives and is recorded as an attempt; the delivery stays cancelled.
    await eventually(async () => (await h.api('GET', `/v1/deliveries/${row.id}`)).body.attempt_log.length === 1, 10_000, 'the in-flight try to be recorded');
    const detail = (await h.api('GET', `/v1/deliveries/${row.id}`)).body;
    assert.equal(detail.status, 'cancelled');
    assertError(await h.api('POST', `/v1/deliveries/${row.id}/cancel`), 409, 'conflict');
    assertError(await h.api('POST', '/v1/deliveries/dlv_00000000000000000000ZZ/cancel'), 404, 'not_found');
    const listed = (await h.api('GET', `/v1/deliveries?status=cancelled&webhook_id=${webhook.id}`)).body.data;
    assert.deepEqual(listed.map((d: any) => d.id), [row.id]);
    const stats = (await getWebhook(webhook.id)).stats;
    assert.deepEqual([stats.total, stats.succeeded, stats.failed, stats.success_rate], [0, 0, 0, null]);
  });
});
