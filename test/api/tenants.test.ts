// API.md §8 on a real Herald process: tenants, API keys and their scopes, choosing the tenant,
// and two tenants with webhooks, events and deliveries that never see each other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startHerald, type ApiResponse, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { rewardEvent } from '../helpers/fixtures.ts';
import { assertError, assertInvalid, ISO_UTC } from './support.ts';

let h: Herald;

before(async () => {
  h = await startHerald();
});
after(async () => {
  await h?.stop();
});

/** A request with another key (and optionally a Herald-Tenant). */
function as(key: string, method: string, path: string, body?: unknown, tenant?: string): Promise<ApiResponse> {
  return h.api(method, path, body, { authorization: `Bearer ${key}`, ...(tenant ? { 'herald-tenant': tenant } : {}) });
}

async function createTenant(id: string, name = `Brand ${id}`): Promise<void> {
  const r = await h.api('POST', '/v1/tenants', { id, name });
  assert.equal(r.status, 201, r.text);
}

async function createKey(scopes: string[], tenantId?: string): Promise<{ id: string; key: string }> {
  const r = await h.api('POST', '/v1/api-keys', { name: `${scopes.join('+')} ${tenantId ?? 'admin'}`, scopes, ...(tenantId ? { tenant_id: tenantId } : {}) });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

describe('tenants', () => {
  it('has default from the start; creates with the brand id or a generated tn_ id; a taken id is 409', async () => {
    const fresh = await h.api('GET', '/v1/tenants/default');
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.body.id, 'default');
    const made = await h.api('POST', '/v1/tenants', { id: 'acme-rewards', name: 'Acme Rewards' });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(Object.keys(made.body).sort(), ['created_at', 'id', 'name']);
    assert.match(made.body.created_at, ISO_UTC);
    const generated = await h.api('POST', '/v1/tenants', { name: 'No id' });
    assert.equal(generated.status, 201, generated.text);
    assert.match(generated.body.id, /^tn_[a-z0-9]+$/);
    assertError(await h.api('POST', '/v1/tenants', { id: 'acme-rewards', name: 'Again' }), 409, 'conflict');
  });

  it('refuses malformed ids and names', async () => {
    for (const id of ['Acme', '-x', 'a b', 'x'.repeat(64), 'é']) assertInvalid(await h.api('POST', '/v1/tenants', { id, name: 'n' }), 'id');
    assertInvalid(await h.api('POST', '/v1/tenants', { id: 'ok-id' }), 'name');
  });

  it('lists by id with a cursor, reads, renames; unknown ids are 404', async () => {
    for (const id of ['list-c', 'list-a', 'list-b']) await createTenant(id);
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse = await h.api('GET', `/v1/tenants?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.data.length <= 2);
      all.push(...page.body.data.map((t: { id: string }) => t.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    assert.deepEqual(all, [...all].sort());
    for (const id of ['default', 'list-a', 'list-b', 'list-c']) assert.ok(all.includes(id), id);
    assertInvalid(await h.api('GET', '/v1/tenants?cursor=garbage'), 'cursor');
    const renamed = await h.api('PATCH', '/v1/tenants/list-a', { name: 'Renamed' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await h.api('GET', '/v1/tenants/list-a')).body.name, 'Renamed');
    assertError(await h.api('GET', '/v1/tenants/nope'), 404, 'not_found');
    assertError(await h.api('PATCH', '/v1/tenants/nope', { name: 'x' }), 404, 'not_found');
    assertError(await h.api('DELETE', '/v1/tenants/nope'), 404, 'not_found');
  });

  it('never deletes default or a tenant with webhooks; deleting one removes its events and revokes its keys', async () => {
    assertError(await h.api('DELETE', '/v1/tenants/default'), 409, 'conflict');
    await createTenant('doomed');
    const key = await createKey(['manage'], 'doomed');
    const hook = await as(key.key, 'POST', '/v1/webhooks', { name: 'doomed hook', url: 'http://127.0.0.1:9/x', event_types: ['reward.awarded'] });
    assert.equal(hook.status, 201, hook.text);
    const event = await as(key.key, 'POST', '/v1/events', rewardEvent('REW-D'));
    assert.equal(event.status, 202, event.text);
    assertError(await h.api('DELETE', '/v1/tenants/doomed'), 409, 'conflict');
    assert.equal((await as(key.key, 'DELETE', `/v1/webhooks/${hook.body.id}`)).status, 204);
    assert.equal((await h.api('DELETE', '/v1/tenants/doomed')).status, 204);
    assertError(await as(key.key, 'GET', '/v1/webhooks'), 401, 'unauthorized');
    assertError(await h.api('GET', `/v1/events/${event.body.event_id}`, undefined, { 'herald-tenant': 'doomed' }), 404, 'not_found');
    assertError(await h.api('GET', '/v1/tenants/doomed'), 404, 'not_found');
  });
});

describe('API keys', () => {
  before(async () => {
    await createTenant('keys-t');
  });

  it('shows the key once, lists keys without it, filters by tenant, revokes', async () => {
    const made = await h.api('POST', '/v1/api-keys', { name: 'producer', scopes: ['ingest'], tenant_id: 'keys-t' });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(Object.keys(made.body).sort(), ['created_at', 'id', 'key', 'last_used_at', 'name', 'scopes', 'tenant_id']);
    assert.match(made.body.id, /^key_/);
    assert.match(made.body.key, /^hk_/);
    assert.equal(made.body.last_used_at, null);
    assert.deepEqual(made.body.scopes, ['ingest']);
    const admin = await createKey(['admin']);
    const listed = await h.api('GET', '/v1/api-keys?tenant_id=keys-t');
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.data.map((k: { id: string }) => k.id), [made.body.id]);
    assert.ok(listed.body.data.every((k: object) => !('key' in k) && !JSON.stringify(k).includes(made.body.key)));
    const all = await h.api('GET', '/v1/api-keys');
    assert.ok(all.body.data.some((k: { id: string; tenant_id: null }) => k.id === admin.id && k.tenant_id === null));

    assert.equal((await as(made.body.key, 'POST', '/v1/events', rewardEvent())).status, 202);
    const used = await eventually(async () => {
      const r = await h.api('GET', '/v1/api-keys?tenant_id=keys-t');
      return r.body.data[0].last_used_at;
    }, 10_000, 'last_used_at');
    assert.match(used, ISO_UTC);

    assert.equal((await h.api('DELETE', `/v1/api-keys/${made.body.id}`)).status, 204);
    assertError(await as(made.body.key, 'POST', '/v1/events', rewardEvent()), 401, 'unauthorized');
    assertError(await h.api('DELETE', `/v1/api-keys/${made.body.id}`), 404, 'not_found');
    assert.deepEqual((await h.api('GET', '/v1/api-keys?tenant_id=keys-t')).body.data, []);
    assert.equal((await as(admin.key, 'GET', '/v1/tenants')).status, 200, 'a created admin key is admin');
  });

  it('refuses unknown scopes, tenant keys asking for admin, admin keys naming a tenant, malformed or unknown tenants', async () => {
    assertInvalid(await h.api('POST', '/v1/api-keys', { name: 'k', scopes: ['root'], tenant_id: 'keys-t' }), 'scopes');
    assertInvalid(await h.api('POST', '/v1/api-keys', { name: 'k', scopes: [], tenant_id: 'keys-t' }), 'scopes');
    assertInvalid(await h.api('POST', '/v1/api-keys', { name: 'k', scopes: ['admin', 'read'], tenant_id: 'keys-t' }), 'tenant_id');
    assertInvalid(await h.api('POST', '/v1/api-keys', { name: 'k', scopes: ['admin'], tenant_id: 'keys-t' }), 'tenant_id');
    assertInvalid(await h.api('POST', '/v1/api-keys', { name: 'k', scopes: ['read'] }), 'tenant_id');
    assertInvalid(await h.api('POST', '/v1/api-keys', { name: 'k', scopes: ['read'], tenant_id: 'Bad Id' }), 'tenant_id');
    assertError(await h.api('POST', '/v1/api-keys', { name: 'k', scopes: ['read'], tenant_id: 'no-such-tenant' }), 404, 'not_found');
    assertInvalid(await h.api('GET', '/v1/api-keys?tenant_id=Bad%20Id'), 'tenant_id');
    assert.deepEqual((await h.api('GET', '/v1/api-keys?tenant_id=keys-t')).body.data, [], 'nothing was created');
  });
});

describe('choosing the tenant and scopes', () => {
  let read: string;
  let ingest: string;
  let manage: string;

  before(async () => {
    await createTenant('scope-t');
    await createTenant('scope-u');
    read = (await createKey(['read'], 'scope-t')).key;
    ingest = (await createKey(['ingest'], 'scope-t')).key;
    manage = (await createKey(['manage'], 'scope-t')).key;
  });

  it('admin: Herald-Tenant picks the tenant (default without it); unknown is 404, malformed 400', async () => {
    const made = await h.api('POST', '/v1/webhooks', { name: 'in scope-u', url: 'http://127.0.0.1:9/x', event_types: ['reward.awarded'] }, { 'herald-tenant': 'scope-u' });
    assert.equal(made.status, 201, made.text);
    assertError(await h.api('GET', `/v1/webhooks/${made.body.id}`), 404, 'not_found');
    assert.equal((await h.api('GET', `/v1/webhooks/${made.body.id}`, undefined, { 'herald-tenant': 'scope-u' })).status, 200);
    assertError(await h.api('GET', '/v1/webhooks', undefined, { 'herald-tenant': 'no-such-tenant' }), 404, 'not_found');
    assertInvalid(await h.api('GET', '/v1/webhooks', undefined, { 'herald-tenant': 'Not Valid!' }), 'Herald-Tenant');
  });

  it('a tenant key acts in its own tenant; naming another is 403, naming its own is fine', async () => {
    assertError(await as(read, 'GET', '/v1/webhooks', undefined, 'scope-u'), 403, 'forbidden');
    assertError(await as(read, 'GET', '/v1/webhooks', undefined, 'default'), 403, 'forbidden');
    assert.equal((await as(read, 'GET', '/v1/webhooks', undefined, 'scope-t')).status, 200);
    assert.equal((await as(read, 'GET', '/v1/tenants/scope-t')).status, 200, 'its own tenant');
    assert.equal((await as(ingest, 'GET', '/v1/tenants/scope-t')).status, 200, 'any scope may read its tenant');
    assertError(await as(read, 'GET', '/v1/tenants/scope-u'), 404, 'not_found');
  });

  it('a key outside its scope gets 403 forbidden and changes nothing', async () => {
    const hook = { name: 'scoped', url: 'http://127.0.0.1:9/x', event_types: ['reward.awarded'], auth: { type: 'signature' } };
    assertError(await as(read, 'POST', '/v1/webhooks', hook), 403, 'forbidden');
    assertError(await as(ingest, 'POST', '/v1/webhooks', hook), 403, 'forbidden');
    assertError(await as(ingest, 'GET', '/v1/webhooks'), 403, 'forbidden');
    assertError(await as(read, 'POST', '/v1/events', rewardEvent()), 403, 'forbidden');
    assertError(await as(manage, 'GET', '/v1/tenants'), 403, 'forbidden');
    assertError(await as(manage, 'POST', '/v1/api-keys', { name: 'x', scopes: ['read'], tenant_id: 'scope-t' }), 403, 'forbidden');
    assert.deepEqual((await as(read, 'GET', '/v1/webhooks')).body.data, []);
    const made = await as(manage, 'POST', '/v1/webhooks', hook);
    assert.equal(made.status, 201, made.text);
    assert.equal((await as(manage, 'GET', `/v1/webhooks/${made.body.id}/secret`)).status, 200);
    assertError(await as(read, 'GET', `/v1/webhooks/${made.body.id}/secret`), 403, 'forbidden');
    assert.equal((await as(read, 'GET', `/v1/webhooks/${made.body.id}`)).status, 200);
    assert.equal((await as(manage, 'POST', '/v1/events', rewardEvent())).status, 202, 'manage may ingest too');
  });

  it('a wrong or missing key is 401 whatever the route', async () => {
    assertError(await as('hk_not-a-key', 'GET', '/v1/webhooks'), 401, 'unauthorized');
    assertError(await as('hk_not-a-key', 'GET', '/v1/tenants'), 401, 'unauthorized');
  });
});

describe('two tenants never see each other', () => {
  let ra: Receiver;
  let rb: Receiver;
  const keys: Record<'a' | 'b', { manage: string; ingest: string }> = {} as never;
  const hooks: Record<'a' | 'b', string> = {} as never;

  before(async () => {
    ra = await startReceiver();
    rb = await startReceiver();
    for (const [t, receiver] of [['a', ra], ['b', rb]] as const) {
      await createTenant(`iso-${t}`);
      keys[t] = { manage: (await createKey(['manage'], `iso-${t}`)).key, ingest: (await createKey(['ingest'], `iso-${t}`)).key };
      // The same name in both tenants: names are unique per tenant.
      const made = await as(keys[t].manage, 'POST', '/v1/webhooks', { name: 'CRM sync', url: receiver.url, event_types: ['reward.awarded'] });
      assert.equal(made.status, 201, made.text);
      hooks[t] = made.body.id;
    }
  });
  after(async () => {
    await ra?.close();
    await rb?.close();
  });

  it('fan-out, event ids, lists, reads by id, stats and retries stay in their tenant', async () => {
    const eventId = '6f1c2f4e-1111-4a2b-9c3d-000000000001';
    const inA = await as(keys.a.ingest, 'POST', '/v1/events', rewardEvent('REW-A', { event_id: eventId }));
    assert.equal(inA.status, 202, inA.text);
    assert.equal(inA.body.deliveries, 1);
    // The same event id in the other tenant is a new event there (idempotency is per tenant).
    const inB = await as(keys.b.ingest, 'POST', '/v1/events/batch', { events: [rewardEvent('REW-B', { event_id: eventId })] });
    assert.equal(inB.status, 202, inB.text);
    assert.equal(inB.body.data[0].status, 202);
    await ra.waitFor(1);
    await rb.waitFor(1);
    assert.equal(ra.requests[0].json.data.awarded_reward.reward_id, 'REW-A');
    assert.equal(rb.requests[0].json.data.awarded_reward.reward_id, 'REW-B');
    // Nothing in default (where the admin's own webhooks live) got either.
    const inDefault = await h.api('GET', `/v1/events/${eventId}`);
    assertError(inDefault, 404, 'not_found');

    const deliveriesA = await eventually(async () => {
      const r = await as(keys.a.manage, 'GET', '/v1/deliveries');
      return r.body.data.length === 1 && r.body.data[0].status === 'success' ? r.body.data : undefined;
    }, 10_000, 'delivery in A');
    assert.equal(deliveriesA[0].webhook_id, hooks.a);
    const deliveryA = deliveriesA[0].id;

    // Lists show only the tenant's rows.
    assert.deepEqual((await as(keys.b.manage, 'GET', '/v1/webhooks')).body.data.map((w: { id: string }) => w.id), [hooks.b]);
    const listB = (await as(keys.b.manage, 'GET', '/v1/deliveries')).body.data;
    assert.ok(listB.every((d: { webhook_id: string }) => d.webhook_id === hooks.b));
    assert.deepEqual((await as(keys.b.manage, 'GET', `/v1/deliveries?webhook_id=${hooks.a}`)).body.data, []);
    assert.deepEqual((await as(keys.b.manage, 'GET', '/v1/webhooks?name=crm')).body.data.length, 1);

    // Another tenant's ids are 404 on every route that takes one, and changing them changes nothing.
    for (const [method, path, body] of [
      ['GET', `/v1/webhooks/${hooks.a}`],
      ['PATCH', `/v1/webhooks/${hooks.a}`, { name: 'stolen' }],
      ['GET', `/v1/webhooks/${hooks.a}/secret`],
      ['POST', `/v1/webhooks/${hooks.a}/secret/rotate`],
      ['POST', `/v1/webhooks/${hooks.a}/test`, {}],
      ['POST', '/v1/webhooks/test', { id: hooks.a, url: 'http://127.0.0.1:9/x' }],
      ['DELETE', `/v1/webhooks/${hooks.a}`],
      ['GET', `/v1/deliveries/${deliveryA}`],
      ['POST', `/v1/deliveries/${deliveryA}/retry`],
      ['POST', `/v1/deliveries/${deliveryA}/cancel`],
      ['POST', `/v1/webhooks/${hooks.a}/recover`, { since: '2020-01-01T00:00:00Z', include_missed: true }],
    ] as Array<[string, string, unknown?]>) {
      assertError(await as(keys.b.manage, method, path, body), 404, 'not_found');
    }
    const a = await as(keys.a.manage, 'GET', `/v1/webhooks/${hooks.a}`);
    assert.equal(a.body.name, 'CRM sync');
    assert.equal(a.body.stats.total, 1, 'stats count the tenant\'s own deliveries');
    const b = await as(keys.b.manage, 'GET', `/v1/webhooks/${hooks.b}`);
    assert.equal(b.body.stats.total, 1);
    assert.equal((await as(keys.a.manage, 'GET', `/v1/events/${eventId}`)).body.data.awarded_reward.reward_id, 'REW-A');
    assert.equal((await as(keys.b.manage, 'GET', `/v1/events/${eventId}`)).body.data.awarded_reward.reward_id, 'REW-B');
    // The admin sees each through Herald-Tenant.
    assert.equal((await h.api('GET', `/v1/deliveries/${deliveryA}`, undefined, { 'herald-tenant': 'iso-a' })).status, 200);
    assert.equal(ra.requests.length, 1, 'no test send or retry reached A from B');
  });

  it('GET /v1/events lists only the tenant\'s events; erasing member X in B leaves A\'s member X untouched (§8 and §10)', async () => {
    const member = 'member-x@example.com';
    const sent = async (key: string, rewardId: string) => {
      const r = await as(key, 'POST', '/v1/events', rewardEvent(rewardId, { user_id: member }));
      assert.equal(r.status, 202, r.text);
      return r.body.event_id as string;
    };
    const a1 = await sent(keys.a.ingest, 'MX-A1');
    const a2 = await sent(keys.a.ingest, 'MX-A2');
    const b1 = await sent(keys.b.ingest, 'MX-B1');
    const listed = async (key: string, query = `?user_id=${encodeURIComponent(member)}`) => {
      const r = await as(key, 'GET', `/v1/events${query}`);
      assert.equal(r.status, 200, r.text);
      return r.body.data.map((e: { event_id: string }) => e.event_id).sort();
    };
    assert.deepEqual(await listed(keys.a.manage), [a1, a2].sort());
    assert.deepEqual(await listed(keys.b.manage), [b1]);
    assert.ok(!(await listed(keys.b.manage, '')).some((id: string) => id === a1 || id === a2), 'B\'s unfiltered list has none of A\'s');
    assert.deepEqual(await listed(keys.b.manage, `?user_id=${encodeURIComponent(member)}&event_type=reward.awarded`), [b1]);

    const erased = await as(keys.b.manage, 'DELETE', `/v1/members/${encodeURIComponent(member)}`);
    assert.equal(erased.status, 200, erased.text);
    assert.equal(erased.body.events, 1);
    assert.deepEqual(await listed(keys.b.manage), []);
    assertError(await as(keys.b.manage, 'GET', `/v1/events/${b1}`), 404, 'not_found');
    // A's member X is another member: every event and delivery is still there.
    assert.deepEqual(await listed(keys.a.manage), [a1, a2].sort());
    assert.equal((await as(keys.a.manage, 'GET', `/v1/events/${a1}`)).status, 200);
    const deliveriesA = await as(keys.a.manage, 'GET', `/v1/deliveries?user_id=${encodeURIComponent(member)}`);
    assert.equal(deliveriesA.body.data.length, 2, deliveriesA.text);
    // Ingest keys may not list or erase; read keys may list but not erase.
    assertError(await as(keys.a.ingest, 'GET', '/v1/events'), 403, 'forbidden');
    assertError(await as(keys.a.ingest, 'DELETE', `/v1/members/${encodeURIComponent(member)}`), 403, 'forbidden');
    const read = (await createKey(['read'], 'iso-a')).key;
    assert.equal((await as(read, 'GET', '/v1/events')).status, 200);
    assertError(await as(read, 'DELETE', `/v1/members/${encodeURIComponent(member)}`), 403, 'forbidden');
    assert.deepEqual(await listed(keys.a.manage), [a1, a2].sort(), 'the refused erasures changed nothing');
  });
});

describe('HERALD_RATE_LIMIT counts per key', () => {
  let limited: Herald;
  before(async () => {
    limited = await startHerald({ env: { HERALD_RATE_LIMIT: '3' } });
  });
  after(async () => {
    await limited?.stop();
  });

  it('one key over the limit is 429 while another key still gets through', async () => {
    const made = await limited.api('POST', '/v1/api-keys', { name: 'reader', scopes: ['read'], tenant_id: 'default' });
    assert.equal(made.status, 201, made.text);
    for (let i = 0; i < 2; i++) assert.equal((await limited.api('GET', '/v1/webhooks')).status, 200);
    assertError(await limited.api('GET', '/v1/webhooks'), 429, 'rate_limited');
    const other = await limited.api('GET', '/v1/webhooks', undefined, { authorization: `Bearer ${made.body.key}` });
    assert.equal(other.status, 200, other.text);
  });
});
