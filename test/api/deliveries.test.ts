// Deliveries (API.md section 7) and webhook status / stats (section 4), as the REST API shows them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { ISO_UTC, assertError, listAll, webhookBody } from './support.ts';

let h: Herald;
let r: Receiver;
/** Answer per webhook, chosen by the `?as=` query of its URL. */
const answers: Record<string, { status: number; body?: string }> = {};

before(async () => {
  h = await startHerald();
  r = await startReceiver();
  r.respondWith((req) => answers[new URL(req.url, 'http://x').searchParams.get('as') ?? ''] ?? { status: 200, body: 'ok' });
});
after(async () => {
  await r?.close();
  await h?.stop();
});

async function webhookAnswering(key: string, answer: { status: number; body?: string }, extra: Record<string, unknown> = {}) {
  answers[key] = answer;
  const response = await h.api('POST', '/v1/webhooks', webhookBody(`${r.url}?as=${key}`, { event_types: ['badge.awarded'], retry: { attempts: 0 }, ...extra }));
  assert.equal(response.status, 201, response.text);
  return response.body;
}

/** Sends one badge.awarded event and returns its delivery to `webhook` once it matches `until`. */
async function deliver(webhook: any, until: (row: any) => boolean = (row) => row.status !== 'pending') {
  const sent = await h.api('POST', '/v1/events', { event_type: 'badge.awarded', user_id: 'm-1', data: { badge: { badge_id: 'B-7' } } });
  assert.equal(sent.status, 202, sent.text);
  return eventually(async () => {
    const rows = await listAll(h, `/v1/deliveries?event_id=${sent.body.event_id}&webhook_id=${webhook.id}`);
    return rows.length === 1 && until(rows[0]) ? rows[0] : undefined;
  }, 10_000, 'the delivery');
}

const detail = async (id: string) => {
  const response = await h.api('GET', `/v1/deliveries/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body;
};
const webhookNow = async (id: string) => (await h.api('GET', `/v1/webhooks/${id}`)).body;

describe('GET /v1/deliveries/{id}', () => {
  it('adds the envelope and an attempt log; response bodies are cut to 4 KiB', async () => {
    const webhook = await webhookAnswering('big500', { status: 500, body: 'e'.repeat(6000) });
    const row = await deliver(webhook);
    assert.equal(row.status, 'failed');
    const body = await detail(row.id);
    for (const key of Object.keys(row)) assert.deepEqual(body[key], row[key], `detail differs from the row in ${key}`);
    const envelope = body.envelope ?? body;
    assert.equal(envelope.event_id, row.event_id);
    assert.equal(envelope.event_type, 'badge.awarded');
    assert.equal(envelope.user_id, 'm-1');
    assert.deepEqual(envelope.data, { badge: { badge_id: 'B-7' } });
    assert.match(envelope.event_timestamp, ISO_UTC);
    assert.equal(typeof envelope.schema_version, 'string');
    assert.equal(body.attempt_log.length, 1);
    const [attempt] = body.attempt_log;
    assert.equal(attempt.attempt, 1);
    assert.match(attempt.started_at, ISO_UTC);
    assert.ok(Number.isInteger(attempt.duration_ms) && attempt.duration_ms >= 0);
    assert.equal(attempt.status_code, 500);
    assert.equal(attempt.outcome, 'http_error');
    assert.equal(typeof attempt.error, 'string');
    assert.ok(attempt.error.length > 0);
    assert.ok(/^e+/.test(attempt.response_body), 'the response body is kept');
    assert.ok(Buffer.byteLength(attempt.response_body) <= 4096 && attempt.response_body.length >= 4000, `kept ${attempt.response_body.length} chars`);
  });

  it('a success has status_code 200, error null, delivered_at set, and the body in the log', async () => {
    const webhook = await webhookAnswering('fine', { status: 201, body: 'thanks' });
    const row = await deliver(webhook);
    assert.equal(row.status, 'success');
    assert.equal(row.status_code, 201);
    assert.equal(row.error, null);
    assert.match(row.delivered_at, ISO_UTC);
    assert.ok(Date.parse(row.delivered_at) >= Date.parse(row.created_at));
    const body = await detail(row.id);
    assert.equal(body.attempt_log[0].response_body, 'thanks');
    assert.equal(body.attempt_log[0].outcome, 'success');
    assert.equal(body.attempt_log[0].error, null);
  });

  it('410 Gone is permanent: the delivery ends failed after one try, whatever retries are left', async () => {
    const webhook = await webhookAnswering('gone', { status: 410, body: 'unsubscribed' }, { retry: { attempts: 5, delay_seconds: 1 } });
    const row = await deliver(webhook);
    assert.equal(row.status, 'failed');
    assert.equal(row.attempts, 1);
    assert.equal(row.status_code, 410);
    assert.match(row.error, /410/);
    const body = await detail(row.id);
    assert.deepEqual(body.attempt_log.map((a: any) => [a.attempt, a.status_code, a.outcome]), [[1, 410, 'http_error']]);
    assert.equal(r.requests.filter((req) => req.url.includes('as=gone')).length, 1, 'no retry was sent');
    const stats = (await webhookNow(webhook.id)).stats;
    assert.deepEqual([stats.total, stats.failed], [1, 1]);
  });

  it('an unknown id is 404 not_found', async () => {
    assertError(await h.api('GET', '/v1/deliveries/dlv_unknown'), 404, 'not_found');
  });
});

describe('POST /v1/deliveries/{id}/retry', () => {
  it('restarts a failed delivery now: 202, attempt numbers keep counting', async () => {
    const webhook = await webhookAnswering('flaky', { status: 503, body: 'down' });
    const row = await deliver(webhook);
    assert.equal(row.status, 'failed');
    answers.flaky = { status: 200, body: 'back' };
    const response = await h.api('POST', `/v1/deliveries/${row.id}/retry`);
    assert.equal(response.status, 202, response.text);
    const done = await eventually(async () => {
      const body = await detail(row.id);
      return body.status === 'success' ? body : undefined;
    }, 10_000, 'the retried delivery to succeed');
    assert.equal(done.attempts, 2);
    assert.deepEqual(done.attempt_log.map((a: any) => a.attempt), [1, 2]);
    assert.deepEqual(done.attempt_log.map((a: any) => a.status_code), [503, 200]);
    assert.equal(done.status_code, 200);
    assert.equal(done.error, null);
    assert.match(done.delivered_at, ISO_UTC);
  });

  it('also restarts a successful delivery', async () => {
    const webhook = await webhookAnswering('again', { status: 200 });
    const row = await deliver(webhook);
    const requests = r.requests.length;
    assert.equal((await h.api('POST', `/v1/deliveries/${row.id}/retry`)).status, 202);
    const done = await eventually(async () => {
      const body = await detail(row.id);
      return body.status === 'success' && body.attempts === 2 ? body : undefined;
    }, 10_000, 'a second round');
    assert.equal(done.attempt_log.length, 2);
    assert.ok(r.requests.length > requests);
  });

  it('a pending delivery is 409 conflict, and stays as it was', async () => {
    const webhook = await webhookAnswering('slowretry', { status: 500 }, { retry: { attempts: 2, delay_seconds: 3600 } });
    const row = await deliver(webhook, (d) => d.attempts === 1);
    assert.equal(row.status, 'pending');
    assert.equal(row.status_code, 500, 'status_code of the latest try');
    assert.equal(typeof row.error, 'string');
    assertError(await h.api('POST', `/v1/deliveries/${row.id}/retry`), 409, 'conflict');
    const after = await detail(row.id);
    assert.equal(after.status, 'pending');
    assert.equal(after.attempt_log.length, 1);
  });

  it('an unknown id is 404 not_found', async () => {
    assertError(await h.api('POST', '/v1/deliveries/dlv_unknown/retry'), 404, 'not_found');
  });
});

describe('webhook status and stats', () => {
  it('count final deliveries, success_rate to one decimal, last_*_at from the tries', async () => {
    const webhook = await webhookAnswering('mixed', { status: 200 });
    assert.equal(webhook.stats.success_rate, null);
    await deliver(webhook);
    await deliver(webhook);
    answers.mixed = { status: 500 };
    const failed = await deliver(webhook);
    const now = await webhookNow(webhook.id);
    assert.equal(now.status, 'failed', 'the latest try failed');
    assert.equal(now.stats.total, 3);
    assert.equal(now.stats.succeeded, 2);
    assert.equal(now.stats.failed, 1);
    assert.equal(now.stats.success_rate, 66.7);
    assert.match(now.stats.last_success_at, ISO_UTC);
    assert.match(now.stats.last_failure_at, ISO_UTC);
    assert.ok(now.stats.last_failure_at >= now.stats.last_success_at);
    const failedTry = (await detail(failed.id)).attempt_log[0];
    assert.ok(Math.abs(Date.parse(now.stats.last_failure_at) - Date.parse(failedTry.started_at)) <= failedTry.duration_ms + 1000);

    answers.mixed = { status: 200 };
    await deliver(webhook);
    const healed = await webhookNow(webhook.id);
    assert.equal(healed.status, 'active');
    assert.deepEqual([healed.stats.total, healed.stats.succeeded, healed.stats.failed, healed.stats.success_rate], [4, 3, 1, 75]);
    assert.ok(healed.stats.last_success_at > now.stats.last_failure_at);
    assert.equal(healed.stats.last_failure_at, now.stats.last_failure_at);

    const off = await h.api('PATCH', `/v1/webhooks/${webhook.id}`, { enabled: false });
    assert.equal(off.body.status, 'inactive');
    assert.deepEqual(off.body.stats, healed.stats);
  });

  it('a pending delivery is not counted, its failed try sets last_failure_at and the failed status', async () => {
    const webhook = await webhookAnswering('pendingstat', { status: 500 }, { retry: { attempts: 3, delay_seconds: 3600 } });
    await deliver(webhook, (d) => d.attempts === 1);
    const now = await webhookNow(webhook.id);
    assert.equal(now.stats.total, 0);
    assert.equal(now.stats.success_rate, null);
    assert.match(now.stats.last_failure_at ?? '', ISO_UTC);
    assert.equal(now.status, 'failed');
  });
});

describe('DELETE /v1/webhooks/{id} and the audit log', () => {
  it('pending deliveries end failed ("webhook deleted"); logs stay readable', async () => {
    const webhook = await webhookAnswering('doomed', { status: 500 }, { retry: { attempts: 3, delay_seconds: 3600 } });
    const row = await deliver(webhook, (d) => d.attempts === 1);
    assert.equal((await h.api('DELETE', `/v1/webhooks/${webhook.id}`)).status, 204);
    const ended = await eventually(async () => {
      const body = await detail(row.id);
      return body.status === 'failed' ? body : undefined;
    }, 10_000, 'the pending delivery to end');
    assert.match(ended.error, /deleted/i);
    assert.equal(ended.webhook_name, webhook.name);
    assert.equal(ended.webhook_id, webhook.id);
    assert.equal((await listAll(h, `/v1/deliveries?webhook_id=${webhook.id}`)).length, 1);
    const event = await h.api('GET', `/v1/events/${row.event_id}`);
    assert.equal(event.status, 200);
    const shown = event.body.deliveries.find((d: any) => d.id === row.id);
    assert.equal(shown?.status, 'failed', 'GET /v1/events/{id} lists the delivery');
  });
});
