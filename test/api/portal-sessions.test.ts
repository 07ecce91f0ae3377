// API.md §8 portal sessions on a real Herald process: the token works as a bearer key with its
// scopes in its tenant only, expires (a token minted with a past exp by the same signing module),
// a tampered or foreign-key token is 401, another Herald-Tenant is 403; GET /v1/me; the CSP of UI pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PortalTokens } from '../../src/tenancy/portal-tokens.ts';
import type { TenantId } from '../../src/domain/ids.ts';
import { startHerald, type ApiResponse, type Herald } from '../helpers/herald.ts';
import { assertError, assertInvalid, ISO_UTC, webhookBody } from './support.ts';

const SECRET = 'portal-test-secret-key-0123456789';
let h: Herald;

before(async () => {
  h = await startHerald({ env: { HERALD_SECRET_KEY: SECRET, HERALD_PORTAL_FRAME_ANCESTORS: 'https://backoffice.example.com https://*.example.org' } });
  for (const id of ['portal-a', 'portal-b']) {
    const r = await h.api('POST', '/v1/tenants', { id, name: `Brand ${id}` });
    assert.equal(r.status, 201, r.text);
  }
});
after(async () => {
  await h?.stop();
});

function as(token: string, method: string, path: string, body?: unknown, tenant?: string): Promise<ApiResponse> {
  return h.api(method, path, body, { authorization: `Bearer ${token}`, ...(tenant ? { 'herald-tenant': tenant } : {}) });
}

async function session(tenant: string, body: Record<string, unknown> = {}): Promise<{ token: string; url: string; expires_at: string }> {
  const r = await h.api('POST', `/v1/tenants/${tenant}/portal-sessions`, body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

describe('portal sessions', () => {
  it('answers token, url (on the request host, token in the fragment) and expires_at; defaults manage, 3600 s', async () => {
    const before = Date.now();
    const s = await session('portal-a');
    const after = Date.now();
    assert.deepEqual(Object.keys(s).sort(), ['expires_at', 'token', 'url']);
    assert.match(s.expires_at, ISO_UTC);
    const expiresAt = Date.parse(s.expires_at);
    assert.ok(expiresAt >= before + 3_599_000 && expiresAt <= after + 3_600_000, `expires ${expiresAt - before} ms after the request`);
    assert.equal(s.url, `${h.baseUrl}/#portal=${s.token}`);
    const me = await as(s.token, 'GET', '/v1/me');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body, { kind: 'portal', scopes: ['manage'], tenant_id: 'portal-a', expires_at: s.expires_at });
  });

  it('refuses bad scopes, ttl and tenants; only admin may make one', async () => {
    assertInvalid(await h.api('POST', '/v1/tenants/portal-a/portal-sessions', { scopes: ['admin'] }), 'scopes');
    assertInvalid(await h.api('POST', '/v1/tenants/portal-a/portal-sessions', { scopes: ['manage', 'read'] }), 'scopes');
    assertInvalid(await h.api('POST', '/v1/tenants/portal-a/portal-sessions', { ttl_seconds: 59 }), 'ttl_seconds');
    assertInvalid(await h.api('POST', '/v1/tenants/portal-a/portal-sessions', { ttl_seconds: 86_401 }), 'ttl_seconds');
    assertError(await h.api('POST', '/v1/tenants/nobody/portal-sessions', {}), 404, 'not_found');
    const s = await session('portal-a');
    assertError(await as(s.token, 'POST', '/v1/tenants/portal-a/portal-sessions', {}), 403, 'forbidden');
  });

  it('acts in its tenant only: sees its webhooks, not the other tenant\'s; another Herald-Tenant is 403', async () => {
    const inA = await h.api('POST', '/v1/webhooks', webhookBody('https://a.example.com/hook'), { 'herald-tenant': 'portal-a' });
    assert.equal(inA.status, 201, inA.text);
    const inB = await h.api('POST', '/v1/webhooks', webhookBody('https://b.example.com/hook'), { 'herald-tenant': 'portal-b' });
    assert.equal(inB.status, 201, inB.text);
    const s = await session('portal-a');
    const list = await as(s.token, 'GET', '/v1/webhooks');
    assert.equal(list.status, 200, list.text);
    const ids = list.body.data.map((w: { id: string }) => w.id);
    assert.ok(ids.includes(inA.body.id));
    assert.ok(!ids.includes(inB.body.id));
    assertError(await as(s.token, 'GET', `/v1/webhooks/${inB.body.id}`), 404, 'not_found');
    assertError(await as(s.token, 'GET', '/v1/webhooks', undefined, 'portal-b'), 403, 'forbidden');
    assert.equal((await as(s.token, 'GET', '/v1/webhooks', undefined, 'portal-a')).status, 200);
    assertError(await as(s.token, 'GET', '/v1/tenants'), 403, 'forbidden');
    const own = await as(s.token, 'GET', '/v1/tenants/portal-a');
    assert.equal(own.status, 200, own.text);
  });

  it('a read session reads but cannot write', async () => {
    const s = await session('portal-a', { scopes: ['read'], ttl_seconds: 60 });
    assert.equal((await as(s.token, 'GET', '/v1/webhooks')).status, 200);
    assertError(await as(s.token, 'POST', '/v1/webhooks', webhookBody('https://a.example.com/read')), 403, 'forbidden');
    const me = await as(s.token, 'GET', '/v1/me');
    assert.deepEqual(me.body.scopes, ['read']);
  });

  it('expired, tampered or signed with another key: 401', async () => {
    const mint = (secret: string, expiresAtMs: number) => new PortalTokens(secret).sign({ tenant: 'portal-a' as TenantId, scopes: ['manage'], expiresAtMs });
    const good = await mint(SECRET, Date.now() + 60_000);
    assert.equal((await as(good, 'GET', '/v1/webhooks')).status, 200, 'a token minted with the server key works');
    assertError(await as(await mint(SECRET, Date.now() - 1_000), 'GET', '/v1/webhooks'), 401, 'unauthorized');
    assertError(await as(await mint('another-secret-key-0123456789', Date.now() + 60_000), 'GET', '/v1/webhooks'), 401, 'unauthorized');
    const [head, payload, signature] = good.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, tenant: 'portal-b' })).toString('base64url');
    assertError(await as(`${head}.${forged}.${signature}`, 'GET', '/v1/webhooks'), 401, 'unauthorized');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    assertError(await as(`${head}.${payload}.${flipped}`, 'GET', '/v1/webhooks'), 401, 'unauthorized');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    assertError(await as(none, 'GET', '/v1/webhooks'), 401, 'unauthorized');
  });

  it("a deleted tenant's sessions stop working", async () => {
    assert.equal((await h.api('POST', '/v1/tenants', { id: 'portal-gone', name: 'Gone' })).status, 201);
    const s = await session('portal-gone');
    assert.equal((await as(s.token, 'GET', '/v1/webhooks')).status, 200);
    assert.equal((await h.api('DELETE', '/v1/tenants/portal-gone')).status, 204);
    assertError(await as(s.token, 'GET', '/v1/webhooks'), 401, 'unauthorized');
  });
});

describe('GET /v1/me', () => {
  it('admin: kind admin, no tenant; a tenant key: kind key with its tenant', async () => {
    const admin = await h.api('GET', '/v1/me');
    assert.deepEqual(admin.body, { kind: 'admin', scopes: ['admin'], tenant_id: null, expires_at: null });
    const key = await h.api('POST', '/v1/api-keys', { name: 'reader', scopes: ['read'], tenant_id: 'portal-b' });
    assert.equal(key.status, 201, key.text);
    const me = await as(key.body.key, 'GET', '/v1/me');
    assert.deepEqual(me.body, { kind: 'key', scopes: ['read'], tenant_id: 'portal-b', expires_at: null });
    assertError(await as('hk_nothing', 'GET', '/v1/me'), 401, 'unauthorized');
  });
});

describe('UI pages', () => {
  it("carry Content-Security-Policy: frame-ancestors 'self' and HERALD_PORTAL_FRAME_ANCESTORS", async () => {
    for (const path of ['/', '/webhooks', '/tenants']) {
      const r = await fetch(h.baseUrl + path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get('content-security-policy'), "frame-ancestors 'self' https://backoffice.example.com https://*.example.org", path);
      await r.arrayBuffer();
    }
  });

  it('portal URLs are made on HERALD_PUBLIC_URL when set', async () => {
    const other = await startHerald({ env: { HERALD_PUBLIC_URL: 'https://herald.example.com/' } });
    try {
      const r = await other.api('POST', '/v1/tenants/default/portal-sessions', { scopes: ['read'] });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.url, `https://herald.example.com/#portal=${r.body.token}`);
      const page = await fetch(other.baseUrl + '/');
      assert.equal(page.headers.get('content-security-policy'), "frame-ancestors 'self'");
      await page.arrayBuffer();
    } finally {
      await other.stop();
    }
  });
});
