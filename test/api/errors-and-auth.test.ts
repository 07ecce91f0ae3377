// Conventions of API.md sections 1 and 2: auth, error shape, body parsing, body limits, unknown routes,
// rate limit, and the operational routes (/healthz, /metrics, /openapi.json).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { asApiResponse, assertError, sendLarge, raw, webhookBody, webhookIds } from './support.ts';

const URL_A = 'https://crm.example.com/hooks/loyalty';
const MiB = 1024 * 1024;
let h: Herald;
let webhook: any;

before(async () => {
  h = await startHerald();
  const response = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { auth: { type: 'signature' } }));
  assert.equal(response.status, 201, response.text);
  webhook = response.body;
});
after(async () => {
  await h?.stop();
});

/** A JSON body of exactly `size` bytes: a reward.awarded event padded inside data. */
function eventOfSize(size: number, eventId = randomUUID()): string {
  const head = `{"event_type":"reward.awarded","event_id":"${eventId}","data":{"pad":"`;
  const tail = '"}}';
  return head + 'x'.repeat(size - head.length - tail.length) + tail;
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
}

describe('authentication', () => {
  const ROUTES: Array<[string, string]> = [
    ['GET', '/v1/webhooks'],
    ['POST', '/v1/webhooks'],
    ['GET', '/v1/webhooks/WH'],
    ['PATCH', '/v1/webhooks/WH'],
    ['DELETE', '/v1/webhooks/WH'],
    ['GET', '/v1/webhooks/WH/secret'],
    ['POST', '/v1/webhooks/WH/secret/rotate'],
    ['POST', '/v1/webhooks/WH/test'],
    ['POST', '/v1/webhooks/test'],
    ['GET', '/v1/event-types'],
    ['POST', '/v1/events'],
    ['POST', '/v1/events/batch'],
    ['GET', `/v1/events/${randomUUID()}`],
    ['GET', '/v1/deliveries'],
    ['GET', '/v1/deliveries/dlv_x'],
    ['POST', '/v1/deliveries/dlv_x/retry'],
    ['GET', '/v1/no-such-route'],
  ];
  const BAD_HEADERS: Array<[string, Record<string, string>]> = [
    ['no Authorization header', {}],
    ['a wrong key', { authorization: 'Bearer not-the-key' }],
    ['the key with the Basic scheme', { authorization: 'Basic dGVzdC1hcGkta2V5LTAxMjM0NTY3ODk=' }],
    ['the bare key', { authorization: 'test-api-key-0123456789' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['the key plus a suffix', { authorization: 'Bearer test-api-key-0123456789x' }],
  ];
  for (const [what, headers] of BAD_HEADERS) {
    it(`${what} → 401 unauthorized on every /v1 route`, async () => {
      for (const [method, path] of ROUTES) {
        const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify({});
        const response = await fetch(h.baseUrl + path.replace('WH', webhook.id), {
          method,
          headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
          body,
        });
        assertError(await asApiResponse(response), 401, 'unauthorized');
      }
    });
  }

  it('an unauthenticated create, event or delete changes nothing', async () => {
    const before = await webhookIds(h);
    const create = await fetch(h.baseUrl + '/v1/webhooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(webhookBody(URL_A)) });
    assert.equal(create.status, 401);
    const del = await fetch(`${h.baseUrl}/v1/webhooks/${webhook.id}`, { method: 'DELETE' });
    assert.equal(del.status, 401);
    assert.deepEqual(await webhookIds(h), before);
    const eventId = randomUUID();
    const event = await fetch(h.baseUrl + '/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event_type: 'user.created', event_id: eventId, data: {} }) });
    assert.equal(event.status, 401);
    assertError(await h.api('GET', `/v1/events/${eventId}`), 404, 'not_found');
  });

  it('/healthz, /metrics and /openapi.json need no key', async () => {
    for (const path of ['/healthz', '/metrics', '/openapi.json']) assert.equal((await fetch(h.baseUrl + path)).status, 200, path);
  });
});

describe('error shape for framework errors', () => {
  it('an unknown /v1 route is 404 not_found', async () => {
    assertError(await h.api('GET', '/v1/no-such-route'), 404, 'not_found');
    assertError(await h.api('POST', '/v1/webhooks/x/y/z', {}), 404, 'not_found');
  });

  it('unknown ids are 404 not_found on every id route', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/webhooks/wh_nope'],
      ['GET', '/v1/webhooks/wh_nope/secret'],
      ['POST', '/v1/webhooks/wh_nope/secret/rotate', {}],
      ['POST', '/v1/webhooks/wh_nope/test', {}],
      ['GET', '/v1/deliveries/dlv_nope'],
      ['POST', '/v1/deliveries/dlv_nope/retry', {}],
      ['GET', `/v1/events/${randomUUID()}`],
    ] as Array<[string, string, unknown?]>) {
      assertError(await h.api(method, path, body), 404, 'not_found');
    }
  });

  it('malformed JSON is 400 invalid_json on every body route, and creates nothing', async () => {
    const before = await webhookIds(h);
    for (const path of ['/v1/webhooks', '/v1/events', '/v1/events/batch', '/v1/webhooks/test', `/v1/webhooks/${webhook.id}/test`]) {
      for (const text of ['{"name": ', '{name: "x"}', "{'a': 1}", '[1,]']) {
        assertError(await asApiResponse(await raw(h, 'POST', path, text, 'application/json')), 400, 'invalid_json');
      }
    }
    assertError(await asApiResponse(await raw(h, 'PATCH', `/v1/webhooks/${webhook.id}`, '{"enabled": fals', 'application/json')), 400, 'invalid_json');
    assert.deepEqual(await webhookIds(h), before);
    assert.deepEqual((await h.api('GET', `/v1/webhooks/${webhook.id}`)).body, webhook);
  });

  it('a non-JSON content type is 415 unsupported_media_type', async () => {
    const before = await webhookIds(h);
    const body = JSON.stringify(webhookBody(URL_A));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      assertError(await asApiResponse(await raw(h, 'POST', '/v1/webhooks', body, type)), 415, 'unsupported_media_type');
    }
    assertError(await asApiResponse(await raw(h, 'POST', '/v1/events', '{"event_type":"user.created","data":{}}', 'text/plain')), 415, 'unsupported_media_type');
    assert.deepEqual(await webhookIds(h), before);
  });

  it('application/json with a charset is accepted', async () => {
    const response = await asApiResponse(await raw(h, 'POST', '/v1/webhooks', JSON.stringify(webhookBody(URL_A)), 'application/json; charset=utf-8'));
    assert.equal(response.status, 201, response.text);
  });

  it('JSON nested deeper than 64 levels is a 400; 60 levels is accepted', async () => {
    const deep = await h.api('POST', '/v1/events', { event_type: 'user.created', data: nested(80) });
    assert.equal(deep.status, 400, deep.text);
    assert.equal(typeof deep.body.error.code, 'string');
    const ok = await h.api('POST', '/v1/events', { event_type: 'user.created', data: nested(60) });
    assert.equal(ok.status, 202, ok.text);
    const deepHook = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { filter: { $and: [nested(70) as object] } }));
    assert.equal(deepHook.status, 400, deepHook.text);
  });

  it('a "__proto__" key anywhere is a 400 validation_error naming where it is, and stores nothing', async () => {
    const eventId = randomUUID();
    const body = `{"event_type":"user.created","event_id":"${eventId}","data":{"tags":[{"ok":1},{"__proto__":{"admin":true}}]}}`;
    const response = await asApiResponse(await raw(h, 'POST', '/v1/events', body, 'application/json'));
    assertError(response, 400, 'validation_error');
    assert.deepEqual(response.body.error.details.map((d: { field: string }) => d.field), ['data.tags[1]']);
    assert.equal((await h.api('GET', `/v1/events/${eventId}`)).status, 404);
  });
});

describe('body limits', () => {
  it('other routes: over 256 KiB is 413 payload_too_large, under is not', async () => {
    const before = await webhookIds(h);
    const big = await sendLarge(h, 'POST', '/v1/webhooks', JSON.stringify(webhookBody(URL_A, { description: 'd'.repeat(300 * 1024) })));
    assertError(big, 413, 'payload_too_large');
    const patch = await sendLarge(h, 'PATCH', `/v1/webhooks/${webhook.id}`, JSON.stringify({ description: 'd'.repeat(300 * 1024) }));
    assertError(patch, 413, 'payload_too_large');
    assert.deepEqual(await webhookIds(h), before);
    const small = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { description: 'd'.repeat(200 * 1024) });
    assert.notEqual(small.status, 413, small.text.slice(0, 200));
  });

  it('POST /v1/events: exactly 1 MiB is accepted, one byte more is 413', async () => {
    const accepted = await asApiResponse(await raw(h, 'POST', '/v1/events', eventOfSize(MiB), 'application/json'));
    assert.equal(accepted.status, 202, accepted.text.slice(0, 300));
    const eventId = randomUUID();
    const refused = await sendLarge(h, 'POST', '/v1/events', eventOfSize(MiB + 1, eventId));
    assertError(refused, 413, 'payload_too_large');
    assertError(await h.api('GET', `/v1/events/${eventId}`), 404, 'not_found');
  });

  it('POST /v1/events/batch: 4 MiB is accepted, over 16 MiB is 413', async () => {
    const item = { event_type: 'user.created', data: { pad: 'x'.repeat(400 * 1024) } };
    const accepted = await h.api('POST', '/v1/events/batch', { events: Array.from({ length: 10 }, () => item) });
    assert.equal(accepted.status, 202, accepted.text.slice(0, 300));
    assert.ok(accepted.body.data.every((result: any) => result.status === 202));
    const events = Array.from({ length: 17 }, () => ({ event_type: 'user.created', data: { pad: 'x'.repeat(MiB) } }));
    const refused = await sendLarge(h, 'POST', '/v1/events/batch', JSON.stringify({ events }));
    assertError(refused, 413, 'payload_too_large');
  });
});

describe('operational routes', () => {
  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const response = await fetch(h.baseUrl + '/healthz');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('GET / serves the admin UI (HTML, no key needed)', async () => {
    const response = await fetch(h.baseUrl + '/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await response.text(), /<html|<!doctype html/i);
  });

  it('GET /metrics is Prometheus text that counts accepted events', async () => {
    const read = async () => {
      const response = await fetch(h.baseUrl + '/metrics');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      return response.text();
    };
    const count = (text: string) => {
      const lines = text.split('\n').filter((line) => /^\w*events_accepted\w*(\{[^}]*\})? /.test(line));
      assert.ok(lines.length > 0, 'no events_accepted metric');
      return lines.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    };
    const before = await read();
    assert.match(before, /^# TYPE \w+ (counter|gauge|histogram|summary)$/m);
    assert.match(before, /^# HELP \w+ .+$/m);
    const response = await h.api('POST', '/v1/events', { event_type: 'user.created', data: {} });
    assert.equal(response.status, 202);
    assert.equal(count(await read()), count(before) + 1);
  });

  it('GET /openapi.json is OpenAPI 3.x listing every /v1 route of the contract', async () => {
    const doc = await (await fetch(h.baseUrl + '/openapi.json')).json();
    assert.match(String(doc.openapi), /^3\./);
    const paths: Record<string, Record<string, any>> = {};
    for (const [path, item] of Object.entries<any>(doc.paths ?? {})) paths[path.replace(/\{[^}]+\}/g, '{}')] = item;
    const expected: Array<[string, string]> = [
      ['get', '/v1/event-types'], ['get', '/v1/webhooks'], ['post', '/v1/webhooks'], ['get', '/v1/webhooks/{}'],
      ['patch', '/v1/webhooks/{}'], ['delete', '/v1/webhooks/{}'], ['get', '/v1/webhooks/{}/secret'],
      ['post', '/v1/webhooks/{}/secret/rotate'], ['post', '/v1/webhooks/{}/test'], ['post', '/v1/webhooks/test'],
      ['post', '/v1/events'], ['post', '/v1/events/batch'], ['get', '/v1/events/{}'], ['get', '/v1/deliveries'],
      ['get', '/v1/deliveries/{}'], ['post', '/v1/deliveries/{}/retry'],
    ];
    for (const [method, path] of expected) assert.ok(paths[path]?.[method], `openapi.json lacks ${method.toUpperCase()} ${path}`);
    const create = JSON.stringify(paths['/v1/webhooks'].post.requestBody ?? {});
    for (const field of ['name', 'url', 'event_types', 'retry', 'attempts', 'headers', 'filter']) assert.ok(create.includes(`"${field}"`), `create schema lacks ${field}`);
  });
});

describe('rate limit', () => {
  it('HERALD_RATE_LIMIT: over it, /v1 answers 429 rate_limited; /healthz still answers', async () => {
    const limited = await startHerald({ env: { HERALD_RATE_LIMIT: '5' } });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await limited.api('GET', '/v1/webhooks')).status, 200);
      assertError(await limited.api('GET', '/v1/webhooks'), 429, 'rate_limited');
      assertError(await limited.api('POST', '/v1/events', { event_type: 'user.created', data: {} }), 429, 'rate_limited');
      assert.equal((await fetch(limited.baseUrl + '/healthz')).status, 200);
    } finally {
      await limited.stop();
    }
  });
});

describe('after all the bad input', () => {
  it('the server is still healthy', async () => {
    assert.equal((await fetch(h.baseUrl + '/healthz')).status, 200);
    assert.doesNotMatch(h.logs(), /"statusCode":5\d\d|unhandled error/);
  });
});
