// Events: POST /v1/events/batch, per-item results and partial success (API.md section 5).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { UUID, assertError, assertInvalid, listAll, webhookBody } from './support.ts';

let h: Herald;
let r: Receiver;
let webhook: any;

before(async () => {
  h = await startHerald();
  r = await startReceiver();
  const response = await h.api('POST', '/v1/webhooks', webhookBody(r.url, { event_types: ['reward.awarded', 'user.created'], retry: { attempts: 0 } }));
  assert.equal(response.status, 201, response.text);
  webhook = response.body;
});
after(async () => {
  await r?.close();
  await h?.stop();
});

const reward = (rewardId: string, extra: Record<string, unknown> = {}) => ({
  event_type: 'reward.awarded',
  data: { awarded_reward: { reward_id: rewardId } },
  ...extra,
});
const deliveryCount = async () => (await listAll(h, '/v1/deliveries')).length;

describe('POST /v1/events/batch', () => {
  it('answers 202 with one result per event, in request order, accepting the good ones', async () => {
    const known = randomUUID();
    const first = await h.api('POST', '/v1/events', reward('REW-0', { event_id: known }));
    assert.equal(first.status, 202, first.text);
    const givenId = randomUUID();
    const response = await h.api('POST', '/v1/events/batch', {
      events: [
        reward('REW-1', { event_id: givenId }),
        { event_type: 'reward.stolen', data: {} },
        { event_type: 'user.created', data: { user: { member_id: 'm-1' } } },
        reward('REW-3', { data: { awarded_reward: { reward_id: 3 } } }),
        reward('REW-4', { event_id: known }),
        { event_type: 'badge.awarded', data: {} },
        { event_type: 'reward.awarded', data: 'not an object' },
      ],
    });
    assert.equal(response.status, 202, response.text);
    const items = response.body.data;
    assert.equal(items.length, 7);
    assert.deepEqual(items[0], { status: 202, event_id: givenId, event_type: 'reward.awarded', deliveries: 1 });
    assert.equal(items[1].status, 400);
    assert.equal(items[1].error.code, 'validation_error');
    assert.ok(items[1].error.details.some((d: any) => d.field === 'event_type'), JSON.stringify(items[1]));
    assert.equal(items[2].status, 202);
    assert.match(items[2].event_id, UUID);
    assert.equal(items[2].event_type, 'user.created');
    assert.equal(items[2].deliveries, 1);
    assert.equal(items[3].status, 400);
    assert.ok(items[3].error.details.some((d: any) => d.field === 'data.awarded_reward.reward_id'), JSON.stringify(items[3]));
    assert.deepEqual(items[4], { status: 200, ...first.body }, 'an already accepted event_id answers the first result');
    assert.deepEqual(items[5].status, 202);
    assert.equal(items[5].deliveries, 0, 'badge.awarded has no subscriber');
    assert.equal(items[6].status, 400);
    assert.ok(items[6].error.details.some((d: any) => d.field === 'data'), JSON.stringify(items[6]));
    for (const item of items.filter((i: any) => i.status === 400)) assert.equal(typeof item.error.message, 'string');

    await eventually(async () => r.requests.some((req) => req.json?.event_id === givenId), 10_000, 'the first batch item delivered');
    await eventually(async () => r.requests.some((req) => req.json?.event_id === items[2].event_id), 10_000, 'the third delivered');
    assert.equal((await h.api('GET', `/v1/events/${items[5].event_id}`)).status, 200);
    assert.equal((await h.api('GET', `/v1/events/${givenId}`)).body.data.awarded_reward.reward_id, 'REW-1');
  });

  it('the same new event_id twice in one batch is accepted once', async () => {
    const id = randomUUID();
    const response = await h.api('POST', '/v1/events/batch', { events: [reward('A', { event_id: id }), reward('B', { event_id: id })] });
    assert.equal(response.status, 202, response.text);
    const [one, two] = response.body.data;
    assert.equal(one.status, 202);
    assert.equal(two.status, 200);
    assert.deepEqual({ ...two, status: 202 }, one);
    assert.equal((await listAll(h, `/v1/deliveries?event_id=${id}`)).length, 1);
  });

  it('accepts 1000 events', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ event_type: 'badge.awarded', data: { badge: { badge_id: `B-${i}` } } }));
    const response = await h.api('POST', '/v1/events/batch', { events });
    assert.equal(response.status, 202, response.text.slice(0, 300));
    assert.equal(response.body.data.length, 1000);
    assert.ok(response.body.data.every((item: any) => item.status === 202));
    assert.equal(new Set(response.body.data.map((item: any) => item.event_id)).size, 1000);
  });
});

describe('POST /v1/events/batch with a bad envelope', () => {
  const BAD: Array<[string, unknown]> = [
    ['1001 events', { events: Array.from({ length: 1001 }, () => reward('REW-1')) }],
    ['no events', { events: [] }],
    ['events missing', {}],
    ['events not an array', { events: reward('REW-1') }],
  ];
  for (const [what, body] of BAD) {
    it(`${what} → 400 naming events, nothing accepted`, async () => {
      const before = await deliveryCount();
      const requests = r.requests.length;
      assertInvalid(await h.api('POST', '/v1/events/batch', body), 'events');
      assert.equal(await deliveryCount(), before);
      assert.equal(r.requests.length, requests);
    });
  }

  it('a 1001-event batch stores none of its event ids', async () => {
    const id = randomUUID();
    const events = [reward('REW-1', { event_id: id }), ...Array.from({ length: 1000 }, () => reward('REW-2'))];
    assertInvalid(await h.api('POST', '/v1/events/batch', { events }), 'events');
    assertError(await h.api('GET', `/v1/events/${id}`), 404, 'not_found');
  });

  it('an item that is not an object is a per-item 400, the others still accepted', async () => {
    const response = await h.api('POST', '/v1/events/batch', { events: ['nope', reward('REW-OK')] });
    assert.equal(response.status, 202, response.text);
    assert.equal(response.body.data[0].status, 400);
    assert.equal(response.body.data[0].error.code, 'validation_error');
    assert.equal(response.body.data[1].status, 202);
    assert.equal(response.body.data[1].deliveries, 1);
  });
});
