// Names other tools rely on: Prometheus default metrics under their standard names, and an
// OpenAPI document whose operations have unique operationIds and only the errors they can return.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHerald, type Herald } from '../helpers/herald.ts';

describe('ecosystem names', () => {
  let h: Herald;
  let doc: any;

  before(async () => {
    h = await startHerald();
    doc = await (await fetch(`${h.baseUrl}/openapi.json`)).json();
  });
  after(async () => {
    await h.stop();
  });

  it('serves default metrics as process_* and nodejs_*, and only its own as herald_*', async () => {
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(names.includes(name), `${name} is exported`);
    }
    assert.deepEqual(names.filter((n) => !/^(process|nodejs)_/.test(n) && !/^herald_/.test(n)), []);
    assert.deepEqual(names.filter((n) => /^herald_(process|nodejs)_/.test(n)), [], 'no prefixed default metrics');
    assert.ok(names.includes('herald_events_accepted_total'));
  });

  const operations = () =>
    Object.entries<any>(doc.paths).flatMap(([path, ops]) =>
      Object.entries<any>(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, method, path, op })),
    );

  it('gives every operation a unique camelCase operationId', () => {
    const ids = operations().map(({ route, op }) => {
      assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${route} has an operationId`);
      return op.operationId;
    });
    assert.equal(new Set(ids).size, ids.length, `unique: ${ids.join(', ')}`);
    assert.equal(doc.paths['/v1/webhooks'].get.operationId, 'listWebhooks');
    assert.equal(doc.paths['/v1/webhooks'].post.operationId, 'createWebhook');
    assert.equal(doc.paths['/v1/deliveries/{id}'].get.operationId, 'getDelivery');
  });

  it('documents for each operation the errors it can return and no others', () => {
    const mayConflict = new Set(['POST /v1/webhooks', 'PATCH /v1/webhooks/{id}', 'POST /v1/deliveries/{id}/retry', 'POST /v1/deliveries/{id}/cancel', 'POST /v1/tenants', 'DELETE /v1/tenants/{id}']);
    for (const { route, method, path, op } of operations()) {
      const errors = new Set(Object.keys(op.responses).map(Number).filter((status) => status >= 400));
      const hasBody = op.requestBody !== undefined;
      // A path value that is not an id (DELETE /v1/members/{user_id}) is checked: 400 when bad.
      const hasQuery = (op.parameters ?? []).some((p: any) => p.in === 'query' || (p.in === 'path' && p.name !== 'id'));
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      // POST /v1/tenants takes a new id (a taken one is 409); POST /v1/api-keys names an existing tenant.
      const namesSomething =
        path.includes('{id}') || (bodySchema?.properties?.id !== undefined && route !== 'POST /v1/tenants') || bodySchema?.properties?.tenant_id !== undefined;
      const expected = new Set([401, 403, 429]);
      if (hasBody || hasQuery) expected.add(400);
      if (namesSomething) expected.add(404);
      if (mayConflict.has(route)) expected.add(409);
      if (hasBody) [413, 415].forEach((status) => expected.add(status));
      assert.deepEqual([...errors].sort(), [...expected].sort(), route);
      if (method === 'get') assert.ok(!errors.has(409) && !errors.has(413) && !errors.has(415), route);
      for (const status of errors) {
        const response = op.responses[String(status)];
        assert.notEqual(response.description, 'Default Response', `${route} ${status} says what it means`);
        assert.ok(response.content['application/json'].schema.properties.error.properties.code, `${route} ${status} has the error shape`);
      }
    }
    assert.deepEqual(Object.keys(doc.paths['/v1/webhooks'].get.responses).sort(), ['200', '400', '401', '403', '429']);
    assert.deepEqual(Object.keys(doc.paths['/v1/event-types'].get.responses).sort(), ['200', '401', '403', '429']);
  });
});
