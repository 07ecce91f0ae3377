// API.md §9 bad input: auto_disable values, recover windows, cancel of a final delivery: a clear
// 400/404/409 naming the field, and nothing changed. Also the read-only health in every response.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { assertError, assertInvalid, webhookBody, webhookIds } from './support.ts';

const URL_A = 'https://crm.example.com/hooks/loyalty';
let h: Herald;
let existing: any;

before(async () => {
  h = await startHerald();
  const response = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { auto_disable: { after_failures: 5, after_hours: 24 } }));
  assert.equal(response.status, 201, response.text);
  existing = response.body;
});
after(async () => {
  await h?.stop();
});

const BAD_AUTO_DISABLE: Array<[string, unknown, string]> = [
  ['after_failures 0', { after_failures: 0, after_hours: 0 }, 'auto_disable.after_failures'],
  ['after_failures over 100000', { after_failures: 100_001 }, 'auto_disable.after_failures'],
  ['after_failures not an integer', { after_failures: 2.5 }, 'auto_disable.after_failures'],
  ['after_failures missing', { after_hours: 3 }, 'auto_disable.after_failures'],
  ['after_hours negative', { after_failures: 3, after_hours: -1 }, 'auto_disable.after_hours'],
  ['after_hours over 720', { after_failures: 3, after_hours: 721 }, 'auto_disable.after_hours'],
  ['after_hours a string', { after_failures: 3, after_hours: '2' }, 'auto_disable.after_hours'],
  ['not an object', 5, 'auto_disable'],
];

describe('auto_disable', () => {
  it('comes back as sent, with health, on create, read and list', async () => {
    assert.deepEqual(existing.auto_disable, { after_failures: 5, after_hours: 24 });
    assert.deepEqual(existing.health, { consecutive_failures: 0, failing_since: null, disabled_reason: null });
    const listed = (await h.api('GET', '/v1/webhooks')).body.data.find((w: any) => w.id === existing.id);
    assert.deepEqual([listed.auto_disable, listed.health], [existing.auto_disable, existing.health]);
    const defaulted = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { auto_disable: { after_failures: 1 } }));
    assert.deepEqual(defaulted.body.auto_disable, { after_failures: 1, after_hours: 0 });
    const none = await h.api('POST', '/v1/webhooks', webhookBody(URL_A));
    assert.equal(none.body.auto_disable, null);
    const createdDisabled = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { enabled: false }));
    assert.equal(createdDisabled.body.health.disabled_reason, 'manual');
  });

  it('is replaced whole by PATCH, and null turns it off', async () => {
    const id = existing.id;
    const changed = await h.api('PATCH', `/v1/webhooks/${id}`, { auto_disable: { after_failures: 10 } });
    assert.deepEqual(changed.body.auto_disable, { after_failures: 10, after_hours: 0 });
    const cleared = await h.api('PATCH', `/v1/webhooks/${id}`, { auto_disable: null });
    assert.equal(cleared.body.auto_disable, null);
    const restored = await h.api('PATCH', `/v1/webhooks/${id}`, { auto_disable: { after_failures: 5, after_hours: 24 } });
    assert.deepEqual(restored.body.auto_disable, existing.auto_disable);
    const untouched = await h.api('PATCH', `/v1/webhooks/${id}`, { description: 'x' });
    assert.deepEqual(untouched.body.auto_disable, existing.auto_disable, 'a patch without it keeps it');
  });

  for (const [what, value, field] of BAD_AUTO_DISABLE) {
    it(`rejects ${what} on create and patch, naming ${field}, changing nothing`, async () => {
      const before = await webhookIds(h);
      assertInvalid(await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { auto_disable: value })), field);
      assert.deepEqual(await webhookIds(h), before);
      assertInvalid(await h.api('PATCH', `/v1/webhooks/${existing.id}`, { auto_disable: value }), field);
      assert.deepEqual((await h.api('GET', `/v1/webhooks/${existing.id}`)).body.auto_disable, existing.auto_disable);
    });
  }

  it('health is read-only: a body that sets it changes nothing (unknown fields are dropped, as everywhere)', async () => {
    const response = await h.api('PATCH', `/v1/webhooks/${existing.id}`, { health: { consecutive_failures: 7, disabled_reason: 'auto' } });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.health, { consecutive_failures: 0, failing_since: null, disabled_reason: null });
  });
});

describe('recover: bad windows', () => {
  const now = Date.now();
  const BAD: Array<[string, unknown, string]> = [
    ['since missing', {}, 'since'],
    ['since not a timestamp', { since: 'yesterday' }, 'since'],
    ['until not a timestamp', { since: new Date(now - 60_000).toISOString(), until: 'soon' }, 'until'],
    ['since after until', { since: new Date(now).toISOString(), until: new Date(now - 60_000).toISOString() }, 'since'],
    ['include_missed not a boolean', { since: new Date(now - 60_000).toISOString(), include_missed: 'yes' }, 'include_missed'],
  ];
  for (const [what, body, field] of BAD) {
    it(`${what}: 400 naming ${field}`, async () => {
      const response = await h.api('POST', `/v1/webhooks/${existing.id}/recover`, body);
      assertInvalid(response, field);
    });
  }

  it('an unknown webhook is a 404; a fine empty window is 202 with 0', async () => {
    assertError(await h.api('POST', '/v1/webhooks/wh_00000000000000000000ZZ/recover', { since: new Date().toISOString() }), 404, 'not_found');
    const ok = await h.api('POST', `/v1/webhooks/${existing.id}/recover`, { since: '2026-01-01', include_missed: true });
    assert.equal(ok.status, 202, ok.text);
    assert.deepEqual(ok.body, { deliveries: 0 });
  });
});

describe('cancel: wrong targets', () => {
  it('404 for an unknown or malformed id', async () => {
    assertError(await h.api('POST', '/v1/deliveries/dlv_00000000000000000000ZZ/cancel'), 404, 'not_found');
    assertError(await h.api('POST', '/v1/deliveries/nope/cancel'), 404, 'not_found');
  });

  it('the audit log filter accepts cancelled and superseded, and still rejects nonsense', async () => {
    for (const status of ['cancelled', 'superseded']) {
      const response = await h.api('GET', `/v1/deliveries?status=${status}`);
      assert.equal(response.status, 200, response.text);
    }
    assertInvalid(await h.api('GET', '/v1/deliveries?status=gone'), 'status');
  });
});
