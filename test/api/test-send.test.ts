// Test sends: POST /v1/webhooks/{id}/test and POST /v1/webhooks/test (API.md section 4), response shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { assertError, assertInvalid, listAll, webhookBody, webhookIds } from './support.ts';

let h: Herald;
let r: Receiver;
/** Answer per webhook, chosen by the `?as=` query of its URL. */
const answers: Record<string, { status?: number; hang?: boolean; reset?: boolean }> = {};

before(async () => {
  h = await startHerald();
  r = await startReceiver();
  r.respondWith((req) => answers[new URL(req.url, 'http://x').searchParams.get('as') ?? ''] ?? { status: 200 });
});
after(async () => {
  await r?.close();
  await h?.stop();
});

async function webhookAnswering(key: string, answer: (typeof answers)[string], extra: Record<string, unknown> = {}) {
  answers[key] = answer;
  const response = await h.api('POST', '/v1/webhooks', webhookBody(`${r.url}?as=${key}`, extra));
  assert.equal(response.status, 201, response.text);
  return response.body;
}

const requestsFor = (key: string) => r.requests.filter((req) => req.url.includes(`as=${key}`));

function assertResult(body: any, verified: boolean, statusCode: number | null) {
  assert.equal(body.verified, verified, JSON.stringify(body));
  assert.equal(body.status_code, statusCode, JSON.stringify(body));
  assert.ok(body.error === null || typeof body.error === 'string');
  assert.ok(Number.isInteger(body.duration_ms) && body.duration_ms >= 0, JSON.stringify(body));
  assert.ok(['success', 'http_error', 'timeout', 'network_error', 'blocked'].includes(body.outcome), JSON.stringify(body));
  assert.equal(body.outcome === 'success', verified, JSON.stringify(body));
  if (verified) assert.equal(body.error, null);
  if (statusCode === null) assert.ok(typeof body.error === 'string' && body.error.length > 0, 'a failure without status says why');
}

describe('POST /v1/webhooks/{id}/test', () => {
  it('sends the example of the first event type now and answers {verified, status_code, error, duration_ms}', async () => {
    const webhook = await webhookAnswering('ok', { status: 200 }, { event_types: ['journey.completed', 'badge.awarded'] });
    const response = await h.api('POST', `/v1/webhooks/${webhook.id}/test`, {});
    assert.equal(response.status, 200, response.text);
    assertResult(response.body, true, 200);
    assert.equal(requestsFor('ok').length, 1, 'sent synchronously, before the answer');
    const sent = requestsFor('ok')[0];
    assert.equal(sent.method, 'POST');
    assert.equal(sent.json.event_type, 'journey.completed');
    const catalog = (await h.api('GET', '/v1/event-types')).body.data;
    const example = catalog.find((t: any) => t.event_type === 'journey.completed').example;
    assert.deepEqual(sent.json.data, example.data);
  });

  it('takes an event_type, and works with no body at all', async () => {
    const webhook = await webhookAnswering('typed', { status: 204 }, { event_types: ['journey.completed', 'badge.awarded'] });
    const typed = await h.api('POST', `/v1/webhooks/${webhook.id}/test`, { event_type: 'badge.awarded' });
    assert.equal(typed.status, 200, typed.text);
    assertResult(typed.body, true, 204);
    assert.equal(requestsFor('typed')[0].json.event_type, 'badge.awarded');
    const bare = await h.api('POST', `/v1/webhooks/${webhook.id}/test`);
    assert.equal(bare.status, 200, bare.text);
    assert.equal(requestsFor('typed')[1].json.event_type, 'journey.completed');
  });

  it('answers 200 with verified false whatever the receiver does', async () => {
    const refused = await webhookAnswering('500', { status: 500 });
    assertResult((await h.api('POST', `/v1/webhooks/${refused.id}/test`, {})).body, false, 500);
    const redirect = await webhookAnswering('302', { status: 302 });
    const redirected = await h.api('POST', `/v1/webhooks/${redirect.id}/test`, {});
    assert.equal(redirected.status, 200);
    assertResult(redirected.body, false, 302);
    const reset = await webhookAnswering('reset', { reset: true });
    const broken = await h.api('POST', `/v1/webhooks/${reset.id}/test`, {});
    assert.equal(broken.status, 200);
    assertResult(broken.body, false, null);
  });

  it("uses the webhook's timeout_seconds and makes one try only", async () => {
    const webhook = await webhookAnswering('hang', { hang: true }, { retry: { attempts: 5, delay_seconds: 0, timeout_seconds: 1 } });
    const response = await h.api('POST', `/v1/webhooks/${webhook.id}/test`, {});
    assert.equal(response.status, 200, response.text);
    assertResult(response.body, false, null);
    assert.ok(response.body.duration_ms >= 900 && response.body.duration_ms < 5000, `duration_ms ${response.body.duration_ms}`);
    assert.equal(requestsFor('hang').length, 1);
  });

  it("uses the webhook's auth", async () => {
    const basic = await webhookAnswering('basic', { status: 200 }, { auth: { type: 'basic', username: 'crm', password: 's3cret' } });
    await h.api('POST', `/v1/webhooks/${basic.id}/test`, {});
    assert.equal(requestsFor('basic')[0].headers.authorization, `Basic ${Buffer.from('crm:s3cret').toString('base64')}`);
    const signed = await webhookAnswering('signed', { status: 200 }, { auth: { type: 'signature' } });
    await h.api('POST', `/v1/webhooks/${signed.id}/test`, {});
    assert.match(String(requestsFor('signed')[0].headers['webhook-signature']), /^v1,/);
  });

  it('does not count in stats, status or the audit log', async () => {
    const webhook = await webhookAnswering('nostats', { status: 500 });
    for (let i = 0; i < 3; i++) assert.equal((await h.api('POST', `/v1/webhooks/${webhook.id}/test`, {})).status, 200);
    const after = (await h.api('GET', `/v1/webhooks/${webhook.id}`)).body;
    assert.deepEqual(after.stats, webhook.stats);
    assert.equal(after.status, 'active');
    assert.equal((await listAll(h, `/v1/deliveries?webhook_id=${webhook.id}`)).length, 0);
  });

  it('an unknown event_type is 400 naming event_type, and sends nothing', async () => {
    const webhook = await webhookAnswering('badtype', { status: 200 });
    assertInvalid(await h.api('POST', `/v1/webhooks/${webhook.id}/test`, { event_type: 'reward.stolen' }), 'event_type');
    assert.equal(requestsFor('badtype').length, 0);
  });

  it('an unknown webhook is 404 not_found', async () => {
    assertError(await h.api('POST', '/v1/webhooks/wh_unknown/test', {}), 404, 'not_found');
  });
});

describe('POST /v1/webhooks/test (unsaved)', () => {
  it('sends with the body it is given and saves nothing', async () => {
    answers.unsaved = { status: 200 };
    const before = await webhookIds(h);
    const response = await h.api('POST', '/v1/webhooks/test', {
      name: 'Not saved',
      url: `${r.url}?as=unsaved`,
      event_types: ['reward.expired'],
      auth: { type: 'jwt', secret: 'unsaved-jwt-secret' },
      headers: { 'X-Probe': 'yes' },
    });
    assert.equal(response.status, 200, response.text);
    assertResult(response.body, true, 200);
    const sent = requestsFor('unsaved')[0];
    assert.equal(sent.json.event_type, 'reward.expired');
    assert.equal(sent.headers['x-probe'], 'yes');
    assert.match(String(sent.headers.authorization), /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(await webhookIds(h), before);
  });

  it('reports a failing receiver with verified false', async () => {
    answers.unsaved500 = { status: 503 };
    const response = await h.api('POST', '/v1/webhooks/test', { name: 'x', url: `${r.url}?as=unsaved500`, event_types: ['user.created'] });
    assert.equal(response.status, 200, response.text);
    assertResult(response.body, false, 503);
  });

  const BAD: Array<[Record<string, unknown>, string]> = [
    [{ url: 'ftp://x' }, 'url'],
    [{ event_types: ['nope.nope'] }, 'event_types'],
    [{ retry: { timeout_seconds: 0 } }, 'retry.timeout_seconds'],
    [{ headers: { Host: 'x' } }, 'headers.Host'],
    [{ auth: { type: 'jwt' } }, 'auth.secret'],
  ];
  for (const [override, field] of BAD) {
    it(`an invalid body (${JSON.stringify(override)}) is 400 naming ${field}, and sends nothing`, async () => {
      const requests = r.requests.length;
      assertInvalid(await h.api('POST', '/v1/webhooks/test', webhookBody(r.url, override)), field);
      assert.equal(r.requests.length, requests);
    });
  }
});
