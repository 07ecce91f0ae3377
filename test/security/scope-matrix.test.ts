// Scopes in one place (API.md §8): every /v1 route declares the scope it needs, and each scope
// is tried against each route of the route table (so a new route is covered without editing
// this file): allowed → anything but 403 and never a 5xx; not allowed → 403 forbidden.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allows, SCOPES, type Scope } from '../../src/domain/scopes.ts';
import { startInProcessApi, type InProcessApi } from '../helpers/in-process-api.ts';

let server: InProcessApi;
const keys = new Map<Scope, string>();

async function call(key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(server.baseUrl + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : undefined };
}

before(async () => {
  server = await startInProcessApi();
  keys.set('admin', server.apiKey);
  const tenant = await call(server.apiKey, 'POST', '/v1/tenants', { id: 'matrix', name: 'Matrix' });
  assert.equal(tenant.status, 201, tenant.text);
  for (const scope of SCOPES.filter((s) => s !== 'admin')) {
    const made = await call(server.apiKey, 'POST', '/v1/api-keys', { name: scope, scopes: [scope], tenant_id: 'matrix' });
    assert.equal(made.status, 201, made.text);
    keys.set(scope, made.body.key);
  }
});
after(async () => {
  await server?.close();
});

const v1Routes = () => server.api.routeTable.filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD' && r.method !== 'OPTIONS');

describe('the route table', () => {
  it('has a scope on every /v1 route (a route without one cannot ship)', () => {
    const routes = v1Routes();
    assert.ok(routes.length >= 20, `found ${routes.length} /v1 routes`);
    assert.deepEqual(routes.filter((r) => r.scope === undefined).map((r) => `${r.method} ${r.url}`), []);
  });

  it('gives writes manage or admin, and ingestion ingest', () => {
    for (const route of v1Routes()) {
      if (route.method !== 'GET' && route.scope === 'read') assert.fail(`${route.method} ${route.url} writes with scope read`);
    }
    const scopeOf = (method: string, url: string) => v1Routes().find((r) => r.method === method && r.url === url)?.scope;
    assert.equal(scopeOf('POST', '/v1/events'), 'ingest');
    assert.equal(scopeOf('POST', '/v1/events/batch'), 'ingest');
    assert.equal(scopeOf('GET', '/v1/webhooks/:id/secret'), 'manage');
    assert.equal(scopeOf('POST', '/v1/api-keys'), 'admin');
  });
});

describe('OpenAPI', () => {
  it('has the bearer scheme, names each operation\'s scope, and documents Herald-Tenant on tenant routes', async () => {
    const doc = await (await fetch(`${server.baseUrl}/openapi.json`)).json();
    assert.equal(doc.components.securitySchemes.apiKey.scheme, 'bearer');
    for (const route of v1Routes()) {
      const op = doc.paths[route.url.replace(/:([a-z_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      assert.ok(op, `${route.method} ${route.url} is documented`);
      assert.equal(op['x-herald-scope'], route.scope, `${route.method} ${route.url}`);
      const header = (op.parameters ?? []).find((p: { in: string; name: string }) => p.in === 'header' && p.name === 'Herald-Tenant');
      assert.equal(header !== undefined, route.scope !== 'admin', `${route.method} ${route.url}: Herald-Tenant documented on tenant routes only`);
    }
  });
});

describe('scope × route matrix', () => {
  it('each scope against each /v1 route: allowed is never 403 or 5xx, the rest is 403 forbidden', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of v1Routes()) {
      // Ids that name nothing: an allowed call ends in 400 or 404 and changes nothing.
      const path = route.url.replace(/:id/g, 'no-such-id').replace(/:[a-z_]+/g, 'x');
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      for (const scope of SCOPES) {
        const { status, body: answer } = await call(keys.get(scope)!, route.method, path, body);
        checked++;
        const allowed = allows([scope], route.scope ?? 'admin');
        const name = `${scope} → ${route.method} ${route.url}: ${status}`;
        if (status >= 500) failures.push(`${name} (5xx)`);
        else if (allowed && status === 403) failures.push(`${name} (allowed, got 403)`);
        else if (!allowed && (status !== 403 || answer?.error?.code !== 'forbidden')) failures.push(`${name} (expected 403 forbidden)`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(checked >= 80, `checked ${checked}`);
  });

  it('nothing was created by the refused or empty calls', async () => {
    const webhooks = await call(server.apiKey, 'GET', '/v1/webhooks');
    assert.deepEqual(webhooks.body.data, []);
    const tenants = await call(server.apiKey, 'GET', '/v1/tenants');
    assert.deepEqual(tenants.body.data.map((t: { id: string }) => t.id), ['default', 'matrix']);
  });
});
