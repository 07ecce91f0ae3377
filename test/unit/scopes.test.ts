// The pure rules of API.md §8: what each scope allows, which keys may be made, which tenant a
// request acts in; and the key ring over a real SQLite store (revocation, new keys, last use).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_TENANT, isTenantId, newApiKeyId, newTenantId, type TenantId } from '../../src/domain/ids.ts';
import { allows, scopeProblem, type RouteScope, type Scope } from '../../src/domain/scopes.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { generateApiKey, hashApiKey } from '../../src/tenancy/api-keys.ts';
import { chooseTenant, KeyRing, type Principal } from '../../src/tenancy/key-ring.ts';

describe('scopes', () => {
  const table: Array<[Scope, RouteScope, boolean]> = [
    ['admin', 'admin', true],
    ['admin', 'manage', true],
    ['admin', 'ingest', true],
    ['manage', 'admin', false],
    ['manage', 'manage', true],
    ['manage', 'read', true],
    ['manage', 'ingest', true],
    ['manage', 'tenant', true],
    ['read', 'read', true],
    ['read', 'manage', false],
    ['read', 'ingest', false],
    ['read', 'admin', false],
    ['read', 'tenant', true],
    ['ingest', 'ingest', true],
    ['ingest', 'read', false],
    ['ingest', 'manage', false],
    ['ingest', 'tenant', true],
  ];
  for (const [granted, required, expected] of table) {
    it(`${granted} ${expected ? 'may' : 'may not'} call a ${required} route`, () => assert.equal(allows([granted], required), expected));
  }
  it('several scopes add up', () => {
    assert.equal(allows(['read', 'ingest'], 'ingest'), true);
    assert.equal(allows(['read', 'ingest'], 'manage'), false);
    assert.equal(allows([], 'tenant'), false);
  });

  it('admin keys name no tenant, tenant keys must; unknown scopes are refused', () => {
    assert.equal(scopeProblem(['admin'], false), null);
    assert.equal(scopeProblem(['read', 'ingest'], true), null);
    assert.equal(scopeProblem(['admin'], true)?.field, 'tenant_id');
    assert.equal(scopeProblem(['admin', 'read'], true)?.field, 'tenant_id');
    assert.equal(scopeProblem(['manage'], false)?.field, 'tenant_id');
    assert.match(scopeProblem(['root'], true)!.message, /scope "root" is unknown/);
    assert.equal(scopeProblem([], true)?.field, 'scopes');
  });

  it('tenant ids: the brand id pattern, generated ones match it', () => {
    for (const ok of ['default', 'a', 'acme-rewards', 'brand_7', 'x'.repeat(63), newTenantId()]) assert.ok(isTenantId(ok), ok);
    for (const bad of ['', 'Acme', '-a', '_a', 'a b', 'x'.repeat(64), 'a/b']) assert.ok(!isTenantId(bad), bad);
  });
});

describe('choosing the tenant', () => {
  const admin: Principal = { kind: 'admin', keyId: null, scopes: ['admin'], tenantId: null, rateKey: 'h', expiresAt: null };
  const reader: Principal = { kind: 'key', keyId: 'key_1', scopes: ['read'], tenantId: 'brand-a' as TenantId, rateKey: 'h', expiresAt: null };
  it('admin: Herald-Tenant or default; a malformed header is refused', () => {
    assert.deepEqual(chooseTenant(admin, undefined), { ok: true, tenant: DEFAULT_TENANT, mustExist: false });
    assert.deepEqual(chooseTenant(admin, 'brand-b'), { ok: true, tenant: 'brand-b', mustExist: true });
    assert.deepEqual(chooseTenant(admin, 'Brand B'), { ok: false, reason: 'malformed' });
  });
  it('a tenant key: always its own tenant; another in Herald-Tenant is refused', () => {
    assert.deepEqual(chooseTenant(reader, undefined), { ok: true, tenant: 'brand-a', mustExist: false });
    assert.deepEqual(chooseTenant(reader, 'brand-a'), { ok: true, tenant: 'brand-a', mustExist: false });
    assert.deepEqual(chooseTenant(reader, 'brand-b'), { ok: false, reason: 'other_tenant' });
    assert.deepEqual(chooseTenant(reader, 'default'), { ok: false, reason: 'other_tenant' });
  });
});

describe('key ring over a real store', () => {
  it('accepts the admin key and live keys, sees a revocation by another writer within its staleness, batches last use', async () => {
    const store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), 'herald-ring-')), 'herald.db'));
    try {
      const adminKey = generateApiKey();
      const ring = new KeyRing(store, [hashApiKey(adminKey)], 200);
      assert.equal((await ring.authenticate(adminKey))?.kind, 'admin');
      assert.equal(await ring.authenticate('hk_nothing'), null);
      await store.insertTenant({ id: 'brand-a' as TenantId, name: 'A', createdAt: 1 });
      const key = generateApiKey();
      const id = newApiKeyId();
      await store.insertApiKey({ id, name: 'r', scopes: ['read'], tenantId: 'brand-a' as TenantId, keyHash: hashApiKey(key), createdAt: 1, lastUsedAt: null, revokedAt: null });
      // Made behind the ring's back (as by another process): found at once through the revision.
      const principal = await ring.authenticate(key);
      assert.deepEqual({ ...principal, rateKey: undefined }, { kind: 'key', keyId: id, scopes: ['read'], tenantId: 'brand-a', rateKey: undefined, expiresAt: null });
      assert.equal(await ring.tenantExists('brand-a'), true);
      assert.equal(await ring.tenantExists('brand-b'), false);

      await store.revokeApiKey(id, Date.now());
      const revokedAt = Date.now();
      while ((await ring.authenticate(key)) !== null) {
        assert.ok(Date.now() - revokedAt < 1000, 'a revoked key is refused within the staleness bound');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await ring.close();
      assert.ok((await store.findApiKeyByHash(hashApiKey(key)))?.lastUsedAt, 'last use written (once, in a batch)');
    } finally {
      await store.close();
    }
  });
});
