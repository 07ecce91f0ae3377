// Webhook secrets: read and rotate (API.md section 4), response shapes and hints only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { assertError, webhookBody } from './support.ts';

const URL_A = 'https://crm.example.com/hooks/loyalty';
const SIGNATURE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let h: Herald;

before(async () => {
  h = await startHerald();
});
after(async () => {
  await h?.stop();
});

async function create(auth: Record<string, unknown>) {
  const response = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { auth }));
  assert.equal(response.status, 201, response.text);
  return response.body;
}

function assertSignatureSecret(secret: unknown): asserts secret is string {
  assert.equal(typeof secret, 'string');
  assert.match(secret as string, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
  assert.ok(Buffer.from((secret as string).slice(6), 'base64').length >= 24, `too short: ${secret}`);
}

describe('GET /v1/webhooks/{id}/secret', () => {
  it('answers {"secret"} for signature and jwt webhooks', async () => {
    const signature = await create({ type: 'signature', secret: SIGNATURE_SECRET });
    const read = await h.api('GET', `/v1/webhooks/${signature.id}/secret`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, { secret: SIGNATURE_SECRET });
    const jwt = await create({ type: 'jwt', secret: 'my-jwt-secret-abcd' });
    assert.deepEqual((await h.api('GET', `/v1/webhooks/${jwt.id}/secret`)).body, { secret: 'my-jwt-secret-abcd' });
  });

  it('is 404 not_found for basic and none webhooks', async () => {
    const basic = await create({ type: 'basic', username: 'u', password: 'p' });
    const none = await create({ type: 'none' });
    assertError(await h.api('GET', `/v1/webhooks/${basic.id}/secret`), 404, 'not_found');
    assertError(await h.api('GET', `/v1/webhooks/${none.id}/secret`), 404, 'not_found');
  });

  it('follows auth changes made by PATCH', async () => {
    const webhook = await create({ type: 'none' });
    const patched = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { auth: { type: 'signature' } });
    assert.equal(patched.status, 200, patched.text);
    const secret = (await h.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret;
    assertSignatureSecret(secret);
    assert.equal(patched.body.auth.secret_hint, `…${secret.slice(-4)}`);
    const back = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { auth: { type: 'basic', username: 'crm', password: 'pw' } });
    assert.deepEqual(back.body.auth, { type: 'basic', username: 'crm' });
    assertError(await h.api('GET', `/v1/webhooks/${webhook.id}/secret`), 404, 'not_found');
  });
});

describe('POST /v1/webhooks/{id}/secret/rotate', () => {
  it('signature: 200 {"secret": <new>}, a fresh whsec_ secret that reads back and updates the hint', async () => {
    const webhook = await create({ type: 'signature', secret: SIGNATURE_SECRET });
    const rotated = await h.api('POST', `/v1/webhooks/${webhook.id}/secret/rotate`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.deepEqual(Object.keys(rotated.body), ['secret']);
    assertSignatureSecret(rotated.body.secret);
    assert.notEqual(rotated.body.secret, SIGNATURE_SECRET);
    assert.deepEqual((await h.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body, { secret: rotated.body.secret });
    const after = (await h.api('GET', `/v1/webhooks/${webhook.id}`)).body;
    assert.deepEqual(after.auth, { type: 'signature', secret_hint: `…${rotated.body.secret.slice(-4)}` });
    assert.equal(after.name, webhook.name);
    assert.equal(after.url, webhook.url);
    assert.deepEqual(after.event_types, webhook.event_types);
    const again = await h.api('POST', `/v1/webhooks/${webhook.id}/secret/rotate`, {});
    assert.equal(again.status, 200);
    assert.notEqual(again.body.secret, rotated.body.secret);
  });

  it('jwt: 200 with a new secret', async () => {
    const webhook = await create({ type: 'jwt', secret: 'old-jwt-secret-1234' });
    const rotated = await h.api('POST', `/v1/webhooks/${webhook.id}/secret/rotate`);
    assert.equal(rotated.status, 200, rotated.text);
    assert.equal(typeof rotated.body.secret, 'string');
    assert.ok(rotated.body.secret.length >= 16, 'a strong generated secret');
    assert.notEqual(rotated.body.secret, 'old-jwt-secret-1234');
    assert.equal((await h.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret, rotated.body.secret);
    assert.equal((await h.api('GET', `/v1/webhooks/${webhook.id}`)).body.auth.secret_hint, `…${rotated.body.secret.slice(-4)}`);
  });

  it('is 404 not_found for webhooks without a secret, and changes nothing', async () => {
    // API.md is silent on rotate for basic/none; like the secret read, a 404 is what a Svix user expects.
    for (const auth of [{ type: 'none' }, { type: 'basic', username: 'u', password: 'p' }]) {
      const webhook = await create(auth);
      assertError(await h.api('POST', `/v1/webhooks/${webhook.id}/secret/rotate`), 404, 'not_found');
      assert.deepEqual((await h.api('GET', `/v1/webhooks/${webhook.id}`)).body.auth, webhook.auth);
    }
  });

  it('is 404 not_found for an unknown webhook', async () => {
    assertError(await h.api('POST', '/v1/webhooks/wh_unknown/secret/rotate'), 404, 'not_found');
    assertError(await h.api('GET', '/v1/webhooks/wh_unknown/secret'), 404, 'not_found');
  });

  it('a deleted webhook has no secret to read or rotate', async () => {
    const webhook = await create({ type: 'signature' });
    assert.equal((await h.api('DELETE', `/v1/webhooks/${webhook.id}`)).status, 204);
    assertError(await h.api('GET', `/v1/webhooks/${webhook.id}/secret`), 404, 'not_found');
    assertError(await h.api('POST', `/v1/webhooks/${webhook.id}/secret/rotate`), 404, 'not_found');
  });

  it('secrets never reach the logs', async () => {
    const webhook = await create({ type: 'signature' });
    const secret = (await h.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret;
    const rotated = (await h.api('POST', `/v1/webhooks/${webhook.id}/secret/rotate`)).body.secret;
    for (const value of [SIGNATURE_SECRET, secret, rotated, 'old-jwt-secret-1234', 'my-jwt-secret-abcd']) {
      assert.ok(!h.logs().includes(value), `a secret is in the logs: ${value.slice(0, 10)}…`);
    }
  });
});
