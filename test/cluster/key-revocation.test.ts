// API.md §8: after DELETE /v1/api-keys/{id} on one Herald process, every other process on the same
// PostgreSQL database refuses the key (401) within 2 s; a key made on one is accepted by the other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHerald, type Herald } from '../helpers/herald.ts';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../helpers/postgres.ts';

const isAvailable = await postgresAvailable();

describe('API keys across Herald processes (PostgreSQL)', { skip: !isAvailable && 'no PostgreSQL server' }, () => {
  let database: TestDatabase;
  let one: Herald;
  let two: Herald;

  before(async () => {
    database = await createTestDatabase();
    one = await startHerald({ databaseUrl: database.url, env: { HERALD_ROLE: 'api' } });
    two = await startHerald({ databaseUrl: database.url, env: { HERALD_ROLE: 'api' } });
  });
  after(async () => {
    await one?.stop();
    await two?.stop();
    await database?.drop().catch(() => {});
  });

  it('a key made on one process works on the other at once; revoked on one, the other refuses it within 2 s', async () => {
    const tenant = await one.api('POST', '/v1/tenants', { id: 'brand-x', name: 'X' });
    assert.equal(tenant.status, 201, tenant.text);
    const made = await one.api('POST', '/v1/api-keys', { name: 'reader', scopes: ['read'], tenant_id: 'brand-x' });
    assert.equal(made.status, 201, made.text);
    const asKey = { authorization: `Bearer ${made.body.key}` };
    assert.equal((await two.api('GET', '/v1/webhooks', undefined, asKey)).status, 200);
    assert.equal((await two.api('GET', '/v1/webhooks', undefined, { 'herald-tenant': 'brand-x' })).status, 200, 'the new tenant is known there too');

    const revoked = await one.api('DELETE', `/v1/api-keys/${made.body.id}`);
    assert.equal(revoked.status, 204, revoked.text);
    const revokedAt = Date.now();
    assert.equal((await one.api('GET', '/v1/webhooks', undefined, asKey)).status, 401, 'refused at once where it was revoked');
    let status = 200;
    while (status !== 401) {
      status = (await two.api('GET', '/v1/webhooks', undefined, asKey)).status;
      assert.ok(Date.now() - revokedAt <= 2000, `still accepted ${Date.now() - revokedAt} ms after revocation`);
    }
    const seenAfter = Date.now() - revokedAt;
    assert.ok(seenAfter <= 2000, `refused after ${seenAfter} ms`);
  });
});
