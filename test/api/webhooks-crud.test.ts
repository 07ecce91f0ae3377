// Webhooks: create, read, update, delete, as API.md section 4 defines them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { ISO_UTC, assertError, webhookBody, webhookIds } from './support.ts';

const URL_A = 'https://crm.example.com/hooks/loyalty';
let h: Herald;

before(async () => {
  h = await startHerald();
});
after(async () => {
  await h?.stop();
});

async function create(body: Record<string, unknown>) {
  const response = await h.api('POST', '/v1/webhooks', body);
  assert.equal(response.status, 201, response.text);
  return response.body;
}

describe('POST /v1/webhooks', () => {
  it('answers 201 with the full webhook, echoing every field of the example body', async () => {
    const body = {
      name: 'CRM sync',
      url: URL_A,
      method: 'POST',
      description: 'optional',
      enabled: true,
      auth: { type: 'signature', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      event_types: ['reward.awarded', 'badge.awarded'],
      filter: { 'data.awarded_reward.reward_id': { $in: ['REW-1', 'REW-2'] } },
      retry: { attempts: 5, delay_seconds: 60, timeout_seconds: 20 },
      headers: { 'X-Source': 'loyalty' },
    };
    const webhook = await create(body);
    assert.match(webhook.id, /\S/);
    assert.equal(webhook.name, 'CRM sync');
    assert.equal(webhook.url, URL_A);
    assert.equal(webhook.method, 'POST');
    assert.equal(webhook.description, 'optional');
    assert.equal(webhook.enabled, true);
    assert.deepEqual(webhook.auth, { type: 'signature', secret_hint: '…LaSw' });
    assert.deepEqual(webhook.event_types, ['reward.awarded', 'badge.awarded']);
    assert.deepEqual(webhook.filter, body.filter);
    assert.deepEqual(webhook.retry, { ...body.retry, backoff: 'fixed', max_delay_seconds: 3600 });
    assert.equal(webhook.rate_limit_per_second, null);
    assert.deepEqual(webhook.headers, { 'X-Source': 'loyalty' });
    assert.equal(webhook.status, 'active');
    assert.match(webhook.created_at, ISO_UTC);
    assert.match(webhook.updated_at, ISO_UTC);
    assert.ok(Math.abs(Date.parse(webhook.created_at) - Date.now()) < 60_000, 'created_at is now');
    assert.deepEqual(webhook.stats, { total: 0, succeeded: 0, failed: 0, success_rate: null, last_success_at: null, last_failure_at: null });
    assert.ok(!h.logs().includes('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), 'the secret appears in the logs');
  });

  it('fills the defaults: method POST, enabled, auth none, retry 3/30/15', async () => {
    const webhook = await create({ name: 'defaults', url: URL_A, event_types: ['user.created'] });
    assert.equal(webhook.method, 'POST');
    assert.equal(webhook.enabled, true);
    assert.equal(webhook.status, 'active');
    assert.equal(webhook.auth.type, 'none');
    assert.equal(webhook.auth.secret, undefined);
    assert.equal(webhook.auth.secret_hint, undefined);
    assert.deepEqual(webhook.retry, { attempts: 3, delay_seconds: 30, timeout_seconds: 15, backoff: 'fixed', max_delay_seconds: 3600 });
    assert.equal(webhook.rate_limit_per_second, null, 'no rate limit by default');
  });

  it('created disabled, a webhook is inactive', async () => {
    const webhook = await create(webhookBody(URL_A, { enabled: false }));
    assert.equal(webhook.enabled, false);
    assert.equal(webhook.status, 'inactive');
  });

  it('generates a whsec_ secret of 24+ random bytes when a signature secret is omitted', async () => {
    const one = await create(webhookBody(URL_A, { auth: { type: 'signature' } }));
    const two = await create(webhookBody(URL_A, { auth: { type: 'signature' } }));
    const secrets = [];
    for (const webhook of [one, two]) {
      const response = await h.api('GET', `/v1/webhooks/${webhook.id}/secret`);
      assert.equal(response.status, 200, response.text);
      const secret: string = response.body.secret;
      assert.match(secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
      assert.ok(Buffer.from(secret.slice(6), 'base64').length >= 24, `secret too short: ${secret}`);
      assert.equal(webhook.auth.secret_hint, `…${secret.slice(-4)}`);
      secrets.push(secret);
    }
    assert.notEqual(secrets[0], secrets[1]);
  });

  it('never echoes jwt secrets or basic passwords', async () => {
    const jwt = await create(webhookBody(URL_A, { auth: { type: 'jwt', secret: 'a-long-jwt-signing-secret-9876' } }));
    assert.deepEqual(jwt.auth, { type: 'jwt', secret_hint: '…9876' });
    const basic = await create(webhookBody(URL_A, { auth: { type: 'basic', username: 'crm', password: 'p4ssw0rd-hidden' } }));
    assert.deepEqual(basic.auth, { type: 'basic', username: 'crm' });
    const fetched = await h.api('GET', `/v1/webhooks/${basic.id}`);
    assert.ok(!fetched.text.includes('p4ssw0rd-hidden'), 'password echoed by GET');
    const list = await h.api('GET', '/v1/webhooks?limit=500');
    assert.ok(!list.text.includes('p4ssw0rd-hidden') && !list.text.includes('a-long-jwt-signing-secret-9876'), 'secret echoed by list');
  });

  it('refuses a duplicate name, case-insensitively, with 409 conflict and creates nothing', async () => {
    await create(webhookBody(URL_A, { name: 'Unique Name' }));
    const before = await webhookIds(h);
    for (const name of ['Unique Name', 'unique name', 'UNIQUE NAME']) {
      assertError(await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { name })), 409, 'conflict');
    }
    assert.deepEqual(await webhookIds(h), before);
  });
});

describe('GET /v1/webhooks/{id}', () => {
  it('answers the same body as the create', async () => {
    const created = await create(webhookBody(URL_A, { headers: { 'X-A': '1' }, auth: { type: 'basic', username: 'u', password: 'p' } }));
    const response = await h.api('GET', `/v1/webhooks/${created.id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, created);
  });

  it('answers 404 not_found for an unknown id', async () => {
    assertError(await h.api('GET', '/v1/webhooks/wh_doesnotexist'), 404, 'not_found');
    assertError(await h.api('GET', '/v1/webhooks/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
  });
});

describe('PATCH /v1/webhooks/{id}', () => {
  it('{"enabled": false} toggles the webhook to inactive and back, answering the whole webhook', async () => {
    const webhook = await create(webhookBody(URL_A));
    const off = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: false });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.enabled, false);
    assert.equal(off.body.status, 'inactive');
    assert.equal(off.body.name, webhook.name);
    assert.deepEqual(off.body.stats, webhook.stats);
    assert.equal(off.body.created_at, webhook.created_at);
    assert.ok(Date.parse(off.body.updated_at) >= Date.parse(webhook.updated_at));
    const on = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.status, 'active');
    assert.equal((await h.api('GET', `/v1/webhooks/${webhook.id}`)).body.enabled, true);
  });

  it('keeps backoff, max delay and rate limit; a patch changes one retry field and clears the rate limit with null', async () => {
    const webhook = await create(webhookBody(URL_A, { retry: { backoff: 'exponential', delay_seconds: 2, max_delay_seconds: 60 }, rate_limit_per_second: 25 }));
    assert.deepEqual([webhook.retry.backoff, webhook.retry.max_delay_seconds, webhook.rate_limit_per_second], ['exponential', 60, 25]);
    const read = (await h.api('GET', `/v1/webhooks/${webhook.id}`)).body;
    assert.deepEqual([read.retry.backoff, read.retry.max_delay_seconds, read.rate_limit_per_second], ['exponential', 60, 25]);
    const kept = (await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { retry: { max_delay_seconds: 120 } })).body;
    assert.deepEqual([kept.retry.backoff, kept.retry.delay_seconds, kept.retry.max_delay_seconds, kept.rate_limit_per_second], ['exponential', 2, 120, 25]);
    const cleared = (await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { rate_limit_per_second: null, retry: { backoff: 'fixed' } })).body;
    assert.deepEqual([cleared.retry.backoff, cleared.rate_limit_per_second], ['fixed', null]);
  });

  it('replaces top-level fields, merges retry field by field, and replaces auth whole', async () => {
    const webhook = await create(
      webhookBody(URL_A, {
        retry: { attempts: 5, delay_seconds: 10, timeout_seconds: 20 },
        headers: { 'X-One': '1', 'X-Two': '2' },
        event_types: ['reward.awarded', 'badge.awarded'],
        auth: { type: 'basic', username: 'old-user', password: 'old-pass' },
      }),
    );
    const response = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, {
      retry: { attempts: 1 },
      headers: { 'X-Three': '3' },
      event_types: ['user.created'],
      url: 'https://other.example.com/in',
      description: 'changed',
      auth: { type: 'jwt', secret: 'brand-new-jwt-secret-WXYZ' },
    });
    assert.equal(response.status, 200, response.text);
    const patched = response.body;
    assert.deepEqual(patched.retry, { attempts: 1, delay_seconds: 10, timeout_seconds: 20, backoff: 'fixed', max_delay_seconds: 3600 });
    assert.deepEqual(patched.headers, { 'X-Three': '3' });
    assert.deepEqual(patched.event_types, ['user.created']);
    assert.equal(patched.url, 'https://other.example.com/in');
    assert.equal(patched.description, 'changed');
    assert.deepEqual(patched.auth, { type: 'jwt', secret_hint: '…WXYZ' });
    assert.equal(patched.name, webhook.name, 'unnamed fields are kept');
    assert.deepEqual((await h.api('GET', `/v1/webhooks/${webhook.id}`)).body, patched);
    assert.equal((await h.api('GET', `/v1/webhooks/${webhook.id}/secret`)).body.secret, 'brand-new-jwt-secret-WXYZ');
  });

  it('can clear the filter with null', async () => {
    const webhook = await create(webhookBody(URL_A, { filter: { user_id: { $exists: true } } }));
    const response = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { filter: null });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.filter ?? null, null);
  });

  it('refuses a rename onto another webhook name (any case) with 409 and changes nothing', async () => {
    await create(webhookBody(URL_A, { name: 'Taken Name' }));
    const webhook = await create(webhookBody(URL_A));
    assertError(await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { name: 'TAKEN name' }), 409, 'conflict');
    assert.equal((await h.api('GET', `/v1/webhooks/${webhook.id}`)).body.name, webhook.name);
  });

  it('lets a webhook keep its own name in another case', async () => {
    const webhook = await create(webhookBody(URL_A, { name: 'Self Rename' }));
    const response = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { name: 'SELF RENAME' });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.name, 'SELF RENAME');
  });

  it('answers 404 not_found for an unknown id', async () => {
    assertError(await h.api('PATCH', '/v1/webhooks/wh_doesnotexist', { enabled: false }), 404, 'not_found');
  });
});

describe('DELETE /v1/webhooks/{id}', () => {
  it('answers 204 with no body; the webhook is gone from get and list', async () => {
    const webhook = await create(webhookBody(URL_A));
    const response = await h.api('DELETE', `/v1/webhooks/${webhook.id}`);
    assert.equal(response.status, 204);
    assert.equal(response.text, '');
    assertError(await h.api('GET', `/v1/webhooks/${webhook.id}`), 404, 'not_found');
    assert.ok(!(await webhookIds(h)).includes(webhook.id));
    assertError(await h.api('DELETE', `/v1/webhooks/${webhook.id}`), 404, 'not_found');
    assertError(await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: true }), 404, 'not_found');
  });

  it('frees the name for a new webhook', async () => {
    const webhook = await create(webhookBody(URL_A, { name: 'Reusable' }));
    assert.equal((await h.api('DELETE', `/v1/webhooks/${webhook.id}`)).status, 204);
    await create(webhookBody(URL_A, { name: 'reusable' }));
  });

  it('answers 404 not_found for an unknown id', async () => {
    assertError(await h.api('DELETE', '/v1/webhooks/wh_doesnotexist'), 404, 'not_found');
  });
});
