// Failed tries: retried per the webhook's policy, spaced by delay_seconds, recorded attempt by
// attempt; receiver misbehaviour ends as a failed try with a readable error, never a stuck delivery.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { eventually, startHerald, type Herald } from '../helpers/herald.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { createWebhook, deliveriesOf, deliveryDetail, sendEvent } from '../helpers/fixtures.ts';

describe('retries and receiver misbehaviour', () => {
  let h: Herald;
  const receivers: Receiver[] = [];

  before(async () => {
    h = await startHerald();
  });
  after(async () => {
    await h.stop();
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function receiver(): Promise<Receiver> {
    const r = await startReceiver();
    receivers.push(r);
    return r;
  }

  /** Sends one event to a fresh webhook and waits for its delivery to leave `pending`. */
  async function deliverOnce(url: string, webhook: Record<string, unknown> = {}) {
    const created = await createWebhook(h, { url, retry: { attempts: 0, timeout_seconds: 1 }, ...webhook });
    const accepted = await sendEvent(h);
    const [delivery] = await eventually(async () => {
      const rows = (await deliveriesOf(h, accepted.event_id)).filter((d) => d.webhook_id === created.id);
      return rows.length === 1 && rows[0].status !== 'pending' && rows;
    }, 15_000, 'the delivery to finish');
    return { webhook: created, delivery, detail: await deliveryDetail(h, delivery.id) };
  }

  it('retries failed tries, spaced by delay_seconds, until one succeeds', async () => {
    const r = await receiver();
    let calls = 0;
    r.respondWith(() => (++calls <= 2 ? { status: 503, body: 'busy' } : { status: 200, body: 'thanks' }));
    const { delivery, detail } = await deliverOnce(r.url, { retry: { attempts: 3, delay_seconds: 1 } });
    assert.equal(r.requests.length, 3);
    assert.equal(delivery.status, 'success');
    assert.equal(delivery.attempts, 3);
    assert.equal(delivery.status_code, 200);
    assert.equal(delivery.error, null);
    assert.ok(delivery.delivered_at);
    assert.deepEqual(detail.attempt_log.map((a: any) => [a.attempt, a.status_code, a.outcome, a.response_body]), [
      [1, 503, 'http_error', 'busy'],
      [2, 503, 'http_error', 'busy'],
      [3, 200, 'success', 'thanks'],
    ]);
    assert.match(detail.attempt_log[0].error, /503/);
    const gaps = r.requests.slice(1).map((req, i) => req.receivedAt - r.requests[i].receivedAt);
    for (const gap of gaps) assert.ok(gap >= 950, `tries are spaced by delay_seconds (gap ${gap} ms)`);
  });

  it('gives up after 1 + attempts tries and reports the last status and error', async () => {
    const r = await receiver();
    r.respondWith(() => ({ status: 500, body: 'boom' }));
    const { webhook, delivery, detail } = await deliverOnce(r.url, { retry: { attempts: 2, delay_seconds: 0 } });
    assert.equal(r.requests.length, 3);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.attempts, 3);
    assert.equal(delivery.status_code, 500);
    assert.match(delivery.error, /500/);
    assert.equal(delivery.delivered_at, null);
    assert.equal(detail.attempt_log.length, 3);
    const { body } = await h.api('GET', `/v1/webhooks/${webhook.id}`);
    assert.equal(body.status, 'failed');
    assert.deepEqual(
      { total: body.stats.total, succeeded: body.stats.succeeded, failed: body.stats.failed, rate: body.stats.success_rate },
      { total: 1, succeeded: 0, failed: 1, rate: 0 },
    );
    assert.ok(body.stats.last_failure_at);
    assert.equal(body.stats.last_success_at, null);
  });

  it('fails a try that gets no answer within timeout_seconds', async () => {
    const r = await receiver();
    r.respondWith(() => ({ hang: true }));
    const started = Date.now();
    const { delivery, detail } = await deliverOnce(r.url, { retry: { attempts: 0, timeout_seconds: 1 } });
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.status_code, null);
    assert.match(delivery.error, /timeout/i);
    assert.equal(detail.attempt_log[0].outcome, 'timeout');
    assert.ok(detail.attempt_log[0].duration_ms >= 900 && detail.attempt_log[0].duration_ms < 5000, `duration ${detail.attempt_log[0].duration_ms}`);
    assert.ok(Date.now() - started < 10_000);
  });

  it('does not follow redirects', async () => {
    const target = await receiver();
    const r = await receiver();
    r.respondWith(() => ({ status: 302, headers: { location: target.url } }));
    const { delivery, detail } = await deliverOnce(r.url);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.status_code, 302);
    assert.match(delivery.error, /redirect/i);
    assert.equal(detail.attempt_log[0].outcome, 'http_error');
    assert.equal(target.requests.length, 0, 'the redirect target got nothing');
  });

  it('fails a try whose connection is reset or refused, with a readable error', async () => {
    const r = await receiver();
    r.respondWith(() => ({ reset: true }));
    const reset = await deliverOnce(r.url);
    assert.equal(reset.delivery.status, 'failed');
    assert.equal(reset.delivery.status_code, null);
    assert.match(reset.delivery.error, /closed|reset|socket/i);
    assert.equal(reset.detail.attempt_log[0].outcome, 'network_error');

    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const refused = await deliverOnce(`http://127.0.0.1:${closedPort}/hook`);
    assert.equal(refused.delivery.status, 'failed');
    assert.match(refused.delivery.error, /refused/i);
    assert.equal(refused.detail.attempt_log[0].outcome, 'network_error');
  });

  it('keeps only 4 KiB of a huge answer and still finishes', async () => {
    const r = await receiver();
    r.respondWith(() => ({ status: 500, body: 'x'.repeat(2 * 1024 * 1024) }));
    const { delivery, detail } = await deliverOnce(r.url);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.status_code, 500);
    assert.equal(detail.attempt_log[0].response_body.length, 4096);
  });

  it('fails a try that answers with an invalid status line', async () => {
    const server = createServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 999999 Nope\r\ncontent-length: 0\r\n\r\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const { delivery, detail } = await deliverOnce(`http://127.0.0.1:${port}/hook`);
      assert.equal(delivery.status, 'failed');
      assert.ok(delivery.error && delivery.error.length > 0);
      assert.equal(detail.attempt_log[0].outcome, 'network_error');
    } finally {
      server.close();
    }
  });

  it('fails a receiver that drips its answer slower than the timeout', async () => {
    const server = createServer((socket) => {
      socket.once('data', () => {
        const line = 'HTTP/1.1 200 OK\r\n';
        let i = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || i >= line.length) return clearInterval(timer);
          socket.write(line[i++]);
        }, 300);
        socket.on('close', () => clearInterval(timer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const { delivery } = await deliverOnce(`http://127.0.0.1:${port}/hook`, { retry: { attempts: 0, timeout_seconds: 1 } });
      assert.equal(delivery.status, 'failed');
      assert.match(delivery.error, /timeout/i);
    } finally {
      server.close();
    }
  });

  it('runs a manual retry as a fresh round whose attempt numbers keep counting', async () => {
    const r = await receiver();
    r.respondWith(() => ({ status: 500 }));
    const { delivery, webhook } = await deliverOnce(r.url, { retry: { attempts: 1, delay_seconds: 0 } });
    assert.equal(delivery.attempts, 2);
    r.respondWith(() => ({ status: 204 }));
    const retried = await h.api('POST', `/v1/deliveries/${delivery.id}/retry`);
    assert.equal(retried.status, 202);
    const done = await eventually(async () => {
      const d = await deliveryDetail(h, delivery.id);
      return d.status === 'success' && d;
    }, 10_000, 'the retried delivery to succeed');
    assert.deepEqual(done.attempt_log.map((a: any) => a.attempt), [1, 2, 3]);
    assert.equal(done.status_code, 204);
    const { body } = await h.api('GET', `/v1/webhooks/${webhook.id}`);
    assert.deepEqual([body.stats.total, body.stats.succeeded, body.stats.failed], [1, 1, 0], 'one delivery, counted once, by its final state');
    assert.equal(body.status, 'active');
  });

  it('claims due retries of every webhook, however many webhooks there are', async () => {
    const r = await receiver();
    const calls = new Map<string, number>();
    r.respondWith((req) => {
      const n = (calls.get(req.url) ?? 0) + 1;
      calls.set(req.url, n);
      return { status: n === 1 ? 500 : 200 };
    });
    const webhooks = [];
    for (let i = 0; i < 12; i++) {
      webhooks.push(await createWebhook(h, { url: `${r.url}/${i}`, event_types: ['journey.in_progress'], retry: { attempts: 2, delay_seconds: 0 } }));
    }
    const accepted = await sendEvent(h, { event_type: 'journey.in_progress', data: {} });
    assert.equal(accepted.deliveries, 12);
    const rows = await eventually(async () => {
      const list = await deliveriesOf(h, accepted.event_id);
      return list.every((d) => d.status === 'success') && list;
    }, 15_000, 'every webhook to succeed on its retry');
    assert.deepEqual(rows.map((d) => d.attempts), Array(12).fill(2));
  });

  it('answers 409 to a retry of a pending delivery', async () => {
    const r = await receiver();
    r.respondWith(() => ({ hang: true }));
    const webhook = await createWebhook(h, { url: r.url, retry: { attempts: 0, timeout_seconds: 5 } });
    const accepted = await sendEvent(h);
    await r.waitFor(1);
    const [delivery] = (await deliveriesOf(h, accepted.event_id)).filter((d) => d.webhook_id === webhook.id);
    assert.equal(delivery.status, 'pending');
    const retried = await h.api('POST', `/v1/deliveries/${delivery.id}/retry`);
    assert.equal(retried.status, 409);
    assert.equal(retried.body.error.code, 'conflict');
  });
});
