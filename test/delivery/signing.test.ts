// What a receiver gets: headers, exact body, and authentication it can verify with the
// standard libraries (standardwebhooks, svix, jose).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { jwtVerify } from 'jose';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, sendEvent } from '../helpers/fixtures.ts';

describe('what a receiver gets', () => {
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

  const headersOf = (i: number) => receiver.requests[i].headers as Record<string, string>;

  it('sends the envelope exactly, with webhook-id, webhook-timestamp, user-agent and custom headers', async () => {
    await createWebhook(h, { url: receiver.url, headers: { 'X-Source': 'loyalty' } });
    const data = { awarded_reward: { reward_id: 'REW-12343', note: null, nested: { deep: [1, 2.5, 'x'] } }, extra_field: true };
    const accepted = await sendEvent(h, { event_type: 'reward.awarded', data, user_id: 'u-1', event_timestamp: '2023-10-05T14:20:00Z' });
    await receiver.waitFor(1);
    const request = receiver.requests[0];
    assert.equal(request.method, 'POST');
    assert.deepEqual(request.json, {
      event_id: accepted.event_id,
      event_type: 'reward.awarded',
      event_timestamp: '2023-10-05T14:20:00.000Z',
      schema_version: '1.0.0',
      user_id: 'u-1',
      data,
    });
    const headers = headersOf(0);
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['webhook-id'], accepted.event_id);
    assert.match(headers['user-agent'], /^Herald\/\d+\.\d+\.\d+/);
    assert.equal(headers['x-source'], 'loyalty');
    const timestamp = Number(headers['webhook-timestamp']);
    assert.ok(Math.abs(timestamp - Date.now() / 1000) < 60, `webhook-timestamp ${timestamp} is Unix seconds of now`);
    assert.equal(headers.authorization, undefined, 'auth none sends no authorization header');
  });

  it('signs per Standard Webhooks so that the standardwebhooks and svix verifiers accept it', async () => {
    const webhook = await createWebhook(h, { url: receiver.url, event_types: ['badge.awarded'], auth: { type: 'signature' } });
    const { body: secret } = await h.api('GET', `/v1/webhooks/${webhook.id}/secret`);
    assert.match(secret.secret, /^whsec_[A-Za-z0-9+/=]{32,}$/);
    const before = receiver.requests.length;
    await sendEvent(h, { event_type: 'badge.awarded', data: { awarded_badge: { badge_id: 'B-1' } } });
    await receiver.waitFor(before + 1);
    const request = receiver.requests[before];
    const headers = request.headers as Record<string, string>;
    assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/=]+$/);
    assert.deepEqual(new StandardWebhook(secret.secret).verify(request.body, headers), request.json);
    assert.deepEqual(new SvixWebhook(secret.secret).verify(request.body, headers), request.json);
    const tampered = request.body.replace('B-1', 'B-2');
    assert.throws(() => new StandardWebhook(secret.secret).verify(tampered, headers));
    const otherSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.throws(() => new StandardWebhook(otherSecret).verify(request.body, headers));
  });

  it('signs with a secret given at create time', async () => {
    const given = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    await createWebhook(h, { url: receiver.url, event_types: ['journey.completed'], auth: { type: 'signature', secret: given } });
    const before = receiver.requests.length;
    await sendEvent(h, { event_type: 'journey.completed', data: {} });
    await receiver.waitFor(before + 1);
    const request = receiver.requests[before];
    assert.deepEqual(new StandardWebhook(given).verify(request.body, request.headers as Record<string, string>), request.json);
  });

  it('sends a HS256 JWT with iss, sub, jti, iat, exp and the body hash', async () => {
    const secret = 'jwt-secret-for-the-crm-0123456789';
    const webhook = await createWebhook(h, { url: receiver.url, event_types: ['user.created'], auth: { type: 'jwt', secret } });
    const before = receiver.requests.length;
    const accepted = await sendEvent(h, { event_type: 'user.created', data: { member: { email: 'a@b.c' } } });
    await receiver.waitFor(before + 1);
    const request = receiver.requests[before];
    const token = /^Bearer (.+)$/.exec((request.headers as Record<string, string>).authorization)![1];
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secret), { issuer: 'herald', subject: webhook.id });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(payload.jti, accepted.event_id);
    assert.equal(payload.exp! - payload.iat!, 300);
    assert.equal(payload.body_sha256, createHash('sha256').update(request.body).digest('base64url'));
    await assert.rejects(jwtVerify(token, new TextEncoder().encode('wrong-secret')));
  });

  it('sends basic auth', async () => {
    await createWebhook(h, { url: receiver.url, event_types: ['user.updated'], auth: { type: 'basic', username: 'crm', password: 'p4ss:word' } });
    const before = receiver.requests.length;
    await sendEvent(h, { event_type: 'user.updated', data: {} });
    await receiver.waitFor(before + 1);
    const auth = (receiver.requests[before].headers as Record<string, string>).authorization;
    assert.equal(auth, `Basic ${Buffer.from('crm:p4ss:word').toString('base64')}`);
  });

  it('signs with both the new and the old secret for 24 hours after a rotation', async () => {
    const webhook = await createWebhook(h, { url: receiver.url, event_types: ['reward.expired'], auth: { type: 'signature' } });
    const { body: old } = await h.api('GET', `/v1/webhooks/${webhook.id}/secret`);
    const rotated = await h.api('POST', `/v1/webhooks/${webhook.id}/secret/rotate`);
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.secret, old.secret);
    const { body: current } = await h.api('GET', `/v1/webhooks/${webhook.id}/secret`);
    assert.equal(current.secret, rotated.body.secret);
    const before = receiver.requests.length;
    await sendEvent(h, { event_type: 'reward.expired', data: {} });
    await receiver.waitFor(before + 1);
    const request = receiver.requests[before];
    const headers = request.headers as Record<string, string>;
    assert.equal(headers['webhook-signature'].split(' ').length, 2, 'two signatures: v1,<new> v1,<old>');
    assert.ok(new StandardWebhook(rotated.body.secret).verify(request.body, headers));
    assert.ok(new StandardWebhook(old.secret).verify(request.body, headers));
  });

  it('keeps webhook-id the same on every retry of an event', async () => {
    let calls = 0;
    const failing = await startReceiver();
    failing.respondWith(() => ({ status: ++calls < 3 ? 500 : 200 }));
    try {
      await createWebhook(h, { url: failing.url, event_types: ['point_balance.user_updated'], retry: { attempts: 3, delay_seconds: 0 } });
      const accepted = await sendEvent(h, { event_type: 'point_balance.user_updated', data: {} });
      await failing.waitFor(3);
      const ids = failing.requests.map((r) => r.headers['webhook-id']);
      assert.deepEqual(ids, [accepted.event_id, accepted.event_id, accepted.event_id]);
      assert.deepEqual(new Set(failing.requests.map((r) => r.body)).size, 1, 'the same bytes on every try');
    } finally {
      await failing.close();
    }
  });

  it('delivers an event to every subscribed webhook whose filter matches, and only those', async () => {
    const a = await startReceiver();
    const b = await startReceiver();
    try {
      await createWebhook(h, { url: a.url, event_types: ['reward.low_coupon_alert'], filter: { 'data.coupon_inventory.remaining_coupons': { $lt: 10 } } });
      await createWebhook(h, { url: b.url, event_types: ['reward.low_coupon_alert'] });
      const low = await sendEvent(h, { event_type: 'reward.low_coupon_alert', data: { coupon_inventory: { remaining_coupons: 3 } } });
      const high = await sendEvent(h, { event_type: 'reward.low_coupon_alert', data: { coupon_inventory: { remaining_coupons: 50 } } });
      assert.equal(low.deliveries, 2);
      assert.equal(high.deliveries, 1);
      await b.waitFor(2);
      await a.waitFor(1);
      assert.deepEqual(a.requests.map((r) => r.json.event_id), [low.event_id]);
      assert.deepEqual(new Set(b.requests.map((r) => r.json.event_id)), new Set([low.event_id, high.event_id]));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('tests an edited webhook with its stored password when the body names its id', async () => {
    const webhook = await createWebhook(h, { url: receiver.url, event_types: ['user.updated'], auth: { type: 'basic', username: 'crm', password: 'stored-pass' } });
    const before = receiver.requests.length;
    const result = await h.api('POST', '/v1/webhooks/test', { id: webhook.id, url: receiver.url, auth: { type: 'basic', username: 'crm' } });
    assert.equal(result.status, 200);
    assert.equal(result.body.verified, true);
    assert.equal((receiver.requests[before].headers as Record<string, string>).authorization, `Basic ${Buffer.from('crm:stored-pass').toString('base64')}`);
    const withoutId = await h.api('POST', '/v1/webhooks/test', { url: receiver.url, auth: { type: 'basic', username: 'crm' } });
    assert.equal(withoutId.status, 400);
    assert.equal(withoutId.body.error.details[0].field, 'auth.password');
  });

  it('never writes secrets to the logs', async () => {
    const logs = h.logs();
    assert.ok(logs.length > 0);
    assert.ok(!logs.includes('jwt-secret-for-the-crm-0123456789'));
    assert.ok(!logs.includes('p4ss:word'));
    assert.ok(!logs.includes('stored-pass'));
    assert.ok(!logs.includes('whsec_'));
  });
});
