// The API key is required on every /v1 route however its path is spelled: percent-encoded
// characters ("/%76%31/webhooks" routes to /v1/webhooks) and absolute-form request targets
// ("GET http://host/v1/webhooks") reach the same routes and must meet the same 401.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertErrorShape } from '../helpers/error-contract.ts';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { rawRequest } from '../helpers/raw-http.ts';

let h: Herald;
let port: number;
let webhookId: string;

before(async () => {
  h = await startHerald();
  port = Number(new URL(h.baseUrl).port);
  const created = await h.api('POST', '/v1/webhooks', { name: 'auth target', url: 'http://127.0.0.1:9/hook', event_types: ['reward.awarded'], auth: { type: 'signature' } });
  assert.equal(created.status, 201, created.text);
  webhookId = created.body.id;
});
after(async () => {
  await h?.stop();
});

describe('no key, however the /v1 path is written', () => {
  const spellings = (path: string): string[] => [
    path.replace('/v1/', '/%76%31/'),
    path.replace('/v1/', '/v%31/'),
    path.replace('/v1/webhooks', '/v1/%77ebhooks'),
    `http://127.0.0.1${path}`,
    `http://evil.example${path}`,
  ];

  for (const path of ['/v1/webhooks', '/v1/webhooks/WH', '/v1/webhooks/WH/secret', '/v1/deliveries', '/v1/event-types']) {
    it(`GET ${path} → 401 in every spelling`, async () => {
      for (const target of spellings(path.replace('WH', webhookId))) {
        const { response } = await rawRequest(port, `GET ${target} HTTP/1.1\r\nhost: h\r\n\r\n`);
        assert.ok(response, `${target}: no answer`);
        assert.equal(response.status, 401, `${target} → ${response.status} ${response.text.slice(0, 200)}`);
        assertErrorShape(response, target);
      }
    });
  }

  it('POST /v1/webhooks with an encoded path and no key creates nothing', async () => {
    const body = JSON.stringify({ name: 'sneaky', url: 'http://127.0.0.1:9/x', event_types: ['user.created'] });
    const { response } = await rawRequest(port, `POST /%76%31/webhooks HTTP/1.1\r\nhost: h\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    assert.equal(response?.status, 401, response?.text);
    const list = await h.api('GET', '/v1/webhooks?name=sneaky');
    assert.deepEqual(list.body.data, []);
  });

  it('with the key, the encoded spelling still works (the route is the same)', async () => {
    const { response } = await rawRequest(port, `GET /%76%31/webhooks/${webhookId} HTTP/1.1\r\nhost: h\r\nauthorization: Bearer ${h.apiKey}\r\n\r\n`);
    assert.equal(response?.status, 200, response?.text);
    assert.equal(response?.body.id, webhookId);
  });
});
