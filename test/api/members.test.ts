// API.md §10 over HTTP: ordering / supersede fields and their bad input, member lookup
// (GET /v1/deliveries?user_id=, GET /v1/events) and erasure (DELETE /v1/members/{user_id}),
// including, on SQLite, the raw database and WAL files and Herald's own logs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { eventually, startHerald, TEST_STORE, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { assertError, assertInvalid, listAll, webhookBody } from './support.ts';

let h: Herald;
let r: Receiver;

before(async () => {
  h = await startHerald();
  r = await startReceiver();
});
after(async () => {
  await r?.close();
  await h?.stop();
});

const reward = (userId: string | null, rewardId: string) => ({
  event_type: 'reward.awarded',
  user_id: userId,
  data: { awarded_reward: { reward_id: rewardId, member_id: userId ?? 'nobody', awarded_by: 'Journey' } },
});

describe('webhook fields ordering and supersede', () => {
  it('default to none and []; are stored, patched and shown', async () => {
    const created = await h.api('POST', '/v1/webhooks', webhookBody(r.url));
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.ordering, 'none');
    assert.deepEqual(created.body.supersede, []);
    const patched = await h.api('PATCH', `/v1/webhooks/${created.body.id}`, {
      ordering: 'member',
      event_types: ['reward.awarded', 'point_balance.user_updated'],
      supersede: ['point_balance.user_updated'],
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.ordering, 'member');
    assert.deepEqual(patched.body.supersede, ['point_balance.user_updated']);
    const read = await h.api('GET', `/v1/webhooks/${created.body.id}`);
    assert.equal(read.body.ordering, 'member');
    assert.deepEqual(read.body.supersede, ['point_balance.user_updated']);
  });

  it('reject a bad ordering and supersede naming unknown or unsubscribed types, changing nothing', async () => {
    assertInvalid(await h.api('POST', '/v1/webhooks', webhookBody(r.url, { ordering: 'fifo' })), 'ordering');
    const unknown = await h.api('POST', '/v1/webhooks', webhookBody(r.url, { supersede: ['reward.nope'] }));
    assertInvalid(unknown, 'supersede');
    assert.match(unknown.body.error.details.find((d: any) => d.field === 'supersede').message, /reward\.nope/);
    const unsubscribed = await h.api('POST', '/v1/webhooks', webhookBody(r.url, { supersede: ['badge.awarded'] }));
    assertInvalid(unsubscribed, 'supersede');
    assert.match(unsubscribed.body.error.details.find((d: any) => d.field === 'supersede').message, /does not subscribe/);
    const created = await h.api('POST', '/v1/webhooks', webhookBody(r.url, { event_types: ['reward.awarded', 'badge.awarded'], supersede: ['badge.awarded'] }));
    assert.equal(created.status, 201, created.text);
    // Narrowing event_types must not leave supersede naming a type no longer subscribed.
    assertInvalid(await h.api('PATCH', `/v1/webhooks/${created.body.id}`, { event_types: ['reward.awarded'] }), 'supersede');
    assertInvalid(await h.api('PATCH', `/v1/webhooks/${created.body.id}`, { ordering: 'x' }), 'ordering');
    const unchanged = await h.api('GET', `/v1/webhooks/${created.body.id}`);
    assert.deepEqual(unchanged.body.event_types, ['reward.awarded', 'badge.awarded']);
    assert.equal(unchanged.body.ordering, 'none');
  });
});

describe('member lookup', () => {
  it('user_id on delivery rows and as a filter; GET /v1/events newest first with filters and cursor pages', async () => {
    await h.api('POST', '/v1/webhooks', webhookBody(r.url, { event_types: ['reward.awarded', 'badge.awarded'] }));
    const member = `lookup-${Date.now()}`;
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await h.api('POST', '/v1/events', reward(member, `L-${i}`));
      assert.equal(response.status, 202, response.text);
      sent.push(response.body.event_id);
    }
    await h.api('POST', '/v1/events', reward('someone-else', 'L-x'));
    const badge = await h.api('POST', '/v1/events', { event_type: 'badge.awarded', user_id: member, data: { badge: { badge_id: 'B-1' } } });
    assert.equal(badge.status, 202, badge.text);
    const deliveries = await listAll(h, `/v1/deliveries?user_id=${encodeURIComponent(member)}`);
    assert.ok(deliveries.length >= 6);
    assert.ok(deliveries.every((d) => d.user_id === member));
    const events = await listAll(h, `/v1/events?user_id=${encodeURIComponent(member)}`, 2);
    assert.deepEqual(events.map((e) => e.event_id), [badge.body.event_id, ...[...sent].reverse()], 'newest first, every page');
    const first = events[0];
    assert.equal(first.user_id, member);
    assert.equal(first.schema_version !== undefined && typeof first.created_at, 'string');
    assert.deepEqual(first.data, { badge: { badge_id: 'B-1' } });
    const badges = await listAll(h, `/v1/events?user_id=${encodeURIComponent(member)}&event_type=badge.awarded`);
    assert.deepEqual(badges.map((e) => e.event_id), [badge.body.event_id]);
    const future = await h.api('GET', '/v1/events?start_date=2100-01-01');
    assert.deepEqual(future.body.data, []);
    assertInvalid(await h.api('GET', '/v1/events?event_type=nope.nope'), 'event_type');
    assertInvalid(await h.api('GET', '/v1/events?cursor=garbage'), 'cursor');
    assertInvalid(await h.api('GET', '/v1/events?start_date=yesterday'), 'start_date');
    assertInvalid(await h.api('GET', `/v1/deliveries?user_id=${'x'.repeat(1001)}`), 'user_id');
  });
});

describe('erasure', () => {
  it('DELETE /v1/members/{user_id} removes the payloads from the API, the logs and the database files', async () => {
    const webhook = await h.api('POST', '/v1/webhooks', webhookBody(r.url, { retry: { attempts: 5, delay_seconds: 60 } }));
    // Some tries succeed, some leave pending deliveries waiting for a retry.
    let calls = 0;
    r.respondWith(() => ({ status: ++calls % 2 === 0 ? 500 : 200, body: 'fine' }));
    const member = 'erase.me@example.com';
    const marker = `MARKER-${Math.random().toString(36).slice(2)}-ZQX`;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await h.api('POST', '/v1/events', reward(member, `${marker}-${i}`));
      assert.equal(response.status, 202, response.text);
      ids.push(response.body.event_id);
    }
    const kept = await h.api('POST', '/v1/events', reward('kept@example.com', 'KEPT-1'));
    await eventually(async () => {
      const rows = await listAll(h, `/v1/deliveries?user_id=${encodeURIComponent(member)}&webhook_id=${webhook.body.id}`);
      return rows.length === 6 && rows.every((d) => d.attempts >= 1);
    }, 15_000, 'every delivery tried once');
    const statsBefore = (await h.api('GET', `/v1/webhooks/${webhook.body.id}`)).body.stats;

    const erased = await h.api('DELETE', `/v1/members/${encodeURIComponent(member)}`);
    assert.equal(erased.status, 200, erased.text);
    assert.equal(erased.body.events, 6);
    assert.ok(erased.body.deliveries >= 6, erased.text);

    for (const id of ids) assertError(await h.api('GET', `/v1/events/${id}`), 404, 'not_found');
    assert.deepEqual((await h.api('GET', `/v1/deliveries?user_id=${encodeURIComponent(member)}`)).body.data, []);
    assert.deepEqual((await h.api('GET', `/v1/events?user_id=${encodeURIComponent(member)}`)).body.data, []);
    assert.equal((await h.api('GET', `/v1/events/${kept.body.event_id}`)).status, 200, 'other members stay');
    const statsAfter = (await h.api('GET', `/v1/webhooks/${webhook.body.id}`)).body.stats;
    assert.ok(statsAfter.total >= statsBefore.total, 'stats are kept');
    const again = await h.api('DELETE', `/v1/members/${encodeURIComponent(member)}`);
    assert.deepEqual(again.body, { events: 0, deliveries: 0 });

    assert.ok(!h.logs().includes(marker), 'the payloads never reached the logs');
    if (TEST_STORE === 'sqlite') {
      for (const file of [h.dbPath, `${h.dbPath}-wal`]) {
        if (!existsSync(file)) continue;
        assert.equal(readFileSync(file).includes(Buffer.from(marker)), false, `${file} holds no byte of the payloads`);
      }
      assert.ok(readFileSync(h.dbPath).includes(Buffer.from('KEPT-1')) || readFileSync(`${h.dbPath}-wal`).includes(Buffer.from('KEPT-1')), 'the check can fail: other payloads are found');
    }
  });

  it('an empty or over-long user_id is a 400 naming user_id, and erases nothing', async () => {
    assertInvalid(await h.api('DELETE', `/v1/members/${'u'.repeat(1001)}`), 'user_id');
    assertInvalid(await h.api('DELETE', '/v1/members/'), 'user_id');
  });
});
