// Webhooks: every invalid field of API.md section 4 is a 400 validation_error naming it, and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { assertInvalid, webhookBody, webhookIds } from './support.ts';

const URL_A = 'https://crm.example.com/hooks/loyalty';
let h: Herald;
let existing: any;

before(async () => {
  h = await startHerald();
  const response = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { auth: { type: 'jwt', secret: 'jwt-secret-0001' } }));
  assert.equal(response.status, 201, response.text);
  existing = response.body;
});
after(async () => {
  await h?.stop();
});

/** [what, body override, field the details must name] */
const BAD_CREATES: Array<[string, Record<string, unknown>, string]> = [
  ['name missing', { name: undefined }, 'name'],
  ['name empty', { name: '' }, 'name'],
  ['name of 101 chars', { name: 'n'.repeat(101) }, 'name'],
  ['name not a string', { name: 42 }, 'name'],
  ['url missing', { url: undefined }, 'url'],
  ['url relative', { url: '/hooks/loyalty' }, 'url'],
  ['url not http(s)', { url: 'ftp://crm.example.com/x' }, 'url'],
  ['url javascript:', { url: 'javascript:alert(1)' }, 'url'],
  ['url not a URL', { url: 'not a url' }, 'url'],
  ['method GET', { method: 'GET' }, 'method'],
  ['method put', { method: 'PUT' }, 'method'],
  ['description not a string', { description: 12 }, 'description'],
  ['enabled not a boolean', { enabled: 'yes' }, 'enabled'],
  ['auth.type unknown', { auth: { type: 'oauth' } }, 'auth.type'],
  ['jwt without secret', { auth: { type: 'jwt' } }, 'auth.secret'],
  ['jwt with empty secret', { auth: { type: 'jwt', secret: '' } }, 'auth.secret'],
  ['basic without username', { auth: { type: 'basic', password: 'p' } }, 'auth.username'],
  ['basic without password', { auth: { type: 'basic', username: 'u' } }, 'auth.password'],
  ['signature secret not whsec_ base64', { auth: { type: 'signature', secret: 'plain-text-secret' } }, 'auth.secret'],
  ['event_types missing', { event_types: undefined }, 'event_types'],
  ['event_types empty', { event_types: [] }, 'event_types'],
  ['event_types not an array', { event_types: 'reward.awarded' }, 'event_types'],
  ['event_types unknown', { event_types: ['reward.awarded', 'reward.stolen'] }, 'event_types'],
  ['event_types a bare feed', { event_types: ['reward'] }, 'event_types'],
  ['filter $where', { filter: { $where: 'this.user_id == 1' } }, 'filter'],
  ['filter __proto__', { filter: JSON.parse('{"__proto__": {"polluted": true}}') }, 'filter'],
  ['filter unknown operator', { filter: { user_id: { $foo: 1 } } }, 'filter'],
  ['filter $function', { filter: { $expr: { $function: { body: 'return true', args: [], lang: 'js' } } } }, 'filter'],
  ['filter invalid regex', { filter: { user_id: { $regex: '(' } } }, 'filter'],
  ['filter $in not an array', { filter: { user_id: { $in: 'x' } } }, 'filter'],
  ['filter not an object', { filter: 'user_id == 1' }, 'filter'],
  ['retry.attempts -1', { retry: { attempts: -1 } }, 'retry.attempts'],
  ['retry.attempts 11', { retry: { attempts: 11 } }, 'retry.attempts'],
  ['retry.attempts 1.5', { retry: { attempts: 1.5 } }, 'retry.attempts'],
  ['retry.attempts "3"', { retry: { attempts: '3' } }, 'retry.attempts'],
  ['retry.delay_seconds -1', { retry: { delay_seconds: -1 } }, 'retry.delay_seconds'],
  ['retry.delay_seconds 86401', { retry: { delay_seconds: 86401 } }, 'retry.delay_seconds'],
  ['retry.timeout_seconds 0', { retry: { timeout_seconds: 0 } }, 'retry.timeout_seconds'],
  ['retry.timeout_seconds 121', { retry: { timeout_seconds: 121 } }, 'retry.timeout_seconds'],
  ['retry.backoff unknown', { retry: { backoff: 'linear' } }, 'retry.backoff'],
  ['retry.backoff not a string', { retry: { backoff: 2 } }, 'retry.backoff'],
  ['retry.max_delay_seconds 0', { retry: { max_delay_seconds: 0 } }, 'retry.max_delay_seconds'],
  ['retry.max_delay_seconds 86401', { retry: { max_delay_seconds: 86401 } }, 'retry.max_delay_seconds'],
  ['retry.max_delay_seconds 1.5', { retry: { max_delay_seconds: 1.5 } }, 'retry.max_delay_seconds'],
  ['rate_limit_per_second 0', { rate_limit_per_second: 0 }, 'rate_limit_per_second'],
  ['rate_limit_per_second 10001', { rate_limit_per_second: 10001 }, 'rate_limit_per_second'],
  ['rate_limit_per_second 2.5', { rate_limit_per_second: 2.5 }, 'rate_limit_per_second'],
  ['rate_limit_per_second "5"', { rate_limit_per_second: '5' }, 'rate_limit_per_second'],
  ['headers Host', { headers: { Host: 'evil.example.com' } }, 'headers.Host'],
  ['headers content-type', { headers: { 'content-type': 'text/plain' } }, 'headers.content-type'],
  ['headers Content-Length', { headers: { 'Content-Length': '1' } }, 'headers.Content-Length'],
  ['headers User-Agent', { headers: { 'User-Agent': 'x' } }, 'headers.User-Agent'],
  ['headers Authorization', { headers: { Authorization: 'Bearer x' } }, 'headers.Authorization'],
  ['headers webhook-signature', { headers: { 'webhook-signature': 'v1,x' } }, 'headers.webhook-signature'],
  ['headers Webhook-Id', { headers: { 'Webhook-Id': 'x' } }, 'headers.Webhook-Id'],
  ['headers value not a string', { headers: { 'X-Count': 3 } }, 'headers.X-Count'],
  ['headers invalid name', { headers: { 'Bad Header': 'x' } }, 'headers.Bad Header'],
  ['headers value with CRLF', { headers: { 'X-Inject': 'a\r\nX-Evil: 1' } }, 'headers.X-Inject'],
];

describe('POST /v1/webhooks with one bad field', () => {
  for (const [what, override, field] of BAD_CREATES) {
    it(`${what} → 400 naming ${field}, nothing created`, async () => {
      const before = await webhookIds(h);
      const response = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, override));
      assertInvalid(response, field);
      assert.deepEqual(await webhookIds(h), before);
    });
  }

  it('names the unknown event types in the error', async () => {
    const response = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, { event_types: ['reward.stolen', 'badge.lost'] }));
    assertInvalid(response, 'event_types');
    assert.match(response.text, /reward\.stolen/);
    assert.match(response.text, /badge\.lost/);
  });
});

describe('POST /v1/webhooks with several bad fields', () => {
  it('answers one details entry per bad field', async () => {
    const before = await webhookIds(h);
    const response = await h.api('POST', '/v1/webhooks', {
      name: '',
      url: 'ftp://x',
      event_types: ['nope.nope'],
      retry: { attempts: 11, timeout_seconds: 0 },
      headers: { Host: 'x' },
      filter: { $where: '1' },
    });
    assertInvalid(response, 'name', 'url', 'event_types', 'retry.attempts', 'retry.timeout_seconds', 'headers.Host', 'filter');
    assert.deepEqual(await webhookIds(h), before);
  });
});

describe('POST /v1/webhooks boundary values', () => {
  it('accepts the edges of every range', async () => {
    const edges: Array<Record<string, unknown>> = [
      { name: 'x'.repeat(100) },
      { name: 'y' },
      { retry: { attempts: 0, delay_seconds: 0, timeout_seconds: 1 } },
      { retry: { attempts: 10, delay_seconds: 86400, timeout_seconds: 120 } },
      { retry: { backoff: 'exponential', max_delay_seconds: 1 } },
      { retry: { backoff: 'fixed', max_delay_seconds: 86400 } },
      { rate_limit_per_second: 1 },
      { rate_limit_per_second: 10000 },
      { rate_limit_per_second: null },
      { url: 'http://crm.example.com:8443/in?x=1' },
      { event_types: ['user.created', 'user.updated', 'badge.awarded', 'reward.awarded', 'reward.expired', 'reward.low_coupon_alert', 'journey.in_progress', 'journey.completed', 'journey.abandoned', 'point_balance.user_updated', 'point_balance.group_updated'] },
      { headers: { 'X-Source': 'loyalty', 'X-Tenant': 'acme' } },
      { auth: { type: 'none' } },
      { auth: { type: 'signature', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
      { filter: { $and: [{ user_id: { $ne: null } }, { $or: [{ 'data.x': { $gt: 1 } }, { 'data.x': { $lte: 0 } }] }], event_type: { $regex: '^reward\\.' }, 'data.y': { $not: { $eq: 3 } }, 'data.z': { $nin: [1, 2], $exists: true }, 'data.w': { $gte: 1, $lt: 9 } } },
    ];
    for (const override of edges) {
      const response = await h.api('POST', '/v1/webhooks', webhookBody(URL_A, override));
      assert.equal(response.status, 201, `${JSON.stringify(override)}: ${response.text}`);
      for (const [key, value] of Object.entries(override)) {
        if (key === 'auth') assert.equal(response.body.auth.type, (value as { type: string }).type);
        else if (key === 'retry') for (const [k, v] of Object.entries(value as object)) assert.deepEqual(response.body.retry[k], v, `retry.${k}`);
        else assert.deepEqual(response.body[key], value);
      }
    }
  });
});

describe('PATCH /v1/webhooks/{id} with bad fields', () => {
  const BAD_PATCHES: Array<[Record<string, unknown>, string]> = [
    [{ name: '' }, 'name'],
    [{ url: 'ftp://x' }, 'url'],
    [{ method: 'GET' }, 'method'],
    [{ enabled: 'no' }, 'enabled'],
    [{ event_types: [] }, 'event_types'],
    [{ event_types: ['nope.nope'] }, 'event_types'],
    [{ filter: { $where: '1' } }, 'filter'],
    [{ retry: { attempts: 11 } }, 'retry.attempts'],
    [{ retry: { delay_seconds: 86401 } }, 'retry.delay_seconds'],
    [{ retry: { timeout_seconds: 121 } }, 'retry.timeout_seconds'],
    [{ retry: { backoff: 'random' } }, 'retry.backoff'],
    [{ retry: { max_delay_seconds: 0 } }, 'retry.max_delay_seconds'],
    [{ rate_limit_per_second: 0 }, 'rate_limit_per_second'],
    [{ headers: { Host: 'x' } }, 'headers.Host'],
    [{ auth: { type: 'basic', username: 'u' } }, 'auth.password'],
    // API.md: "auth is replaced whole", and a jwt auth needs its secret.
    [{ auth: { type: 'jwt' } }, 'auth.secret'],
  ];
  for (const [patch, field] of BAD_PATCHES) {
    it(`${JSON.stringify(patch)} → 400 naming ${field}, webhook unchanged`, async () => {
      const before = (await h.api('GET', `/v1/webhooks/${existing.id}`)).body;
      const response = await h.api('PATCH', `/v1/webhooks/${existing.id}`, patch);
      assertInvalid(response, field);
      const after = await h.api('GET', `/v1/webhooks/${existing.id}`);
      assert.deepEqual(after.body, before);
      assert.equal((await h.api('GET', `/v1/webhooks/${existing.id}/secret`)).body.secret, 'jwt-secret-0001');
    });
  }

  it('a patch with one good and one bad field changes nothing', async () => {
    const before = (await h.api('GET', `/v1/webhooks/${existing.id}`)).body;
    const response = await h.api('PATCH', `/v1/webhooks/${existing.id}`, { description: 'should not stick', retry: { attempts: 99 } });
    assertInvalid(response, 'retry.attempts');
    assert.deepEqual((await h.api('GET', `/v1/webhooks/${existing.id}`)).body, before);
  });
});
