// Store contract, API.md §9 part: health, auto-disable, herald events, cancel and recover.
// Called from storeContract() so it runs on every adapter.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { AttemptRecord, ClaimedDelivery, Store, WebhookRow } from '../../src/store/ports.ts';
import { DEFAULT_TENANT as T, type DeliveryId } from '../../src/domain/ids.ts';

export interface LifecycleHelpers {
  store: () => Store;
  claimAll: (owner: string, webhookIds: string[], limit?: number, now?: number) => Promise<ClaimedDelivery[]>;
  attempt: (deliveryId: DeliveryId, webhookId: string, n: number, next: AttemptRecord['next'], statusCode?: number | null) => AttemptRecord;
  webhookRow: (overrides?: Partial<WebhookRow>) => WebhookRow;
  newEvent: typeof import('./contract.ts').newEvent;
}

const HERALD = ['herald.webhook.failing', 'herald.webhook.disabled', 'herald.delivery.exhausted'];

export function lifecycleContract(h: LifecycleHelpers): void {
  /** One delivery to `w`, claimed and recorded as the given final state. */
  async function finish(w: WebhookRow, status: 'failed' | 'success', code = status === 'failed' ? 503 : 200) {
    const store = h.store();
    const event = h.newEvent([w.id]);
    await store.ingest([event]);
    const [d] = (await h.claimAll('o', [w.id])).filter((c) => c.eventId === event.eventId);
    const summary = await store.recordAttempts('o', [h.attempt(d.id, w.id, d.attempts + 1, { status }, code)]);
    return { delivery: d, event, summary };
  }

  /** The herald events delivered to a subscriber, oldest first: [type, data]. */
  async function heraldReceived(subscriber: WebhookRow): Promise<Array<[string, any]>> {
    const store = h.store();
    const rows = await store.listDeliveries(T, { webhookId: subscriber.id, limit: 100 });
    const out: Array<[string, any]> = [];
    for (const row of rows.reverse()) {
      const detail = await store.getDelivery(T, row.id);
      const envelope = JSON.parse(detail!.body);
      assert.equal(envelope.event_type, row.eventType);
      assert.equal(envelope.user_id, null);
      out.push([row.eventType, envelope.data]);
    }
    return out;
  }

  it('§9 health: counts failed deliveries in a row, a success resets it; herald events reach subscribers', async () => {
    const store = h.store();
    const w = h.webhookRow({ name: 'Flaky' });
    const sub = h.webhookRow({ eventTypes: HERALD });
    await store.insertWebhook(T, w);
    await store.insertWebhook(T, sub);
    assert.deepEqual((await store.webhookHealth(T, [w.id])).get(w.id), { consecutiveFailures: 0, failingSince: null, disabledReason: null });
    const first = await finish(w, 'failed');
    assert.equal(first.summary.queued, 2, 'failing + exhausted, one delivery each to the subscriber');
    await finish(w, 'failed');
    const health = (await store.webhookHealth(T, [w.id])).get(w.id)!;
    assert.equal(health.consecutiveFailures, 2);
    assert.ok(health.failingSince! > 0 && health.failingSince! <= Date.now());
    const received = await heraldReceived(sub);
    assert.deepEqual(received.map(([type]) => type), ['herald.webhook.failing', 'herald.delivery.exhausted', 'herald.delivery.exhausted']);
    assert.deepEqual(received[0][1], {
      webhook_id: w.id,
      webhook_name: 'Flaky',
      consecutive_failures: 1,
      delivery_id: first.delivery.id,
      event_id: first.event.eventId,
      error: 'HTTP 503',
    });
    assert.equal(received[2][1].consecutive_failures, 2);
    await finish(w, 'success');
    assert.deepEqual((await store.webhookHealth(T, [w.id])).get(w.id), { consecutiveFailures: 0, failingSince: null, disabledReason: null });
    await finish(w, 'failed');
    assert.equal((await heraldReceived(sub)).filter(([t]) => t === 'herald.webhook.failing').length, 2, 'failing again after a success');
  });

  it('§9 a failed delivery of a herald event causes no herald event', async () => {
    const store = h.store();
    const w = h.webhookRow();
    const sub = h.webhookRow({ eventTypes: HERALD });
    await store.insertWebhook(T, w);
    await store.insertWebhook(T, sub);
    await finish(w, 'failed');
    const heraldDeliveries = await h.claimAll('o', [sub.id]);
    assert.equal(heraldDeliveries.length, 2);
    const summary = await store.recordAttempts(
      'o',
      heraldDeliveries.map((d) => h.attempt(d.id, sub.id, 1, { status: 'failed' }, 500)),
    );
    assert.equal(summary.queued, 0);
    assert.equal((await store.listDeliveries(T, { webhookId: sub.id, limit: 10 })).length, 2, 'nothing new for the subscriber');
    assert.equal((await store.webhookHealth(T, [sub.id])).get(sub.id)!.consecutiveFailures, 2, 'its health still counts them');
  });

  it('§9 auto-disable after N failures (after_hours 0): disabled "auto", one herald.webhook.disabled, revision moves', async () => {
    const store = h.store();
    const w = h.webhookRow({ autoDisable: { afterFailures: 2, afterHours: 0 } });
    const sub = h.webhookRow({ eventTypes: ['herald.webhook.disabled'] });
    await store.insertWebhook(T, w);
    await store.insertWebhook(T, sub);
    assert.deepEqual((await store.getWebhook(T, w.id))!.autoDisable, { afterFailures: 2, afterHours: 0 });
    const one = await finish(w, 'failed');
    assert.deepEqual(one.summary.disabled, []);
    assert.equal((await store.getWebhook(T, w.id))!.enabled, true);
    const r0 = await store.configRevision();
    const two = await finish(w, 'failed');
    assert.deepEqual(two.summary.disabled, [w.id]);
    assert.equal((await store.getWebhook(T, w.id))!.enabled, false);
    assert.ok((await store.configRevision()) > r0);
    assert.deepEqual((await store.webhookHealth(T, [w.id])).get(w.id)!.disabledReason, 'auto');
    const received = await heraldReceived(sub);
    assert.deepEqual(received, [['herald.webhook.disabled', { webhook_id: w.id, webhook_name: w.name, consecutive_failures: 2 }]]);
    assert.deepEqual((await store.autoDisableDue(Date.now() + 3_600_000)).disabled, [], 'already disabled: not again');
  });

  it('§9 auto-disable by time (the sweep): only once the first failure is after_hours old', async () => {
    const store = h.store();
    const w = h.webhookRow({ autoDisable: { afterFailures: 1, afterHours: 2 } });
    await store.insertWebhook(T, w);
    await finish(w, 'failed');
    assert.equal((await store.getWebhook(T, w.id))!.enabled, true, 'the failure is not 2 hours old');
    assert.deepEqual((await store.autoDisableDue(Date.now() + 3_600_000)).disabled, []);
    const swept = await store.autoDisableDue(Date.now() + 2 * 3_600_000 + 1000);
    assert.deepEqual(swept.disabled, [w.id]);
    assert.equal((await store.getWebhook(T, w.id))!.enabled, false);
    assert.deepEqual((await store.autoDisableDue(Date.now() + 3 * 3_600_000)).disabled, []);
  });

  it('§9 a manual disable records "manual"; enabling resets health', async () => {
    const store = h.store();
    const w = h.webhookRow();
    await store.insertWebhook(T, w);
    await finish(w, 'failed');
    await store.updateWebhook(T, { ...w, enabled: false });
    assert.deepEqual((await store.webhookHealth(T, [w.id])).get(w.id)!.disabledReason, 'manual');
    assert.equal((await store.webhookHealth(T, [w.id])).get(w.id)!.consecutiveFailures, 1, 'disabling keeps the count');
    await store.updateWebhook(T, { ...w, enabled: true });
    assert.deepEqual((await store.webhookHealth(T, [w.id])).get(w.id), { consecutiveFailures: 0, failingSince: null, disabledReason: null });
    const created = h.webhookRow({ enabled: false });
    await store.insertWebhook(T, created);
    assert.equal((await store.webhookHealth(T, [created.id])).get(created.id)!.disabledReason, 'manual');
  });

  it('§9 cancel: a pending delivery ends cancelled, a try in flight cannot bring it back, not in stats', async () => {
    const store = h.store();
    const w = h.webhookRow();
    await store.insertWebhook(T, w);
    await store.ingest([h.newEvent([w.id])]);
    const [d] = await h.claimAll('o', [w.id]);
    assert.equal(await store.cancelDelivery(T, d.id), 'cancelled');
    assert.equal(await store.cancelDelivery(T, d.id), 'not_pending');
    assert.equal(await store.cancelDelivery(T, 'dlv_00000000000000000000ZZ'), 'not_found');
    await store.recordAttempts('o', [h.attempt(d.id, w.id, 1, { status: 'success' }, 200)]);
    const row = (await store.getDelivery(T, d.id))!;
    assert.deepEqual([row.status, row.attempts], ['cancelled', 0]);
    assert.equal((await store.listAttempts(T, d.id)).length, 1, 'the try is in the attempt log');
    assert.deepEqual((await store.listDeliveries(T, { status: 'cancelled', limit: 10 })).map((r) => r.id), [d.id]);
    assert.deepEqual(await h.claimAll('p', [w.id]), [], 'a cancelled delivery is never claimed');
    const stats = (await store.webhookStats(T, [w.id])).get(w.id);
    assert.deepEqual([stats?.total ?? 0, stats?.succeeded ?? 0, stats?.failed ?? 0], [0, 0, 0]);
    assert.equal(await store.requeueDelivery(T, d.id, Date.now()), 'requeued', 'a cancelled delivery may be retried by hand');
    const after = (await store.webhookStats(T, [w.id])).get(w.id);
    assert.deepEqual([after?.total ?? 0, after?.failed ?? 0], [0, 0], 'and the stats do not go negative');
  });

  it('§9 recover: failed deliveries of the window get a fresh round; include_missed fills what it never got', async () => {
    const store = h.store();
    const w = h.webhookRow({ eventTypes: ['reward.awarded', 'badge.awarded'], filter: { 'data.keep': true } });
    await store.insertWebhook(T, w);
    const since = Date.now() - 1;
    const failed = await finish(w, 'failed');
    // Accepted with no delivery to w (as while it was disabled): two match its filter, one not, one other type.
    const body = (keep: boolean) => JSON.stringify({ event_type: 'reward.awarded', data: { keep } });
    const missed = [h.newEvent([], { body: body(true) }), h.newEvent([], { body: body(true), eventType: 'badge.awarded' }), h.newEvent([], { body: body(false) }), h.newEvent([], { body: body(true), eventType: 'user.created' })];
    await store.ingest(missed);
    const until = Date.now();
    const window = { since, until, nowMs: Date.now(), limit: 100_000, batchSize: 1 };

    assert.deepEqual(await store.recoverDeliveries(T, w.id, { ...window, includeMissed: true, limit: 2 }), { status: 'too_many', count: 3 });
    assert.equal((await store.getDelivery(T, failed.delivery.id))!.status, 'failed', 'too many: nothing changed');
    assert.equal((await store.listDeliveries(T, { webhookId: w.id, limit: 10 })).length, 1);

    assert.deepEqual(await store.recoverDeliveries(T, w.id, { ...window, includeMissed: false }), { status: 'ok', deliveries: 1 });
    assert.equal((await store.getDelivery(T, failed.delivery.id))!.status, 'pending');
    assert.equal((await store.webhookStats(T, [w.id])).get(w.id)!.failed, 0, 'out of the stats until its round ends');
    assert.deepEqual(await store.recoverDeliveries(T, w.id, { ...window, includeMissed: true }), { status: 'ok', deliveries: 2 });
    const rows = await store.listDeliveries(T, { webhookId: w.id, limit: 10 });
    assert.deepEqual(rows.map((r) => r.eventId).sort(), [failed.event.eventId, missed[0].eventId, missed[1].eventId].sort());
    assert.deepEqual(await store.recoverDeliveries(T, w.id, { ...window, includeMissed: true }), { status: 'ok', deliveries: 0 }, 'nothing twice');
    const claimed = await h.claimAll('o', [w.id]);
    assert.equal(claimed.length, 3, 'all due now');
    assert.deepEqual(await store.recoverDeliveries(T, 'wh_00000000000000000000ZZ', { ...window, includeMissed: true }), { status: 'not_found' });
  });
}
