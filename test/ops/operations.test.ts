// Operations: readiness, Prometheus metrics, OpenAPI and docs, key generation, rate limit,
// start-up errors and graceful shutdown.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { eventually, ROOT, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, deliveriesOf, sendEvent } from '../helpers/fixtures.ts';

describe('operations', () => {
  let h: Herald;
  let receiver: Receiver;

  before(async () => {
    receiver = await startReceiver();
    h = await startHerald();
  });
  after(async () => {
    await h.stop();
    await receiver.close();
  });

  it('answers /healthz without a key', async () => {
    const response = await fetch(`${h.baseUrl}/healthz`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok' });
  });

  it('exposes Prometheus metrics that move with the work', async () => {
    await createWebhook(h, { url: receiver.url });
    const accepted = await sendEvent(h);
    await eventually(async () => (await deliveriesOf(h, accepted.event_id))[0]?.status === 'success', 10_000, 'delivery');
    const text = await (await fetch(`${h.baseUrl}/metrics`)).text();
    assert.match(text, /herald_events_accepted_total\{event_type="reward.awarded"\} 1/);
    assert.match(text, /herald_deliveries_total\{outcome="success"\} 1/);
    assert.match(text, /herald_attempt_duration_seconds_count 1/);
    assert.match(text, /herald_queue_depth 0/);
    assert.match(text, /herald_attempts_in_flight 0/);
  });

  it('serves an OpenAPI 3.1 document of every /v1 route and the docs page', async () => {
    const doc = await (await fetch(`${h.baseUrl}/openapi.json`)).json();
    assert.match(doc.openapi, /^3\.1/);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    for (const route of [
      'GET /v1/event-types',
      'POST /v1/webhooks',
      'GET /v1/webhooks',
      'GET /v1/webhooks/{id}',
      'PATCH /v1/webhooks/{id}',
      'DELETE /v1/webhooks/{id}',
      'GET /v1/webhooks/{id}/secret',
      'POST /v1/webhooks/{id}/secret/rotate',
      'POST /v1/webhooks/{id}/test',
      'POST /v1/webhooks/test',
      'POST /v1/events',
      'POST /v1/events/batch',
      'GET /v1/events/{id}',
      'GET /v1/deliveries',
      'GET /v1/deliveries/{id}',
      'POST /v1/deliveries/{id}/retry',
    ]) {
      assert.ok(routes.includes(route), `${route} is documented`);
    }
    assert.ok(routes.every((r) => r.includes(' /v1/')), 'only /v1 routes');
    const create = doc.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema;
    assert.equal(create.properties.retry.properties.attempts.maximum, 10, 'generated from the validating schema');
    const docs = await fetch(`${h.baseUrl}/docs/`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger/i);
  });

  it('generates an API key on first start, prints it once, and keeps only its hash', async () => {
    const first = await startHerald({ env: { HERALD_API_KEY: '' } });
    let key: string;
    try {
      key = /HERALD_API_KEY=(\S+)/.exec(first.logs())![1];
      const ok = await fetch(`${first.baseUrl}/v1/webhooks`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(ok.status, 200);
      const wrong = await fetch(`${first.baseUrl}/v1/webhooks`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.status, 401);
    } finally {
      await first.stop();
    }
    const second = await startHerald({ dataDir: first.dataDir, env: { HERALD_API_KEY: '' } });
    try {
      assert.ok(!second.logs().includes(key), 'the key is printed only on the first start');
      const ok = await fetch(`${second.baseUrl}/v1/webhooks`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(ok.status, 200);
    } finally {
      await second.stop();
    }
  });

  it('limits requests per key per minute when HERALD_RATE_LIMIT is set', async () => {
    const limited = await startHerald({ env: { HERALD_RATE_LIMIT: '5' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await limited.api('GET', '/v1/event-types')).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      const response = await limited.api('GET', '/v1/event-types');
      assert.equal(response.body.error.code, 'rate_limited');
      assert.ok(Number(response.headers.get('retry-after')) > 0);
      assert.equal((await fetch(`${limited.baseUrl}/healthz`)).status, 200, 'only /v1 is limited');
    } finally {
      await limited.stop();
    }
  });

  it('exits with code 1 and names the variable for a bad setting', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /PORT must be a whole number from 0 to 65535/);
  });

  it('shuts down on SIGTERM, finishing the attempt in flight', async () => {
    const slow = await startReceiver();
    slow.respondWith(() => ({ status: 200, delayMs: 500 }));
    const herald = await startHerald();
    try {
      await createWebhook(herald, { url: slow.url, event_types: ['user.created'] });
      const accepted = await sendEvent(herald, { event_type: 'user.created', data: {} });
      await slow.waitFor(1);
      const code = await herald.stop();
      assert.equal(code, 0);
      assert.match(herald.logs(), /delivery engine stopped/);
      const again = await startHerald({ dataDir: herald.dataDir });
      try {
        const [row] = await deliveriesOf(again, accepted.event_id);
        assert.equal(row.status, 'success', 'the in-flight attempt was finished and recorded before exit');
        assert.equal(slow.requests.length, 1);
      } finally {
        await again.stop();
      }
    } finally {
      await slow.close();
    }
  });
});
