// Disable, enable and delete while deliveries wait for retries (API.md §4).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, deliveriesOf, deliveryDetail, sendEvent } from '../helpers/fixtures.ts';

describe('webhook lifecycle during pending retries', () => {
  let h: Herald;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    h = await startHerald();
  });
  after(async () => {
    await h.stop();
    await receiver.close();
  });

  it('holds pending retries while disabled, queues nothing new, and resumes when enabled', async () => {
    let isHealthy = false;
    receiver.respondWith(() => ({ status: isHealthy ? 200 : 500 }));
    const webhook = await createWebhook(h, { url: receiver.url, event_types: ['journey.abandoned'], retry: { attempts: 5, delay_seconds: 1 } });
    const first = await sendEvent(h, { event_type: 'journey.abandoned', data: {} });
    await receiver.waitFor(1);

    const disabled = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: false });
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.enabled, false);
    assert.equal(disabled.body.status, 'inactive');
    const countAtDisable = receiver.requests.length;

    const meanwhile = await h.api('POST', '/v1/events', { event_type: 'journey.abandoned', data: {} });
    assert.equal(meanwhile.status, 202);
    assert.equal(meanwhile.body.deliveries, 0, 'an event accepted while disabled is not queued for it');
    assert.deepEqual(await deliveriesOf(h, meanwhile.body.event_id), []);

    // The retry was due 1 s after the first try; wait well past it (by the store's own clock:
    // the delivery must still be pending with no new attempt).
    const waitUntil = Date.now() + 2500;
    await eventually(async () => Date.now() > waitUntil, 5000, 'the retry delay to pass');
    const [held] = await deliveriesOf(h, first.event_id);
    assert.equal(held.status, 'pending');
    assert.ok(receiver.requests.length <= countAtDisable + 1, 'at most the try already in flight when disabling');

    isHealthy = true;
    const enabled = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: true });
    assert.equal(enabled.body.enabled, true);
    const done = await eventually(async () => {
      const [d] = await deliveriesOf(h, first.event_id);
      return d.status === 'success' && d;
    }, 10_000, 'the held delivery to resume and succeed');
    assert.ok(done.attempts >= 2);
  });

  it('fails pending deliveries as "webhook deleted" and keeps their logs readable', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const webhook = await createWebhook(h, { url: receiver.url, event_types: ['badge.awarded'], retry: { attempts: 5, delay_seconds: 60 } });
    const before = receiver.requests.length;
    const accepted = await sendEvent(h, { event_type: 'badge.awarded', data: {} });
    await receiver.waitFor(before + 1);
    const [pending] = await eventually(async () => {
      const rows = await deliveriesOf(h, accepted.event_id);
      return rows.length === 1 && rows[0].attempts === 1 && rows;
    }, 10_000, 'the first failed try to be recorded');
    assert.equal(pending.status, 'pending');

    const deleted = await h.api('DELETE', `/v1/webhooks/${webhook.id}`);
    assert.equal(deleted.status, 204);
    assert.equal((await h.api('GET', `/v1/webhooks/${webhook.id}`)).status, 404);

    const [row] = await deliveriesOf(h, accepted.event_id);
    assert.equal(row.status, 'failed');
    assert.equal(row.error, 'webhook deleted');
    assert.equal(row.webhook_name, webhook.name);
    const detail = await deliveryDetail(h, row.id);
    assert.equal(detail.attempt_log.length, 1);
    assert.equal(detail.envelope.event_id, accepted.event_id);
    const retry = await h.api('POST', `/v1/deliveries/${row.id}/retry`);
    assert.equal(retry.status, 409, 'a delivery of a deleted webhook cannot be resent');

    const after = await h.api('POST', '/v1/events', { event_type: 'badge.awarded', data: {} });
    assert.equal(after.body.deliveries, 0, 'a deleted webhook gets no new deliveries');
  });

  it('lets a deleted webhook\'s name be used again', async () => {
    const webhook = await createWebhook(h, { url: receiver.url, name: 'Reusable name' });
    assert.equal((await h.api('DELETE', `/v1/webhooks/${webhook.id}`)).status, 204);
    const again = await createWebhook(h, { url: receiver.url, name: 'reusable NAME' });
    assert.notEqual(again.id, webhook.id);
  });

  it('uses the current retry policy for tries after a change', async () => {
    receiver.respondWith(() => ({ status: 500 }));
    const webhook = await createWebhook(h, { url: receiver.url, event_types: ['user.created'], retry: { attempts: 10, delay_seconds: 1 } });
    const accepted = await sendEvent(h, { event_type: 'user.created', data: {} });
    await eventually(async () => (await deliveriesOf(h, accepted.event_id))[0]?.attempts >= 1, 10_000, 'a first try');
    const patched = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { retry: { attempts: 1 } });
    assert.deepEqual(patched.body.retry, { attempts: 1, delay_seconds: 1, timeout_seconds: 15, backoff: 'fixed', max_delay_seconds: 3600 }, 'retry merges field by field');
    const [done] = await eventually(async () => {
      const rows = await deliveriesOf(h, accepted.event_id);
      return rows[0].status === 'failed' && rows;
    }, 10_000, 'the delivery to fail under the new policy');
    assert.equal(done.attempts, 2);
  });
});
