// Events: POST /v1/events, idempotency, GET /v1/events/{id}, and bad input (API.md sections 3 and 5).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { ISO_UTC, UUID, assertError, assertInvalid, listAll, webhookBody } from './support.ts';

let h: Herald;
let r: Receiver;
let plain: any; // reward.awarded + badge.awarded, no filter
let filtered: any; // reward.awarded where reward_id is REW-VIP

before(async () => {
  h = await startHerald();
  r = await startReceiver();
  const create = async (body: Record<string, unknown>) => {
    const response = await h.api('POST', '/v1/webhooks', webhookBody(r.url, body));
    assert.equal(response.status, 201, response.text);
    return response.body;
  };
  plain = await create({ event_types: ['reward.awarded', 'badge.awarded'], retry: { attempts: 0 } });
  filtered = await create({ event_types: ['reward.awarded'], filter: { 'data.awarded_reward.reward_id': { $in: ['REW-VIP'] } }, retry: { attempts: 0 } });
  await create({ event_types: ['reward.awarded'], enabled: false });
  await create({ event_types: ['user.created'] });
});
after(async () => {
  await r?.close();
  await h?.stop();
});

const reward = (rewardId: string, extra: Record<string, unknown> = {}) => ({
  event_type: 'reward.awarded',
  user_id: 'john.new@example.com',
  data: { awarded_reward: { reward_id: rewardId, member_id: 'john.new@example.com' } },
  ...extra,
});

const received = (eventId: string) => r.requests.filter((req) => req.json?.event_id === eventId);
const deliveryCount = async () => (await listAll(h, `/v1/deliveries`)).length;

describe('POST /v1/events', () => {
  it('answers 202 {event_id, event_type, deliveries} counting enabled, subscribed, matching webhooks', async () => {
    const response = await h.api('POST', '/v1/events', reward('REW-VIP'));
    assert.equal(response.status, 202, response.text);
    assert.match(response.body.event_id, UUID);
    assert.equal(response.body.event_type, 'reward.awarded');
    assert.equal(response.body.deliveries, 2, 'plain + filtered; not the disabled one, not the user.created one');
    const other = await h.api('POST', '/v1/events', reward('REW-OTHER'));
    assert.equal(other.body.deliveries, 1, 'the filter rejects it');
    const nobody = await h.api('POST', '/v1/events', { event_type: 'journey.completed', data: {} });
    assert.equal(nobody.status, 202);
    assert.equal(nobody.body.deliveries, 0);
    const rows = await listAll(h, `/v1/deliveries?event_id=${response.body.event_id}`);
    assert.deepEqual(rows.map((row) => row.webhook_id).sort(), [plain.id, filtered.id].sort());
  });

  it('keeps a given event_id and event_timestamp, and delivers data exactly as sent', async () => {
    const eventId = randomUUID();
    const data = { awarded_reward: { reward_id: 'REW-X', extra_field: { nested: [1, 'two', null] } }, unknown_top: true, 'ünï': 'çødé' };
    const response = await h.api('POST', '/v1/events', { event_type: 'reward.awarded', event_id: eventId, event_timestamp: '2023-10-05T14:20:00.000Z', data });
    assert.equal(response.status, 202, response.text);
    assert.equal(response.body.event_id, eventId);
    await eventually(async () => received(eventId).length === 1, 10_000, 'the delivery');
    const envelope = received(eventId)[0].json;
    assert.deepEqual(envelope.data, data);
    assert.equal(envelope.event_timestamp, '2023-10-05T14:20:00.000Z');
    assert.equal(envelope.user_id, null, 'user_id defaults to null');
  });

  it('stores an event_timestamp with an offset as ISO 8601 UTC', async () => {
    const response = await h.api('POST', '/v1/events', { event_type: 'journey.completed', event_timestamp: '2023-10-05T16:20:00+02:00', data: {} });
    assert.equal(response.status, 202, response.text);
    const event = await h.api('GET', `/v1/events/${response.body.event_id}`);
    assert.equal(event.body.event_timestamp, '2023-10-05T14:20:00.000Z');
  });

  it('defaults event_timestamp to now and user_id to null; GET /v1/events/{id} shows the envelope and deliveries', async () => {
    const response = await h.api('POST', '/v1/events', { event_type: 'badge.awarded', data: { badge: { badge_id: 'B-1' } } });
    assert.equal(response.status, 202, response.text);
    const event = await h.api('GET', `/v1/events/${response.body.event_id}`);
    assert.equal(event.status, 200, event.text);
    assert.equal(event.body.event_id, response.body.event_id);
    assert.equal(event.body.event_type, 'badge.awarded');
    assert.equal(event.body.user_id, null);
    assert.equal(typeof event.body.schema_version, 'string');
    assert.deepEqual(event.body.data, { badge: { badge_id: 'B-1' } });
    assert.match(event.body.event_timestamp, ISO_UTC);
    assert.ok(Math.abs(Date.parse(event.body.event_timestamp) - Date.now()) < 60_000);
    assert.match(event.body.created_at, ISO_UTC);
    assert.ok(Array.isArray(event.body.deliveries));
    assert.equal(event.body.deliveries.length, 1);
    const row = event.body.deliveries[0];
    assert.equal(row.webhook_id, plain.id);
    assert.equal(row.webhook_name, plain.name);
    assert.equal(row.event_id, response.body.event_id);
    assert.ok(['pending', 'success', 'failed'].includes(row.status));
  });

  it('an event_id already accepted answers 200 with the first result and delivers nothing again', async () => {
    const eventId = randomUUID();
    const first = await h.api('POST', '/v1/events', reward('REW-VIP', { event_id: eventId }));
    assert.equal(first.status, 202, first.text);
    await eventually(async () => received(eventId).length === 2, 10_000, 'two deliveries');
    const deliveriesBefore = await deliveryCount();
    const again = await h.api('POST', '/v1/events', { event_type: 'badge.awarded', event_id: eventId, data: { other: 1 } });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, first.body);
    const same = await h.api('POST', '/v1/events', reward('REW-VIP', { event_id: eventId }));
    assert.equal(same.status, 200);
    assert.deepEqual(same.body, first.body);
    const stored = await h.api('GET', `/v1/events/${eventId}`);
    assert.equal(stored.body.event_type, 'reward.awarded', 'the first body is kept');
    assert.equal(await deliveryCount(), deliveriesBefore, 'no new delivery rows');
    // A marker event sent after the duplicates is delivered; by then a re-delivery would have shown up too.
    const marker = await h.api('POST', '/v1/events', reward('REW-OTHER'));
    await eventually(async () => received(marker.body.event_id).length === 1, 10_000, 'the marker');
    assert.equal(received(eventId).length, 2);
  });

  it('accepts the example envelope of every catalog type a client may send (not the herald feed: API.md §9)', async () => {
    const types = (await h.api('GET', '/v1/event-types')).body.data.filter((t: any) => t.feed !== 'herald');
    assert.equal(types.length, 11);
    for (const type of types) {
      const { event_type, data, user_id, event_timestamp } = type.example;
      const response = await h.api('POST', '/v1/events', { event_type, data, user_id, event_timestamp });
      assert.equal(response.status, 202, `${event_type}: ${response.text}`);
    }
  });
});

describe('POST /v1/events with bad input', () => {
  const BAD: Array<[string, unknown, string]> = [
    ['event_type missing', { data: {} }, 'event_type'],
    ['event_type unknown', { event_type: 'reward.stolen', data: {} }, 'event_type'],
    ['event_type not a string', { event_type: 7, data: {} }, 'event_type'],
    ['data missing', { event_type: 'reward.awarded' }, 'data'],
    ['data an array', { event_type: 'reward.awarded', data: [1, 2] }, 'data'],
    ['data a string', { event_type: 'reward.awarded', data: 'reward' }, 'data'],
    ['data null', { event_type: 'reward.awarded', data: null }, 'data'],
    ['a named field of the wrong type', reward('REW-1', { data: { awarded_reward: { reward_id: 12343 } } }), 'data.awarded_reward.reward_id'],
    ['a named object of the wrong type', reward('REW-1', { data: { awarded_reward: 'REW-1' } }), 'data.awarded_reward'],
    ['an integer field given a string', { event_type: 'reward.low_coupon_alert', data: { coupon_inventory: { remaining_coupons: 'twelve' } } }, 'data.coupon_inventory.remaining_coupons'],
    ['event_id not a UUID', reward('REW-1', { event_id: 'evt-123' }), 'event_id'],
    ['event_id a number', reward('REW-1', { event_id: 42 }), 'event_id'],
    ['event_timestamp not a date', reward('REW-1', { event_timestamp: 'yesterday' }), 'event_timestamp'],
    ['user_id not a string', reward('REW-1', { user_id: 42 }), 'user_id'],
  ];
  for (const [what, body, field] of BAD) {
    it(`${what} → 400 naming ${field}, nothing stored or delivered`, async () => {
      const before = await deliveryCount();
      const requests = r.requests.length;
      assertInvalid(await h.api('POST', '/v1/events', body), field);
      assert.equal(await deliveryCount(), before);
      assert.equal(r.requests.length, requests);
    });
  }

  it('a rejected event with a given event_id is not stored', async () => {
    const eventId = randomUUID();
    assertInvalid(await h.api('POST', '/v1/events', reward('REW-1', { event_id: eventId, data: { awarded_reward: { reward_id: 1 } } })), 'data.awarded_reward.reward_id');
    assertError(await h.api('GET', `/v1/events/${eventId}`), 404, 'not_found');
    const retried = await h.api('POST', '/v1/events', reward('REW-1', { event_id: eventId }));
    assert.equal(retried.status, 202, 'the same id is accepted once the body is fixed');
  });

  it('names every bad field at once', async () => {
    const response = await h.api('POST', '/v1/events', { event_type: 'reward.awarded', data: { awarded_reward: { reward_id: 1 } }, event_id: 'x', user_id: 5 });
    assertInvalid(response, 'data.awarded_reward.reward_id', 'event_id', 'user_id');
  });
});

describe('GET /v1/events/{event_id}', () => {
  it('answers 404 not_found for an unknown event id', async () => {
    assertError(await h.api('GET', `/v1/events/${randomUUID()}`), 404, 'not_found');
  });
});
